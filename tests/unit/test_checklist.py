"""checklist: the CARE checklist is folded from audit events alone."""

from __future__ import annotations

import itertools

import pytest

from care_bot.config import Branch
from care_bot.domain.care import TASKS, completable_tasks, tasks_for
from care_bot.domain.checklist import TaskDone, all_done, task_states
from care_bot.domain.models import Event, Incident
from care_bot.views.messages import checklist_text
from tests.support.world import START

_ids = itertools.count(1)


def event(action: str, actor: str = "U0SAM", at: float = START, **detail) -> Event:
    """Build one audit event."""
    return Event(next(_ids), 1, at, actor, action, "modal", detail)


def every_task_done() -> list[Event]:
    """Events that complete every task on the checklist, in guideline order."""
    events = []
    for task in TASKS:
        if task.key == "acknowledged":
            events.append(event("acknowledged"))
        elif task.key == "account_decision":
            events.append(event("account_decided", actor="U0MARK", decision="keep"))
        else:
            events.append(event("task_completed", task=task.key))
    return events


def test_task_states_of_no_events_is_empty():
    assert task_states([]) == {}


def test_task_states_acknowledged_event_completes_the_acknowledged_task():
    states = task_states([event("acknowledged", actor="U0SUE", at=START + 5)])
    assert states == {"acknowledged": TaskDone(by="U0SUE", at=START + 5, note="")}


def test_task_states_task_completed_carries_its_note():
    states = task_states([event("task_completed", task="reported_hr", note="Called HR")])
    assert states == {"reported_hr": TaskDone(by="U0SAM", at=START, note="Called HR")}


def test_task_states_account_decided_keeps_the_decision_as_note():
    states = task_states([event("account_decided", actor="U0MARK", decision="close",
                                rationale="Repeated threats")])
    assert states == {"account_decision": TaskDone(by="U0MARK", at=START, note="close")}


def test_task_states_first_completion_wins():
    first = event("task_completed", actor="U0IVY", at=START + 1, task="ics_notified")
    second = event("task_completed", actor="U0SAM", at=START + 2, task="ics_notified")
    assert task_states([first, second])["ics_notified"].by == "U0IVY"


@pytest.mark.parametrize(
    "action, detail",
    [("submitted", {}), ("refused", {"attempted": "acknowledge"}), ("closed", {"early": True}),
     ("delivery_failed", {"key": "k"}), ("followup_sent", {"task": "reported_hr"}),
     ("task_completed", {})],
)
def test_task_states_ignores_events_that_complete_no_task(action, detail):
    assert task_states([event(action, **detail)]) == {}


def test_all_done_needs_every_task_including_acknowledgement_and_decision():
    events = every_task_done()
    assert all_done(task_states(events))
    for missing in range(len(events)):
        partial = events[:missing] + events[missing + 1:]
        assert not all_done(task_states(partial)), f"done without {TASKS[missing].key}"


def incident(**answers) -> Incident:
    """An open incident at Downtown with the branch's people named."""
    people = {"supervisor": "U0SAM", "rxm": "U0RITA", "market_president": "U0MARK",
              "ics": "U0IVY", "account_officer": "U0OSCAR"}
    return Incident(1, "CARE-2026-0001", "U0ALICE", "open", False, "downtown",
                    {**people, **answers}, START, START)


def test_completable_tasks_drops_done_tasks_and_non_checklist_tasks():
    roles = {"supervisors": frozenset(), "security": frozenset()}
    branch = Branch("downtown", "Downtown", supervisor="U0SAM")
    keys = [t.key for t in completable_tasks("U0SAM", incident(), [], roles, branch)]
    assert keys == ["ics_notified", "market_president_notified"]
    keys = [t.key for t in completable_tasks("U0SAM", incident(), ["ics_notified"], roles,
                                             branch)]
    assert keys == ["market_president_notified"]


def test_completable_tasks_ignore_the_names_the_reporter_typed():
    roles = {"supervisors": frozenset(), "security": frozenset()}
    assert completable_tasks("U0SAM", incident(), [], roles, None) == []


DOWNTOWN = {"downtown": Branch("downtown", "Downtown", supervisor="U0SAM", ics="U0IVY",
                                account_officer="U0OSCAR", market_president="U0MARK")}


def test_checklist_text_lists_every_task_with_its_state_in_order():
    text = checklist_text(incident(action_taken="law_enforcement"), task_states(
        [event("acknowledged", actor="U0SUE"),
         event("account_decided", actor="U0MARK", decision="restrict")]
    ), DOWNTOWN)
    lines = text.splitlines()
    assert lines[0] == "✅ C · report completed"
    assert lines[1] == "✅ A · decision: law enforcement contacted"
    positions = [text.index(task.label) for task in tasks_for(incident())]
    assert positions == sorted(positions)
    assert "Debrief" not in text and "Post-incident review" not in text  # not danger nor urgent
    assert "✅ Supervisor acknowledged · <@U0SUE>" in text
    assert ("✅ Delivery / local management decided on the account: Restrict the relationship"
            in text)
    assert "⬜ Reported to HR · <@U0SAM>" in text
    assert "⬜ Safety plan · Corporate Security & Risk or HR" in text
    assert "⬜ Account officer gave the client a courtesy notice · <@U0OSCAR>" in text


def test_checklist_owners_come_from_the_directory_not_from_the_report():
    picked = incident(supervisor="U0OLLY", account_officer="U0OLLY")
    text = checklist_text(picked, {}, DOWNTOWN)
    assert "<@U0OLLY>" not in text
    assert "⬜ Reported to HR · <@U0SAM>" in text


def test_checklist_says_when_no_hr_destination_is_configured():
    text = checklist_text(incident(), {}, DOWNTOWN, hr_destination=False)
    assert "No HR destination is configured" in text


def test_checklist_text_before_submission_shows_c_and_a_pending():
    alert = Incident(1, "CARE-2026-0001", "U0ALICE", "alerted", True, "downtown", {}, START,
                     None)
    lines = checklist_text(alert, {}).splitlines()
    assert lines[:2] == ["⬜ C · report completed", "⬜ A · decision: pending"]
    assert "⬜ Reported to HR · the supervisors group" in lines
