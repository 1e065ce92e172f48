"""End-to-end: requests exactly as Slack sends them, and bodies Slack would never send.

Shortcuts carry no `api_app_id` (a message shortcut on another app's message carries that app's
id): the real bot.py opens the report for each. A signed body that is not one of Slack's shapes is
answered 400 with no Web API call and no row.
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import pytest

from tests.support import payloads

ROW_TABLES = ("drafts", "incidents", "events", "outbox", "unchecked_requests")


def _rows(bot) -> dict[str, int]:
    db = bot.db()
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ROW_TABLES}


def _opened(slack, trigger: str) -> dict:
    call = slack.wait_for_call("views.open", lambda c: c["params"].get("trigger_id") == trigger)
    assert call["response"].get("ok"), call
    return call["response"]["view"]


def test_both_shortcuts_without_api_app_id_open_the_report(slack, bot_factory):
    """The global shortcut and the message shortcut on a person's message, as Slack sends them."""
    bot = bot_factory.start()
    alice = slack.users["alice"]
    trigger = slack.mint_trigger_id(alice)
    shortcut = payloads.global_shortcut(alice, "care_report_shortcut", trigger,
                                        workspace=slack.workspace)
    assert "api_app_id" not in shortcut
    assert bot.interact(shortcut).status == 200
    assert _opened(slack, trigger)["callback_id"] == "care_report_step"

    trigger = slack.mint_trigger_id(alice)
    message = {"type": "message", "user": slack.users["olly"], "ts": "1790000000.000100",
               "client_msg_id": "6a3d1c1e-3b61-4b36-9c0e-2f4b7d6a1f10",
               "text": "I know where you park.", "team": slack.team_id, "blocks": []}
    on_message = payloads.message_shortcut(alice, "care_report_message", trigger,
                                           slack.channels["general"], message,
                                           workspace=slack.workspace)
    assert "api_app_id" not in on_message
    assert bot.interact(on_message).status == 200
    _opened(slack, trigger)
    answers = json.loads(bot.db().execute("SELECT answers FROM drafts").fetchone()[0])
    assert "I know where you park." in answers["what_happened"]


def test_message_shortcut_on_a_message_posted_by_another_app_is_served(slack, bot_factory):
    """Slack puts the posting app's id in `api_app_id`: not this bot's, and still served."""
    bot = bot_factory.start()
    alice = slack.users["alice"]
    trigger = slack.mint_trigger_id(alice)
    alarm = {"type": "message", "subtype": "bot_message", "ts": "1790000001.000200",
             "text": "Door sensor: side entrance forced", "bot_id": "B0ALARMS01",
             "app_id": "A0ALARMS01", "username": "Branch Alarms", "blocks": []}
    payload = payloads.message_shortcut(alice, "care_report_message", trigger,
                                        slack.channels["general"], alarm,
                                        workspace=slack.workspace)
    assert payload["api_app_id"] == "A0ALARMS01" != slack.workspace.api_app_id
    assert bot.interact(payload).status == 200
    _opened(slack, trigger)
    answers = json.loads(bot.db().execute("SELECT answers FROM drafts").fetchone()[0])
    assert "Door sensor: side entrance forced" in answers["what_happened"]


FORM = "application/x-www-form-urlencoded"
MALFORMED = [
    ("payload=not-json", FORM),
    ("payload=" + quote("[1, 2]"), FORM),
    ("payload=" + quote('{"type": "block_actions", "actions": 5}'), FORM),
    ("payload=" + quote('{"type": "block_actions", "user": "U1", "actions": []}'), FORM),
    ("payload=" + quote('{"actions": []}'), FORM),
    ("team_id=T1&&==", FORM),
    ("{not json", "application/json"),
    ('{"type": "event_callback", "event": "app_home_opened"}', "application/json"),
]


@pytest.mark.parametrize("body,content_type", MALFORMED,
                         ids=[f"malformed-{n}" for n in range(len(MALFORMED))])
def test_signed_malformed_bodies_get_400_no_call_no_row(slack, bot_factory, body, content_type):
    """Signed, but not a shape Slack sends: 400, no Web API call, no row."""
    bot = bot_factory.start()
    before = slack.last_seq()
    response = bot.post_signed(body, content_type=content_type)
    assert response.status == 400, response
    time.sleep(0.5)  # anything the request started would have called Slack by now
    assert slack.calls(since=before) == []
    assert _rows(bot) == dict.fromkeys(ROW_TABLES, 0)
    assert "Traceback" not in bot.logs()


@pytest.mark.parametrize("action_id", ["care_resume_draft", "care_discard_draft",
                                       "care_home_danger"])
def test_forged_view_id_never_updates_another_persons_modal(slack, bot_factory, action_id):
    """A click naming someone else's modal: views.update only ever touches the clicker's own."""
    from tests.e2e.care_steps import answers_for, walk_to
    from tests.e2e.harness import ModalSession

    bot = bot_factory.start()
    alice, olly = slack.users["alice"], slack.users["olly"]
    walk_to(ModalSession.open(bot, alice), "assess", answers_for(slack))
    victim = ModalSession.open(bot, alice)  # "resume your report?" in alice's own modal
    assert victim.view["callback_id"] == "care_resume"
    ModalSession.open(bot, olly)  # olly has a modal and a blank draft of his own
    block_id, element = payloads.find_element(victim.view["blocks"], action_id)
    trigger = slack.mint_trigger_id(olly)
    forged = payloads.block_actions_view(victim.view, olly, action_id, element.get("value"),
                                         block_id, trigger_id=trigger,
                                         workspace=slack.workspace)
    assert forged["container"]["view_id"] == victim.view["id"]
    before = slack.last_seq()
    assert bot.interact(forged).status == 200
    if action_id == "care_home_danger":  # help wins: olly's alert, on a modal of his own
        slack.wait_for_call("views.open", lambda c: c["params"].get("trigger_id") == trigger,
                            since=before)
    else:
        time.sleep(1.0)  # anything the click started would have called Slack by now
    assert [c for c in slack.calls("views.update", since=before)
            if c["params"].get("view_id") == victim.view["id"]] == []
    assert victim.click("care_resume_draft")["response"]["ok"]  # alice's own click still works
