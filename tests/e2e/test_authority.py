"""End-to-end: powers from roles and the directory, HR and CS&R reached, the safety plan.

The real bot.py against the local Slack, clicked as different people.
"""

from __future__ import annotations

import json

import pytest

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

CLIENT_DETAILS = ("John Q. Client", "****1234")


def _wait_rendered(slack, channel: str, needle: str) -> dict:
    return slack.wait_for(lambda: (lambda p: p if needle in str(p["params"]) else None)(
        latest_parent(slack, channel)))


def _dm_posts(slack, user_id: str) -> list[dict]:
    channel = slack.dm_channel(user_id)
    return [c for c in posts(slack) if c["response"].get("channel") == channel]


def _calls_seen_by(slack, user_id: str) -> str:
    """Everything the bot sent one person: their DMs, ephemerals and refusals in threads."""
    seen = [c["params"] for c in _dm_posts(slack, user_id)]
    seen += refusals_in_thread(slack, user_id)
    seen += [c["params"] for c in slack.calls("chat.postEphemeral")
             if c["params"].get("user") == user_id]
    return json.dumps(seen)


@pytest.fixture
def outsider_in_supervisors(slack):
    """Olly (no role) is a member of the supervisors channel for one test, then leaves."""
    olly = slack.users["olly"]
    slack.api("conversations.invite", channel=slack.channels["care-supervisors"], users=olly)
    yield olly
    slack.api("conversations.kick", channel=slack.channels["care-supervisors"], user=olly)


def test_an_outsider_named_for_every_person_is_told_but_refused(slack, bot_factory,
                                                                  outsider_in_supervisors):
    """The reporter names an outsider as supervisor, RXM, MP, ICS and account officer."""
    bot = bot_factory.start()
    u = slack.users
    olly = outsider_in_supervisors
    ref = reference_of(file_report(bot, u["alice"], {
        "report": {"supervisor": olly, "rxm": olly, "market_president": olly, "ics": olly,
                   "account_officer": olly},
    }))
    supervisors = slack.channels["care-supervisors"]
    parent = parent_post(slack, supervisors)
    shown = str(parent["params"]["blocks"])
    assert f"Named by the reporter (told): Supervisor <@{olly}>" in shown  # told, shown

    click_message_button(bot, olly, parent, "care_acknowledge")
    refusal = slack.wait_for(lambda: refusals_in_thread(slack, olly,
                                                        parent["response"]["ts"]))[0]
    assert refusal.startswith(f"You can't acknowledge {ref}")
    assert bot.db().execute("SELECT acknowledged_at FROM incidents").fetchone()[0] is None

    click_message_button(bot, u["sam"], parent, "care_acknowledge")  # the branch's supervisor
    parent = _wait_rendered(slack, supervisors, "care_update_checklist")
    opened = len(slack.calls("views.open"))
    for action in ("care_report_to_hr", "care_update_checklist"):
        click_message_button(bot, olly, parent, action)
    slack.wait_for(lambda: len(refusals_in_thread(slack, olly)) == 3)
    assert ephemerals_to(slack, olly) == []  # told in the thread they clicked in
    assert len(slack.calls("views.open")) == opened  # no checklist, so no client details
    refused = bot.db().execute(
        "SELECT count(*) FROM events WHERE action = 'refused' AND actor = ?", [olly])
    assert refused.fetchone()[0] == 3
    # Told as the picked Market President when acknowledged, with no private details.
    told = slack.wait_for(lambda: [c for c in _dm_posts(slack, olly)
                                   if "Market President" in c["params"]["text"]])
    assert ref in told[0]["params"]["text"]
    seen = _calls_seen_by(slack, olly)
    assert not any(detail in seen for detail in CLIENT_DETAILS)
    # The directory's ICS still sees them, and that view is recorded.
    security_parent = latest_parent(slack, slack.channels["care-security"])
    checklist = open_from_button(bot, u["ivy"], security_parent, "care_update_checklist")
    assert "John Q. Client" in str(checklist.view["blocks"])
    viewed = bot.db().execute("SELECT actor FROM events WHERE action = 'viewed_private'")
    assert [r[0] for r in viewed] == [u["ivy"]]


def test_report_to_hr_from_the_supervisors_dm_reaches_hr_with_every_field(slack, bot_factory):
    """One click sends the Incident/Threat Notification to HR's DM and the security thread."""
    bot = bot_factory.start()
    u = slack.users
    ref = reference_of(file_report(bot, u["alice"], {
        "assess": {"action_taken": "law_enforcement", "agency": "Metro Police",
                   "officer_name": "Officer Dana Reyes", "police_report": "MP-2211"},
    }))
    parent = parent_post(slack, slack.channels["care-supervisors"])
    click_message_button(bot, u["sam"], parent, "care_acknowledge")
    prompt = slack.wait_for(lambda: next(
        (c for c in _dm_posts(slack, u["sam"]) if "care_report_to_hr" in str(c["params"])), None))
    assert click_message_button(bot, u["sam"], prompt, "care_report_to_hr").status == 200

    note = slack.wait_for(lambda: next(
        (c for c in _dm_posts(slack, u["hana"])
         if "Incident/Threat Notification" in c["params"]["text"]), None))
    text = note["params"]["text"]
    for expected in ("Alice Associate", "Associate", "Downtown", f"<@{u['sam']}>",
                     f"<@{u['rita']}>", f"<@{u['mark']}>", "Metro Police",
                     "Officer Dana Reyes", "MP-2211", ref):
        assert expected in text, expected
    assert not any(detail in json.dumps(note["params"]) for detail in CLIENT_DETAILS)
    security = slack.channels["care-security"]
    slack.wait_for(lambda: any(
        "Incident/Threat Notification" in c["params"]["text"]
        and c["params"].get("thread_ts") for c in posts(slack, security)))
    rendered = _wait_rendered(slack, security, "✅ Reported to HR")
    blocks = str(rendered["params"]["blocks"])
    assert f"✅ Reported to Corporate Security & Risk · <@{u['sam']}>" in blocks
    assert "care_report_to_hr" not in blocks
    events = bot.db().execute("SELECT actor, detail FROM events WHERE action = 'task_completed'")
    assert sorted(json.loads(r[1])["task"] for r in events) == ["reported_hr",
                                                                "reported_security"]
    assert_all_surfaces_valid(slack)


def test_no_hr_destination_is_said_at_start_and_on_the_checklist(slack, bot_factory):
    """Without [channels] hr or [roles] hr: a start-up warning and a checklist line."""
    config = care_toml(slack).replace(f'hr = ["{slack.users["hana"]}"]', "hr = []", 1)
    assert "hr = []" in config
    bot = bot_factory.start(config_toml_text=config)
    assert "No HR destination is configured" in bot.logs()
    file_report(bot, slack.users["alice"])
    parent = _wait_rendered(slack, slack.channels["care-supervisors"], "No HR destination")
    click_message_button(bot, slack.users["sam"], parent, "care_acknowledge")
    parent = _wait_rendered(slack, slack.channels["care-supervisors"], "care_report_to_hr")
    click_message_button(bot, slack.users["sam"], parent, "care_report_to_hr")
    told = slack.wait_for(lambda: ephemerals_to(slack, slack.users["sam"]))[0]
    assert "No HR destination is configured, so HR was not told" in told
    checklist = open_from_button(bot, slack.users["sam"], parent, "care_update_checklist")
    assert "reported_hr" in str(checklist.view["blocks"])  # ticked by hand once HR is told


def test_safety_plan_deadline_reminder_escalation_and_required_note(slack, bot_factory):
    """Security or HR owns the safety plan: reminded at its deadline, note required."""
    bot = bot_factory.start(reminders={"safety_plan_deadline": "3s", "task_escalation": "3s"})
    u = slack.users
    file_report(bot, u["alice"])
    security = slack.channels["care-security"]
    for person in (u["sec"], u["hana"]):
        slack.wait_for(lambda p=person: any("Due now" in c["params"]["text"]
                                            and "Safety plan" in c["params"]["text"]
                                            for c in _dm_posts(slack, p)), timeout=20)
    slack.wait_for(lambda: any("Past due" in c["params"]["text"]
                               and "Safety plan" in c["params"]["text"]
                               for c in _dm_posts(slack, u["rita"])), timeout=20)
    parent = latest_parent(slack, security)
    assert "⬜ Safety plan · Corporate Security & Risk or HR" in str(parent["params"]["blocks"])
    click_message_button(bot, u["sec"], parent, "care_acknowledge")
    parent = _wait_rendered(slack, security, "care_update_checklist")
    checklist = open_from_button(bot, u["sec"], parent, "care_update_checklist")
    body = checklist.submit({"tasks": ["safety_plan"]})
    assert body["response_action"] == "errors"
    assert "safety plan decision" in body["errors"]["safety_plan_note"]
    body = checklist.submit({"tasks": ["safety_plan"],
                             "safety_plan_note": "Escort to car; client barred from branch."})
    assert body == {"response_action": "clear"}
    done = _wait_rendered(slack, security, "✅ Safety plan: Escort to car")
    assert f"<@{u['sec']}>" in str(done["params"]["blocks"])


def test_a_danger_report_tells_the_rxm_by_dm_and_shortens_the_safety_plan(slack, bot_factory):
    """Danger: the RXM gets a DM at once; the safety plan is due danger_safety_plan_deadline."""
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"], {"safety": {"danger": "yes"}})
    dm = slack.wait_for(lambda: next(
        (c for c in _dm_posts(slack, slack.users["rita"])
         if "immediate danger" in c["params"]["text"]), None))
    assert not any(detail in json.dumps(dm["params"]) for detail in CLIENT_DETAILS)
    row = bot.db().execute(
        "SELECT f.due_at - i.created_at FROM followups f JOIN incidents i ON i.id = f.incident_id"
        " WHERE f.task = 'safety_plan' AND f.kind = 'task_due'").fetchone()
    assert abs(row[0] - 4 * 3600) < 5
