"""The layers of care_bot (docs/architecture.md): no import cycles, and no layer imports upwards.

Every module is parsed with ``ast``; imports inside functions count, imports under
``if TYPE_CHECKING:`` do not (they never run). ``from care_bot.flows import tracking`` is an
import of ``care_bot.flows.tracking``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "care_bot"

# What each layer may import besides itself (docs/architecture.md, "What may import what").
# A layer is a package under care_bot/ or one top-level module.
ALLOWED = {
    "domain": {"config.types"},
    "config": {"domain"},
    "ids": set(),
    "slack_api": set(),
    "roles": {"config"},
    "storage": {"domain", "config"},
    "views": {"domain", "config", "ids"},
    "services": {"config", "storage", "slack_api", "roles"},
    "outbox": {"domain", "config", "storage", "views", "slack_api", "services"},
    "flows": {"domain", "config", "storage", "views", "ids", "outbox", "services", "slack_api",
              "roles"},
    "listeners": {"flows", "views", "ids", "services", "domain", "config"},
    "runtime": {"domain", "config", "storage", "views", "ids", "outbox", "services", "slack_api",
                "roles", "flows", "listeners"},
    "commands": {"domain", "config", "storage", "views", "ids", "outbox", "services",
                 "slack_api", "roles", "flows", "runtime"},
    "sandbox": {"domain", "config", "storage", "views", "ids"},
    "__main__": {"commands"},
}
# services.py bundles the process's state holders; each is a leaf that imports no flow,
# listener or outbox delivery, so holding them creates no cycle.
STATE_HOLDERS = {
    "services": {"outbox.state", "outbox.hooks", "runtime.identity", "runtime.lease_state",
                 "runtime.watchdog", "flows.view_owners"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(id(inner) for inner in ast.walk(child))
    return skipped


def imports_of(name: str) -> list[tuple[str, int]]:
    """The care_bot modules one module imports, each with the line of its import."""
    tree = ast.parse(MODULES[name].read_text())
    skipped = _type_checking_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                found.append((target if target in MODULES else node.module, node.lineno))
    return [(target, line) for target, line in found if target in MODULES and target != name]


def layer_of(name: str) -> str:
    """``care_bot.flows.tracking`` is in "flows"; ``care_bot.services`` is "services"."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def _allowed(source: str, target: str) -> bool:
    source_layer, target_layer = layer_of(source), layer_of(target)
    if source_layer == target_layer or not source_layer:
        return True
    inside = target.removeprefix("care_bot.")
    allowed = ALLOWED[source_layer] | STATE_HOLDERS.get(source_layer, set())
    return any(inside == rule or inside.startswith(rule + ".") or target_layer == rule
               for rule in allowed)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_layers_every_package_has_a_rule():
    layers = {layer_of(name) for name in MODULES} - {""}

    assert layers <= set(ALLOWED), sorted(layers - set(ALLOWED))


def test_layers_no_import_cycles_among_modules():
    graph = {name: {target for target, _ in imports_of(name)} for name in MODULES}

    assert _cycles(graph) == []


def test_layers_no_layer_imports_upwards():
    wrong = [
        f"{MODULES[name].relative_to(PACKAGE.parent)}:{line} imports {target}"
        for name in MODULES
        for target, line in imports_of(name)
        if not _allowed(name, target)
    ]

    assert wrong == []


def test_layers_domain_and_settings_types_use_the_stdlib_only():
    outside = {
        name: sorted({target for target, _ in imports_of(name)
                      if layer_of(target) != "domain" and target != "care_bot.config.types"})
        for name in MODULES
        if layer_of(name) == "domain" or name == "care_bot.config.types"
    }
    third_party = {
        name: sorted(alias for alias in _top_level_imports(name)
                     if alias not in _STDLIB and alias != "care_bot")
        for name in outside
    }

    assert {name: found for name, found in outside.items() if found} == {}
    assert {name: found for name, found in third_party.items() if found} == {}


def _top_level_imports(name: str) -> set[str]:
    tree = ast.parse(MODULES[name].read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


_STDLIB = {"__future__", *__import__("sys").stdlib_module_names}


@pytest.mark.parametrize(("source", "target", "allowed"), [
    ("care_bot.outbox.delivery", "care_bot.flows.renders", False),
    ("care_bot.domain.ladder", "care_bot.config", False),
    ("care_bot.domain.ladder", "care_bot.config.types", True),
    ("care_bot.flows.tracking", "care_bot.listeners.actions", False),
    ("care_bot.listeners.home", "care_bot.storage.incidents", False),
    ("care_bot.views.home", "care_bot.flows.home", False),
    ("care_bot.services", "care_bot.runtime.identity", True),
    ("care_bot.services", "care_bot.runtime.app", False),
    ("care_bot.runtime.app", "care_bot.listeners", True),
])
def test_layers_rule_refuses_upward_imports(source, target, allowed):
    assert _allowed(source, target) is allowed


def test_layers_cycle_finder_finds_a_cycle_through_three_modules():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert _cycles(graph) == [["a", "b", "c"]]
