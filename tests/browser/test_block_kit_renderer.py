"""The page's Block Kit renderer, on every block and element type the bot uses, in Chromium.

A view is drawn with the page's own renderer, filled in by label as a person would, and the
state it would submit is compared with the shapes Slack sends (shared/slack-fixtures).
"""

from __future__ import annotations

import json

from playwright.sync_api import expect


def _text(text: str, kind: str = "plain_text") -> dict:
    return {"type": kind, "text": text}


def _option(text: str, value: str) -> dict:
    return {"text": _text(text), "value": value}


def _input(block_id: str, label: str, element: dict, optional: bool = False) -> dict:
    return {"type": "input", "block_id": block_id, "label": _text(label), "optional": optional,
            "element": {"action_id": "value", **element}}


BRANCHES = [_option("Main Street", "main-street"), _option("Harbor Point", "harbor-point")]
KINDS = [_option("Physical threat", "physical"), _option("Abusive language", "abusive")]
CONFIRM = {"title": _text("Send the alert now?"), "text": _text("Security is told at once."),
           "confirm": _text("Send alert"), "deny": _text("Cancel")}
BLOCKS = [
    {"type": "header", "text": _text("Kitchen sink")},
    {"type": "section", "text": _text("*Bold* and <@USAM> and &lt;not a tag&gt;", "mrkdwn"),
     "fields": [_text("*Reference*\nCARE-2026-0042", "mrkdwn"), _text("Branch: Main Street")],
     "accessory": {"type": "button", "action_id": "side", "text": _text("Open"), "value": "7"}},
    {"type": "context", "elements": [_text("Step 1 of 6", "mrkdwn")]},
    {"type": "divider"},
    _input("name", "Your name", {"type": "plain_text_input"}),
    _input("notes", "Notes", {"type": "plain_text_input", "multiline": True}, optional=True),
    _input("branch", "Your branch", {"type": "static_select", "options": BRANCHES}),
    _input("danger", "In danger?", {"type": "radio_buttons", "options": [
        _option("Yes", "yes"), _option("No", "no")]}),
    _input("kinds", "What kind?", {"type": "checkboxes", "options": KINDS}),
    _input("kinds_too", "More kinds", {"type": "multi_static_select", "options": KINDS}),
    _input("supervisor", "Supervisor", {"type": "users_select", "initial_user": "USAM"}),
    _input("also", "Also tell", {"type": "multi_users_select"}, optional=True),
    _input("day", "Date", {"type": "datepicker"}),
    _input("at", "Time", {"type": "timepicker"}),
    _input("when", "When did it happen?", {"type": "datetimepicker"}),
    _input("email", "Email", {"type": "email_text_input"}, optional=True),
    _input("count", "How many people", {"type": "number_input", "is_decimal_allowed": False}),
    {"type": "actions", "block_id": "buttons", "elements": [
        {"type": "button", "action_id": "alert", "text": _text("Alert"), "style": "danger",
         "value": "go", "confirm": CONFIRM},
        {"type": "overflow", "action_id": "more", "options": [_option("Close early", "close")]},
    ]},
]

RENDER = """(blocks) => {
  const ctx = {
    people: {USAM: {real_name: "Sam Rivera", title: "Supervisor"},
             UALICE: {real_name: "Alice Adams", title: "Teller"}},
    me: "USAM", conversations: [], state: {},
    confirm: (confirm, yes) => { window.confirmed = confirm.title.text; yes(); },
    onAction: (action) => window.actions.push(action),
  };
  window.actions = [];
  window.kitchen = ctx;
  document.getElementById("kitchen").append(window.BlockKit.renderBlocks(blocks, ctx));
}"""


def test_renderer_draws_every_element_and_submits_slacks_state_shapes(page, sandbox_url):
    page.goto(f"{sandbox_url}/static/style.css")  # same origin as the page, without its app
    page.set_content('<div id="kitchen"></div>')
    page.add_script_tag(url=f"{sandbox_url}/static/blocks.js")
    page.evaluate(RENDER, BLOCKS)
    kitchen = page.locator("#kitchen")
    expect(kitchen.get_by_role("heading", name="Kitchen sink")).to_be_visible()
    expect(kitchen).to_contain_text("@Sam Rivera")  # <@USAM> drawn as a mention
    expect(kitchen).to_contain_text("<not a tag>")  # escaped text stays text
    expect(kitchen.locator("b").first).to_have_text("Bold")
    expect(kitchen).to_contain_text("CARE-2026-0042")  # section fields
    expect(kitchen).to_contain_text("Step 1 of 6")  # context
    expect(kitchen.get_by_text("Notes (optional)")).to_be_visible()

    page.get_by_label("Your name").fill("Alice Adams")
    page.get_by_label("Your branch").select_option(label="Harbor Point")
    page.get_by_role("radiogroup", name="In danger?").get_by_label("No").check()
    page.get_by_role("group", name="What kind?").get_by_label("Abusive language").check()
    page.get_by_role("group", name="More kinds").get_by_label("Physical threat").check()
    page.get_by_role("group", name="Also tell").get_by_label("Alice Adams (Teller)").check()
    page.get_by_label("Date").fill("2026-12-01")
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("How many people").fill("2")
    page.get_by_label("When did it happen?").fill("2026-12-01T10:30")
    when = page.evaluate('new Date("2026-12-01T10:30").getTime() / 1000')  # the browser's zone

    values = page.evaluate("window.BlockKit.stateValues(window.kitchen.state)")
    assert values["name"]["value"] == {"type": "plain_text_input", "value": "Alice Adams"}
    assert values["notes"]["value"] == {"type": "plain_text_input", "value": None}
    assert values["branch"]["value"]["selected_option"] == BRANCHES[1]
    assert values["danger"]["value"] == {"type": "radio_buttons",
                                         "selected_option": _option("No", "no")}
    assert values["kinds"]["value"]["selected_options"] == [KINDS[1]]
    assert values["kinds_too"]["value"]["selected_options"] == [KINDS[0]]
    assert values["supervisor"]["value"] == {"type": "users_select", "selected_user": "USAM"}
    assert values["also"]["value"] == {"type": "multi_users_select", "selected_users": ["UALICE"]}
    assert values["day"]["value"] == {"type": "datepicker", "selected_date": "2026-12-01"}
    assert values["at"]["value"] == {"type": "timepicker", "selected_time": "10:30"}
    assert values["when"]["value"] == {"type": "datetimepicker", "selected_date_time": when}
    assert values["email"]["value"] == {"type": "email_text_input", "value": None}
    assert values["count"]["value"] == {"type": "number_input", "value": "2"}
    assert "buttons" not in values  # buttons and overflow menus keep no state

    page.get_by_role("button", name="Alert").click()
    page.get_by_role("button", name="More options").click()
    page.get_by_role("button", name="Close early").click()
    page.get_by_role("button", name="Open").click()
    actions = page.evaluate("window.actions")
    assert page.evaluate("window.confirmed") == "Send the alert now?"
    assert [(a["action_id"], a["block_id"]) for a in actions] == [
        ("alert", "buttons"), ("more", "buttons"), ("side", "sbx-1")]
    assert actions[0]["value"] == "go" and actions[0]["type"] == "button"
    assert actions[1]["selected_option"] == {"text": _text("Close early"), "value": "close"}
    json.dumps(actions)  # plain JSON, as the page sends it
