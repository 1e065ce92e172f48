"""What is waiting for whom: open incidents, tasks with deadlines, overdue items.

Read-only; shared by the role sections of Home and by ``/threat list``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import sqlite_utils

from care_bot.domain import care
from care_bot.domain.care import TASKS_BY_KEY, Task
from care_bot.domain.checklist import TaskDone, owns, task_states, tasks_of
from care_bot.domain.metrics import HR_REPORT_ACTIONS, facts_of
from care_bot.domain.models import Event, Incident
from care_bot.storage import reports

SAFETY_PLAN = care.SAFETY_PLAN
CLAIM_ACTIONS = ("claimed",)
WELLBEING_ACTIONS = ("wellbeing_contact_requested", "wellbeing_contact")
HR_REPORT_TASK = "reported_hr"


@dataclass(frozen=True)
class Open:
    """An open incident with what Home needs to show about it."""

    incident: Incident
    events: tuple[Event, ...]
    states: Mapping[str, TaskDone]
    deadlines: Mapping[str, float]
    overdue_tasks: tuple[str, ...]

    @property
    def overdue(self) -> bool:
        """True when acknowledgement or any task is past its deadline."""
        return self.incident.overdue or bool(self.overdue_tasks)

    @property
    def claimed_by(self) -> str | None:
        """Who claimed the danger alert ("I'm on it"), if anyone."""
        claim = next((e for e in self.events if e.action in CLAIM_ACTIONS), None)
        return claim.actor if claim else None

    def sort_key(self) -> tuple:
        """Danger first, then overdue, then oldest first."""
        return (not self.incident.danger, not self.overdue, self.incident.id)


@dataclass(frozen=True)
class TaskItem:
    """One open task someone may complete, with its deadline."""

    item: Open
    task: Task
    due_at: float | None
    overdue: bool


_SHARED: ContextVar[dict | None] = ContextVar("care_worklist_shared", default=None)


@contextmanager
def one_read() -> Iterator[None]:
    """Within this block, every Home built reads the open incidents once and shares them."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def load_open(db: sqlite_utils.Database, now: float) -> list[Open]:
    """Every open incident with its events, task states and deadlines, danger first."""
    shared = _SHARED.get()
    if shared is not None and "open" in shared:
        return shared["open"]
    items = _load_open(db, now)
    if shared is not None:
        shared["open"] = items
    return items


def _load_open(db: sqlite_utils.Database, now: float) -> list[Open]:
    chosen = reports.open_incidents(db)
    ids = [incident.id for incident in chosen]
    events = reports.events_of(db, ids)
    deadlines = reports.task_deadlines(db, ids)
    result = []
    for incident in chosen:
        evs = tuple(events[incident.id])
        states = task_states(evs)
        due = {task: at for (iid, task), at in deadlines.items() if iid == incident.id}
        late = set(facts_of(incident, evs).overdue_tasks)
        late |= {task for task, at in due.items() if at <= now and task not in states}
        result.append(Open(incident, evs, states, due, tuple(sorted(late))))
    return sorted(result, key=Open.sort_key)


def awaiting_ack(items: Iterable[Open], user_id: str,
                 roles: Mapping[str, Iterable[str]], branches: Mapping | None = None,
                 ) -> list[Open]:
    """Open incidents not yet acknowledged that this user may acknowledge, danger first.

    Powers come from ``roles`` and the branch directory (``branches``), as in ``care``.
    """
    return [item for item in items if item.incident.acknowledged_at is None
            and care.is_allowed(care.ACKNOWLEDGE, user_id, item.incident, roles,
                                care.branch_of(item.incident, branches))]


def open_tasks(items: Iterable[Open], user_id: str, roles: Mapping[str, Iterable[str]],
               now: float, branches: Mapping | None = None) -> list[TaskItem]:
    """Tasks this user may complete, overdue first, then by deadline."""
    found = []
    for item in items:
        branch = care.branch_of(item.incident, branches)
        # Every task of theirs, also those done by a button (reporting to HR and CS&R) or a
        # modal (the account decision); acknowledging has its own list.
        mine = [task for task in tasks_of(item.incident, item.states)
                if task.key != "acknowledged"
                and task.key not in item.states
                and care.is_allowed(task.permission, user_id, item.incident, roles, branch)]
        for task in mine:
            due = item.deadlines.get(task.key)
            found.append(TaskItem(item, task, due, task.key in item.overdue_tasks))
    return sorted(found, key=lambda t: (not t.overdue, t.due_at is None, t.due_at or 0,
                                        t.item.incident.id))


def split_own(tasks: Iterable[TaskItem], user_id: str, roles: Mapping[str, Iterable[str]],
              branches: Mapping | None = None) -> tuple[list[TaskItem], list[TaskItem]]:
    """(my own tasks, others' overdue tasks) out of the tasks someone may complete."""
    own, others = [], []
    for found in tasks:
        incident = found.item.incident
        mine = owns(found.task, user_id, incident, roles, care.branch_of(incident, branches))
        if mine:
            own.append(found)
        elif found.overdue:
            others.append(found)
    return own, others


def pending_task(items: Iterable[Open], key: str, now: float) -> list[TaskItem]:
    """Open incidents whose task ``key`` is not done yet (such as pending safety plans)."""
    task = TASKS_BY_KEY.get(key)
    if task is None:
        return []
    return [TaskItem(item, task, item.deadlines.get(key), key in item.overdue_tasks)
            for item in items if key not in item.states and care.applies(task, item.incident)]


def reported_to_hr(items: Iterable[Open]) -> list[Open]:
    """Open incidents already reported to HR."""
    return [item for item in items if HR_REPORT_TASK in item.states
            or any(e.action in HR_REPORT_ACTIONS for e in item.events)]


def wellbeing_requests(items: Iterable[Open]) -> list[tuple[Open, Event]]:
    """Associates who asked for someone to contact them, newest first."""
    found = [(item, event) for item in items for event in item.events
             if event.action in WELLBEING_ACTIONS]
    return sorted(found, key=lambda pair: -pair[1].at)
