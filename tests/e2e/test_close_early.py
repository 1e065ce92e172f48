"""End-to-end (issue 17 §4): security's "close early" ends only security's part.

The account decision belongs to Delivery / local management: it stays open with its reminders,
the checklist shows who still owes it, and the incident closes when it is recorded.
"""

from __future__ import annotations

import json

from tests.e2e.care_steps import (
    click_message_button,
    file_report,
    latest_parent,
    open_from_button,
    parent_post,
    reference_of,
)
from tests.e2e.harness import wait_until
from tests.support.report import NOT_A_CLIENT


def _text(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _rendered(slack, channel: str, needle: str) -> dict:
    return slack.wait_for(lambda: (lambda p: p if needle in _text(p["params"]) else None)(
        latest_parent(slack, channel)))


def _status(bot) -> str:
    return bot.db().execute("SELECT status FROM incidents").fetchone()[0]


def test_close_early_leaves_the_account_decision_with_management(slack, bot_factory):
    bot = bot_factory.start()
    u = slack.users
    ref = reference_of(file_report(bot, u["alice"]))
    security, supervisors = slack.channels["care-security"], slack.channels["care-supervisors"]
    click_message_button(bot, u["sec"], parent_post(slack, security), "care_acknowledge")
    parent = _rendered(slack, security, "care_update_checklist")

    checklist = open_from_button(bot, u["sec"], parent, "care_update_checklist")
    checklist.click("care_close_early", expect="views.push")
    said = _text(checklist.view["blocks"])
    assert "*The account decision stays open* with Delivery / local management" in said
    assert f"<@{u['mark']}>" in said and "closes the incident" not in said
    assert checklist.submit({"reason": "Police handled it; no risk to staff."}) == {
        "response_action": "clear"}

    wait_until(lambda: bot.db().execute(
        "SELECT count(*) FROM events WHERE action = 'security_part_closed'").fetchone()[0] == 1)
    assert _status(bot) == "open"
    pending = {row[0] for row in bot.db().execute(
        "SELECT task FROM followups WHERE status = 'pending' AND kind != 'wellbeing'")}
    assert pending == {"account_decision"}  # its reminders go on; every other one stopped
    for channel in (security, supervisors):
        shown = _rendered(slack, channel, "part closed early")
        blocks = _text(shown["params"]["blocks"])
        assert "Still owed:* the account decision" in blocks
        assert "⬜ Delivery / local management decided on the account" in blocks
        assert "care_acknowledge" not in blocks and "care_report_to_hr" not in blocks
        thread = slack.replies(channel, shown["response"]["ts"])
        note = next(m["text"] for m in thread if "closed Corporate Security" in m.get("text", ""))
        assert "*Still owed:* the account decision, by Delivery / local management" in note
        assert f"{ref} stays open until it is recorded" in note

    checklist = open_from_button(bot, u["mark"], latest_parent(slack, supervisors),
                                 "care_update_checklist")
    checklist.click("care_decide_account", expect="views.push")
    assert checklist.submit({"decision": "restrict", "rationale": "Second incident."}) == {
        "response_action": "clear"}
    wait_until(lambda: _status(bot) == "closed")
    closed = _rendered(slack, supervisors, "*Closed*")
    assert "care_update_checklist" not in _text(closed["params"]["blocks"])
    slack.wait_for(lambda: any("The account decision was the last step owed" in m.get("text", "")
                               for m in slack.replies(supervisors, closed["response"]["ts"])))


def test_close_early_closes_a_non_client_incident_fully(slack, bot_factory):
    bot = bot_factory.start()
    u = slack.users
    file_report(bot, u["alice"], NOT_A_CLIENT)
    security = slack.channels["care-security"]
    click_message_button(bot, u["sec"], parent_post(slack, security), "care_acknowledge")
    parent = _rendered(slack, security, "care_update_checklist")
    checklist = open_from_button(bot, u["sec"], parent, "care_update_checklist")
    checklist.click("care_close_early", expect="views.push")
    said = _text(checklist.view["blocks"])
    assert "This closes the incident" in said and "account decision" not in said
    checklist.submit({"reason": "Duplicate of an earlier report."})
    wait_until(lambda: _status(bot) == "closed")
    assert not bot.db().execute("SELECT count(*) FROM followups WHERE status = 'pending' "
                                "AND kind != 'wellbeing'").fetchone()[0]
