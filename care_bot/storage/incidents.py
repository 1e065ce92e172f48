"""Incidents, their reference numbers, and their append-only audit events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from care_bot.domain.models import Event, Incident
from care_bot.storage import chain


def _incident(row: dict) -> Incident:
    return Incident(
        id=row["id"],
        ref=row["ref"],
        reporter=row["reporter"],
        status=row["status"],
        danger=bool(row["danger"]),
        branch=row["branch"],
        answers=json.loads(row["answers"]),
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
        acknowledged_by=row["acknowledged_by"],
        acknowledged_at=row["acknowledged_at"],
        closed_at=row["closed_at"],
        closed_by=row["closed_by"],
        close_reason=row["close_reason"],
        overdue=bool(row["overdue"]),
        claimed_by=row.get("claimed_by"),
        claimed_at=row.get("claimed_at"),
        safe_at=row.get("safe_at"),
        police_call=row.get("police_call"),
        drill=bool(row.get("drill")),
    )


def next_reference(db: sqlite_utils.Database, now: float) -> str:
    """Allocate the next reference of the year, such as CARE-2026-0001."""
    year = datetime.fromtimestamp(now, UTC).year
    name = f"ref-{year}"
    value = db.execute(
        "INSERT INTO counters (name, value) VALUES (?, 1) "
        "ON CONFLICT(name) DO UPDATE SET value = counters.value + 1 RETURNING value",
        [name],
    ).fetchall()[0][0]
    return f"CARE-{year}-{value:04d}"


def create_incident(
    db: sqlite_utils.Database,
    *,
    draft_id: str,
    reporter: str,
    status: str,
    danger: bool,
    branch: str | None,
    answers: dict[str, Any],
    now: float,
    drill: bool = False,
) -> Incident:
    """Insert a new incident with a fresh reference and return it (``drill``: a practice)."""
    ref = next_reference(db, now)
    submitted_at = now if status == "open" else None
    new_id = db.execute(
        "INSERT INTO incidents (ref, draft_id, reporter, status, danger, branch, answers, "
        "created_at, submitted_at, drill) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [ref, draft_id, reporter, status, int(danger), branch, json.dumps(answers), now,
         submitted_at, int(drill)],
    ).fetchall()[0][0]
    return get_incident(db, new_id)


def complete_report(
    db: sqlite_utils.Database, incident_id: int, answers: dict[str, Any], branch: str | None,
    now: float,
) -> Incident:
    """Add the submitted answers to a danger alert; an alert still open becomes a report.

    An alert that security already closed stays closed: its answers are recorded only.
    """
    db.execute(
        "UPDATE incidents SET answers = ?, branch = ?, submitted_at = ?, "
        "status = CASE status WHEN 'alerted' THEN 'open' ELSE status END "
        "WHERE id = ? AND status IN ('alerted', 'closed') AND submitted_at IS NULL",
        [json.dumps(answers), branch, now, incident_id],
    )
    return get_incident(db, incident_id)


def merge_answers(db: sqlite_utils.Database, incident_id: int, extra: dict[str, Any]) -> None:
    """Add answers to an incident (an unfinished alert learning the associate's name)."""
    incident = get_incident(db, incident_id)
    if incident is None:
        return
    db.execute("UPDATE incidents SET answers = ? WHERE id = ?",
               [json.dumps({**incident.answers, **extra}), incident_id])


def get_incident(db: sqlite_utils.Database, incident_id: int) -> Incident | None:
    """Return an incident by id."""
    rows = list(db.query("SELECT * FROM incidents WHERE id = ?", [incident_id]))
    return _incident(rows[0]) if rows else None


def find_by_draft(db: sqlite_utils.Database, draft_id: str) -> Incident | None:
    """Return the incident made from a draft, if any."""
    rows = list(db.query("SELECT * FROM incidents WHERE draft_id = ?", [draft_id]))
    return _incident(rows[0]) if rows else None


def find_by_ref(db: sqlite_utils.Database, ref: str) -> Incident | None:
    """Return an incident by its reference number."""
    rows = list(db.query("SELECT * FROM incidents WHERE ref = ?", [ref]))
    return _incident(rows[0]) if rows else None


def set_acknowledged(
    db: sqlite_utils.Database, incident_id: int, user_id: str, now: float
) -> bool:
    """Record the first acknowledgement; False when someone acknowledged first."""
    cursor = db.execute(
        "UPDATE incidents SET acknowledged_by = ?, acknowledged_at = ? "
        "WHERE id = ? AND acknowledged_at IS NULL AND status != 'closed'",
        [user_id, now, incident_id],
    )
    return cursor.rowcount == 1


def set_closed(
    db: sqlite_utils.Database, incident_id: int, user_id: str, reason: str | None, now: float
) -> bool:
    """Close an open incident; False when it was already closed."""
    cursor = db.execute(
        "UPDATE incidents SET status = 'closed', closed_by = ?, closed_at = ?, "
        "close_reason = ? WHERE id = ? AND status != 'closed'",
        [user_id, now, reason, incident_id],
    )
    return cursor.rowcount == 1


def set_claimed(db: sqlite_utils.Database, incident_id: int, user_id: str, now: float) -> bool:
    """Record who claimed a danger alert; False when someone claimed it first."""
    cursor = db.execute(
        "UPDATE incidents SET claimed_by = ?, claimed_at = ? "
        "WHERE id = ? AND claimed_at IS NULL AND status != 'closed'",
        [user_id, now, incident_id],
    )
    return cursor.rowcount == 1


def set_safe(db: sqlite_utils.Database, incident_id: int, now: float) -> bool:
    """Record the first time the associate reported safe; False when already recorded."""
    cursor = db.execute(
        "UPDATE incidents SET safe_at = ? WHERE id = ? AND safe_at IS NULL", [now, incident_id]
    )
    return cursor.rowcount == 1


def set_police_call(db: sqlite_utils.Database, incident_id: int, answer: str) -> bool:
    """Record what the associate said about calling 911; False when it did not change."""
    cursor = db.execute(
        "UPDATE incidents SET police_call = ? WHERE id = ? AND police_call IS DISTINCT FROM ?",
        [answer, incident_id, answer],
    )
    return cursor.rowcount == 1


def list_by_reporter(
    db: sqlite_utils.Database, reporter: str, limit: int = 10
) -> list[Incident]:
    """Return a reporter's most recent incidents, newest first."""
    return [
        _incident(row)
        for row in db.query(
            "SELECT * FROM incidents WHERE reporter = ? ORDER BY id DESC LIMIT ?",
            [reporter, limit],
        )
    ]


def set_overdue(db: sqlite_utils.Database, incident_id: int, overdue: bool) -> None:
    """Flag or unflag an incident as overdue for acknowledgement."""
    db.execute("UPDATE incidents SET overdue = ? WHERE id = ?", [int(overdue), incident_id])


def append_event(
    db: sqlite_utils.Database,
    incident_id: int,
    *,
    actor: str,
    action: str,
    surface: str,
    now: float,
    detail: dict[str, Any] | None = None,
) -> Event:
    """Append one audit event, chained to the one before it; events are never changed."""
    event_id = chain.insert_event(db, incident_id=incident_id, at=now, actor=actor,
                                  action=action, surface=surface, detail=json.dumps(detail or {}))
    return Event(event_id, incident_id, now, actor, action, surface, detail or {})


def list_events(db: sqlite_utils.Database, incident_id: int) -> list[Event]:
    """Return an incident's audit events, oldest first."""
    return [
        Event(
            row["id"], row["incident_id"], row["at"], row["actor"], row["action"],
            row["surface"], json.loads(row["detail"]),
        )
        for row in db.query(
            "SELECT * FROM events WHERE incident_id = ? ORDER BY id", [incident_id]
        )
    ]
