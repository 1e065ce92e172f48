"""Clients, non-clients and unknowns: three answers, three sets of tasks (issue 17, part 1)."""

from __future__ import annotations

import json

import pytest

from care_bot.domain import care
from care_bot.domain.checklist import TaskDone, task_states
from care_bot.domain.models import Incident
from care_bot.flows import hr_report, identify, tracking
from care_bot.outbox import delivery
from care_bot.storage import incidents
from care_bot.views import messages, notices
from care_bot.views.report_modal import visible_fields
from tests.support.fake_slack import FakeSlack
from tests.support.report import NOT_A_CLIENT, file_report
from tests.support.world import START, USERS, make_services

ALICE, SAM, IVY, SEC, MARK = (USERS[k] for k in ("alice", "sam", "ivy", "sec", "mark"))
ACCOUNT_WORK = {"ics_notified", "account_officer_contacted", "client_notified",
                "market_president_notified", "account_decision"}


def keys(tasks) -> set[str]:
    return {task.key for task in tasks}


@pytest.mark.parametrize("answers, expected", [
    ({"client_status": "client"}, "client"),
    ({"client_status": "not_client"}, "not_client"),
    ({"client_status": "unknown"}, "unknown"),
    ({"client_unknown": ["unknown"]}, "unknown"),  # the earlier "Unknown / not a client"
    ({}, "client"),  # earlier reports without the checkbox were about a client
])
def test_client_answer_reads_new_and_earlier_records(answers, expected):
    assert care.client_answer(answers) == expected


def test_incident_tasks_follow_the_three_answers():
    r_tasks = {"acknowledged", "reported_hr", "reported_security", "safety_plan",
               "debrief", "post_incident_review",  # these two by danger and urgency
               "name_people"}  # this one when the report left the RXM or ICS unknown
    assert keys(care.incident_tasks({"client_status": "client"})) == r_tasks | ACCOUNT_WORK
    assert keys(care.incident_tasks({"client_status": "not_client"})) == r_tasks
    unknown = {"client_status": "unknown"}
    assert keys(care.incident_tasks(unknown)) == r_tasks | {"identify_client"}
    assert keys(care.incident_tasks(unknown, "not_client")) == r_tasks | {"identify_client"}
    assert keys(care.incident_tasks(unknown, "client")) == (
        r_tasks | {"identify_client"} | ACCOUNT_WORK) - {"ics_notified"}


def test_not_a_client_skips_the_relationship_part_of_the_form():
    shown = {s.block.value for s in visible_fields(care.Step.REPORT, {},
                                                   {"client_status": "not_client"})}
    assert not {"client_name", "accounts", "recommendation", "recommendation_note"} & shown
    for answer in ("client", "unknown"):
        shown = {s.block.value for s in visible_fields(care.Step.REPORT, {},
                                                       {"client_status": answer})}
        assert {"client_name", "accounts", "recommendation"} <= shown


def incident(answers: dict) -> Incident:
    return Incident(1, "CARE-2026-0001", ALICE, "open", False, "downtown",
                    {"supervisor": SAM, "ics": IVY, **answers}, START, START)


def test_checklist_shows_e_as_not_applicable_for_a_non_client():
    text = messages.checklist_text(incident({"client_status": "not_client"}), {})
    assert "Not applicable: not a client" in text
    for label in ("account officer", "courtesy notice", "decided on the account", "ICS"):
        assert label not in text
    assert "Reported to HR" in text


def test_checklist_of_an_unknown_shows_the_ics_task_then_its_answer():
    unknown = incident({"client_status": "unknown"})
    text = messages.checklist_text(unknown, {})
    assert "⬜ Identify the client, if there is one" in text
    assert "courtesy notice" not in text
    found = {"identify_client": TaskDone(IVY, START, "not_client")}
    text = messages.checklist_text(unknown, found)
    assert "✅ Identify the client, if there is one: not a client" in text
    assert "Not applicable: not a client" in text
    found = {"identify_client": TaskDone(IVY, START, "client")}
    text = messages.checklist_text(unknown, found)
    assert "courtesy notice" in text
    assert "Associate notified the Internal Control Specialist" not in text


def test_no_message_calls_a_non_client_a_client():
    person = incident({"client_status": "not_client"})
    for message in (notices.market_president_dm(person, "Downtown", "Abusive language", SAM),
                    messages.reporter_confirmation(person)):
        text = json.dumps(message).lower().replace("not a client", "")
        assert "a client" not in text and "client's" not in text and "ics notified" not in text


def filed(tmp_path, client_status: str):
    services, slack, clock = make_services(tmp_path)
    overrides = NOT_A_CLIENT if client_status == "not_client" else {
        "client_service": {"client_status": client_status}}
    file_report(services, overrides=overrides)
    return services, slack, clock


def scheduled_tasks(services) -> set[str]:
    with services.store.reading() as db:
        return {r[0] for r in db.execute("SELECT task FROM followups WHERE task != ''")}


def finish_r_section(services) -> None:
    assert tracking.acknowledge(services, SAM, 1, "channel").message is None
    told = hr_report.report(services, SAM, 1, "channel").message
    assert told.startswith("Sending the Incident/Threat Notification")
    outcome = tracking.complete_tasks(services, SEC, 1, ["safety_plan"], "",
                                      {"safety_plan": "Escort to car for a week."})
    assert outcome.message is None and outcome.errors is None
    outcome = tracking.complete_tasks(services, SAM, 1, ["debrief"], "",  # a physical threat
                                      {"debrief": "Met with the associate; EAP offered."})
    assert outcome.message is None and outcome.errors is None


def status(services) -> str:
    with services.store.reading() as db:
        return incidents.get_incident(db, 1).status


def test_a_non_client_report_has_no_account_reminders_and_closes_without_them(tmp_path):
    services, _slack, _clock = filed(tmp_path, "not_client")
    assert not scheduled_tasks(services) & (ACCOUNT_WORK | {"identify_client"})
    finish_r_section(services)
    assert status(services) == "closed"


def test_a_client_report_still_waits_for_its_account_work(tmp_path):
    services, _slack, _clock = filed(tmp_path, "client")
    assert ACCOUNT_WORK.issubset(scheduled_tasks(services))
    finish_r_section(services)
    assert status(services) == "open"


def dms_to(services, slack: FakeSlack, user: str) -> list[dict]:
    while delivery.deliver_due(services):
        pass
    return [p for p in slack.posts if p["channel"] == f"D{user}"]


def test_unknown_asks_the_ics_to_identify_the_client(tmp_path):
    services, slack, _clock = filed(tmp_path, "unknown")
    assert "identify_client" in scheduled_tasks(services)
    assert not scheduled_tasks(services) & ACCOUNT_WORK
    asked = [p for p in dms_to(services, slack, IVY) if "identify the client" in p["text"]]
    assert len(asked) == 1
    assert "care_identify_client" in json.dumps(asked[0]["blocks"])


def test_ics_names_a_client_and_the_account_tasks_start_then(tmp_path):
    services, _slack, clock = filed(tmp_path, "unknown")
    clock.advance(3600)
    outcome = identify.identify_client(services, IVY, 1, "client", "Jordan Marlowe", "4417")
    assert outcome.errors is None and outcome.message is None
    with services.store.reading() as db:
        rows = db.execute("SELECT task, due_at FROM followups WHERE task IN "
                          "('account_officer_contacted', 'account_decision')").fetchall()
        incident = incidents.get_incident(db, 1)
        states = task_states(incidents.list_events(db, 1))
    reminders = services.settings.reminders
    assert dict(rows) == {
        "account_officer_contacted": START + 3600 + reminders.evaluate_deadline.total_seconds(),
        "account_decision": START + 3600 + reminders.decision_deadline.total_seconds()}
    assert incident.answers["client_name"] == "Jordan Marlowe"
    assert states["identify_client"].note == "client"
    finish_r_section(services)
    assert status(services) == "open"  # the account work is owed now


def test_ics_finds_no_client_and_the_incident_goes_on_as_not_a_client(tmp_path):
    services, _slack, _clock = filed(tmp_path, "unknown")
    assert identify.identify_client(services, IVY, 1, "not_client").message is None
    finish_r_section(services)
    assert status(services) == "closed"
    again = identify.identify_client(services, IVY, 1, "client")
    assert again.message and "closed" in again.message


def test_identify_needs_an_answer_and_the_right_person(tmp_path):
    services, _slack, _clock = filed(tmp_path, "unknown")
    assert identify.identify_client(services, IVY, 1, None).errors == {
        "client_status": "Choose whether they are a client."}
    refused = identify.identify_client(services, SAM, 1, "client")
    assert refused.message.startswith("You can't identify the client on CARE-")
    assert identify.open_identify(services, IVY, 1).view["callback_id"] == (
        "care_identify_client")
    assert identify.open_identify(services, SAM, 1).message.startswith("You can't")
