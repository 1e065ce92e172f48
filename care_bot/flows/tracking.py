"""Acknowledge, update the checklist, decide on the account, close: checked on every click.

Every state change and every refused attempt is an append-only audit event. Thread replies
and the parent checklist are derived from those events.
"""

from __future__ import annotations

import sqlite_utils

from care_bot.domain import care
from care_bot.domain.care import ACCOUNT_DECISIONS, CLOSE_EARLY, DECIDE_ACCOUNT, TASKS_BY_KEY
from care_bot.domain.checklist import (
    EVENT_ACCOUNT_DECIDED,
    EVENT_ACKNOWLEDGED,
    EVENT_TASK_COMPLETED,
    SECURITY_CLOSED,
    TaskDone,
    all_done,
    identified,
    task_states,
    tasks_of,
)
from care_bot.domain.masking import for_outside, mask_for
from care_bot.domain.models import Incident
from care_bot.flows import closing, drills, gate
from care_bot.flows import followups as followup_flow
from care_bot.flows.gate import GONE, Checked, Outcome
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import incidents
from care_bot.views import messages, notices, tracking
from care_bot.views.summary import branch_label, kinds_label
from care_bot.views.text import mention, slack_date

NOTE_LIMIT = tracking.NOTE_LIMIT
RATIONALE_LIMIT = tracking.RATIONALE_LIMIT


CLOSED_NOTHING_CHANGED = "That incident is closed; nothing was changed."


def _text_error(value: str, limit: int, missing: str | None) -> str | None:
    """A field error for required or over-long free text, or None."""
    if missing and not value.strip():
        return missing
    if len(value) > limit:
        return f"Please keep this under {limit} characters."
    return None


def states_of(db: sqlite_utils.Database, incident_id: int) -> dict[str, TaskDone]:
    """The incident's checklist state, folded from its audit events."""
    return task_states(incidents.list_events(db, incident_id))


def complete_quietly(db, services: Services, incident: Incident, user_id: str, key: str,
                     note: str, now: float, states: dict) -> None:
    """Mark a task done (once) without its own thread reply; the caller posts one notice."""
    if key in states:
        return
    incidents.append_event(
        db, incident.id, actor=user_id, action=EVENT_TASK_COMPLETED, surface="channel",
        now=now, detail={"task": key, "note": note},
    )
    followup_flow.on_task_done(db, incident.id, key, now)


def close_if_done(db, services: Services, incident: Incident, now: float) -> None:
    """Close the incident when every task is done."""
    _close_if_done(db, services, incident, now)


def manual_tasks(services: Services) -> set[str]:
    """Tasks ticked by hand only when the bot cannot do them: HR with no HR destination."""
    roles = services.roles.snapshot()
    if services.settings.hr_channel or roles.get(care.ROLE_HR):
        return set()
    return {"reported_hr"}


def _reply_both(db, services: Services, incident: Incident, key: str, message: dict,
                now: float, outside: dict | None = None) -> None:
    """Reply in both threads; ``outside`` is the supervisors' copy with typed text masked."""
    for kind in posting.CHANNEL_KINDS:
        shown = outside if outside is not None and kind == "supervisors" else message
        posting.queue_thread_reply(db, services.settings, incident.id, kind, key, shown, now)


def acknowledge(services: Services, user_id: str, incident_id: int, surface: str) -> Outcome:
    """Record the first acknowledgement; later clicks are told who was first."""
    with services.store.transaction() as db:
        checked = gate.check(db, services, user_id, incident_id, care.ACKNOWLEDGE,
                             "acknowledge", surface, closed="{ref} is already closed.",
                             settled=lambda i, s: closing.settled_by_early_close(services, i, s))
        if isinstance(checked, Outcome):
            return checked
        incident, now = checked.incident, checked.now
        if incident.acknowledged_at or not incidents.set_acknowledged(db, incident.id, user_id,
                                                                        now):
            current = incidents.get_incident(db, incident.id)
            return Outcome(message=(
                f"{incident.ref} was already acknowledged by {mention(current.acknowledged_by)} "
                f"at {slack_date(current.acknowledged_at)}."
            ))
        event = incidents.append_event(db, incident.id, actor=user_id, action=EVENT_ACKNOWLEDGED,
                                       surface=surface, now=now)
        if incident.danger and incidents.set_claimed(db, incident.id, user_id, now):
            # Acknowledge on a danger alert takes it: the associate sees who is on it
            incidents.append_event(db, incident.id, actor=user_id, action="claimed",
                                   surface=surface, now=now, detail={"by_acknowledge": True})
        followup_flow.on_acknowledge(db, services, incident.id, now)
        posting.reply_in_both_threads(db, services.settings, incident.id, f"event:{event.id}",
                                      notices.acknowledged(incident, user_id), now)
        posting.queue_dm(db, incident.id, incident.reporter, f"incident:{incident.id}:acked",
                         notices.acknowledged_dm(incident, user_id), now)
        start_chain(db, services, incident, user_id, now)
        posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()
    return Outcome()


def start_chain(db, services: Services, incident: Incident, user_id: str, now: float) -> None:
    """What taking a report or alert starts: the Market President's DM, and the supervisor's
    "Report to HR and CS&R" prompt (to the taker when they may report, else the branch's
    supervisor)."""
    roles = services.roles.snapshot()
    branch = care.branch_of(incident, services.settings.branches)
    _tell_market_president(db, services, incident, branch, user_id, now)
    if care.is_allowed(care.REPORT_TO_HR_AND_SECURITY, user_id, incident, roles, branch):
        prompted, taker = [user_id], None
    else:
        prompted, taker = care.told(incident, "supervisor", branch), user_id
    for person in prompted:
        if person != incident.reporter:
            posting.queue_dm(db, incident.id, person, f"incident:{incident.id}:report_prompt",
                             messages.with_report_to_hr_button(
                                 notices.report_to_hr_prompt(incident, taker), incident.id), now)


def _tell_market_president(db, services: Services, incident: Incident, branch, user_id: str,
                           now: float) -> None:
    """The guideline: "Market President must be notified as well" (no private details).

    Never for a drill (issue 21): the Market President hears only of real incidents.
    """
    if incident.drill:
        return
    where = branch_label(incident.answers, services.settings.branches)
    for person in care.told(incident, "market_president", branch):
        if person != incident.reporter:
            posting.queue_dm(db, incident.id, person, f"incident:{incident.id}:mp_told",
                             notices.market_president_dm(incident, where,
                                                         kinds_label(incident.answers),
                                                         user_id), now)


def open_checklist(services: Services, user_id: str, incident_id: int) -> Outcome:
    """Return the checklist modal with only this person's tasks, or a refusal."""
    with services.store.transaction() as db:
        checked = gate.check(db, services, user_id, incident_id, None, "update_checklist",
                             "channel", closed="{ref} is closed.")
        if isinstance(checked, Outcome):
            return checked
        incident, states, roles, branch, now = (checked.incident, checked.states, checked.roles,
                                                checked.branch, checked.now)
        owed = {task.key for task in tasks_of(incident, states)}
        tasks = care.completable_tasks(user_id, incident, states, roles, branch,
                                       identified(states))
        tasks += [TASKS_BY_KEY[key] for key in manual_tasks(services)
                  if key not in states and care.is_allowed(
                      TASKS_BY_KEY[key].permission, user_id, incident, roles, branch)]
        tasks = [task for task in tasks if task.key in owed]  # none after an early close
        can_decide = ("account_decision" in owed and "account_decision" not in states
                      and care.is_allowed(DECIDE_ACCOUNT, user_id, incident, roles, branch))
        can_identify = (care.IDENTIFY_CLIENT in owed and care.IDENTIFY_CLIENT not in states
                        and care.is_allowed(care.IDENTIFY, user_id, incident, roles, branch))
        can_close = SECURITY_CLOSED not in states and care.is_allowed(
            CLOSE_EARLY, user_id, incident, roles, branch)
        can_name = (care.NAME_PEOPLE in owed and care.NAME_PEOPLE not in states
                    and care.may_name(user_id, incident, roles, branch))
        can_review = care.REVIEW in owed and _can_review(incident, states, user_id, roles,
                                                         branch)
        if not (tasks or can_decide or can_close or can_review or can_identify or can_name):
            if SECURITY_CLOSED in states:  # only the account decision is left, not theirs
                return Outcome(message=closing.part_already_closed(services, db, incident))
            return gate.refuse(services, db, incident, user_id, "update_checklist",
                               _anyone_with_a_task(), "channel", now)
        show_private = care.is_allowed(care.VIEW_PRIVATE, user_id, incident, roles, branch)
        if show_private:
            incidents.append_event(db, incident.id, actor=user_id, action="viewed_private",
                                   surface="modal", now=now)
    shown, states = (incident, states) if show_private else for_outside(incident, states)
    return Outcome(view=tracking.checklist_view(
        shown, states, tasks, can_decide, can_close, show_private,
        branches=services.settings.branches, hr_destination=not manual_tasks(services),
        can_review=can_review, can_identify=can_identify, can_name=can_name))


def _can_review(incident: Incident, states: dict, user_id: str, roles, branch) -> bool:
    review = TASKS_BY_KEY[care.REVIEW]
    return (care.REVIEW not in states and care.applies(review, incident)
            and care.is_allowed(review.permission, user_id, incident, roles, branch))


def _anyone_with_a_task() -> care.Permission:
    people: list[str] = []
    roles: list[str] = []
    for task in care.TASKS:
        people += [p for p in task.permission.people if p not in people]
        roles += [r for r in task.permission.roles if r not in roles]
    return care.Permission(tuple(people), tuple(roles))


def complete_tasks(services: Services, user_id: str, incident_id: int, task_keys: list[str],
                   note: str, decisions: dict[str, str] | None = None) -> Outcome:
    """Mark the chosen tasks done, each re-checked against the clicker's permissions.

    A task with ``note_required`` (the safety plan) needs its decision in ``decisions``.
    """
    decisions = decisions or {}
    if not task_keys:
        return Outcome(errors={"tasks": "Choose at least one task."})
    if error := _text_error(note, NOTE_LIMIT, None):
        return Outcome(errors={"note": error})
    for key in task_keys:
        task = TASKS_BY_KEY.get(key)
        if task and task.note_required:
            missing = tracking.note_missing(key)
            if error := _text_error(decisions.get(key, ""), NOTE_LIMIT, missing):
                return Outcome(errors={tracking.decision_block(key): error})
    with services.store.transaction() as db:
        checked = gate.check(db, services, user_id, incident_id, None, "update_checklist",
                             "modal", closed=CLOSED_NOTHING_CHANGED)
        if isinstance(checked, Outcome):
            return checked
        if refusal := _task_refusal(db, services, checked, user_id, task_keys):
            return refusal
        incident, states, now = checked.incident, checked.states, checked.now
        for key in task_keys:
            if key not in states:
                decision = decisions.get(key, "").strip() if TASKS_BY_KEY[key].note_required \
                    else ""
                _complete(db, services, incident, user_id, key, decision or note, now,
                          comment=note if decision else "")
        _close_if_done(db, services, incident, now)
        posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()
    return Outcome()


def _task_refusal(db, services: Services, checked: Checked, user_id: str,
                  task_keys: list[str]) -> Outcome | None:
    """Each chosen task checked: one this modal may complete, and the clicker's to complete."""
    incident = checked.incident
    for key in task_keys:
        task = TASKS_BY_KEY.get(key)
        if task is None or not (task.via_checklist or key in manual_tasks(services)) \
                or key not in {t.key for t in tasks_of(incident, checked.states)}:
            return Outcome(errors={"tasks": "That task cannot be completed here."})
        if not care.is_allowed(task.permission, user_id, incident, checked.roles,
                               checked.branch):
            return gate.refuse(services, db, incident, user_id, f"complete_{key}",
                               task.permission, "modal", checked.now)
    return None


def _complete(db, services: Services, incident: Incident, user_id: str, key: str, note: str,
              now: float, comment: str = "") -> None:
    detail = {"task": key, "note": note.strip()}
    if comment.strip():
        detail["comment"] = comment.strip()
    event = incidents.append_event(
        db, incident.id, actor=user_id, action=EVENT_TASK_COMPLETED, surface="modal", now=now,
        detail=detail,
    )
    followup_flow.on_task_done(db, incident.id, key, now)
    shown = "\n".join(part for part in (note.strip(), comment.strip()) if part)
    task = TASKS_BY_KEY[key]
    _reply_both(db, services, incident, f"event:{event.id}",
                notices.task_completed(task, user_id, shown), now,
                notices.task_completed(task, user_id, mask_for(incident, shown)))


def _close_if_done(db, services: Services, incident: Incident, now: float) -> None:
    states: dict[str, TaskDone] = task_states(incidents.list_events(db, incident.id))
    current = incidents.get_incident(db, incident.id) or incident
    done = all_done(states, tasks_of(current, states))
    if done and incidents.set_closed(db, incident.id, "care-bot", None, now):
        _after_close(db, services, incident, "care-bot", None, now)


def _after_close(db, services: Services, incident: Incident, user_id: str,
                 reason: str | None, now: float) -> None:
    message = closing.closed_message(db, incident) or notices.closed(incident, user_id, reason)
    outside = notices.closed(incident, user_id, mask_for(incident, reason)) if reason else None
    event = incidents.append_event(
        db, incident.id, actor=user_id, action="closed", surface="modal", now=now,
        detail={"early": reason is not None, "reason": reason or ""},
    )
    followup_flow.on_close(db, incident.id, now)
    _reply_both(db, services, incident, f"event:{event.id}", message, now, outside)
    posting.queue_dm(db, incident.id, incident.reporter, f"incident:{incident.id}:closed",
                     notices.closed_dm(incident), now)
    drills.on_resolved(db, services, incident, now)


def open_decision(services: Services, user_id: str, incident_id: int) -> Outcome:
    """Return the account decision modal, or a refusal."""
    return _gated_view(services, user_id, incident_id, DECIDE_ACCOUNT, "decide_account",
                       tracking.decision_view)


def open_close_early(services: Services, user_id: str, incident_id: int) -> Outcome:
    """Return the early-close modal, or a refusal."""
    return _gated_view(services, user_id, incident_id, CLOSE_EARLY, "close_incident",
                       lambda incident: closing.close_early_view(services, incident))


def _gated_view(services, user_id, incident_id, permission, action, build) -> Outcome:
    with services.store.transaction() as db:
        checked = gate.check(db, services, user_id, incident_id, permission, action, "modal",
                             closed="That incident is closed.")
    if isinstance(checked, Outcome):  # shown in the modal the button was in
        title = ("Not allowed" if checked.refused
                 else "Not found" if checked.message == GONE else "Closed")
        return Outcome(view=tracking.notice_view(title, checked.message or ""),
                       refused=checked.refused)
    return Outcome(view=build(checked.incident))


def decide_account(services: Services, user_id: str, incident_id: int, decision: str | None,
                   rationale: str) -> Outcome:
    """Record local management's decision on the client relationship."""
    errors = {}
    if decision not in ACCOUNT_DECISIONS:
        errors["decision"] = "Choose keep, close or restrict."
    if error := _text_error(rationale, RATIONALE_LIMIT,
                            "Please give the rationale for the decision."):
        errors["rationale"] = error
    if errors:
        return Outcome(errors=errors)
    with services.store.transaction() as db:
        checked = gate.check(db, services, user_id, incident_id, DECIDE_ACCOUNT,
                             "decide_account", "modal", closed=CLOSED_NOTHING_CHANGED)
        if isinstance(checked, Outcome):
            return checked
        incident, states, now = checked.incident, checked.states, checked.now
        if "account_decision" in states:
            return Outcome(message=f"The account decision on {incident.ref} was already made.")
        event = incidents.append_event(
            db, incident.id, actor=user_id, action=EVENT_ACCOUNT_DECIDED, surface="modal",
            now=now, detail={"decision": decision, "rationale": rationale.strip()},
        )
        followup_flow.on_task_done(db, incident.id, "account_decision", now)
        posting.reply_in_both_threads(db, services.settings, incident.id, f"event:{event.id}",
                                      notices.account_decided(incident, decision, user_id), now)
        _close_if_done(db, services, incident, now)
        posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()
    return Outcome()


def close_early(services: Services, user_id: str, incident_id: int, reason: str) -> Outcome:
    """Security closes its part early; a still-owed account decision stays open (``closing``)."""
    if error := _text_error(reason, NOTE_LIMIT, "Please give the reason for closing early."):
        return Outcome(errors={"reason": error})
    with services.store.transaction() as db:
        checked = gate.check(db, services, user_id, incident_id, CLOSE_EARLY, "close_incident",
                             "modal", closed="That incident is already closed.")
        if isinstance(checked, Outcome):
            return checked
        incident, now = checked.incident, checked.now
        if already := closing.part_already_closed(services, db, incident):
            return Outcome(message=already)
        if not closing.end_security_part(db, services, incident, user_id, reason.strip(), now):
            incidents.set_closed(db, incident.id, user_id, reason.strip(), now)
            _after_close(db, services, incident, user_id, reason.strip(), now)
        posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()
    return Outcome()
