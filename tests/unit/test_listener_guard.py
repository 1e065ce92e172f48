"""Every listener that works after ack() is wrapped, so Slack keeps the answer it was given."""

from __future__ import annotations

import ast
from pathlib import Path

LISTENERS = Path(__file__).resolve().parents[2] / "care_bot" / "listeners"
SLACK_DECORATORS = {"action", "view", "view_closed", "command", "shortcut", "options"}


def _listeners():
    for path in sorted(LISTENERS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            names = []
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                names.append(target.attr if isinstance(target, ast.Attribute) else
                             getattr(target, "id", ""))
            if SLACK_DECORATORS & set(names):
                yield path.name, node, names


def _only_acks(node: ast.FunctionDef) -> bool:
    body = [s for s in node.body if not isinstance(s, ast.Expr)
            or not isinstance(s.value, ast.Constant)]
    return len(body) == 1 and "ack(" in ast.unparse(body[0])


def test_every_listener_that_works_after_ack_is_guarded():
    """A listener doing anything besides ack() carries @guard (after_ack_guard)."""
    found = list(_listeners())
    assert len(found) > 20  # the scan sees the real listeners
    unguarded = [f"{name}:{node.name}" for name, node, decorators in found
                 if "guard" not in decorators and not _only_acks(node)]
    assert unguarded == []
