"""Issue 17 §4: an associate missing from the directory names only their supervisor.

RXM and ICS are optional; choosing a branch fills them from the directory; when they are still
unknown after submission, the supervisor gets the task to name them, and what is theirs reaches
the people named.
"""

from __future__ import annotations

import json

from care_bot.domain import care
from care_bot.flows import followups, intake, naming, tracking
from care_bot.storage import incidents
from tests.support.report import SKIP, STEP_ANSWERS, file_report, step_of, submit
from tests.support.world import USERS, make_services

OLLY, SAM, SUE, RITA, IVY, HANA, ALICE = (USERS[k] for k in (
    "olly", "sam", "sue", "rita", "ivy", "hana", "alice"))
UNKNOWN_BRANCH = {"safety": {"branch": "other", "location_detail": "drive-through"},
                  "report": {"supervisor": SAM, "rxm": SKIP, "ics": SKIP}}


def _incident(services, incident_id: int = 1):
    with services.store.reading() as db:
        return incidents.get_incident(db, incident_id)


def _outbox(services, like: str) -> list[dict]:
    with services.store.reading() as db:
        return [dict(r) for r in db.query("SELECT * FROM outbox WHERE key LIKE ? ORDER BY id",
                                          [like])]


def _filed(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services, OLLY, UNKNOWN_BRANCH)
    return services, slack, clock


def test_unknown_rxm_and_ics_give_the_supervisor_the_naming_task(tmp_path):
    services, _slack, _clock = _filed(tmp_path)
    incident = _incident(services)
    assert incident.answers["missing_posts"] == ["rxm", "ics"]
    assert not incident.answers.get("rxm") and not incident.answers.get("ics")
    [dm] = _outbox(services, f"dm:{SAM}:incident:1:name_people")
    payload = json.loads(dm["payload"])
    assert "care_name_people" in json.dumps(payload["blocks"])
    assert "Regional Experience Manager" in payload["text"]
    assert payload["unless"] == {"task": "name_people"}
    with services.store.reading() as db:
        tasks = {r["task"] for r in db.query("SELECT task FROM followups WHERE status = "
                                              "'pending'")}
    assert "name_people" in tasks  # its deadline reminds and escalates like any task
    view = tracking.open_checklist(services, SUE, 1).view
    assert "care_name_people" in json.dumps(view)
    assert "⬜ Supervisor named the Regional Experience Manager" in json.dumps(
        view, ensure_ascii=False)


def test_a_listed_associate_or_a_chosen_branch_leaves_nothing_to_name(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services, ALICE)  # listed in Downtown
    file_report(services, OLLY, {"report": {"rxm": SKIP, "ics": SKIP}})  # chose Downtown
    for incident_id in (1, 2):
        incident = _incident(services, incident_id)
        assert "missing_posts" not in incident.answers
        assert (incident.answers["rxm"], incident.answers["ics"]) == (RITA, IVY)
    assert not _outbox(services, "%name_people%")


def test_choosing_a_branch_fills_rxm_and_ics_on_who_will_be_told(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view = intake.start_report(services, OLLY).view
    answers = {**STEP_ANSWERS, "safety": {"danger": "no", "branch": "downtown"}}
    while step_of(view) != "report":
        view = submit(services, OLLY, view, answers[step_of(view)]).view
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["rxm"]["element"]["initial_user"] == RITA
    assert inputs["ics"]["element"]["initial_user"] == IVY
    assert inputs["rxm"]["optional"] and inputs["ics"]["optional"]
    assert "hint" not in inputs["rxm"]  # known: no "leave it if you don't know"


def test_naming_checks_the_picks_and_who_names(tmp_path):
    services, _slack, _clock = _filed(tmp_path)
    assert naming.name_people(services, SUE, 1, {"rxm": RITA}).errors == {
        "ics": "Please pick a person."}
    assert naming.name_people(services, SUE, 1, {"rxm": RITA, "ics": OLLY}).errors == {
        "ics": "Please name someone other than the reporting associate."}
    refused = naming.name_people(services, HANA, 1, {"rxm": RITA, "ics": IVY})
    assert refused.message.startswith("You can't name the RXM and ICS on CARE-2026-0001.")
    assert naming.name_people(services, OLLY, 1, {"rxm": RITA, "ics": IVY}).refused
    answers = _incident(services).answers
    assert "missing_posts" in answers and not answers.get("rxm")


def test_named_by_a_supervisor_with_power_the_people_are_reached_and_may_act(tmp_path):
    services, _slack, _clock = _filed(tmp_path)
    assert naming.name_people(services, SUE, 1, {"rxm": RITA, "ics": IVY}) == tracking.Outcome()
    incident = _incident(services)
    assert (incident.answers["rxm"], incident.answers["ics"]) == (RITA, IVY)
    assert care.told(incident, "rxm") == [RITA]  # escalations and danger DMs reach them
    task = care.TASKS_BY_KEY["account_officer_contacted"]
    assert followups.task_owners(services, incident, task) == [IVY]
    for who, key in ((RITA, "named:rxm"), (IVY, "named:ics"), (OLLY, "named")):
        assert _outbox(services, f"dm:{who}:incident:1:{key}"), who
    note = json.loads(_outbox(services, "incident:1:supervisors:event:%")[-1]["payload"])
    assert note["text"] == (f"👥 <@{SUE}> named the Regional Experience Manager <@{RITA}> and "
                            f"the Internal Control Specialist <@{IVY}> for CARE-2026-0001.")
    # the named ICS ticks the ICS's step, and still never sees the client's details
    assert tracking.complete_tasks(services, IVY, 1, ["account_officer_contacted"], ""
                                   ) == tracking.Outcome()
    view = json.dumps(tracking.open_checklist(services, IVY, 1).view)
    assert "John Q. Client" not in view
    assert naming.open_naming(services, SUE, 1).message == (
        "The people on CARE-2026-0001 were already named.")
    assert "✅ Supervisor named" in json.dumps(tracking.open_checklist(services, SUE, 1).view,
                                              ensure_ascii=False)


def test_named_by_the_supervisor_the_associate_picked_they_are_told_only(tmp_path):
    services, _slack, _clock = _filed(tmp_path)
    view = naming.open_naming(services, SAM, 1).view  # Sam: picked, not in the directory here
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["rxm", "ics"]
    assert naming.name_people(services, SAM, 1, {"rxm": RITA, "ics": IVY}) == tracking.Outcome()
    incident = _incident(services)
    assert care.told(incident, "ics") == [IVY]
    assert care.named_person(incident, "ics") is None  # told, never empowered
    outcome = tracking.complete_tasks(services, IVY, 1, ["account_officer_contacted"], "")
    assert outcome.message.startswith("You can't")
    ics_dm = json.loads(_outbox(services, f"dm:{IVY}:incident:1:named:ics")[0]["payload"])
    assert "the ICS group records the ICS's steps" in ics_dm["text"]
    assert "care_update_checklist" not in json.dumps(ics_dm["blocks"])


def test_a_forged_named_posts_answer_empowers_nobody(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services, OLLY, {**UNKNOWN_BRANCH, "client_service": {
        "what_happened": "x"}})
    with services.store.transaction() as db:  # what a forged form could at most store
        incidents.merge_answers(db, 1, {"named_posts": "U0OLLY", "named_with_power": "yes"})
    incident = _incident(services)
    assert care.named_person(incident, "ics") is None
