"""The incident checklist, derived only from its audit events. Stdlib only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from care_bot.care import TASKS, Task
from care_bot.models import Event

EVENT_ACKNOWLEDGED = "acknowledged"
EVENT_TASK_COMPLETED = "task_completed"
EVENT_ACCOUNT_DECIDED = "account_decided"


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
    if event.action == EVENT_TASK_COMPLETED:
        return event.detail.get("task")
    return None


def all_done(states: dict[str, TaskDone], tasks: Iterable[Task] = TASKS) -> bool:
    """True when every follow-through task on the checklist (``tasks``) is complete."""
    return all(task.key in states for task in tasks)
