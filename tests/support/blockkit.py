"""Block Kit limit checks: report what Slack would reject, before a test ever reaches Slack.

Limits follow /work/shared/SLACK-FACTS.md ("Block Kit limits"). Every problem is one string that
starts with the path of the offending field, e.g. ``blocks[3].element.options[2].text: over 75
chars (81)``. The checks only read their input and never raise on malformed data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

Problems = list[str]

ID_MAX = 255
VIEW_BLOCKS_MAX = 100
MESSAGE_BLOCKS_MAX = 50
VIEW_JSON_MAX_BYTES = 250_000
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
BUTTON_STYLES = frozenset({"primary", "danger"})

SELECT_TYPES = frozenset({"static_select", "multi_static_select"})
CHOICE_TYPES = frozenset({"radio_buttons", "checkboxes"})
MENU_TYPES = frozenset(
    f"{multi}{source}_select"
    for multi in ("", "multi_")
    for source in ("static", "external", "users", "conversations", "channels")
)
INPUT_ELEMENT_TYPES = MENU_TYPES | CHOICE_TYPES | {
    "plain_text_input", "email_text_input", "url_text_input", "number_input",
    "rich_text_input", "file_input", "datepicker", "timepicker", "datetimepicker",
}  # fmt: skip


def _too_long(value: Any, limit: int, path: str) -> Problems:
    """Report a string longer than `limit` characters."""
    if isinstance(value, str) and len(value) > limit:
        return [f"{path}: over {limit} chars ({len(value)})"]
    return []


def _too_big(value: Any, limit: int, path: str) -> Problems:
    """Report a number greater than `limit`."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > limit:
        return [f"{path}: over {limit} ({value})"]
    return []


def _too_many(items: Any, limit: int, path: str) -> Problems:
    """Report a list with more than `limit` items."""
    if isinstance(items, list) and len(items) > limit:
        return [f"{path}: over {limit} items ({len(items)})"]
    return []


def _list(items: Any, path: str, limit: int, *, required: bool = True) -> Problems:
    """Report a missing, non-list, empty or over-long list."""
    if items is None:
        return [f"{path}: missing"] if required else []
    if not isinstance(items, list):
        return [f"{path}: must be a list"]
    if not items:
        return [f"{path}: must not be empty"]
    return _too_many(items, limit, path)


def _text_flags(obj: dict, path: str) -> Problems:
    """Report `emoji` outside plain_text and `verbatim` outside mrkdwn."""
    problems = []
    if "emoji" in obj and obj.get("type") != "plain_text":
        problems.append(f"{path}.emoji: only allowed on plain_text")
    if "verbatim" in obj and obj.get("type") != "mrkdwn":
        problems.append(f"{path}.verbatim: only allowed on mrkdwn")
    return problems


def _text(
    obj: Any, path: str, limit: int | None, *, plain: bool = False, required: bool = True
) -> Problems:
    """Check a text object: its type, non-empty text, flags and length."""
    if obj is None:
        return [f"{path}: missing"] if required else []
    if not isinstance(obj, dict):
        return [f"{path}: must be a text object"]
    kind = obj.get("type")
    if kind not in TEXT_TYPES:
        return [f"{path}.type: must be plain_text or mrkdwn (got {kind!r})"]
    if plain and kind != "plain_text":
        return [f"{path}: must be plain_text (got {kind})"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{path}: text is empty", *_text_flags(obj, path)]
    return _text_flags(obj, path) + ([] if limit is None else _too_long(text, limit, path))


def _plain(obj: Any, path: str, limit: int, *, required: bool = True) -> Problems:
    """Check a text object that must be plain_text."""
    return _text(obj, path, limit, plain=True, required=required)


def _confirm(obj: Any, path: str) -> Problems:
    """Check a confirmation dialog: title, text, confirm and deny labels, style."""
    if not isinstance(obj, dict):
        return [f"{path}: must be an object"]
    return (
        _plain(obj.get("title"), f"{path}.title", 100)
        + _text(obj.get("text"), f"{path}.text", 300)
        + _plain(obj.get("confirm"), f"{path}.confirm", 30)
        + _plain(obj.get("deny"), f"{path}.deny", 30)
        + _style(obj, path)
    )


def _style(obj: dict, path: str) -> Problems:
    """Report a `style` other than primary or danger."""
    style = obj.get("style")
    if "style" in obj and style not in BUTTON_STYLES:
        return [f"{path}.style: must be primary or danger (got {style!r})"]
    return []


def _option(obj: Any, path: str, *, mrkdwn_ok: bool) -> Problems:
    """Check one option object: text, value and description."""
    if not isinstance(obj, dict):
        return [f"{path}: must be an object"]
    value = obj.get("value")
    problems = _text(obj.get("text"), f"{path}.text", 75, plain=not mrkdwn_ok)
    if not isinstance(value, str) or not value:
        problems.append(f"{path}.value: missing")
    problems += _too_long(value, 150, f"{path}.value")
    desc = obj.get("description")
    problems += _text(desc, f"{path}.description", 75, plain=not mrkdwn_ok, required=False)
    return problems + _too_long(obj.get("url"), 3000, f"{path}.url")


def _options(items: Any, path: str, limit: int, *, mrkdwn_ok: bool = False) -> Problems:
    """Check a list of options and its size limit."""
    problems = _list(items, path, limit)
    if problems and not isinstance(items, list):
        return problems
    for i, opt in enumerate(items or []):
        problems += _option(opt, f"{path}[{i}]", mrkdwn_ok=mrkdwn_ok)
    return problems


def _option_groups(groups: Any, path: str) -> Problems:
    """Check option groups: labels and their options, at most 100 of each."""
    problems = _list(groups, path, 100)
    if problems and not isinstance(groups, list):
        return problems
    for i, group in enumerate(groups or []):
        here = f"{path}[{i}]"
        if not isinstance(group, dict):
            problems.append(f"{here}: must be an object")
            continue
        problems += _plain(group.get("label"), f"{here}.label", 75)
        problems += _options(group.get("options"), f"{here}.options", 100)
    return problems


def _all_options(el: dict) -> list:
    """Return an element's options, flattening option groups."""
    groups = el.get("option_groups")
    if isinstance(groups, list):
        return [o for g in groups if isinstance(g, dict) for o in (g.get("options") or [])]
    options = el.get("options")
    return options if isinstance(options, list) else []


def _initial_choices(el: dict, path: str) -> Iterator[tuple[str, Any]]:
    """Yield (path, option) for initial_option and each of initial_options."""
    if "initial_option" in el:
        yield f"{path}.initial_option", el["initial_option"]
    chosen = el.get("initial_options")
    for i, opt in enumerate(chosen if isinstance(chosen, list) else []):
        yield f"{path}.initial_options[{i}]", opt


def _initial(el: dict, path: str) -> Problems:
    """Report initial options whose value is not among the element's options."""
    values = {o.get("value") for o in _all_options(el) if isinstance(o, dict)}
    problems = []
    for here, opt in _initial_choices(el, path):
        value = opt.get("value") if isinstance(opt, dict) else None
        if value not in values:
            problems.append(f"{here}: value {value!r} is not among the options")
    return problems


def _check_button(el: dict, path: str) -> Problems:
    """Check a button: plain_text label, value, url and style."""
    return (
        _plain(el.get("text"), f"{path}.text", 75)
        + _too_long(el.get("value"), 2000, f"{path}.value")
        + _too_long(el.get("url"), 3000, f"{path}.url")
        + _style(el, path)
    )


def _check_select(el: dict, path: str) -> Problems:
    """Check a static select: options or option groups and initial choices."""
    if "option_groups" in el:
        problems = _option_groups(el["option_groups"], f"{path}.option_groups")
    else:
        problems = _options(el.get("options"), f"{path}.options", 100)
    return problems + _initial(el, path)


def _check_choices(el: dict, path: str) -> Problems:
    """Check radio buttons or checkboxes: at most 10 options, mrkdwn allowed."""
    problems = _options(el.get("options"), f"{path}.options", 10, mrkdwn_ok=True)
    return problems + _initial(el, path)


def _check_overflow(el: dict, path: str) -> Problems:
    """Check an overflow menu: at most 5 plain_text options."""
    return _options(el.get("options"), f"{path}.options", 5)


def _check_text_input(el: dict, path: str) -> Problems:
    """Check plain_text_input length bounds."""
    low, high = el.get("min_length"), el.get("max_length")
    problems = _too_big(high, 3000, f"{path}.max_length")
    problems += _too_big(low, 3000, f"{path}.min_length")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        problems.append(f"{path}.min_length: greater than max_length ({low} > {high})")
    return problems


def _check_image_element(el: dict, path: str) -> Problems:
    """Check an image element: alt_text and a source."""
    problems = [] if el.get("alt_text") else [f"{path}.alt_text: missing"]
    if not el.get("image_url") and not el.get("slack_file"):
        problems.append(f"{path}.image_url: missing")
    return problems + _too_long(el.get("image_url"), 3000, f"{path}.image_url")


def _no_checks(el: dict, path: str) -> Problems:
    """Accept an element type that has no limits checked here."""
    return []


ElementCheck = Callable[[dict, str], Problems]
ELEMENT_CHECKS: dict[str, ElementCheck] = {
    **dict.fromkeys(INPUT_ELEMENT_TYPES | {"workflow_button"}, _no_checks),
    **dict.fromkeys(SELECT_TYPES, _check_select),
    **dict.fromkeys(CHOICE_TYPES, _check_choices),
    "button": _check_button,
    "overflow": _check_overflow,
    "plain_text_input": _check_text_input,
    "image": _check_image_element,
}


def _element(el: Any, path: str) -> Problems:
    """Check one block element: action_id, placeholder, confirm and type limits."""
    if not isinstance(el, dict):
        return [f"{path}: must be an object"]
    kind = el.get("type")
    check = ELEMENT_CHECKS.get(kind)
    if check is None:
        return [f"{path}.type: unknown element type {kind!r}"]
    problems = _too_long(el.get("action_id"), ID_MAX, f"{path}.action_id")
    problems += _plain(el.get("placeholder"), f"{path}.placeholder", 150, required=False)
    if "confirm" in el:
        problems += _confirm(el["confirm"], f"{path}.confirm")
    return problems + check(el, path)


def _duplicate_action_ids(elements: list, path: str) -> Problems:
    """Report action_ids repeated within one block."""
    seen: dict[str, int] = {}
    problems = []
    for i, el in enumerate(elements):
        action_id = el.get("action_id") if isinstance(el, dict) else None
        if action_id is None:
            continue
        if action_id in seen:
            first = f"{path}[{seen[action_id]}]"
            problems.append(f"{path}[{i}].action_id: duplicate {action_id!r} (first at {first})")
        else:
            seen[action_id] = i
    return problems


def _section(block: dict, path: str) -> Problems:
    """Check a section: text up to 3000, up to 10 fields of 2000, accessory."""
    if "text" not in block and "fields" not in block:
        return [f"{path}: needs text or fields"]
    problems = _text(block.get("text"), f"{path}.text", 3000, required=False)
    fields = block.get("fields")
    problems += _list(fields, f"{path}.fields", 10, required=False)
    for i, field in enumerate(fields if isinstance(fields, list) else []):
        problems += _text(field, f"{path}.fields[{i}]", 2000)
    if "accessory" in block:
        problems += _element(block["accessory"], f"{path}.accessory")
    return problems


def _header(block: dict, path: str) -> Problems:
    """Check a header: plain_text up to 150."""
    return _plain(block.get("text"), f"{path}.text", 150)


def _context(block: dict, path: str) -> Problems:
    """Check a context block: 1 to 10 text or image elements."""
    elements = block.get("elements")
    problems = _list(elements, f"{path}.elements", 10)
    for i, el in enumerate(elements if isinstance(elements, list) else []):
        here = f"{path}.elements[{i}]"
        is_image = isinstance(el, dict) and el.get("type") == "image"
        problems += _check_image_element(el, here) if is_image else _text(el, here, None)
    return problems


def _actions(block: dict, path: str) -> Problems:
    """Check an actions block: 1 to 25 elements with unique action_ids."""
    elements = block.get("elements")
    here = f"{path}.elements"
    problems = _list(elements, here, 25)
    if not isinstance(elements, list):
        return problems
    for i, el in enumerate(elements):
        problems += _element(el, f"{here}[{i}]")
    return problems + _duplicate_action_ids(elements, here)


def _input(block: dict, path: str) -> Problems:
    """Check an input block: label, hint and an element allowed in inputs."""
    problems = _plain(block.get("label"), f"{path}.label", 2000)
    problems += _plain(block.get("hint"), f"{path}.hint", 2000, required=False)
    el = block.get("element")
    if el is None:
        return [*problems, f"{path}.element: missing"]
    kind = el.get("type") if isinstance(el, dict) else None
    if kind in ELEMENT_CHECKS and kind not in INPUT_ELEMENT_TYPES:
        return [*problems, f"{path}.element.type: {kind!r} is not allowed in input blocks"]
    return problems + _element(el, f"{path}.element")


def _image(block: dict, path: str) -> Problems:
    """Check an image block: source, alt_text and optional plain_text title."""
    problems = _check_image_element(block, path) + _too_long(
        block.get("alt_text"), 2000, f"{path}.alt_text"
    )
    return problems + _plain(block.get("title"), f"{path}.title", 2000, required=False)


def _markdown(block: dict, path: str) -> Problems:
    """Check a markdown block: non-empty text up to 12000."""
    text = block.get("text")
    if not isinstance(text, str) or not text:
        return [f"{path}.text: missing"]
    return _too_long(text, 12000, f"{path}.text")


BlockCheck = Callable[[dict, str], Problems]
BLOCK_CHECKS: dict[str, BlockCheck] = {
    "section": _section,
    "header": _header,
    "context": _context,
    "actions": _actions,
    "input": _input,
    "image": _image,
    "markdown": _markdown,
    **dict.fromkeys(("divider", "file", "video", "rich_text"), _no_checks),
}


def _block(block: Any, path: str) -> Problems:
    """Check one block: its type, block_id length and type-specific limits."""
    if not isinstance(block, dict):
        return [f"{path}: must be an object"]
    kind = block.get("type")
    check = BLOCK_CHECKS.get(kind)
    if check is None:
        return [f"{path}.type: unknown block type {kind!r}"]
    return _too_long(block.get("block_id"), ID_MAX, f"{path}.block_id") + check(block, path)


def _duplicate_block_ids(blocks: list) -> Problems:
    """Report block_ids used more than once in a surface."""
    seen: dict[str, int] = {}
    problems = []
    for i, block in enumerate(blocks):
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is None:
            continue
        if block_id in seen:
            problems.append(
                f"blocks[{i}].block_id: duplicate {block_id!r} (first at blocks[{seen[block_id]}])"
            )
        else:
            seen[block_id] = i
    return problems


def _to_plain(obj: Any) -> Any:
    """Turn slack_sdk model objects (anything with to_dict) into plain dicts."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, list | tuple):
        return [_to_plain(item) for item in obj]
    return obj


def _blocks_of(surface: dict) -> Any:
    """Return a surface's blocks as plain data, decoding a JSON string."""
    blocks = surface.get("blocks")
    if isinstance(blocks, str):
        try:
            return json.loads(blocks)
        except ValueError:
            return blocks
    return _to_plain(blocks)


def _normalize_view(view: Any) -> Any:
    """Return a view as plain data, with its blocks decoded and converted too."""
    view = _to_plain(view)
    if isinstance(view, dict) and "blocks" in view:
        return {**view, "blocks": _blocks_of(view)}
    return view


def _blocks(blocks: Any, limit: int, *, required: bool) -> Problems:
    """Check a blocks list: its size, each block and unique block_ids."""
    if blocks is None:
        return ["blocks: missing"] if required else []
    if not isinstance(blocks, list):
        return ["blocks: must be a list"]
    problems = _too_many(blocks, limit, "blocks")
    for i, block in enumerate(blocks):
        problems += _block(block, f"blocks[{i}]")
    return problems + _duplicate_block_ids(blocks)


def _has_input(blocks: Any) -> bool:
    """Tell whether a blocks list contains an input block."""
    return isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )


def _json_size(view: dict) -> Problems:
    """Report a view whose compact UTF-8 JSON exceeds about 250 kB."""
    try:
        size = len(json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode())
    except (TypeError, ValueError) as exc:
        return [f"view: not JSON serializable ({exc})"]
    if size > VIEW_JSON_MAX_BYTES:
        return [f"view: JSON over {VIEW_JSON_MAX_BYTES} bytes ({size})"]
    return []


def _view_common(view: dict, kind: str) -> Problems:
    """Check what modal and home views share: type, ids, metadata, blocks, size."""
    problems = []
    if view.get("type") != kind:
        problems.append(f"type: must be {kind!r} (got {view.get('type')!r})")
    problems += _too_long(view.get("callback_id"), ID_MAX, "callback_id")
    problems += _too_long(view.get("external_id"), ID_MAX, "external_id")
    problems += _too_long(view.get("private_metadata"), 3000, "private_metadata")
    problems += _blocks(_blocks_of(view), VIEW_BLOCKS_MAX, required=True)
    return problems + _json_size(view)


def view_problems(view: dict) -> list[str]:
    """List every Block Kit problem Slack would reject in a modal view."""
    view = _normalize_view(view)
    if not isinstance(view, dict):
        return ["view: must be an object"]
    problems = _plain(view.get("title"), "title", 24)
    if view.get("submit") is None and _has_input(_blocks_of(view)):
        problems.append("submit: required when the view has input blocks")
    problems += _plain(view.get("submit"), "submit", 24, required=False)
    problems += _plain(view.get("close"), "close", 24, required=False)
    return _view_common(view, "modal") + problems


def home_problems(view: dict) -> list[str]:
    """List every Block Kit problem Slack would reject in an App Home view."""
    view = _normalize_view(view)
    if not isinstance(view, dict):
        return ["view: must be an object"]
    return _view_common(view, "home")


def _fallback_text(message: dict) -> Problems:
    """Report a missing or empty top-level notification text."""
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        return ["text: missing top-level fallback text"]
    return []


def _input_blocks_in_message(blocks: Any) -> Problems:
    """Report input blocks, which messages cannot hold."""
    if not isinstance(blocks, list):
        return []
    return [
        f"blocks[{i}]: input blocks are not allowed in messages"
        for i, b in enumerate(blocks)
        if isinstance(b, dict) and b.get("type") == "input"
    ]


def message_problems(message: dict) -> list[str]:
    """List every Block Kit problem in chat.postMessage / chat.update arguments."""
    if not isinstance(message, dict):
        return ["message: must be an object"]
    blocks = _blocks_of(message)
    problems = _fallback_text(message)
    problems += _blocks(blocks, MESSAGE_BLOCKS_MAX, required=False)
    return problems + _input_blocks_in_message(blocks)


def _raise_if(problems: list[str], what: str) -> None:
    """Raise AssertionError listing all problems, if there are any."""
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise AssertionError(f"{len(problems)} Block Kit problem(s) in {what}:\n{listing}")


def assert_valid_view(view: dict) -> None:
    """Fail with every problem of a modal (or, for type "home", an App Home) view."""
    view = _normalize_view(view)
    is_home = isinstance(view, dict) and view.get("type") == "home"
    _raise_if(home_problems(view) if is_home else view_problems(view), "view")


def assert_valid_message(message: dict) -> None:
    """Fail with every problem of chat.postMessage / chat.update arguments."""
    _raise_if(message_problems(message), "message")
