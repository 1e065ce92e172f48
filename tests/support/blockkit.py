"""Block Kit checks for tests: what Slack would reject, found before a test reaches Slack.

Built on ``slack_sdk.models``: every block is parsed into the SDK's model and serialized again,
which runs all of the SDK's validators (lengths, counts, required fields, styles). On top of that,
the few rules the SDK misses (/work/shared/SLACK-FACTS.md, "Block Kit limits"): ``mrkdwn`` where
Slack wants ``plain_text``, a modal without a title or (with inputs) a submit, duplicate
block_ids and action_ids, option limits on options given as dicts, unknown types (the SDK drops
them silently), and the message rules (fallback text, 50 blocks, no inputs). Each problem is one
string starting with the path of the offending part, e.g. ``blocks[3].element.options[2]: ...``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block, Option
from slack_sdk.models.views import View

Problems = list[str]
MESSAGE_BLOCKS_MAX = 50
VIEW_JSON_MAX_BYTES = 250_000
CHOICE_TYPES = frozenset({"radio_buttons", "checkboxes"})  # the only ones that allow mrkdwn
# Keys whose text object must be plain_text wherever they appear (a confirm dialog's "confirm"
# button too; the dialog itself has no type and is skipped).
PLAIN_KEYS = frozenset({"title", "submit", "close", "label", "hint", "placeholder", "confirm",
                        "deny"})
PLAIN_TEXT_OF = frozenset({"header", "button"})  # block or element types whose "text" is plain
SDK_ERRORS = (SlackObjectFormationError, TypeError, KeyError, ValueError, AttributeError)


def _walk(node: Any, path: str, owner: str = "") -> Iterator[tuple[str, dict, str]]:
    """Yield (path, dict, the type of the dict that holds it) for every dict inside ``node``."""
    if isinstance(node, dict):
        yield path, node, owner
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}", node.get("type", owner))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{i}]", owner)


def _dropped(original: Any, rendered: Any, path: str) -> Iterator[str]:
    """Paths of parts the SDK's round trip lost or changed (unknown types, invalid objects)."""
    if isinstance(original, dict) and isinstance(rendered, dict):
        for key, value in original.items():
            yield from _dropped(value, rendered.get(key), f"{path}.{key}")
    elif isinstance(original, list) and isinstance(rendered, list):
        if len(original) != len(rendered):
            yield path
        for i, (a, b) in enumerate(zip(original, rendered, strict=False)):
            yield from _dropped(a, b, f"{path}[{i}]")
    elif original != rendered:
        yield path


def _sdk_block(block: Any, path: str) -> Problems:
    """The SDK's own validation of one block, and whatever its round trip drops."""
    if not isinstance(block, dict):
        return [f"{path}: must be an object"]
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return [f"{path}.type: unknown block type {block.get('type')!r}"]
        rendered = parsed.to_dict()
    except SDK_ERRORS as exc:
        return [f"{path}: {exc}"]
    lost = next(_dropped(block, rendered, path), None)
    return [] if lost is None else [f"{lost}: not valid Block Kit (slack_sdk drops it)"]


def _options(block: dict, path: str) -> Problems:
    """Options given as dicts, which the SDK leaves unchecked: each as an SDK ``Option``, the
    counts of radio buttons, checkboxes and option groups, and initial options among them."""
    problems = []
    for here, node, _ in _walk(block, path):
        options = node.get("options")
        if not isinstance(options, list):
            continue
        for i, option in enumerate(options):
            try:
                Option(**option).to_dict()
            except SDK_ERRORS as exc:
                problems.append(f"{here}.options[{i}]: {exc}")
        is_group = "type" not in node and "label" in node
        limit = 10 if node.get("type") in CHOICE_TYPES else 100 if is_group else None
        problems += _too_many(options, limit, f"{here}.options") if limit else []
    for here, node, _ in _walk(block, path):
        problems += _initial_not_among_options(node, here)
    return problems


def _initial_not_among_options(node: dict, path: str) -> Problems:
    groups = node.get("option_groups") or []
    options = [o for g in groups for o in g.get("options", [])] + (node.get("options") or [])
    values = {option.get("value") for option in options}
    chosen = [("initial_option", node["initial_option"])] if "initial_option" in node else []
    chosen += [(f"initial_options[{i}]", o) for i, o in enumerate(node.get("initial_options", []))]
    return [f"{path}.{key}: value {option.get('value')!r} is not among the options"
            for key, option in chosen if option.get("value") not in values]


def _too_many(items: Any, limit: int, path: str) -> Problems:
    if isinstance(items, list) and len(items) > limit:
        return [f"{path}: over {limit} items ({len(items)})"]
    return []


def _plain_text_and_limits(block: dict, path: str) -> Problems:
    """``plain_text`` where Slack wants it, and the few lengths the SDK does not check."""
    problems = []
    for here, node, owner in _walk(block, path):
        kind = node.get("type", "")
        is_option = "type" not in node and "value" in node and "text" in node
        keys = PLAIN_KEYS | ({"text"} if kind in PLAIN_TEXT_OF else set())
        if is_option and owner not in CHOICE_TYPES:
            keys |= {"text", "description"}  # mrkdwn only in radio buttons and checkboxes
        problems += [f"{here}.{key}: must be plain_text (got {node[key].get('type')})"
                     for key in sorted(keys) if isinstance(node.get(key), dict)
                     and node[key].get("type") not in (None, "plain_text")]
        if is_option and isinstance(node.get("description"), dict):
            problems += _too_long(node["description"].get("text"), 75, f"{here}.description")
        for i, field in enumerate(node.get("fields") or [] if kind == "section" else []):
            problems += _too_long(field.get("text"), 2000, f"{here}.fields[{i}]")
        for key in ("max_length", "min_length"):
            if kind == "plain_text_input" and (node.get(key) or 0) > 3000:
                problems.append(f"{here}.{key}: over 3000 ({node[key]})")
    return problems


def _too_long(text: Any, limit: int, path: str) -> Problems:
    if isinstance(text, str) and len(text) > limit:
        return [f"{path}: over {limit} chars ({len(text)})"]
    return []


def _duplicates(items: list, key: str, path: str) -> Problems:
    """Report ``key`` values (block_id, action_id) used twice among ``items``."""
    seen: dict[str, int] = {}
    problems = []
    for i, item in enumerate(items):
        value = item.get(key) if isinstance(item, dict) else None
        if value is not None and value in seen:
            problems.append(f"{path}[{i}].{key}: duplicate {value!r} (first at "
                            f"{path}[{seen[value]}])")
        elif value is not None:
            seen[value] = i
    return problems


def _blocks(blocks: Any) -> Problems:
    """Every block through the SDK, then the rules it misses."""
    if not isinstance(blocks, list):
        return ["blocks: must be a list"]
    problems = []
    for i, block in enumerate(blocks):
        path = f"blocks[{i}]"
        problems += _sdk_block(block, path)
        if isinstance(block, dict):
            problems += _plain_text_and_limits(block, path) + _options(block, path)
            elements = block.get("elements")
            if block.get("type") == "actions" and isinstance(elements, list):
                problems += _duplicates(elements, "action_id", f"{path}.elements")
    return problems + _duplicates(blocks, "block_id", "blocks")


def _plain(obj: Any) -> Any:
    """slack_sdk model objects (anything with to_dict) and JSON-string blocks as plain data."""
    if isinstance(obj, JsonObject):
        return obj.to_dict()
    if isinstance(obj, list | tuple):
        return [_plain(item) for item in obj]
    if isinstance(obj, dict) and isinstance(obj.get("blocks"), str):
        return {**obj, "blocks": json.loads(obj["blocks"])}
    if isinstance(obj, dict) and "blocks" in obj:
        return {**obj, "blocks": _plain(obj["blocks"])}
    return obj


def view_problems(view: Any) -> list[str]:
    """Every problem Slack would reject in a modal or App Home view."""
    view = _plain(view)
    problems = []
    try:  # the view's own fields; its blocks are checked one by one below
        blocks = view.get("blocks")
        stand_ins = [{"type": "divider"}] * len(blocks) if isinstance(blocks, list) else blocks
        View(**{**view, "blocks": stand_ins}).validate_json()
    except SDK_ERRORS as exc:
        problems.append(f"view: {exc}")
    if view.get("type") == "modal":
        problems += [] if view.get("title") else ["title: missing"]
        has_input = any(b.get("type") == "input" for b in view.get("blocks") or [])
        problems += ["submit: required when the view has input blocks"] if (
            has_input and not view.get("submit")) else []
    top = {key: view[key] for key in ("title", "submit", "close") if key in view}
    problems += _plain_text_and_limits(top, "view")
    size = len(json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode())
    if size > VIEW_JSON_MAX_BYTES:
        problems.append(f"view: JSON over {VIEW_JSON_MAX_BYTES} bytes ({size})")
    return problems + _blocks(view.get("blocks", []))


def message_problems(message: Any) -> list[str]:
    """Every Block Kit problem in chat.postMessage / chat.update arguments."""
    message = _plain(message)
    text = message.get("text")
    problems = [] if isinstance(text, str) and text.strip() else [
        "text: missing top-level fallback text"]
    blocks = message.get("blocks", [])
    problems += _too_many(blocks, MESSAGE_BLOCKS_MAX, "blocks")
    problems += [f"blocks[{i}]: input blocks are not allowed in messages"
                 for i, b in enumerate(blocks) if isinstance(b, dict) and b.get("type") == "input"]
    return problems + _blocks(blocks)


def _raise_if(problems: list[str], what: str) -> None:
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise AssertionError(f"{len(problems)} Block Kit problem(s) in {what}:\n{listing}")


def assert_valid_view(view: Any) -> None:
    """Fail with every problem of a modal or App Home view."""
    _raise_if(view_problems(view), "view")


def assert_valid_message(message: Any) -> None:
    """Fail with every problem of chat.postMessage / chat.update arguments."""
    _raise_if(message_problems(message), "message")
