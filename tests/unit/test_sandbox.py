"""The sandbox's logic without a browser: the demo bank's settings, the client-side world,
Slack's rules for modal answers, request signing and the manifest reader."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from care_bot.config import REMINDER_DEFAULTS, load_settings
from care_bot.domain.durations import parse_duration
from care_bot.sandbox import demo_bank
from care_bot.sandbox.client import Answer, SlackClient, sign
from care_bot.sandbox.manifest import read_features
from care_bot.sandbox.server import parse_params
from care_bot.sandbox.stand_in import ALIAS_EVERY, StandIn, alias
from care_bot.sandbox.stand_in import BOT as STAND_IN_BOT
from care_bot.sandbox.world import Conversation, World

REPO = Path(__file__).resolve().parents[2]
BOT_TOKEN = STAND_IN_BOT["token"]
BOT = "U0BOT"
ALICE, SAM = "UALICE", "USAM"


def world() -> World:
    people = {ALICE: {"name": "alice", "real_name": "Alice Adams"},
              SAM: {"name": "sam", "real_name": "Sam Rivera"}}
    w = World(people, BOT)
    w.add_conversation(Conversation("C1", "general", "channel"))
    w.add_conversation(Conversation("G1", "care-supervisors", "channel", True, {SAM}))
    return w


def modal(view_id: str, blocks=None, **extra) -> dict:
    return {"id": view_id, "type": "modal", "hash": "h1", "title": {"type": "plain_text",
            "text": "T"}, "blocks": blocks or [], **extra}


# ---------------------------------------------------------------- demo bank


def test_demo_bank_care_toml_passes_the_bots_own_settings_rules(tmp_path):
    users = {p.name: f"U{index:09d}" for index, p in enumerate(demo_bank.PEOPLE)}
    channels = {"care-supervisors": "G000000001", "care-security": "G000000002",
                "care-hr": "G000000003"}
    path = tmp_path / "care.toml"
    path.write_text(demo_bank.care_toml(users, channels))
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-sandbox-care-bot",
                              "SLACK_SIGNING_SECRET": "s" * 32, "CARE_CONFIG": str(path)})
    assert settings.supervisors_channel == "G000000001"
    assert settings.reminders.ack_reminder.total_seconds() == 60
    assert set(settings.branches) == set(demo_bank.BRANCHES)
    assert settings.branch_of(users["alice"]).name == "Main Street"
    assert users["sofia"] in settings.roles["security"]
    assert settings.hr_channel == "G000000003"
    assert settings.security_phone


def test_demo_bank_durations_are_known_to_the_bot_and_short():
    durations = {k: v for k, v in demo_bank.REMINDERS.items() if k != "ack_repeat_max"}
    assert set(durations) <= set(REMINDER_DEFAULTS)
    assert all(parse_duration(v).total_seconds() <= 600 for v in durations.values())


def test_demo_bank_timings_notice_names_the_short_reminder():
    assert "reminder after 1m" in demo_bank.durations_notice()


def test_demo_bank_every_branch_person_and_channel_member_exists():
    names = {p.name for p in demo_bank.PEOPLE}
    for branch in demo_bank.BRANCHES.values():
        assert {branch[k] for k in ("supervisor", "rxm", "ics", "account_officer")} <= names
        assert set(branch["associates"]) <= names
    for _private, _purpose, members in demo_bank.CHANNELS.values():
        assert set(members) <= names


# ---------------------------------------------------------------- world


def test_world_private_channel_is_seen_only_by_its_members():
    w = world()
    w.observe("chat.postMessage", {"channel": "G1", "text": "escalation"},
              {"ok": True, "channel": "G1", "ts": "1.000001"})
    names = lambda user: [c["name"] for c in w.snapshot(user)["conversations"]]  # noqa: E731
    assert names(SAM) == ["general", "care-supervisors"]
    assert names(ALICE) == ["general"]


def test_world_chat_update_replaces_the_message_in_place():
    w = world()
    w.observe("chat.postMessage", {"channel": "G1", "text": "old", "blocks": [{"type": "divider"}]},
              {"ok": True, "channel": "G1", "ts": "1.000001"})
    w.observe("chat.update", {"channel": "G1", "ts": "1.000001", "text": "new", "blocks": []},
              {"ok": True, "channel": "G1", "ts": "1.000001"})
    [message] = w.messages["G1"]
    assert (message["text"], message["blocks"], message["edited"]) == ("new", [], 1)


def test_world_failed_calls_change_nothing():
    w = world()
    before = w.version
    w.observe("chat.postMessage", {"channel": "G1", "text": "x"}, {"ok": False, "error": "x"})
    assert w.messages["G1"] == [] and w.version == before


def test_world_thread_reply_keeps_its_thread_ts():
    w = world()
    w.observe("chat.postMessage", {"channel": "C1", "text": "reply", "thread_ts": "1.000001"},
              {"ok": True, "channel": "C1", "ts": "2.000001"})
    assert w.messages["C1"][0]["thread_ts"] == "1.000001"


def test_world_ephemeral_is_shown_only_to_its_user():
    w = world()
    w.observe("chat.postEphemeral", {"channel": "C1", "user": ALICE, "text": "only you"},
              {"ok": True, "message_ts": "3.000001"})
    general = lambda user: w.snapshot(user)["conversations"][0]  # noqa: E731
    assert [e["text"] for e in general(ALICE)["ephemerals"]] == ["only you"]
    assert general(SAM)["ephemerals"] == []


def test_world_dm_opened_by_the_bot_belongs_to_that_person():
    w = world()
    w.observe("conversations.open", {"users": ALICE}, {"ok": True, "channel": {"id": "D1"}})
    w.observe("chat.postMessage", {"channel": "D1", "text": "saved"},
              {"ok": True, "channel": "D1", "ts": "4.000001"})
    assert w.dm_of(ALICE) == "D1"
    assert [c["kind"] for c in w.snapshot(SAM)["conversations"]] == ["channel", "channel"]
    dm = w.snapshot(ALICE)["conversations"][-1]
    assert dm["kind"] == "dm" and dm["messages"][0]["text"] == "saved"


def test_world_views_open_push_update_follow_the_trigger_owner():
    w = world()
    w.remember_trigger("t1", ALICE)
    w.observe("views.open", {"trigger_id": "t1"}, {"ok": True, "view": modal("V1")})
    w.remember_trigger("t2", ALICE)
    w.observe("views.push", {"trigger_id": "t2"}, {"ok": True, "view": modal("V2")})
    w.observe("views.update", {"view_id": "V1"},
              {"ok": True, "view": modal("V1", [{"type": "divider"}])})
    assert [v["id"] for v in w.stacks[ALICE]] == ["V1", "V2"]
    assert w.stacks[ALICE][0]["blocks"] == [{"type": "divider"}]
    assert w.snapshot(ALICE)["modal"]["depth"] == 2
    assert w.snapshot(SAM)["modal"] is None


def test_world_views_publish_sets_that_persons_home():
    w = world()
    w.observe("views.publish", {"user_id": SAM}, {"ok": True, "view": {"id": "VH", "type": "home"}})
    assert w.snapshot(SAM)["home"]["id"] == "VH"
    assert w.snapshot(ALICE)["home"] is None


def test_world_response_url_replace_original_updates_the_clicked_message():
    w = world()
    w.observe("chat.postMessage", {"channel": "C1", "text": "before"},
              {"ok": True, "channel": "C1", "ts": "5.000001"})
    w.remember_hook("tok", {"user": SAM, "channel": "C1", "message_ts": "5.000001"})
    assert w.respond("tok", {"replace_original": True, "text": "after"})
    assert w.messages["C1"][0]["text"] == "after"
    assert not w.respond("unknown", {"text": "x"})


def test_world_response_url_default_is_an_ephemeral():
    w = world()
    w.remember_hook("tok", {"user": SAM, "channel": "C1", "message_ts": None})
    w.respond("tok", {"text": "just for you"})
    assert [(e["user"], e["text"]) for e in w.ephemerals] == [(SAM, "just for you")]


# ---------------------------------------------------------------- Slack's rules for answers


class FakeStandIn:
    """Answers the client's own views.* calls like emulate, and mints triggers."""

    team_id = "T1"

    def __init__(self):
        self.calls = []

    def api(self, method, **params):
        self.calls.append((method, params))
        view = {**params["view"], "id": params.get("view_id") or "VNEW", "hash": "h2"}
        return {"ok": True, "view": view}

    def mint_trigger(self, user_id, view_id=None):
        return f"trigger-{len(self.calls)}"


def client_with(w: World, answer: Answer) -> tuple[SlackClient, FakeStandIn, list]:
    stand_in = FakeStandIn()
    client = SlackClient(w, stand_in, "http://127.0.0.1:1/slack/events", "secret",
                         "http://127.0.0.1:2/hooks")
    sent = []

    def send(user_id, body, content_type):
        sent.append((body, content_type))
        return answer

    client._send = send
    return client, stand_in, sent


INPUT = {"type": "input", "block_id": "what", "label": {"type": "plain_text", "text": "What?"},
         "element": {"type": "plain_text_input", "action_id": "value"}}


def open_modal(w: World, *views: dict) -> None:
    for view in views:
        w.push_view(ALICE, view)


def test_submit_empty_answer_closes_only_the_top_view():
    w = world()
    open_modal(w, modal("V1"), modal("V2"))
    client, _, sent = client_with(w, Answer(200, "", 0.1))
    client.submit(ALICE, "V2", {})
    assert [v["id"] for v in w.stacks[ALICE]] == ["V1"]
    payload = json.loads(parse_qs(sent[0][0])["payload"][0])
    assert payload["type"] == "view_submission" and payload["view"]["id"] == "V2"


def test_submit_errors_are_shown_under_input_blocks():
    w = world()
    open_modal(w, modal("V1", [INPUT]))
    body = {"response_action": "errors", "errors": {"what": "Say more"}}
    answer = Answer(200, json.dumps(body), 0)
    client, _, _ = client_with(w, answer)
    client.submit(ALICE, "V1", {})
    assert w.snapshot(ALICE)["modal"]["errors"] == {"what": "Say more"}


def test_submit_errors_naming_a_non_input_block_are_refused_like_slack():
    w = world()
    open_modal(w, modal("V1", [INPUT]))
    answer = Answer(200, json.dumps({"response_action": "errors", "errors": {"nope": "x"}}), 0)
    client, _, _ = client_with(w, answer)
    client.submit(ALICE, "V1", {})
    assert w.snapshot(ALICE)["modal"]["errors"] == {}
    assert "nope" in w.notices[ALICE][-1]["text"]


def test_submit_update_replaces_the_view_through_views_update():
    w = world()
    open_modal(w, modal("V1", [INPUT]))
    body = {"response_action": "update", "view": modal("ignored", [{"type": "divider"}])}
    client, stand_in, _ = client_with(w, Answer(200, json.dumps(body), 0))
    client.submit(ALICE, "V1", {})
    assert stand_in.calls[0][0] == "views.update" and stand_in.calls[0][1]["view_id"] == "V1"
    assert w.top_view(ALICE)["blocks"] == [{"type": "divider"}]


def test_submit_push_beyond_three_views_is_refused():
    w = world()
    open_modal(w, modal("V1"), modal("V2"), modal("V3"))
    body = {"response_action": "push", "view": modal("x")}
    client, stand_in, _ = client_with(w, Answer(200, json.dumps(body), 0))
    client.submit(ALICE, "V3", {})
    assert stand_in.calls == [] and len(w.stacks[ALICE]) == 3
    assert "push_limit_reached" in w.notices[ALICE][-1]["text"]


def test_submit_push_adds_a_view_and_clear_closes_them_all():
    w = world()
    open_modal(w, modal("V1"))
    push = {"response_action": "push", "view": modal("x")}
    client, _, _ = client_with(w, Answer(200, json.dumps(push), 0))
    client.submit(ALICE, "V1", {})
    assert len(w.stacks[ALICE]) == 2
    client, _, _ = client_with(w, Answer(200, json.dumps({"response_action": "clear"}), 0))
    client.submit(ALICE, "VNEW", {})
    assert w.stacks[ALICE] == []


def test_submit_failure_keeps_the_modal_open_and_says_so():
    w = world()
    open_modal(w, modal("V1"))
    client, _, _ = client_with(w, Answer(404, "", 3.1))
    client.submit(ALICE, "V1", {})
    assert w.top_view(ALICE)["id"] == "V1"
    assert "trouble connecting" in w.notices[ALICE][-1]["text"]


def test_close_sends_view_closed_only_when_the_view_asks():
    w = world()
    open_modal(w, modal("V1", notify_on_close=True), modal("V2"))
    client, _, sent = client_with(w, Answer(200, "", 0))
    client.close(ALICE, "V2")
    assert sent == [] and w.top_view(ALICE)["id"] == "V1"
    client.close(ALICE, "V1")
    assert len(sent) == 1 and "view_closed" in sent[0][0]


def test_command_answer_body_becomes_an_ephemeral():
    w = world()
    client, _, sent = client_with(w, Answer(200, json.dumps({"text": "help text"}), 0))
    client.command(ALICE, "C1", "/threat", "help")
    assert "command=%2Fthreat" in sent[0][0] and "text=help" in sent[0][0]
    assert [e["text"] for e in w.ephemerals] == ["help text"]


def test_command_refused_shows_slacks_dispatch_failed():
    w = world()
    client, _, _ = client_with(w, Answer(404, "", 0))
    client.command(ALICE, "C1", "/threat", "")
    assert w.notices[ALICE][-1]["text"] == '/threat failed with the error "dispatch_failed"'


def test_stand_in_moves_to_alias_tokens_before_emulates_hourly_limit():
    stand_in = StandIn(None, "http://127.0.0.1:1")
    used = [stand_in.forward_token(BOT_TOKEN) for _ in range(ALIAS_EVERY * 2)]
    assert used[ALIAS_EVERY - 2] == BOT_TOKEN
    assert used[ALIAS_EVERY - 1] == alias(BOT_TOKEN, 1) == f"{BOT_TOKEN}-r1"
    assert stand_in.forward_token("xoxp-someone-else") == "xoxp-someone-else"
    records = demo_bank.emulate_seed(STAND_IN_BOT, [BOT_TOKEN])["slack"]["tokens"]
    assert [r["token"] for r in records] == [BOT_TOKEN]


# ---------------------------------------------------------------- signing and parsing


def test_sign_matches_slacks_v0_scheme():
    body = b"payload=%7B%7D"
    expected = hmac.new(b"secret", b"v0:1700000000:" + body, hashlib.sha256).hexdigest()
    assert sign("secret", "1700000000", body) == "v0=" + expected


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [("application/json", b'{"channel": "C1", "blocks": [{"type": "divider"}]}'),
     ("application/x-www-form-urlencoded",
      b"channel=C1&blocks=%5B%7B%22type%22%3A+%22divider%22%7D%5D")],
)
def test_parse_params_reads_json_and_form_bodies(content_type, raw):
    assert parse_params(content_type, raw, "") == {"channel": "C1",
                                                   "blocks": [{"type": "divider"}]}


def test_read_features_finds_commands_and_shortcuts(tmp_path):
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(
        "features:\n  slash_commands:\n    - command: /threat  # the command\n"
        "      description: \"Report\"\n  shortcuts:\n    - name: Report a threat\n"
        "      type: global\n      callback_id: report_threat\n      description: x\n"
        "oauth_config:\n  scopes: {}\n"
    )
    features = read_features(manifest)
    assert features["slash_commands"] == [{"command": "/threat", "description": "Report"}]
    assert features["shortcuts"][0]["callback_id"] == "report_threat"
    assert features["shortcuts"][0]["type"] == "global"


def test_read_features_of_the_real_manifest_lists_threat():
    commands = read_features(REPO / "config" / "manifest.yaml")["slash_commands"]
    assert "/threat" in [c["command"] for c in commands]
