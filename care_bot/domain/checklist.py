"""The incident checklist, derived only from its audit events. Stdlib only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from care_bot.domain.care import IDENTIFY_CLIENT, TASKS, Task, tasks_for
from care_bot.domain.models import Event, Incident

EVENT_ACKNOWLEDGED = "acknowledged"
EVENT_TASK_COMPLETED = "task_completed"
EVENT_ACCOUNT_DECIDED = "account_decided"
EVENT_CLIENT_IDENTIFIED = "client_identified"


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
            note = event.detail.get("note") or event.detail.get("decision") or ""
            done[key] = TaskDone(by=event.actor, at=event.at, note=note)
    return done


def _task_of(event: Event) -> str | None:
    if event.action == EVENT_ACKNOWLEDGED:
        return "acknowledged"
    if event.action == EVENT_ACCOUNT_DECIDED:
        return "account_decision"
    if event.action == EVENT_CLIENT_IDENTIFIED:
        return IDENTIFY_CLIENT
    if event.action == EVENT_TASK_COMPLETED:
        return event.detail.get("task")
    return None


def identified(states: Mapping[str, TaskDone]) -> str | None:
    """The ICS's answer to "Identify the client" ("client" or "not_client"), if given."""
    done = states.get(IDENTIFY_CLIENT)
    return done.note if done else None


def tasks_of(incident: Incident, states: Mapping[str, TaskDone]) -> tuple[Task, ...]:
    """The tasks this incident owes: by danger and urgency, who the person was, what the ICS
    found."""
    return tasks_for(incident, identified(states))


def all_done(states: Mapping[str, TaskDone], tasks: Iterable[Task] = TASKS) -> bool:
    """True when every follow-through task on the checklist (``tasks``) is complete."""
    return all(task.key in states for task in tasks)
