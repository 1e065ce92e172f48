"""tests/support/blockkit.py: slack_sdk's validation is wired in with paths, and each rule the SDK
misses passes at its limit and fails one step past it, with the exact problem reported."""

from __future__ import annotations

import json

import pytest
from slack_sdk.models.blocks import DividerBlock, SectionBlock
from slack_sdk.models.views import View

from tests.support.blockkit import (
    assert_valid_message,
    assert_valid_view,
    message_problems,
    view_problems,
)


def pt(text="Text", **extra):
    return {"type": "plain_text", "text": text, **extra}


def md(text="Text", **extra):
    return {"type": "mrkdwn", "text": text, **extra}


def x(n):
    return "x" * n


def opts(n, text=pt):
    return [{"text": text(f"o{i}"), "value": f"o{i}"} for i in range(n)]


def modal(*blocks, **extra):
    """A minimal valid modal (one divider unless blocks are given); key=None removes a key."""
    view = {"type": "modal", "callback_id": "care_step", "title": pt("CARE"),
            "submit": pt("Next"), "blocks": list(blocks) or [divider()], **extra}
    return {k: v for k, v in view.items() if v is not None}


def message(*blocks, **extra):
    args = {"channel": "C0123", "text": "CARE update", "blocks": list(blocks), **extra}
    return {k: v for k, v in args.items() if v is not None}


def divider(**extra):
    return {"type": "divider", **extra}


def section(text="Hello", **extra):
    return {"type": "section", "text": md(text), **extra}


def field_input(element=None, block_id="answer", **extra):
    element = element or {"type": "plain_text_input", "action_id": "value"}
    return {"type": "input", "block_id": block_id, "label": pt("Label"), "element": element,
            **extra}


def button(text=None, action_id="go", **extra):
    return {"type": "button", "text": text or pt("Go"), "action_id": action_id, **extra}


def choices(options, kind="radio_buttons", **extra):
    return field_input({"type": kind, "action_id": "pick", "options": options, **extra})


def problems_of(surface):
    return view_problems(surface) if "type" in surface else message_problems(surface)


# The rules slack_sdk misses (SLACK-FACTS "Block Kit limits"), as good / bad / exact problem.
MISSES = [
    ("modal title required", modal(), modal(title=None), ["title: missing"]),
    ("submit with inputs", modal(section(), submit=None), modal(field_input(), submit=None),
     ["submit: required when the view has input blocks"]),
    ("plain_text title", modal(), modal(title=md("CARE")),
     ["view.title: must be plain_text (got mrkdwn)"]),
    ("plain_text header", modal({"type": "header", "text": pt("H")}),
     modal({"type": "header", "text": md("H")}),
     ["blocks[0].text: must be plain_text (got mrkdwn)"]),
    ("plain_text label", modal(field_input()), modal(field_input(label=md("L"))),
     ["blocks[0].label: must be plain_text (got mrkdwn)"]),
    ("plain_text button", message({"type": "actions", "elements": [button()]}),
     message({"type": "actions", "elements": [button(md("Go"))]}),
     ["blocks[0].elements[0].text: must be plain_text (got mrkdwn)"]),
    ("mrkdwn options only in radio buttons", modal(choices(opts(2, md))),
     modal(field_input({"type": "static_select", "action_id": "s", "options": opts(2, md)})),
     ["blocks[0].element.options[0].text: must be plain_text (got mrkdwn)",
      "blocks[0].element.options[1].text: must be plain_text (got mrkdwn)"]),
    ("block_id unique", modal(divider(block_id="a"), divider(block_id="b")),
     modal(divider(block_id="a"), divider(block_id="a")),
     ["blocks[1].block_id: duplicate 'a' (first at blocks[0])"]),
    ("action_id unique in a block", message({"type": "actions", "elements": [button()]}),
     message({"type": "actions", "elements": [button(), button()]}),
     ["blocks[0].elements[1].action_id: duplicate 'go' (first at blocks[0].elements[0])"]),
    ("option text as dict", modal(choices([{"text": pt(x(75)), "value": "a"}])),
     modal(choices([{"text": pt(x(76)), "value": "a"}])),
     ["blocks[0].element.options[0]: text attribute cannot exceed 75 characters"]),
    ("radio options count", modal(choices(opts(10))), modal(choices(opts(11))),
     ["blocks[0].element.options: over 10 items (11)"]),
    ("initial option among the options", modal(choices(opts(2), initial_option=opts(2)[1])),
     modal(choices(opts(2), initial_option={"text": pt("Z"), "value": "z"})),
     ["blocks[0].element.initial_option: value 'z' is not among the options"]),
    ("unknown block type", modal(divider()), modal({"type": "dividr"}),
     ["blocks[0].type: unknown block type 'dividr'"]),
    ("unknown element type (dropped by the SDK)",
     message({"type": "actions", "elements": [button()]}),
     message({"type": "actions", "elements": [{"type": "buton"}]}),
     ["blocks[0].elements[0]: not valid Block Kit (slack_sdk drops it)"]),
    ("section field length", modal(section(fields=[md(x(2000))])),
     modal(section(fields=[md(x(2001))])), ["blocks[0].fields[0]: over 2000 chars (2001)"]),
    ("view JSON size", modal(*[section(x(3000)) for _ in range(80)]),
     modal(*[section(x(3000), block_id=f"b{i}") for i in range(90)]),
     ["view: JSON over 250000 bytes (276522)"]),
    ("message fallback text", message(section()), message(section(), text=" "),
     ["text: missing top-level fallback text"]),
    ("message blocks count", message(*[divider()] * 50), message(*[divider()] * 51),
     ["blocks: over 50 items (51)"]),
    ("no inputs in messages", message(section()), message(field_input()),
     ["blocks[0]: input blocks are not allowed in messages"]),
]
# slack_sdk's own validators, reported with the block's path (the problem starts so).
SDK_RULES = [
    ("title length", modal(title=pt(x(24))), modal(title=pt(x(25))),
     ["view: title must be between 1 and 24 characters"]),
    ("section text length", modal(section(x(3000))), modal(section(x(3001))),
     ["blocks[0]: text attribute cannot exceed 3000 characters"]),
    ("button style", message({"type": "actions", "elements": [button(style="danger")]}),
     message({"type": "actions", "elements": [button(style="secondary")]}),
     ["blocks[0]: style attribute must be one of the following values: "]),
    ("home blocks count", {"type": "home", "blocks": [divider()] * 100},
     {"type": "home", "blocks": [divider()] * 101},
     ["view: views must contain between 1 and 100 blocks"]),
]


@pytest.mark.parametrize(("good", "bad", "expected"),
                         [pytest.param(*rule[1:], id=rule[0]) for rule in MISSES + SDK_RULES])
def test_blockkit_rule_passes_at_its_limit_and_fails_past_it(good, bad, expected):
    assert problems_of(good) == []
    found = problems_of(bad)
    assert len(found) == len(expected)
    assert all(problem.startswith(start) for problem, start in zip(found, expected, strict=True))


def test_blockkit_a_realistic_modal_passes():
    confirm = {"title": pt("Sure?"), "text": md("Really?"), "confirm": pt("Yes"),
               "deny": pt("No"), "style": "danger"}
    view = modal(
        {"type": "header", "text": pt("Step 1", emoji=True)},
        section("*Stay calm.*", block_id="intro", accessory=button(url="https://example.com")),
        field_input({"type": "plain_text_input", "action_id": "v", "multiline": True,
                     "max_length": 3000, "placeholder": pt("What happened?")}, block_id="what"),
        choices(opts(3, md), "checkboxes", initial_options=opts(3, md)[2:]) | {"block_id": "c"},
        {"type": "actions", "elements": [button(confirm=confirm), {
            "type": "overflow", "action_id": "more", "options": opts(5)}]},
        {"type": "context", "elements": [md("Reported via CARE bot")]},
        private_metadata=json.dumps({"incident": 42}),
    )
    assert_valid_view(view)


def test_blockkit_lists_every_problem_in_document_order():
    view = modal({"type": "header", "text": md("H")}, field_input(label=pt(x(2001))),
                 title=pt(x(30)), submit=None)
    assert view_problems(view) == [
        "view: title must be between 1 and 24 characters",
        "submit: required when the view has input blocks",
        "blocks[0].text: must be plain_text (got mrkdwn)",
        "blocks[1]: label attribute cannot exceed 2000 characters",
    ]
    with pytest.raises(AssertionError, match=r"4 Block Kit problem\(s\) in view"):
        assert_valid_view(view)
    with pytest.raises(AssertionError, match="text: missing top-level fallback text"):
        assert_valid_message(message(section(), text=None))


def test_blockkit_accepts_slack_sdk_objects_and_json_blocks():
    sdk_blocks = [SectionBlock(text="hi", block_id="a"), DividerBlock(block_id="a")]
    assert message_problems({"text": "t", "blocks": sdk_blocks}) == [
        "blocks[1].block_id: duplicate 'a' (first at blocks[0])"]
    assert message_problems({"text": "t", "blocks": json.dumps([section(x(3001))])}) == [
        "blocks[0]: text attribute cannot exceed 3000 characters"]
    assert view_problems(View(**modal(section()))) == []


@pytest.mark.parametrize(("name", "good", "bad", "expected"),
                         [pytest.param(*rule, id=rule[0]) for rule in MISSES[:8]])
def test_blockkit_slack_sdk_alone_misses_these(name, good, bad, expected):
    """Why the extra rules exist: slack_sdk's validate_json lets these through. If this fails
    after an upgrade, the SDK got stricter and that rule may go."""
    if "type" in bad:
        View(**bad).validate_json()  # does not raise
    assert problems_of(bad) == expected
