"""Tests for tests/support/blockkit.py: each Block Kit rule passes at its limit and fails one
step past it, with the exact problem string (path first) that the checker reports."""

from __future__ import annotations

import json

import pytest
from slack_sdk.models.blocks import DividerBlock, SectionBlock
from slack_sdk.models.views import View

from tests.support.blockkit import (
    assert_valid_message,
    assert_valid_view,
    home_problems,
    message_problems,
    view_problems,
)

# ---------------------------------------------------------------- builders of minimal valid parts


def pt(text: str = "Text", **extra) -> dict:
    """Build a plain_text object."""
    return {"type": "plain_text", "text": text, **extra}


def md(text: str = "Text", **extra) -> dict:
    """Build a mrkdwn text object."""
    return {"type": "mrkdwn", "text": text, **extra}


def x(n: int) -> str:
    """Build a string of exactly n characters."""
    return "x" * n


def drop(d: dict, *keys: str) -> dict:
    """Return a copy of d without the given keys."""
    return {k: v for k, v in d.items() if k not in keys}


def opt(value: str = "v", text: dict | None = None, **extra) -> dict:
    """Build an option object (plain_text label defaults to the value)."""
    return {"text": text or pt(value), "value": value, **extra}


def opts(n: int) -> list[dict]:
    """Build n options with values o0..o{n-1}."""
    return [opt(f"o{i}") for i in range(n)]


def modal(*blocks: dict, **extra) -> dict:
    """Build a minimal valid modal; pass key=None to remove a key."""
    view = {
        "type": "modal",
        "callback_id": "care_step",
        "title": pt("CARE"),
        "submit": pt("Next"),
        "close": pt("Cancel"),
        "blocks": list(blocks),
        **extra,
    }
    return {k: v for k, v in view.items() if v is not None}


def home(*blocks: dict, **extra) -> dict:
    """Build a minimal valid App Home view."""
    return {"type": "home", "blocks": list(blocks), **extra}


def message(*blocks: dict, **extra) -> dict:
    """Build minimal chat.postMessage arguments; pass key=None to remove a key."""
    args = {"channel": "C0123", "text": "CARE update", "blocks": list(blocks), **extra}
    return {k: v for k, v in args.items() if v is not None}


def divider(**extra) -> dict:
    """Build a divider block."""
    return {"type": "divider", **extra}


def section(text: str = "Hello", **extra) -> dict:
    """Build a section block with mrkdwn text."""
    return {"type": "section", "text": md(text), **extra}


def header(text: dict | None = None) -> dict:
    """Build a header block."""
    return {"type": "header", "text": text or pt("Header")}


def context(*elements: dict) -> dict:
    """Build a context block."""
    return {"type": "context", "elements": list(elements)}


def actions(*elements: dict) -> dict:
    """Build an actions block."""
    return {"type": "actions", "elements": list(elements)}


def input_block(element: dict | None = None, block_id: str = "answer", **extra) -> dict:
    """Build an input block around a plain_text_input by default."""
    block = {"type": "input", "block_id": block_id, "label": pt("Label")}
    return {**block, "element": element or text_input(), **extra}


def text_input(**extra) -> dict:
    """Build a plain_text_input element."""
    return {"type": "plain_text_input", "action_id": "value", **extra}


def button(text: dict | None = None, action_id: str = "go", **extra) -> dict:
    """Build a button element."""
    return {"type": "button", "text": text or pt("Go"), "action_id": action_id, **extra}


def select(options: list | None = None, kind: str = "static_select", **extra) -> dict:
    """Build a static select (or another kind with options) with two options by default."""
    element = {"type": kind, "action_id": "pick", "placeholder": pt("Pick one")}
    return {**element, "options": opts(2) if options is None else options, **extra}


def choices(options: list | None = None, kind: str = "radio_buttons", **extra) -> dict:
    """Build radio buttons (or checkboxes) with two options by default."""
    element = {"type": kind, "action_id": "choose"}
    return {**element, "options": opts(2) if options is None else options, **extra}


def confirm(**extra) -> dict:
    """Build a confirmation dialog."""
    base = {"title": pt("Sure?"), "text": pt("Really?"), "confirm": pt("Yes"), "deny": pt("No")}
    return {**base, **extra}


def json_size(view: dict) -> int:
    """Measure a view's compact UTF-8 JSON size the way the checker does."""
    return len(json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode())


def problems_of(surface: dict) -> list[str]:
    """Dispatch to the checker for a modal, home view or message."""
    kind = surface.get("type")
    if kind == "modal":
        return view_problems(surface)
    if kind == "home":
        return home_problems(surface)
    return message_problems(surface)


def in_input(element: dict) -> dict:
    """Wrap an element in a modal's single input block."""
    return modal(input_block(element))


def in_actions(*elements: dict) -> dict:
    """Wrap elements in a modal's single actions block."""
    return modal(actions(*elements))


def rule(name: str, good: dict, bad: dict, expected: str):
    """One rule: `good` has no problems, `bad` has exactly `expected`."""
    return pytest.param(good, bad, expected, id=name)


BIG = modal(*[section(x(3000)) for _ in range(100)])

RULES = [
    # ------------------------------------------------------------------ modal view
    rule("title length", modal(title=pt(x(24))), modal(title=pt(x(25))),
         "title: over 24 chars (25)"),
    rule("title plain_text", modal(), modal(title=md("CARE")),
         "title: must be plain_text (got mrkdwn)"),
    rule("title required", modal(), modal(title=None), "title: missing"),
    rule("submit length", modal(submit=pt(x(24))), modal(submit=pt(x(25))),
         "submit: over 24 chars (25)"),
    rule("submit plain_text", modal(), modal(submit=md("Next")),
         "submit: must be plain_text (got mrkdwn)"),
    rule("close length", modal(close=pt(x(24))), modal(close=pt(x(25))),
         "close: over 24 chars (25)"),
    rule("close plain_text", modal(), modal(close=md("Cancel")),
         "close: must be plain_text (got mrkdwn)"),
    rule("input needs submit", modal(section(), submit=None),
         modal(input_block(), submit=None), "submit: required when the view has input blocks"),
    rule("view blocks count", modal(*[divider()] * 100), modal(*[divider()] * 101),
         "blocks: over 100 items (101)"),
    rule("view blocks required", modal(), drop(modal(), "blocks"), "blocks: missing"),
    rule("private_metadata length", modal(private_metadata=x(3000)),
         modal(private_metadata=x(3001)), "private_metadata: over 3000 chars (3001)"),
    rule("callback_id length", modal(callback_id=x(255)), modal(callback_id=x(256)),
         "callback_id: over 255 chars (256)"),
    rule("block_id length", modal(divider(block_id=x(255))), modal(divider(block_id=x(256))),
         "blocks[0].block_id: over 255 chars (256)"),
    rule("block_id unique", modal(divider(block_id="a"), divider(block_id="b")),
         modal(divider(block_id="a"), divider(block_id="a")),
         "blocks[1].block_id: duplicate 'a' (first at blocks[0])"),
    rule("action_id length", in_actions(button(action_id=x(255))),
         in_actions(button(action_id=x(256))),
         "blocks[0].elements[0].action_id: over 255 chars (256)"),
    rule("action_id unique within a block",
         modal(actions(button(action_id="a")), actions(button(action_id="a"))),
         in_actions(button(action_id="a"), button(action_id="a")),
         "blocks[0].elements[1].action_id: duplicate 'a' (first at blocks[0].elements[0])"),
    rule("view JSON size", modal(*[section(x(3000)) for _ in range(80)]), BIG,
         f"view: JSON over 250000 bytes ({json_size(BIG)})"),
    # ------------------------------------------------------------------ message and home
    rule("message text required", message(section()), message(section(), text=None),
         "text: missing top-level fallback text"),
    rule("message text non-empty", message(section()), message(section(), text=""),
         "text: missing top-level fallback text"),
    rule("message blocks count", message(*[divider()] * 50), message(*[divider()] * 51),
         "blocks: over 50 items (51)"),
    rule("no input in messages", message(section()), message(input_block()),
         "blocks[0]: input blocks are not allowed in messages"),
    rule("message block checks", message(section(x(3000))), message(section(x(3001))),
         "blocks[0].text: over 3000 chars (3001)"),
    rule("home blocks count", home(*[divider()] * 100), home(*[divider()] * 101),
         "blocks: over 100 items (101)"),
    rule("home block checks", home(header(pt(x(150)))), home(header(pt(x(151)))),
         "blocks[0].text: over 150 chars (151)"),
    # ------------------------------------------------------------------ blocks
    rule("unknown block type", modal(divider()), modal({"type": "dividr"}),
         "blocks[0].type: unknown block type 'dividr'"),
    rule("unknown block type in message", message(divider()), message({"type": "table2"}),
         "blocks[0].type: unknown block type 'table2'"),
    rule("section text length", modal(section(x(3000))), modal(section(x(3001))),
         "blocks[0].text: over 3000 chars (3001)"),
    rule("section needs text or fields", modal(section()), modal({"type": "section"}),
         "blocks[0]: needs text or fields"),
    rule("section fields count", modal(section(fields=[md()] * 10)),
         modal(section(fields=[md()] * 11)), "blocks[0].fields: over 10 items (11)"),
    rule("section field length", modal(section(fields=[md(x(2000))])),
         modal(section(fields=[md(x(2001))])), "blocks[0].fields[0]: over 2000 chars (2001)"),
    rule("header length", modal(header(pt(x(150)))), modal(header(pt(x(151)))),
         "blocks[0].text: over 150 chars (151)"),
    rule("header plain_text", modal(header()), modal(header(md("Header"))),
         "blocks[0].text: must be plain_text (got mrkdwn)"),
    rule("context elements count", modal(context(*[md()] * 10)), modal(context(*[md()] * 11)),
         "blocks[0].elements: over 10 items (11)"),
    rule("actions elements count",
         in_actions(*[button(action_id=f"b{i}") for i in range(25)]),
         in_actions(*[button(action_id=f"b{i}") for i in range(26)]),
         "blocks[0].elements: over 25 items (26)"),
    rule("image alt_text required",
         modal({"type": "image", "image_url": "https://example.com/a.png", "alt_text": "A"}),
         modal({"type": "image", "image_url": "https://example.com/a.png"}),
         "blocks[0].alt_text: missing"),
    # ------------------------------------------------------------------ input blocks
    rule("input label length", modal(input_block(label=pt(x(2000)))),
         modal(input_block(label=pt(x(2001)))), "blocks[0].label: over 2000 chars (2001)"),
    rule("input label plain_text", modal(input_block()), modal(input_block(label=md("L"))),
         "blocks[0].label: must be plain_text (got mrkdwn)"),
    rule("input hint length", modal(input_block(hint=pt(x(2000)))),
         modal(input_block(hint=pt(x(2001)))), "blocks[0].hint: over 2000 chars (2001)"),
    rule("input hint plain_text", modal(input_block(hint=pt("H"))),
         modal(input_block(hint=md("H"))), "blocks[0].hint: must be plain_text (got mrkdwn)"),
    rule("input element required", modal(input_block()), modal(drop(input_block(), "element")),
         "blocks[0].element: missing"),
    rule("input element type", in_input(select()), in_input(button()),
         "blocks[0].element.type: 'button' is not allowed in input blocks"),
    rule("placeholder length", in_input(text_input(placeholder=pt(x(150)))),
         in_input(text_input(placeholder=pt(x(151)))),
         "blocks[0].element.placeholder: over 150 chars (151)"),
    rule("placeholder plain_text", in_input(text_input(placeholder=pt("P"))),
         in_input(text_input(placeholder=md("P"))),
         "blocks[0].element.placeholder: must be plain_text (got mrkdwn)"),
    rule("max_length", in_input(text_input(max_length=3000)),
         in_input(text_input(max_length=3001)), "blocks[0].element.max_length: over 3000 (3001)"),
    rule("min_length", in_input(text_input(min_length=3000)),
         in_input(text_input(min_length=3001)), "blocks[0].element.min_length: over 3000 (3001)"),
    # ------------------------------------------------------------------ buttons
    rule("button text length", in_actions(button(pt(x(75)))), in_actions(button(pt(x(76)))),
         "blocks[0].elements[0].text: over 75 chars (76)"),
    rule("button text plain_text", in_actions(button()), in_actions(button(md("Go"))),
         "blocks[0].elements[0].text: must be plain_text (got mrkdwn)"),
    rule("button value length", in_actions(button(value=x(2000))),
         in_actions(button(value=x(2001))), "blocks[0].elements[0].value: over 2000 chars (2001)"),
    rule("button url length", in_actions(button(url=x(3000))), in_actions(button(url=x(3001))),
         "blocks[0].elements[0].url: over 3000 chars (3001)"),
    rule("button style", in_actions(button(style="danger")),
         in_actions(button(style="secondary")),
         "blocks[0].elements[0].style: must be primary or danger (got 'secondary')"),
    rule("unknown element type", in_actions(button()), in_actions({"type": "buton"}),
         "blocks[0].elements[0].type: unknown element type 'buton'"),
    # ------------------------------------------------------------------ options
    rule("option text length", in_input(select([opt("a", pt(x(75)))])),
         in_input(select([opt("a", pt(x(76)))])),
         "blocks[0].element.options[0].text: over 75 chars (76)"),
    rule("mrkdwn option text only in radio",
         in_input(choices([opt("a", md("*A*"))])), in_input(select([opt("a", md("*A*"))])),
         "blocks[0].element.options[0].text: must be plain_text (got mrkdwn)"),
    rule("mrkdwn option text only in checkboxes",
         in_input(choices([opt("a", md("*A*"))], "checkboxes")),
         modal(section(accessory={"type": "overflow", "options": [opt("a", md("*A*"))]})),
         "blocks[0].accessory.options[0].text: must be plain_text (got mrkdwn)"),
    rule("option value length", in_input(select([opt(x(150), pt("A"))])),
         in_input(select([opt(x(151), pt("A"))])),
         "blocks[0].element.options[0].value: over 150 chars (151)"),
    rule("option description length", in_input(select([opt("a", description=pt(x(75)))])),
         in_input(select([opt("a", description=pt(x(76)))])),
         "blocks[0].element.options[0].description: over 75 chars (76)"),
    rule("static select options count", in_input(select(opts(100))), in_input(select(opts(101))),
         "blocks[0].element.options: over 100 items (101)"),
    rule("multi select options count", in_input(select(opts(100), "multi_static_select")),
         in_input(select(opts(101), "multi_static_select")),
         "blocks[0].element.options: over 100 items (101)"),
    rule("option group options count",
         in_input(drop(select(option_groups=[{"label": pt("G"), "options": opts(100)}]),
                       "options")),
         in_input(drop(select(option_groups=[{"label": pt("G"), "options": opts(101)}]),
                       "options")),
         "blocks[0].element.option_groups[0].options: over 100 items (101)"),
    rule("radio options count", in_input(choices(opts(10))), in_input(choices(opts(11))),
         "blocks[0].element.options: over 10 items (11)"),
    rule("checkboxes options count", in_input(choices(opts(10), "checkboxes")),
         in_input(choices(opts(11), "checkboxes")),
         "blocks[0].element.options: over 10 items (11)"),
    rule("initial_option among options (by value)",
         in_input(select(initial_option=opt("o1", pt("Same value, other label")))),
         in_input(select(initial_option=opt("zz"))),
         "blocks[0].element.initial_option: value 'zz' is not among the options"),
    rule("initial_option among option groups",
         in_input(drop(select(option_groups=[{"label": pt("G"), "options": opts(2)}],
                              initial_option=opt("o1")), "options")),
         in_input(drop(select(option_groups=[{"label": pt("G"), "options": opts(2)}],
                              initial_option=opt("zz")), "options")),
         "blocks[0].element.initial_option: value 'zz' is not among the options"),
    rule("initial_options among checkbox options",
         in_input(choices(kind="checkboxes", initial_options=opts(2))),
         in_input(choices(kind="checkboxes", initial_options=[opt("o0"), opt("zz")])),
         "blocks[0].element.initial_options[1]: value 'zz' is not among the options"),
    rule("initial_option among radio options", in_input(choices(initial_option=opt("o0"))),
         in_input(choices(initial_option=opt("zz"))),
         "blocks[0].element.initial_option: value 'zz' is not among the options"),
    # ------------------------------------------------------------------ text objects
    rule("text object type", modal(section()),
         modal({"type": "section", "text": {"type": "markdown", "text": "x"}}),
         "blocks[0].text.type: must be plain_text or mrkdwn (got 'markdown')"),
    rule("text non-empty", modal(section("a")), modal(section("")),
         "blocks[0].text: text is empty"),
    rule("emoji only on plain_text", modal(header(pt("H", emoji=True))),
         modal({"type": "section", "text": md("H", emoji=True)}),
         "blocks[0].text.emoji: only allowed on plain_text"),
    # ------------------------------------------------------------------ confirm dialogs
    rule("confirm title length", in_actions(button(confirm=confirm(title=pt(x(100))))),
         in_actions(button(confirm=confirm(title=pt(x(101))))),
         "blocks[0].elements[0].confirm.title: over 100 chars (101)"),
    rule("confirm title plain_text", in_actions(button(confirm=confirm())),
         in_actions(button(confirm=confirm(title=md("Sure?")))),
         "blocks[0].elements[0].confirm.title: must be plain_text (got mrkdwn)"),
    rule("confirm text length", in_actions(button(confirm=confirm(text=md(x(300))))),
         in_actions(button(confirm=confirm(text=md(x(301))))),
         "blocks[0].elements[0].confirm.text: over 300 chars (301)"),
    rule("confirm button length", in_actions(button(confirm=confirm(confirm=pt(x(30))))),
         in_actions(button(confirm=confirm(confirm=pt(x(31))))),
         "blocks[0].elements[0].confirm.confirm: over 30 chars (31)"),
    rule("deny button length", in_actions(button(confirm=confirm(deny=pt(x(30))))),
         in_actions(button(confirm=confirm(deny=pt(x(31))))),
         "blocks[0].elements[0].confirm.deny: over 30 chars (31)"),
    rule("confirm in select", in_input(select(confirm=confirm())),
         in_input(select(confirm=confirm(deny=md("No")))),
         "blocks[0].element.confirm.deny: must be plain_text (got mrkdwn)"),
]  # fmt: skip


@pytest.mark.parametrize(("good", "bad", "expected"), RULES)
def test_rule_respected_passes(good: dict, bad: dict, expected: str) -> None:
    """The surface that keeps the rule (often exactly at its limit) has no problems."""
    assert problems_of(good) == []


@pytest.mark.parametrize(("good", "bad", "expected"), RULES)
def test_rule_broken_is_reported_with_path(good: dict, bad: dict, expected: str) -> None:
    """The surface that breaks the rule reports exactly that one problem, path first."""
    assert problems_of(bad) == [expected]


def care_modal() -> dict:
    """Build a realistic multi-element CARE modal that respects every limit."""
    return modal(
        header(pt("Step 1: Calm", emoji=True)),
        section("*Stay calm.* Keep your voice low.", block_id="intro",
                accessory=button(pt("Guide"), action_id="guide", url="https://example.com")),
        section(fields=[md("*Branch*"), pt("Main street")], block_id="facts"),
        divider(),
        input_block(text_input(multiline=True, max_length=3000,
                               placeholder=pt("What happened?")), block_id="what",
                    hint=pt("No client account numbers")),
        input_block(select(initial_option=opt("o0")), block_id="severity"),
        input_block(choices([opt("y", md("*Yes*"), description=md("_now_")), opt("n")]),
                    block_id="police", optional=True),
        input_block(choices(opts(3), "checkboxes", initial_options=[opt("o2")]),
                    block_id="steps"),
        input_block({"type": "users_select", "action_id": "who"}, block_id="witness"),
        input_block({"type": "datepicker", "action_id": "day"}, block_id="day"),
        actions(button(pt("Escalate"), action_id="escalate", style="danger", value="1",
                       confirm=confirm(style="danger")),
                {"type": "overflow", "action_id": "more", "options": opts(5)}),
        context(md("Reported via CARE bot"), {"type": "image", "alt_text": "logo",
                                               "image_url": "https://example.com/l.png"}),
        private_metadata=json.dumps({"incident": 42, "step": 1}),
        notify_on_close=True,
    )  # fmt: skip


def test_realistic_modal_passes() -> None:
    """A modal that uses most block and element kinds at once has no problems."""
    assert view_problems(care_modal()) == []
    assert_valid_view(care_modal())


def test_valid_message_and_home_pass() -> None:
    """Minimal valid message and App Home views have no problems."""
    assert_valid_message(message(section(), actions(button())))
    assert_valid_message({"channel": "C1", "text": "Plain text only"})
    assert_valid_view(home(header(), section(), input_block()))


def test_view_type_must_match_checker() -> None:
    """view_problems wants a modal and home_problems wants a home view."""
    assert view_problems(drop(modal(), "title", "submit", "close") | {"type": "home"}) == [
        "type: must be 'modal' (got 'home')",
        "title: missing",
    ]
    assert home_problems(home() | {"type": "modal"}) == ["type: must be 'home' (got 'modal')"]


def test_all_problems_listed_not_just_the_first() -> None:
    """Several violations in one surface are all reported, in document order."""
    view = modal(header(md("H")), input_block(label=pt(x(2001))), title=pt(x(30)), submit=None)
    assert view_problems(view) == [
        "blocks[0].text: must be plain_text (got mrkdwn)",
        "blocks[1].label: over 2000 chars (2001)",
        "title: over 24 chars (30)",
        "submit: required when the view has input blocks",
    ]


def test_example_path_from_brief() -> None:
    """A deep path reads like blocks[3].element.options[2].text."""
    options = [*opts(2), opt("o2", pt(x(81)))]
    view = modal(divider(), divider(), divider(), input_block(select(options)))
    assert view_problems(view) == ["blocks[3].element.options[2].text: over 75 chars (81)"]


def test_slack_sdk_objects_and_json_blocks_are_accepted() -> None:
    """Blocks may be slack_sdk model objects or a JSON string, as slack_sdk allows."""
    sdk_blocks = [SectionBlock(text="hi", block_id="a"), DividerBlock(block_id="a")]
    assert message_problems({"text": "t", "blocks": sdk_blocks}) == [
        "blocks[1].block_id: duplicate 'a' (first at blocks[0])"
    ]
    assert message_problems({"text": "t", "blocks": json.dumps([section(x(3001))])}) == [
        "blocks[0].text: over 3000 chars (3001)"
    ]
    assert view_problems(View(**modal(section()))) == []


def test_assert_helpers_list_every_problem() -> None:
    """The assert helpers raise AssertionError naming each problem."""
    with pytest.raises(AssertionError) as err:
        assert_valid_view(modal(divider(block_id="a"), divider(block_id="a"), title=md("T")))
    assert "2 Block Kit problem(s) in view" in str(err.value)
    assert "title: must be plain_text (got mrkdwn)" in str(err.value)
    assert "blocks[1].block_id: duplicate 'a' (first at blocks[0])" in str(err.value)
    with pytest.raises(AssertionError, match="text: missing top-level fallback text"):
        assert_valid_message(message(section(), text=None))
    with pytest.raises(AssertionError, match=r"blocks: over 100 items \(101\)"):
        assert_valid_view(home(*[divider()] * 101))


SDK_MISSES = [
    pytest.param(modal(divider(block_id="a"), divider(block_id="a")), id="duplicate block_ids"),
    pytest.param(modal(divider(), title=md("CARE")), id="mrkdwn title"),
    pytest.param(modal(divider(), title=None), id="missing title"),
    pytest.param(modal(input_block(), submit=None), id="input without submit"),
    pytest.param(in_input(choices(opts(11))), id="11 radio options as dicts"),
    pytest.param(modal(divider(), {"type": "dividr"}), id="unknown block type"),
]


@pytest.mark.parametrize("view", SDK_MISSES)
def test_slack_sdk_validate_json_misses_what_we_catch(view: dict) -> None:
    """Why this checker exists: slack_sdk's own validation lets these through.

    If this fails after a slack_sdk upgrade, the SDK got stricter; the checker is still right.
    """
    View(**view).validate_json()  # does not raise
    assert view_problems(view) != []
