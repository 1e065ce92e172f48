"""End-to-end: acknowledgement, roles and the CARE checklist, clicked as different users."""

from __future__ import annotations

from tests.e2e.care_steps import (
    assert_all_surfaces_valid,
    click_message_button,
    ephemerals_to,
    file_report,
    latest_parent,
    open_from_button,
    parent_post,
    posts,
    reference_of,
    refusals_in_thread,
)
from tests.e2e.harness import care_toml
from tests.support.report import NOT_A_CLIENT


def _filed(slack, bot_factory, config: str | None = None):
    bot = bot_factory.start(config_toml_text=config)
    ref = reference_of(file_report(bot, slack.users["alice"]))
    supervisors = slack.channels["care-supervisors"]
    parent_post(slack, slack.channels["care-security"])
    return bot, ref, parent_post(slack, supervisors)


def _incident(bot):
    return bot.db().execute("SELECT * FROM incidents").fetchone()


def _wait_rendered(slack, channel: str, needle: str) -> dict:
    return slack.wait_for(lambda: (lambda p: p if needle in str(p["params"]) else None)(
        latest_parent(slack, channel)))


def test_tracking_acknowledge_first_wins_and_rerenders_both_parents(slack, bot_factory):
    """The supervisor acknowledges; both parents show it; a later click is told who was first."""
    bot, ref, parent = _filed(slack, bot_factory)
    sam, sec = slack.users["sam"], slack.users["sec"]
    assert click_message_button(bot, sam, parent, "care_acknowledge").status == 200
    for channel in ("care-supervisors", "care-security"):
        rendered = _wait_rendered(slack, slack.channels[channel], "care_update_checklist")
        assert "Acknowledged" in str(rendered["params"]["blocks"])
        assert "care_acknowledge" not in str(rendered["params"]["blocks"])
    assert _incident(bot)["acknowledged_by"] == sam
    slack.wait_for(lambda: any("acknowledged" in m.get("text", "")
                               for m in slack.history(slack.dm_channel(slack.users["alice"]))))
    click_message_button(bot, sec, parent, "care_acknowledge")
    slack.wait_for(lambda: ephemerals_to(slack, sec))
    assert f"already acknowledged by <@{sam}>" in ephemerals_to(slack, sec)[0]
    assert f"{ref}" in ephemerals_to(slack, sec)[0]


def test_tracking_outsider_is_refused_and_the_attempt_recorded(slack, bot_factory):
    """Someone with no role gets a refusal naming who may act in the thread of the message
    they clicked, mentioning them; nothing changes."""
    bot, _ref, parent = _filed(slack, bot_factory)
    olly = slack.users["olly"]
    slack.api("conversations.invite", channel=slack.channels["care-supervisors"], users=olly)
    click_message_button(bot, olly, parent, "care_acknowledge")
    message = slack.wait_for(lambda: refusals_in_thread(slack, olly,
                                                        parent["response"]["ts"]))[0]
    assert "Only the branch's supervisor" in message and "Corporate Security & Risk" in message
    assert _incident(bot)["acknowledged_at"] is None
    refused = bot.db().execute("SELECT actor, detail FROM events WHERE action = 'refused'")
    assert [row[0] for row in refused] == [olly]
    click_message_button(bot, slack.users["sam"], parent, "care_acknowledge")
    parent = _wait_rendered(slack, slack.channels["care-supervisors"], "care_update_checklist")
    opened = len(slack.calls("views.open"))
    click_message_button(bot, olly, parent, "care_update_checklist")
    slack.wait_for(lambda: len(refusals_in_thread(slack, olly)) == 2)
    assert len(slack.calls("views.open")) == opened


def test_tracking_whole_checklist_to_closure(slack, bot_factory):
    """Each owner completes their own tasks; the account decision closes the incident."""
    bot, _ref, parent = _filed(slack, bot_factory)
    u = slack.users
    supervisors = slack.channels["care-supervisors"]
    click_message_button(bot, u["sam"], parent, "care_acknowledge")
    parent = _wait_rendered(slack, supervisors, "care_update_checklist")

    assert click_message_button(bot, u["sam"], parent, "care_report_to_hr").status == 200
    parent = _wait_rendered(slack, supervisors, "✅ Reported to HR")
    assert "✅ Reported to Corporate Security & Risk" in str(parent["params"]["blocks"])
    checklist = open_from_button(bot, u["sam"], parent, "care_update_checklist")
    options = str(checklist.view["blocks"])
    assert "reported_hr" not in options and "account_officer_contacted" not in options
    assert "safety_plan" not in options
    # A physical threat is urgent: its supervisor debriefs the associate, with a note.
    body = checklist.submit({"tasks": ["debrief"], "debrief_note": "Met Alice; EAP offered."})
    assert body == {"response_action": "clear"}

    security_parent = latest_parent(slack, slack.channels["care-security"])
    checklist = open_from_button(bot, u["sec"], security_parent, "care_update_checklist")
    body = checklist.submit({"tasks": ["safety_plan"], "note": "Called HR & security <!here>"})
    assert body["response_action"] == "errors" and "safety_plan_note" in body["errors"]
    body = checklist.submit({"tasks": ["safety_plan"], "note": "Called HR & security <!here>",
                             "safety_plan_note": "Escort to car for two weeks."})
    assert body == {"response_action": "clear"}

    dm_channel = slack.dm_channel(u["alice"])
    dm = slack.wait_for(lambda: next((c for c in posts(slack, dm_channel)
                                      if "care_ics_notified" in str(c["params"])), None))
    # The confirmation DM's one button marks the associate's own step, no modal needed.
    assert click_message_button(bot, u["alice"], dm, "care_ics_notified").status == 200
    slack.wait_for(lambda: any("Control Specialist (ICS) is marked done" in str(c["params"])
                               for c in slack.calls("chat.update")))

    security_parent = latest_parent(slack, slack.channels["care-security"])
    checklist = open_from_button(bot, u["ivy"], security_parent, "care_update_checklist")
    checklist.submit({"tasks": ["account_officer_contacted"]})

    checklist = open_from_button(bot, u["oscar"], parent, "care_update_checklist")
    checklist.submit({"tasks": ["client_notified", "market_president_notified"]})

    checklist = open_from_button(bot, u["mark"], parent, "care_update_checklist")
    checklist.click("care_decide_account", expect="views.push")
    body = checklist.submit({"decision": "restrict"})
    assert body["response_action"] == "errors" and "rationale" in body["errors"]
    body = checklist.submit({"decision": "restrict", "rationale": "Second incident this year."})
    assert body == {"response_action": "clear"}

    closed = _wait_rendered(slack, supervisors, "Closed")
    assert "care_update_checklist" not in str(closed["params"]["blocks"])
    assert _incident(bot)["status"] == "closed"
    slack.wait_for(lambda: any("closed" in m.get("text", "")
                               for m in slack.history(slack.dm_channel(u["alice"]))))
    thread = slack.replies(supervisors, parent["response"]["ts"])
    texts = " ".join(m.get("text", "") for m in thread)
    assert "&lt;!here&gt;" in texts and "<!here>" not in texts
    assert "Second incident" not in str(slack.calls("chat.postMessage"))
    pending = bot.db().execute("SELECT kind FROM followups WHERE status = 'pending'")
    assert {row[0] for row in pending} <= {"wellbeing"}  # the associate's care goes on
    assert_all_surfaces_valid(slack)


def test_tracking_security_closes_early_with_a_reason(slack, bot_factory):
    """Security may close early; a reason is required and shown; reminders stop.

    Not a client: no account decision is owed, so the close ends the incident (with one owed,
    it stays open for Delivery / local management: tests/e2e/test_close_early.py)."""
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"], NOT_A_CLIENT)
    sec = slack.users["sec"]
    security = slack.channels["care-security"]
    click_message_button(bot, sec, latest_parent(slack, security), "care_acknowledge")
    rendered = _wait_rendered(slack, security, "care_update_checklist")
    checklist = open_from_button(bot, sec, rendered, "care_update_checklist")
    checklist.click("care_close_early", expect="views.push")
    body = checklist.submit({"reason": "  "})
    assert body["response_action"] == "errors"
    checklist.submit({"reason": "Duplicate of an earlier report"})
    closed = _wait_rendered(slack, security, "Duplicate of an earlier report")
    assert "Closed" in str(closed["params"]["blocks"])
    row = _incident(bot)
    assert row["status"] == "closed" and row["closed_by"] == sec
    pending = bot.db().execute("SELECT kind FROM followups WHERE status = 'pending'")
    assert {r[0] for r in pending} <= {"wellbeing"}  # the associate's care goes on


def test_tracking_user_group_members_may_acknowledge(slack, bot_factory):
    """A Slack user group in [roles] is expanded through the Web API."""
    olly = slack.users["olly"]
    slack.set_usergroup("S0CAREGRP", [olly])
    config = care_toml(slack).replace(f'supervisors = ["{slack.users["sam"]}"]',
                                      'supervisors = ["S0CAREGRP"]', 1)
    assert "S0CAREGRP" in config
    bot, _ref, parent = _filed(slack, bot_factory, config)
    click_message_button(bot, olly, parent, "care_acknowledge")
    slack.wait_for(lambda: _incident(bot)["acknowledged_by"] == olly)
    assert slack.calls("usergroups.users.list")
