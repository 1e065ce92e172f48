"""The incident checklist, derived only from its audit events. Stdlib only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from care_bot.domain.care import (
    ACCOUNT_DECISION,
    IDENTIFY_CLIENT,
    NAME_PEOPLE,
    TASK_OWNER_ROLES,
    TASKS,
    Task,
    branch_person,
    tasks_for,
)
from care_bot.domain.models import Event, Incident

EVENT_ACKNOWLEDGED = "acknowledged"
EVENT_TASK_COMPLETED = "task_completed"
EVENT_ACCOUNT_DECIDED = "account_decided"
EVENT_CLIENT_IDENTIFIED = "client_identified"
EVENT_PEOPLE_NAMED = "people_named"  # the supervisor named an unknown RXM / ICS (issue 17)
# Issue 17: security's "close early" ends security's part. When the account decision is still
# owed, the incident stays open for Delivery / local management; this event records the close.
EVENT_SECURITY_CLOSED = "security_part_closed"
# The key under which ``task_states`` keeps that close (who, when, the reason): not a task.
SECURITY_CLOSED = "security_part_closed"


@dataclass(frozen=True)
class TaskDone:
    """Who completed a task, and when."""

    by: str
    at: float
    note: str = ""


def task_states(events: Iterable[Event]) -> dict[str, TaskDone]:
    """Fold the audit events into {task key: TaskDone} for every completed task."""
    done: dict[str, TaskDone] = {}
    for event in events:
        key = _task_of(event)
        if key and key not in done:
            note = (event.detail.get("note") or event.detail.get("decision")
                    or event.detail.get("reason") or "")
            done[key] = TaskDone(by=event.actor, at=event.at, note=note)
    return done


def _task_of(event: Event) -> str | None:
    if event.action == EVENT_ACKNOWLEDGED:
        return "acknowledged"
    if event.action == EVENT_ACCOUNT_DECIDED:
        return "account_decision"
    if event.action == EVENT_CLIENT_IDENTIFIED:
        return IDENTIFY_CLIENT
    if event.action == EVENT_PEOPLE_NAMED:
        return NAME_PEOPLE
    if event.action == EVENT_TASK_COMPLETED:
        return event.detail.get("task")
    if event.action == EVENT_SECURITY_CLOSED:
        return SECURITY_CLOSED
    return None


def identified(states: Mapping[str, TaskDone]) -> str | None:
    """The ICS's answer to "Identify the client" ("client" or "not_client"), if given."""
    done = states.get(IDENTIFY_CLIENT)
    return done.note if done else None


def tasks_of(incident: Incident, states: Mapping[str, TaskDone]) -> tuple[Task, ...]:
    """The tasks this incident owes: by danger and urgency, who the person was, what the ICS
    found. After security closed its part early, only what was done and the account decision
    (Delivery / local management's) remain."""
    owed = tasks_for(incident, identified(states))
    if SECURITY_CLOSED not in states:
        return owed
    return tuple(task for task in owed if task.key in states or task.key == ACCOUNT_DECISION)


def ended_early(incident: Incident, states: Mapping[str, TaskDone]) -> tuple[Task, ...]:
    """The tasks security's early close ended undone (empty unless security closed early)."""
    if SECURITY_CLOSED not in states:
        return ()
    kept = {task.key for task in tasks_of(incident, states)}
    return tuple(task for task in tasks_for(incident, identified(states))
                 if task.key not in kept)


def decision_still_owed(incident: Incident, states: Mapping[str, TaskDone]) -> bool:
    """True when this submitted report owes the account decision and it is not made yet (an
    alert whose report is not in yet owes none: who the person was is not known)."""
    return incident.submitted_at is not None and ACCOUNT_DECISION not in states and any(
        task.key == ACCOUNT_DECISION for task in tasks_for(incident, identified(states)))


def all_done(states: Mapping[str, TaskDone], tasks: Iterable[Task] = TASKS) -> bool:
    """True when every follow-through task on the checklist (``tasks``) is complete."""
    return all(task.key in states for task in tasks)


def task_owner(task: Task, incident: Incident, branch: Any = None) -> str | None:
    """The one person a task belongs to: the reporter for their own step, else the branch
    directory's person for the task's post; None when a role owns it or the post is empty."""
    if task.owner == "reporter":
        return incident.reporter
    return branch_person(branch, task.owner) if task.owner else None


def owns(task: Task, user_id: str, incident: Incident,
         role_members: Mapping[str, Iterable[str]], branch: Any = None) -> bool:
    """True when the task is this person's own, not merely one they may complete: they hold its
    post at the branch or, with nobody in that post, belong to a role that owns it."""
    person = task_owner(task, incident, branch)
    if person:
        return person == user_id
    roles = TASK_OWNER_ROLES.get(task.key) or task.permission.roles
    return any(user_id in role_members.get(role, ()) for role in roles)
