"""End-to-end (issue 21): check-ins over time, someone to talk to, Stop, a restart; the debrief.

The real bot.py against the Slack emulator, with durations of seconds.
"""

from __future__ import annotations

import json
import time

from tests.e2e.care_steps import (
    click_message_button,
    file_report,
    open_from_button,
    posts,
)
from tests.e2e.harness import care_toml

CHECKIN = "How are you doing after"


def _toml(slack, checkins: str, **reminders) -> str:
    return care_toml(slack, reminders) + f"\n[care_after]\ncheckins = {checkins}\n"


def _checkins(slack, user_id: str) -> list[dict]:
    dm = slack.dm_channel(user_id)
    return [c for c in posts(slack, dm) if c["params"].get("text", "").startswith(CHECKIN)]


def _block_id(call: dict) -> str:
    blocks = call["params"]["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return blocks[-1]["block_id"]


def _followups(bot, kind: str = "wellbeing") -> list[tuple]:
    return [tuple(r) for r in bot.db().execute(
        "SELECT rung, status FROM followups WHERE kind = ? ORDER BY rung", [kind])]


def test_checkins_arrive_at_their_times_talk_reaches_hr_and_stop_ends_the_rest(slack,
                                                                               bot_factory):
    bot = bot_factory.start(_toml(slack, '["3s", "7s", "14s"]'))
    alice, hana = slack.users["alice"], slack.users["hana"]
    file_report(bot, alice)
    filed = time.time()
    first = slack.wait_for(lambda: (_checkins(slack, alice) or [None])[0], timeout=20)
    assert time.time() - filed >= 2  # not before its time
    assert _block_id(first) == "wellbeing_1"
    text = first["params"]["text"]
    assert "CARE-2026-0001" in text and "Employee Assistance Program" in text
    assert "hurt me" not in json.dumps(first["params"])  # nothing about the incident
    second = slack.wait_for(lambda: (_checkins(slack, alice)[1:] or [None])[0], timeout=20)
    assert _block_id(second) == "wellbeing_2"

    click_message_button(bot, alice, second, "care_wellbeing_contact")
    hana_dm = slack.dm_channel(hana)
    request = slack.wait_for(lambda: next(
        (c for c in posts(slack, hana_dm) if "someone to talk to" in c["params"]["text"]), None))
    assert request["params"]["text"] == (f"<@{alice}> would like someone to talk to after "
                                         "CARE-2026-0001. Please reach out to them privately.")
    click_message_button(bot, alice, second, "care_wellbeing_stop")
    slack.wait_for(lambda: _followups(bot) == [(1, "sent"), (2, "sent"), (3, "cancelled")])
    updated = slack.wait_for(lambda: next(
        (c for c in slack.calls("chat.update")
         if "no more check-ins" in c["params"].get("text", "")), None))
    assert updated["params"]["ts"] == second["response"]["ts"]
    time.sleep(max(0.0, filed + 16 - time.time()))  # past the third check-in's time
    assert len(_checkins(slack, alice)) == 2
    actions = [r[0] for r in bot.db().execute("SELECT action FROM events ORDER BY id")]
    assert actions.count("wellbeing_contact_requested") == 1
    assert actions.count("checkins_stopped") == 1


def test_checkins_survive_a_restart_and_arrive_once(slack, bot_factory):
    bot = bot_factory.start(_toml(slack, '["2s", "9s"]'))
    alice = slack.users["alice"]
    file_report(bot, alice)
    slack.wait_for(lambda: _checkins(slack, alice), timeout=20)
    bot.kill()
    time.sleep(9)  # the second falls due while the bot is down
    bot.spawn()
    bot.wait_healthy()
    slack.wait_for(lambda: len(_checkins(slack, alice)) == 2, timeout=20)
    time.sleep(3)
    assert [_block_id(c) for c in _checkins(slack, alice)] == ["wellbeing_1", "wellbeing_2"]
    assert _followups(bot) == [(1, "sent"), (2, "sent")]


def test_the_debrief_task_is_due_reminded_and_done_with_a_note(slack, bot_factory):
    bot = bot_factory.start(reminders={"debrief_deadline": "3s", "wellbeing_checkin": "off"})
    alice, sam = slack.users["alice"], slack.users["sam"]
    file_report(bot, alice)  # a physical threat: urgent, so its supervisor debriefs
    sam_dm = slack.dm_channel(sam)
    reminder = slack.wait_for(lambda: next(
        (c for c in posts(slack, sam_dm)
         if "Due now" in c["params"]["text"] and "Debrief with the associate" in
         c["params"]["text"]), None), timeout=20)
    supervisors = slack.channels["care-supervisors"]
    assert any("Debrief with the associate" in c["params"]["text"]
               for c in posts(slack, supervisors) if c["params"].get("thread_ts"))

    session = open_from_button(bot, sam, reminder, "care_update_checklist")
    blocks = {b.get("block_id") for b in session.view["blocks"]}
    assert "debrief_note" in blocks
    body = session.submit({"tasks": ["debrief"], "debrief_note": ""})
    assert body["response_action"] == "errors" and "debrief_note" in body["errors"]
    body = session.submit({"tasks": ["debrief"],
                           "debrief_note": "Met Alice; EAP offered; she is back Monday."})
    assert body.get("response_action") == "clear", body
    row = bot.db().execute("SELECT actor, detail FROM events WHERE action = 'task_completed'"
                           ).fetchone()
    assert row[0] == sam and json.loads(row[1])["task"] == "debrief"
    escalation = bot.db().execute("SELECT status FROM followups WHERE task = 'debrief' "
                                  "AND kind = 'task_overdue'").fetchall()
    assert [r[0] for r in escalation] == ["cancelled"]  # done: nobody is chased any more
