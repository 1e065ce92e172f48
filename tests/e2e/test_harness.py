"""Self-tests of the e2e harness: the emulator + proxy, the payload builders, signing, processes."""

from __future__ import annotations

import json
import time
import tomllib
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier

from tests.e2e.harness import (
    REPO_ROOT,
    TEST_SIGNING_SECRET,
    BotFactory,
    ModalSession,
    care_toml,
    http_request,
)
from tests.support import payloads
from tests.support.signing import signed_headers

FIXTURES = REPO_ROOT.parent / "shared" / "slack-fixtures"
SEEDED = ["alice", "sam", "rita", "mark", "ivy", "oscar", "sec", "hana", "manny", "olly"]


def bot_client(slack, **kwargs) -> WebClient:
    """A slack_sdk client that calls through the proxy with the bot's token, as the bot will."""
    return WebClient(token=slack.bot_token, base_url=slack.api_url, **kwargs)


def plain(text: str) -> dict:
    """A plain_text object."""
    return {"type": "plain_text", "text": text}


def small_modal(title: str = "Report") -> dict:
    """A minimal valid modal view."""
    return {"type": "modal", "title": plain(title), "blocks": [], "callback_id": "t"}


# ---------------------------------------------------------------------------- emulator identity


def test_ready_reports_users_channels_and_bot_identity(slack):
    assert set(SEEDED) <= set(slack.users)
    assert {"care-supervisors", "care-security", "general"} <= set(slack.channels)
    assert slack.api_url.startswith("http://127.0.0.1:") and slack.api_url.endswith("/api/")
    identity = bot_client(slack).auth_test()
    assert identity["user_id"] == slack.bot_user_id
    assert identity["bot_id"] == slack.workspace.bot_id
    assert identity["team_id"] == slack.team_id


def test_bot_is_a_member_of_the_private_care_channels(slack):
    client = bot_client(slack)
    supervisors = client.conversations_members(channel=slack.channels["care-supervisors"])[
        "members"
    ]
    security = client.conversations_members(channel=slack.channels["care-security"])["members"]
    u = slack.users
    assert set(supervisors) == {slack.bot_user_id, u["sam"], u["rita"], u["mark"]}
    assert set(security) == {slack.bot_user_id, u["sec"], u["ivy"]}
    info = client.conversations_info(channel=slack.channels["care-security"])["channel"]
    assert info["is_private"] is True


def test_get_requests_are_forwarded_as_posts(slack):
    url = slack.api_url + "users.info?user=" + slack.users["alice"]
    answer = http_request("GET", url, headers={"Authorization": f"Bearer {slack.bot_token}"})
    assert answer.json()["user"]["name"] == "alice"
    [call] = slack.calls("users.info")
    assert call["http_method"] == "GET"
    assert call["params"] == {"user": slack.users["alice"]}


# ---------------------------------------------------------------------------- recording


def test_records_bot_calls_with_params_status_and_response(slack):
    channel = slack.channels["care-supervisors"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    sent = bot_client(slack).chat_postMessage(channel=channel, text="hello", blocks=blocks)
    [call] = slack.calls("chat.postMessage")
    assert call["params"]["channel"] == channel
    assert call["params"]["blocks"] == blocks
    assert call["http_status"] == 200
    assert call["response"]["ts"] == sent["ts"]
    assert call["client"] == "bot" and call["faulted"] is False
    assert abs(call["time"] - time.time()) < 60


def test_harness_calls_are_recorded_apart_and_reset_clears(slack):
    slack.history(slack.channels["general"])
    assert slack.calls() == []
    assert [c["method"] for c in slack.calls(include_harness=True)] == ["conversations.history"]
    slack.reset_calls()
    assert slack.calls(include_harness=True) == []


def test_form_encoded_json_params_are_decoded_in_the_record(slack):
    body = "channel={}&text=x&blocks=%5B%5D".format(slack.channels["general"])
    headers = {
        "Authorization": f"Bearer {slack.bot_token}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    http_request("POST", slack.api_url + "chat.postMessage", body, headers)
    [call] = slack.calls("chat.postMessage")
    assert call["params"]["blocks"] == []


def test_response_urls_point_at_the_recording_proxy(slack):
    fields = payloads.slash_command("U1", "", "1.2.x", workspace=slack.workspace)
    reply = {"response_type": "ephemeral", "text": "Only associates can report"}
    headers = {"Content-Type": "application/json"}
    answer = http_request("POST", fields["response_url"], json.dumps(reply), headers)
    assert answer.status == 200
    [call] = slack.calls("response_url")
    assert call["params"] == reply


def test_unknown_method_answers_like_slack(slack):
    answer = slack.api("no.such.method", token=slack.bot_token)
    assert answer == {"ok": False, "error": "unknown_method"}


# ---------------------------------------------------------------------------- faults


def test_fault_429_carries_retry_after_then_passes(slack):
    slack.fault("chat.postMessage", status=429, count=2, retry_after=7)
    url = slack.api_url + "chat.postMessage"
    headers = {"Authorization": f"Bearer {slack.bot_token}", "Content-Type": "application/json"}
    body = json.dumps({"channel": slack.channels["general"], "text": "x"})
    first, second, third = (http_request("POST", url, body, headers) for _ in range(3))
    assert (first.status, second.status, third.status) == (429, 429, 200)
    assert first.headers.get("retry-after") == "7"
    assert first.json() == {"ok": False, "error": "ratelimited"}
    assert [c["faulted"] for c in slack.calls("chat.postMessage")] == [True, True, False]


def test_slack_sdk_retry_handlers_get_through_a_429_and_a_503(slack):
    handlers = [
        RateLimitErrorRetryHandler(max_retry_count=1),
        ServerErrorRetryHandler(max_retry_count=1),
    ]
    client = bot_client(slack, retry_handlers=handlers)
    slack.fault("chat.postMessage", status=429, retry_after=1)
    assert client.chat_postMessage(channel=slack.channels["general"], text="a")["ok"]
    slack.fault("chat.postMessage", status=503)
    assert client.chat_postMessage(channel=slack.channels["general"], text="b")["ok"]
    statuses = [c["http_status"] for c in slack.calls("chat.postMessage")]
    assert statuses == [429, 200, 503, 200]


def test_fault_500_and_ok_false_error_are_not_forwarded(slack):
    channel = slack.channels["care-security"]
    slack.fault("chat.postMessage", status=500)
    slack.fault("chat.postMessage", error="channel_not_found")
    client = bot_client(slack)
    with pytest.raises(Exception) as server_error:
        client.chat_postMessage(channel=channel, text="lost 1")
    assert server_error.value.response.status_code == 500
    with pytest.raises(Exception) as api_error:
        client.chat_postMessage(channel=channel, text="lost 2")
    assert api_error.value.response["error"] == "channel_not_found"
    assert not [m for m in slack.history(channel) if m["text"].startswith("lost")]


def test_faults_spare_harness_calls_and_reset_clears_them(slack):
    slack.fault("conversations.history", status=500, count=5)
    assert slack.history(slack.channels["general"]) is not None
    slack.reset()
    assert bot_client(slack).conversations_history(channel=slack.channels["general"])["ok"]


def test_status_200_fault_needs_an_error(slack):
    with pytest.raises(ValueError):
        slack.fault("chat.postMessage", status=200)


# ---------------------------------------------------------------------------- usergroups


def test_usergroups_users_list_answers_from_the_control_map(slack):
    client = bot_client(slack)
    slack.set_usergroup("S0SECURITY", [slack.users["sec"], slack.users["ivy"]])
    answer = client.usergroups_users_list(usergroup="S0SECURITY")
    assert answer["users"] == [slack.users["sec"], slack.users["ivy"]]
    with pytest.raises(Exception) as missing:
        client.usergroups_users_list(usergroup="S0NOPE")
    assert missing.value.response["error"] == "no_such_subteam"
    slack.set_usergroup("S0SECURITY", None)
    assert slack.api("usergroups.users.list", usergroup="S0SECURITY")["error"] == "no_such_subteam"


# ---------------------------------------------------------------------------- messages


def test_dm_post_to_a_user_id_opens_the_dm(slack):
    alice = slack.users["alice"]
    posted = bot_client(slack).chat_postMessage(channel=alice, text="Are you safe?")
    assert posted["channel"].startswith("D")
    assert slack.dm_channel(alice) == posted["channel"]
    assert slack.history(posted["channel"])[0]["text"] == "Are you safe?"


def test_thread_reply_shows_in_replies_not_in_history(slack):
    channel = slack.channels["care-supervisors"]
    client = bot_client(slack)
    parent = client.chat_postMessage(channel=channel, text="New incident")
    client.chat_postMessage(channel=channel, text="Acknowledged", thread_ts=parent["ts"])
    thread = slack.replies(channel, parent["ts"])
    assert [m["text"] for m in thread] == ["New incident", "Acknowledged"]
    assert thread[1]["thread_ts"] == parent["ts"]
    top = [m for m in slack.history(channel) if m["ts"] == parent["ts"]]
    assert top[0]["reply_count"] == 1
    assert "Acknowledged" not in [m["text"] for m in slack.history(channel)]


def test_chat_update_edits_a_bot_message(slack):
    channel = slack.channels["care-security"]
    client = bot_client(slack)
    posted = client.chat_postMessage(channel=channel, text="Awaiting ack")
    client.chat_update(channel=channel, ts=posted["ts"], text="Acknowledged by sec")
    [message] = [m for m in slack.history(channel) if m["ts"] == posted["ts"]]
    assert message["text"] == "Acknowledged by sec"
    assert "edited" in message


# ---------------------------------------------------------------------------- views


def test_views_open_update_hash_and_single_use_trigger(slack):
    client = bot_client(slack)
    trigger = slack.mint_trigger_id(slack.users["alice"])
    view = client.views_open(trigger_id=trigger, view=small_modal())["view"]
    assert view["id"].startswith("V") and view["hash"]
    with pytest.raises(Exception) as reused:
        client.views_open(trigger_id=trigger, view=small_modal())
    assert reused.value.response["error"] == "exchanged_trigger_id"
    with pytest.raises(Exception) as stale:
        client.views_update(view_id=view["id"], hash="1.stale", view=small_modal("Step 2"))
    assert stale.value.response["error"] == "hash_conflict"
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=small_modal("Step 2"))
    assert updated["view"]["id"] == view["id"] and updated["view"]["hash"] != view["hash"]


def test_views_push_stops_at_three_views(slack):
    client = bot_client(slack)
    alice = slack.users["alice"]
    root = client.views_open(trigger_id=slack.mint_trigger_id(alice), view=small_modal())["view"]
    for _ in range(2):
        client.views_push(
            trigger_id=slack.mint_trigger_id(alice, view_id=root["id"]), view=small_modal()
        )
    with pytest.raises(Exception) as limit:
        client.views_push(
            trigger_id=slack.mint_trigger_id(alice, view_id=root["id"]), view=small_modal()
        )
    assert limit.value.response["error"] == "push_limit_reached"


def test_trigger_ids_expire_within_three_seconds(slack):
    trigger = slack.mint_trigger_id(slack.users["alice"])
    time.sleep(3.05)
    with pytest.raises(Exception) as expired:
        bot_client(slack).views_open(trigger_id=trigger, view=small_modal())
    assert expired.value.response["error"] == "expired_trigger_id"


# ---------------------------------------------------------------------------- signing


def test_signed_headers_pass_slack_sdk_verification():
    body = payloads.form_body({"command": "/threat", "text": "café & <b>"})
    headers = signed_headers(body, "s3cret")
    verifier = SignatureVerifier("s3cret")
    ts, sig = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert verifier.is_valid(body, ts, sig)
    assert not verifier.is_valid(body + "x", ts, sig)
    assert not SignatureVerifier("other").is_valid(body, ts, sig)
    old = signed_headers(body, "s3cret", timestamp=int(time.time()) - 600)
    assert not verifier.is_valid(body, old["X-Slack-Request-Timestamp"], old["X-Slack-Signature"])


# ---------------------------------------------------------------------------- payload builders


def _fixture(name: str) -> dict:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"shared fixture {path} not present")
    return json.loads(path.read_text())


def _answers_from_state(values: dict) -> dict:
    answers = {}
    for block_id, by_action in values.items():
        (entry,) = by_action.values()
        key = next(k for k in entry if k not in ("type", "response_url_enabled"))
        answer = entry[key]
        if key == "selected_option":
            answer = answer["value"]
        elif key == "selected_options":
            answer = [option["value"] for option in answer]
        answers[block_id] = answer
    return answers


def test_state_values_reproduce_slacks_state_for_every_input_type():
    sample = _fixture("view_submission.all_input_types.json")["view"]
    expected = sample["state"]["values"]
    assert payloads.state_values(sample, _answers_from_state(expected)) == expected


def _select(action_id: str, kind: str, values: list[str], **extra) -> dict:
    options = [{"text": plain(v.title()), "value": v} for v in values]
    return {"type": kind, "action_id": action_id, "options": options, **extra}


def _input(block_id: str, element: dict, optional: bool = False) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(block_id),
        "optional": optional,
        "element": element,
    }


SAMPLE_VIEW = {
    "type": "modal",
    "callback_id": "care_step",
    "private_metadata": '{"incident": 7}',
    "title": plain("Report"),
    "submit": plain("Next"),
    "blocks": [
        {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "Stay safe."}},
        _input("summary", {"type": "plain_text_input", "action_id": "summary_in"}),
        _input(
            "notes", {"type": "plain_text_input", "action_id": "notes_in", "multiline": True}, True
        ),
        _input("danger", _select("danger_in", "radio_buttons", ["yes", "no"])),
        _input("kind", _select("kind_in", "static_select", ["verbal", "physical"])),
        _input("flags", _select("flags_in", "checkboxes", ["weapon", "repeat"]), True),
        _input("tags", _select("tags_in", "multi_static_select", ["a", "b"]), True),
        _input("who", {"type": "users_select", "action_id": "who_in"}),
        _input("witnesses", {"type": "multi_users_select", "action_id": "witnesses_in"}, True),
        _input("day", {"type": "datepicker", "action_id": "day_in", "initial_date": "2026-01-02"}),
        _input("at", {"type": "timepicker", "action_id": "at_in"}),
        _input("when", {"type": "datetimepicker", "action_id": "when_in"}),
        _input(
            "count", {"type": "number_input", "action_id": "count_in", "is_decimal_allowed": False}
        ),
        {
            "type": "actions",
            "block_id": "nav",
            "elements": [
                {"type": "button", "action_id": "back", "text": plain("Back"), "value": "back"},
            ],
        },
    ],
}


def test_state_values_builds_the_value_key_of_each_element_type():
    answers = {
        "summary": "Client shouted",
        "notes": "",
        "danger": "yes",
        "kind": "verbal",
        "flags": ["weapon"],
        "who": "U1",
        "at": "09:30",
        "when": 1767300000,
        "count": 2,
    }
    values = payloads.state_values(SAMPLE_VIEW, answers)
    assert values["summary"]["summary_in"] == {
        "type": "plain_text_input",
        "value": "Client shouted",
    }
    assert values["notes"]["notes_in"]["value"] is None
    assert values["danger"]["danger_in"]["selected_option"] == {
        "text": plain("Yes"),
        "value": "yes",
    }
    assert values["kind"]["kind_in"]["selected_option"]["value"] == "verbal"
    assert values["flags"]["flags_in"]["selected_options"] == [
        {"text": plain("Weapon"), "value": "weapon"}
    ]
    assert values["tags"]["tags_in"]["selected_options"] == []
    assert values["who"]["who_in"]["selected_user"] == "U1"
    assert values["witnesses"]["witnesses_in"]["selected_users"] == []
    assert values["day"]["day_in"]["selected_date"] == "2026-01-02"
    assert values["at"]["at_in"]["selected_time"] == "09:30"
    assert values["when"]["when_in"]["selected_date_time"] == 1767300000
    assert values["count"]["count_in"]["value"] == "2"
    assert "intro" not in values and "nav" not in values


def test_state_values_rejects_unknown_blocks_and_options():
    with pytest.raises(KeyError):
        payloads.state_values(SAMPLE_VIEW, {"summry": "typo"})
    with pytest.raises(ValueError):
        payloads.state_values(SAMPLE_VIEW, {"danger": "maybe"})


def test_slash_command_has_every_field_slack_sends():
    expected = _fixture("slash_command.fields.json")["full_field_set_for_threat"]
    fields = payloads.slash_command("U1", "now", "1.2.abc", "C9")
    optional_enterprise = {"enterprise_id", "enterprise_name"}
    assert set(expected) - optional_enterprise == set(fields)
    assert fields["command"] == "/threat" and fields["trigger_id"] == "1.2.abc"


def test_view_submission_and_view_closed_have_slacks_shape():
    expected = _fixture("view_submission.bolt_test.json")
    view = {**SAMPLE_VIEW, "id": "V1", "hash": "1.a"}
    values = payloads.state_values(view, {"summary": "x"})
    sent = payloads.view_submission(view, "U1", values, "1.2.trg")
    assert set(expected) <= set(sent)
    assert set(expected["view"]) <= set(sent["view"])
    assert sent["view"]["state"]["values"] == values
    assert sent["view"]["private_metadata"] == view["private_metadata"]
    closed = payloads.view_closed(view, "U1")
    assert set(_fixture("view_closed.bolt_test.json")) <= set(closed)


def test_block_actions_payloads_for_messages_threads_and_modals():
    reference = _fixture("block_actions.thread_reply_button.json")
    reply = payloads.block_actions_message(
        "U1", "C1", "2.000002", "ack", "TH-7", "acts", thread_ts="1.000001"
    )
    assert set(reference) <= set(reply)
    assert reply["container"]["thread_ts"] == "1.000001"
    assert reply["actions"][0]["value"] == "TH-7"
    top = payloads.block_actions_message("U1", "C1", "2.000002", "ack", "v", "acts")
    assert "thread_ts" not in top["container"]
    modal = payloads.block_actions_view(
        {**SAMPLE_VIEW, "id": "V1", "hash": "1.a"}, "U1", "back", None, "nav"
    )
    assert set(_fixture("block_actions.in_modal_capture.json")) <= set(modal)
    assert modal["container"] == {"type": "view", "view_id": "V1"}
    assert modal["actions"][0]["value"] == "back" and "response_url" not in modal


# ---------------------------------------------------------------------------- processes


STANDIN_BOT = r"""
import os, signal, sqlite3, sys, tomllib
if os.environ.get("STANDIN_CRASH"):
    sys.exit("standin: refusing to start because STANDIN_CRASH is set")
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress import serve

assert "SLACK_APP_TOKEN" not in os.environ
tomllib.load(open(os.environ["CARE_CONFIG"], "rb"))
db = sqlite3.connect(os.environ["CARE_DB_PATH"])
db.execute("create table if not exists starts (pid integer)")
db.execute("insert into starts values (?)", (os.getpid(),))
db.commit()
db.close()
client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])


def modal(step):
    return {
        "type": "modal", "callback_id": "standin", "notify_on_close": True,
        "title": {"type": "plain_text", "text": f"Step {step}"},
        "submit": {"type": "plain_text", "text": "Next"}, "private_metadata": str(step),
        "blocks": [
            {"type": "input", "block_id": "what", "label": {"type": "plain_text", "text": "What"},
             "element": {"type": "plain_text_input", "action_id": "what_in"}},
            {"type": "actions", "block_id": "acts", "elements": [
                {"type": "button", "action_id": "bump", "value": "b",
                 "text": {"type": "plain_text", "text": "Bump"}}]},
        ],
    }


@app.command("/threat")
def threat(ack, body, client):
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=modal(1))


@app.view("standin")
def submitted(ack, view):
    if not view["state"]["values"]["what"]["what_in"]["value"]:
        return ack(response_action="errors", errors={"what": "Say something"})
    step = int(view["private_metadata"])
    if step >= 10:
        return ack()
    ack(response_action="update", view=modal(step + 1))


@app.action("bump")
def bump(ack, body, client):
    ack()
    view = body["view"]
    step = int(view["private_metadata"]) + 10
    client.views_update(view_id=view["id"], hash=view["hash"], view=modal(step))


@app.view_closed("standin")
def closed(ack, body, client):
    ack()
    client.chat_postMessage(channel=body["user"]["id"], text="modal closed")


handler = SlackRequestHandler(app)


def wsgi(environ, start_response):
    if environ["PATH_INFO"] == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    return handler(environ, start_response)


signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print("standin started", flush=True)
serve(wsgi, host="127.0.0.1", port=int(os.environ["PORT"]))
"""


@pytest.fixture
def standin_factory(slack, tmp_path):
    """A BotFactory whose `bot.py` is a small Bolt stand-in written to a temp dir."""
    bot_dir = tmp_path / "standin"
    bot_dir.mkdir()
    (bot_dir / "bot.py").write_text(STANDIN_BOT)
    factory = BotFactory(slack, tmp_path, bot_dir=bot_dir)
    yield factory
    factory.close_all()


def test_bot_factory_starts_signs_restarts_and_stops(standin_factory, slack):
    bot = standin_factory.start(reminders={"ack_reminder": "2s"})
    config = tomllib.loads(Path(bot.config_path).read_text())
    assert config["reminders"]["ack_reminder"] == "2s"
    assert config["branches"]["downtown"]["associates"] == []  # as shipped: nobody listed
    assert bot.command(slack.users["alice"]).status == 200
    assert (
        bot.post_raw("payload=%7B%7D", {"Content-Type": "application/x-www-form-urlencoded"}).status
        == 401
    )
    port = bot.port
    bot.restart()
    assert bot.port == port and bot.get("/healthz").status == 200
    assert bot.logs().count("standin started") == 2
    assert len(bot.db().execute("select pid from starts").fetchall()) == 2
    assert bot.stop() == 0
    assert not bot.alive


def test_bot_factory_kill_and_startup_failure(standin_factory):
    bot = standin_factory.start()
    bot.kill()
    assert bot.returncode == -9
    with pytest.raises(RuntimeError, match="STANDIN_CRASH"):
        standin_factory.start(env={"STANDIN_CRASH": "1"})


def test_default_care_toml_matches_the_schema(slack):
    config = tomllib.loads(care_toml(slack))
    assert config["channels"] == {
        "supervisors": slack.channels["care-supervisors"],
        "security": slack.channels["care-security"],
    }
    assert config["roles"]["hr"] == [slack.users["hana"]]
    assert config["reminders"]["ack_repeat_max"] == 4
    assert config["scheduler"]["sweep_every"] == "1s"
    assert config["branches"]["downtown"]["rxm"] == slack.users["rita"]
    assert TEST_SIGNING_SECRET


def test_modal_session_drives_open_errors_update_click_and_close(standin_factory, slack):
    bot = standin_factory.start()
    alice = slack.users["alice"]
    session = ModalSession.open(bot, alice)
    first = session.view
    assert first["private_metadata"] == "1" and first["title"]["text"] == "Step 1"
    assert session.submit({"what": ""}) == {
        "response_action": "errors",
        "errors": {"what": "Say something"},
    }
    assert session.view["id"] == first["id"]
    assert session.submit({"what": "Client shouted"})["response_action"] == "update"
    assert session.view["id"] == first["id"] and session.view["private_metadata"] == "2"
    call = session.click("bump")
    assert call["params"]["hash"] != first["hash"]
    assert session.view["private_metadata"] == "12"
    session.close()
    dm = slack.dm_channel(alice)
    slack.wait_for(lambda: [m for m in slack.history(dm) if m["text"] == "modal closed"])


def test_modal_session_final_submit_closes_the_modal(standin_factory, slack):
    bot = standin_factory.start()
    session = ModalSession.open(bot, slack.users["sam"])
    session.click("bump")
    assert session.submit({"what": "done"}) == {}
    assert not session.is_open
