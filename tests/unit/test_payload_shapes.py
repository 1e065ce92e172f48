"""The tests' payload builders send exactly the keys Slack sends: compared with the fixtures.

Each fixture in tests/fixtures/slack/ is a request as Slack's reference docs show it; a builder
that adds a field Slack leaves out (an `api_app_id` on a shortcut, say) or drops one fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from care_bot.sandbox.client import Answer, SlackClient
from care_bot.sandbox.world import Conversation, World
from tests.support import payloads

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"
# Contents the caller chooses (Block Kit, state values, message text), not the request's shape.
FREE_FORM = frozenset({"blocks", "values", "message", "title", "close", "submit", "text"})

STANDALONE = payloads.Workspace(team_id="T0BRANCH01", team_domain="bank-branches",
                                api_app_id="A0CAREBOT1", bot_id="B0CAREBOT1",
                                bot_user_id="U0CAREBOT1")
ORG_WIDE = payloads.Workspace(team_id="T0BRANCH02", team_domain="harbor-east",
                              api_app_id="A0CAREBOT1", bot_id="B0CAREBOT1",
                              bot_user_id="W0CAREBOT1", enterprise_id="E0BANKORG1",
                              enterprise_name="Harbor Bank")


def fixture(name: str) -> dict[str, Any]:
    """Load one fixture by file name."""
    return json.loads((FIXTURES / name).read_text())


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in `value` ("view.state", "actions[].type"), free-form contents skipped."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}{key}"
            paths.add(path)
            if key not in FREE_FORM:
                paths |= key_paths(item, path + ".")
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        paths |= key_paths(value[0], prefix.rstrip(".") + "[].")
    return paths


def _view(fx: dict) -> dict:
    return {key: fx["view"][key] for key in
            ("id", "type", "callback_id", "title", "close", "submit", "notify_on_close")}


def _button_message(fx: dict) -> dict:
    return {"blocks": [{"type": "actions", "block_id": "care_incident_actions", "elements": [
        {"type": "button", "action_id": "care_acknowledge", "value": "1",
         "text": {"type": "plain_text", "text": "Acknowledge", "emoji": True}}]}]}


def built(name: str, ws: payloads.Workspace) -> dict[str, Any]:
    """Build the request `name` describes with the tests' builders."""
    fx = fixture(name)
    kind = name.split(".")[0]
    user = fx.get("user_id") or (fx.get("user") or {}).get("id") or fx["event"]["user"]
    if kind == "slash_command":
        return payloads.slash_command(user, "", "1.2.3", "C0FLOOR001", workspace=ws)
    if kind == "event_callback":
        return payloads.app_home_opened(user, workspace=ws)
    if kind == "shortcut":
        return payloads.global_shortcut(user, fx["callback_id"], "1.2.3", workspace=ws)
    if kind == "message_action":
        return payloads.message_shortcut(user, fx["callback_id"], "1.2.3", "C0FLOOR001",
                                         fx["message"], workspace=ws)
    if kind == "view_submission":
        return payloads.view_submission(_view(fx), user, {}, "1.2.3", workspace=ws)
    if kind == "view_closed":
        return payloads.view_closed(_view(fx), user, workspace=ws)
    surface = name.split(".")[1]
    if surface == "message":
        return payloads.block_actions_message(user, "C0SUPERV01", "1.2", "care_acknowledge", "1",
                                              "care_incident_actions", workspace=ws)
    view = {**_view(fx), **_button_message(fx)}
    if surface == "home":
        return payloads.block_actions_home(view, user, "care_acknowledge", workspace=ws)
    return payloads.block_actions_view(view, user, "care_acknowledge", "1",
                                       "care_incident_actions", workspace=ws)


ALL = sorted(path.name for path in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", ALL)
def test_builder_keys_match_the_fixture(name):
    ws = ORG_WIDE if ".org_wide." in name else STANDALONE
    expected, got = key_paths(fixture(name)), key_paths(built(name, ws))
    assert got - expected == set(), f"{name}: builder adds fields Slack does not send"
    assert expected - got == set(), f"{name}: builder leaves out fields Slack sends"


def test_every_fixture_notes_its_source():
    readme = (FIXTURES / "README.md").read_text()
    listed = set(re.findall(r"^\| `([^`]+\.json)` \|", readme, flags=re.MULTILINE))
    assert listed == set(ALL)


def test_every_request_kind_has_a_fixture_in_both_install_kinds():
    kinds = {"slash_command", "block_actions.message", "block_actions.modal",
             "block_actions.home", "view_submission", "view_closed", "shortcut.global",
             "message_action.person_message", "message_action.app_message",
             "event_callback.app_home_opened"}
    assert {f"{kind}.json" for kind in kinds} | {f"{kind}.org_wide.json" for kind in kinds} \
        == set(ALL)


def test_shortcuts_carry_no_app_id_of_their_own():
    assert "api_app_id" not in fixture("shortcut.global.json")
    assert "api_app_id" not in fixture("message_action.person_message.json")
    other = fixture("message_action.app_message.json")
    assert other["api_app_id"] == other["message"]["app_id"] != "A0CAREBOT1"


def test_key_paths_catches_an_extra_field():
    payload = payloads.global_shortcut("U1", "care_report_shortcut", "1.2.3")
    assert "api_app_id" not in key_paths(payload)
    assert "api_app_id" in key_paths({**payload, "api_app_id": "A1"})


# ---------------------------------------------------------------- the sandbox's Slack client


class _StandIn:
    team_id = "T0SANDBOX1"

    def api(self, method, **params):
        return {"ok": True, "view": {**params["view"], "id": params.get("view_id") or "V2"}}

    def mint_trigger(self, user_id, view_id=None):
        return "1.2.3"


def _sandbox() -> tuple[SlackClient, World, list[dict]]:
    world = World({"UALICE": {"name": "alice"}, "USAM": {"name": "sam"}}, "U0BOT")
    world.add_conversation(Conversation("C1", "general", "channel"))
    client = SlackClient(world, _StandIn(), "http://127.0.0.1:1/slack/events", "secret",
                         "http://127.0.0.1:2/hooks")
    sent: list[dict] = []

    def send(user_id, body, content_type):
        if content_type == "application/json":
            sent.append(json.loads(body))
        elif body.startswith("payload="):
            sent.append(json.loads(parse_qs(body)["payload"][0]))
        else:
            fields = parse_qs(body, keep_blank_values=True)
            sent.append({key: values[0] for key, values in fields.items()})
        return Answer(200, "", 0.0)

    client._send = send
    return client, world, sent


def _sandbox_requests() -> dict[str, dict]:
    """Every kind of request the sandbox sends, by the fixture it must match."""
    client, world, sent = _sandbox()
    modal = {"id": "V1", "type": "modal", "hash": "h", "callback_id": "care_report_step",
             "title": {"type": "plain_text", "text": "Report"}, "notify_on_close": True,
             "blocks": []}
    world.push_view("UALICE", modal)
    world.observe("chat.postMessage", {"channel": "C1", "text": "hi", "blocks": []},
                  {"ok": True, "channel": "C1", "ts": "1.000100"})
    world.observe("views.publish", {"user_id": "UALICE", "view": {"type": "home", "blocks": []}},
                  {"ok": True, "view": {"id": "VH", "type": "home", "blocks": []}})
    world.observe("chat.postMessage", {"channel": "C1", "text": "help", "user": "UALICE"},
                  {"ok": True, "channel": "C1", "ts": "2.000100"})
    button = {"type": "button", "action_id": "care_acknowledge", "block_id": "b", "value": "1",
              "text": {"type": "plain_text", "text": "Acknowledge"}}
    steps = {
        "slash_command.json": lambda: client.command("UALICE", "C1", "/threat", ""),
        "block_actions.message.json": lambda: client.message_action("USAM", "C1", "1.000100",
                                                                    button, {}),
        "block_actions.modal.json": lambda: client.view_action("UALICE", "V1", button, {}),
        "block_actions.home.json": lambda: client.view_action("UALICE", "VH", button, {}),
        "view_submission.json": lambda: client.submit("UALICE", "V1", {}),
        "shortcut.global.json": lambda: client.shortcut("UALICE", "care_report_shortcut"),
        "event_callback.app_home_opened.json": lambda: client.open_home("USAM"),
    }
    requests = {}
    for name, step in steps.items():
        step()
        requests[name] = sent[-1]
    world.push_view("UALICE", modal)
    client.close("UALICE", "V1")
    requests["view_closed.json"] = sent[-1]
    return requests


SANDBOX = _sandbox_requests()


@pytest.mark.parametrize("name", sorted(SANDBOX))
def test_sandbox_client_sends_the_fixture_keys(name):
    expected, got = key_paths(fixture(name)), key_paths(SANDBOX[name])
    assert got - expected == set(), f"{name}: the sandbox adds fields Slack does not send"
    assert expected - got == set(), f"{name}: the sandbox leaves out fields Slack sends"


def test_sandbox_message_shortcut_on_a_persons_message_has_no_app_id():
    client, world, sent = _sandbox()
    world.observe("chat.postMessage", {"channel": "C1", "text": "help", "user": "UALICE"},
                  {"ok": True, "channel": "C1", "ts": "2.000100"})
    client.shortcut("USAM", "care_report_message", "C1", "2.000100")
    assert key_paths(sent[-1]) == key_paths(fixture("message_action.person_message.json")) - {
        "message.client_msg_id"}
