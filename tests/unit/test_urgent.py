"""Urgent reports and the contradiction question (issue 17, part 3)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from care_bot.domain import care, ladder
from care_bot.domain.models import Incident
from care_bot.flows import intake
from care_bot.views import messages
from care_bot.views.metadata import decode
from tests.support.report import STEP_ANSWERS, step_of, submit
from tests.support.world import START, USERS, make_services

ALICE = USERS["alice"]
CALM = {"likelihood": "possible", "threat_kinds": ["abusive"]}


@pytest.mark.parametrize("answers, why", [
    (CALM, []),
    ({**CALM, "likelihood": "likely"}, ["likely to be acted on"]),
    ({**CALM, "threat_kinds": ["physical"]}, ["a physical threat"]),
    ({**CALM, "did_they": ["weapon", "target"]}, ["they did mention a weapon, name a target"]),
    ({**CALM, "did_they": ["when_where"]}, ["they did say when or where"]),
    ({**CALM, "danger_now": "yes"}, ["someone may be in danger now (said on the review)"]),
    ({**CALM, "danger_now": "no"}, []),
])
def test_urgent_reasons_in_the_banks_words(answers, why):
    assert care.urgent_reasons(answers) == why
    incident = Incident(1, "R", ALICE, "open", False, None, answers, START, START)
    assert care.is_urgent(incident) is bool(why)


def test_urgent_ladder_sits_between_the_ordinary_and_the_danger_ladder(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    reminders = services.settings.reminders
    assert reminders.urgent_ack_reminder == timedelta(minutes=10)
    assert reminders.urgent_ack_escalation == timedelta(minutes=30)
    first = ladder.first_ack_followup(reminders, False, START, urgent=True)
    assert first.due_at == START + 600
    nxt = ladder.next_ack_followup(reminders, False, START, first, START + 600, urgent=True)
    assert nxt.kind == ladder.ACK_ESCALATION and nxt.due_at == START + 1800
    assert ladder.first_ack_followup(reminders, False, START).due_at == START + 900
    assert ladder.first_ack_followup(reminders, True, START, urgent=True).due_at == START + 300


def test_an_urgent_report_is_never_chased_later_than_an_ordinary_one(tmp_path):
    """Short ordinary timings (the sandbox's 1m) are not slowed by the urgent defaults (10m)."""
    services, _slack, _clock = make_services(tmp_path)
    reminders = replace(services.settings.reminders, ack_reminder=timedelta(minutes=1),
                        ack_escalation=timedelta(minutes=2))
    first = ladder.first_ack_followup(reminders, False, START, urgent=True)
    assert first.due_at == START + 60
    nxt = ladder.next_ack_followup(reminders, False, START, first, START + 60, urgent=True)
    assert nxt.kind == ladder.ACK_ESCALATION and nxt.due_at == START + 120


def test_parent_message_says_urgent_and_why_and_pings_who_it_is_given():
    incident = Incident(1, "CARE-2026-0001", ALICE, "open", False, None,
                        {"likelihood": "likely"}, START, START)
    message = messages.parent_message(incident, {}, None, {}, "security", ["<!subteam^S0SEC>"],
                                      urgent=["Urgent: likely to be acted on"])
    assert message["text"].startswith("<!subteam^S0SEC> ⚠️ Urgent threat reported")
    texts = json.dumps(message["blocks"])
    assert "<!subteam^S0SEC> *Urgent:* likely to be acted on" in texts
    calm = messages.parent_message(incident, {}, None, {}, "supervisors")
    assert "Urgent" not in json.dumps(calm)


def walk_to_review(services, assess: dict) -> dict:
    start = intake.start_report(services, ALICE)
    intake.prefill_profile(services, start.draft_id, ALICE)
    view = start.view
    answers = {**STEP_ANSWERS, "assess": assess}
    while step_of(view) != "review":
        view = submit(services, ALICE, view, answers[step_of(view)]).view
    return view


def test_likely_with_not_viable_asks_once_on_the_review_with_the_danger_button(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    review = walk_to_review(services, {"likelihood": "likely",
                                       "action_taken": "supervisor_notified"})
    inputs = [b for b in review["blocks"] if b["type"] == "input"]
    assert [b["label"]["text"] for b in inputs] == [
        "You said it is likely to be acted on. Is anyone in danger now?"]
    assert "care_home_danger" in json.dumps(review)  # the danger answer, one tap away
    result = submit(services, ALICE, review, {})
    assert result.errors == {"danger_now": "Please choose one."}
    result = submit(services, ALICE, review, {"danger_now": "no"})
    assert not result.errors and "Saved as" in json.dumps(result.view)
    with services.store.reading() as db:
        answers = json.loads(db.execute("SELECT answers FROM incidents").fetchone()[0])
    assert answers["danger_now"] == "no"


def test_no_contradiction_no_question(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    review = walk_to_review(services, {"likelihood": "likely"})  # "Nothing yet" by default
    assert not [b for b in review["blocks"] if b["type"] == "input"]
    assert decode(review["private_metadata"]).step == "review"
