"""Every listener that works after ack() is wrapped, so Slack keeps the answer it was given."""

from __future__ import annotations

import ast
from pathlib import Path

LISTENERS = Path(__file__).resolve().parents[2] / "care_bot" / "listeners"
SLACK_METHODS = {"action", "view", "view_closed", "command", "shortcut", "options"}


def _registrations():
    """(module, handler name, wrapped in guarded?, handler's def) for each app.X(id)(handler)."""
    for path in sorted(LISTENERS.glob("*.py")):
        tree = ast.parse(path.read_text())
        defs = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Call)
                    and isinstance(node.func.func, ast.Attribute)
                    and node.func.func.attr in SLACK_METHODS and len(node.args) == 1):
                continue
            handler = node.args[0]
            wrapped = (isinstance(handler, ast.Call) and getattr(handler.func, "id", "")
                       == "guarded")
            name = ast.unparse(handler.args[0] if wrapped else handler)
            yield path.name, name, wrapped, defs.get(name)


def _only_acks(node: ast.FunctionDef) -> bool:
    body = [s for s in node.body if not isinstance(s, ast.Expr)
            or not isinstance(s.value, ast.Constant)]
    return len(body) == 1 and "ack(" in ast.unparse(body[0])


def test_every_listener_that_works_after_ack_is_guarded():
    """A registered handler doing anything besides ack() is registered as guarded(handler)."""
    found = list(_registrations())
    assert len(found) > 40  # the scan sees the real registrations
    assert all(node is not None for _, _, _, node in found)  # module-level handlers only
    unguarded = [f"{module}:{name}" for module, name, wrapped, node in found
                 if not wrapped and not _only_acks(node)]
    assert unguarded == []


def test_every_guarded_handler_names_context():
    """guarded() finds the Services in Bolt's context, which Bolt passes only when named."""
    missing = [f"{module}:{name}" for module, name, wrapped, node in _registrations()
               if wrapped and "context" not in [a.arg for a in node.args.args]]
    assert missing == []


def test_no_listener_module_imports_another_listener_modules_private_names():
    """Listener modules share helpers through public names (payloads, context, guard) only."""
    private = []
    for path in sorted(LISTENERS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "care_bot.listeners"):
                private += [f"{path.name}: {node.module}.{a.name}" for a in node.names
                            if a.name.startswith("_")]
    assert private == []
