"""End-to-end: the edges of issue 8's hostile-request rules, found in acceptance review.

The 1 MB boundary, forged ids on the DM and Home buttons, and foreign interactions and events
(not only slash commands), each against the real bot.py and the local Slack.
"""

from __future__ import annotations

import dataclasses
import json
import time

from tests.e2e.care_steps import (
    click_message_button,
    file_report,
    open_home,
    parent_post,
    posts,
)
from tests.e2e.harness import TEST_SIGNING_SECRET
from tests.e2e.test_hostile import _send_signed
from tests.support import payloads

GONE = "That incident no longer exists."
BAD_IDS = ("1e3", "-1", "9223372036854775808", " 1", "1_0", "٣")
MB = 1024 * 1024


def _slash_body_of(slack, size: int) -> str:
    """A signed-able /threat body of exactly ``size`` bytes (an unknown word: help answers)."""
    alice = slack.users["alice"]
    fields = payloads.slash_command(alice, "x", slack.mint_trigger_id(alice),
                                    workspace=slack.workspace)
    body = payloads.form_body(fields)
    return body.replace("text=x", "text=" + "x" * (size - len(body) + 1), 1)


def _quiet(slack, for_seconds: float = 1.0, timeout: float = 20.0) -> int:
    """Wait until the bot has made no Web API call for a while; return the last seq."""
    deadline = time.monotonic() + timeout
    seq = slack.last_seq()
    while time.monotonic() < deadline:
        time.sleep(for_seconds)
        now = slack.last_seq()
        if now == seq:
            return seq
        seq = now
    raise AssertionError("the bot never went quiet")


def _dm_texts(slack, user_id: str) -> list[str]:
    channel = slack.dm_channel(user_id)
    return [c["params"].get("text", "") for c in posts(slack)
            if c["response"].get("channel") == channel]


def test_hostile_a_body_of_exactly_1_mb_is_served_and_one_byte_more_is_413(slack, bot_factory):
    """"Over 1 MB" means over: 1,048,576 bytes are read and answered, 1,048,577 get 413."""
    bot = bot_factory.start()
    exactly = _slash_body_of(slack, MB)
    assert len(exactly) == MB
    assert _send_signed(bot.port, exactly) == 200
    over = _slash_body_of(slack, MB + 1)
    assert len(over) == MB + 1
    assert _send_signed(bot.port, over) == 413
    assert bot.db().execute("SELECT count(*) FROM incidents").fetchone()[0] == 0
    assert TEST_SIGNING_SECRET not in bot.logs()


def test_hostile_forged_ids_on_dm_and_home_buttons_get_no_longer_exists(slack, bot_factory):
    """ICS notified, wellbeing and the Home buttons: a forged id is answered plainly."""
    bot = bot_factory.start(reminders={"wellbeing_checkin": "1s"})
    alice, sam = slack.users["alice"], slack.users["sam"]
    file_report(bot, alice)
    dm = slack.dm_channel(alice)
    confirmation = slack.wait_for(lambda: next(
        (c for c in posts(slack, dm) if "care_ics_notified" in json.dumps(c["params"])), None))
    checkin = slack.wait_for(lambda: next(
        (c for c in posts(slack, dm) if "care_wellbeing_ok" in json.dumps(c["params"])), None),
        timeout=30)
    _quiet(slack)
    for value in BAD_IDS:
        for post, action in ((confirmation, "care_ics_notified"), (checkin, "care_wellbeing_ok"),
                             (checkin, "care_wellbeing_contact")):
            assert click_message_button(bot, alice, post, action, value=value).status == 200
    slack.wait_for(lambda: _dm_texts(slack, alice).count(GONE) == 3 * len(BAD_IDS))

    sec = slack.users["sec"]
    for user, action in ((sam, "care_home_acknowledge"), (sec, "care_show_details"),
                         (sec, "care_update_checklist")):
        home = open_home(bot, user)
        for value in BAD_IDS:
            forged = json.loads(json.dumps(home))
            _block, element = payloads.find_element(forged["blocks"], action)
            element["value"] = value
            payload = payloads.block_actions_home(forged, user, action,
                                                  trigger_id=slack.mint_trigger_id(user),
                                                  workspace=slack.workspace)
            assert bot.interact(payload).status == 200
    slack.wait_for(lambda: _dm_texts(slack, sam).count(GONE) == len(BAD_IDS))
    slack.wait_for(lambda: _dm_texts(slack, sec).count(GONE) == 2 * len(BAD_IDS))
    row = bot.db().execute("SELECT acknowledged_at FROM incidents").fetchone()
    assert row[0] is None
    events = {r[0] for r in bot.db().execute("SELECT action FROM events")}
    assert not events & {"wellbeing_ok", "wellbeing_contact", "task_completed"}
    assert "could not finish" not in json.dumps([c["params"] for c in slack.calls()])


def test_hostile_foreign_clicks_and_events_are_refused_and_not_acted_on(slack, bot_factory):
    """A signed click or event from another team or app: 403, no Web API call, no change."""
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"])
    parent = parent_post(slack, slack.channels["care-supervisors"])
    sam = slack.users["sam"]
    block_id, element = payloads.find_element(parent["params"]["blocks"], "care_acknowledge")
    events_before = bot.db().execute("SELECT count(*) FROM events").fetchone()[0]
    before = _quiet(slack)
    for change in ({"team_id": "T0OTHER"}, {"api_app_id": "A0OTHER"}):
        workspace = dataclasses.replace(slack.workspace, **change)
        click = payloads.block_actions_message(
            sam, parent["response"]["channel"], parent["response"]["ts"], "care_acknowledge",
            element["value"], block_id, trigger_id=slack.mint_trigger_id(sam),
            workspace=workspace)
        assert bot.interact(click).status == 403
        event = payloads.app_home_opened(sam, workspace=workspace)
        assert bot.post_signed(json.dumps(event), content_type="application/json").status == 403
    time.sleep(1.0)
    assert [c["method"] for c in slack.calls(since=before)] == []
    assert bot.db().execute("SELECT acknowledged_at FROM incidents").fetchone()[0] is None
    assert bot.db().execute("SELECT count(*) FROM events").fetchone()[0] == events_before


def test_wellbeing_buttons_are_told_apart(slack, bot_factory):
    """One listener serves both check-in buttons: "I'm OK" asks for no contact, the other does."""
    bot = bot_factory.start(reminders={"wellbeing_checkin": "1s"})
    alice = slack.users["alice"]
    file_report(bot, alice)
    dm = slack.dm_channel(alice)
    checkin = slack.wait_for(lambda: next(
        (c for c in posts(slack, dm) if "care_wellbeing_ok" in json.dumps(c["params"])), None),
        timeout=30)
    incident_id = str(bot.db().execute("SELECT id FROM incidents").fetchone()[0])

    def actions() -> list[str]:
        return [r[0] for r in bot.db().execute(
            "SELECT action FROM events WHERE action LIKE 'wellbeing%' ORDER BY id")]

    click_message_button(bot, alice, checkin, "care_wellbeing_ok", value=incident_id)
    first = slack.wait_for(lambda: actions() or None)
    assert "wellbeing_contact_requested" not in first
    click_message_button(bot, alice, checkin, "care_wellbeing_contact", value=incident_id)
    slack.wait_for(lambda: "wellbeing_contact_requested" in actions())
