"""Scheduled follow-ups: reminders, escalations, deadlines and check-ins as rows."""

from __future__ import annotations

import sqlite_utils

from care_bot.domain.models import Followup


def _followup(row: dict) -> Followup:
    return Followup(
        id=row["id"],
        incident_id=row["incident_id"],
        kind=row["kind"],
        task=row["task"],
        rung=row["rung"],
        due_at=row["due_at"],
        status=row["status"],
    )


def schedule(
    db: sqlite_utils.Database,
    *,
    incident_id: int,
    kind: str,
    due_at: float,
    now: float,
    task: str = "",
    rung: int = 0,
) -> bool:
    """Add a follow-up once; False when the same (kind, task, rung) already exists."""
    cursor = db.execute(
        "INSERT INTO followups (incident_id, kind, task, rung, due_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [incident_id, kind, task, rung, due_at, now],
    )
    return cursor.rowcount == 1


def due_followups(db: sqlite_utils.Database, now: float, limit: int = 100) -> list[Followup]:
    """Return pending follow-ups that are due, earliest first."""
    return [
        _followup(row)
        for row in db.query(
            "SELECT * FROM followups WHERE status = 'pending' AND due_at <= ? "
            "ORDER BY due_at LIMIT ?",
            [now, limit],
        )
    ]


def get_followup(db: sqlite_utils.Database, followup_id: int) -> Followup | None:
    """Return one follow-up by id."""
    rows = list(db.query("SELECT * FROM followups WHERE id = ?", [followup_id]))
    return _followup(rows[0]) if rows else None


def finish(db: sqlite_utils.Database, followup_id: int, status: str, now: float) -> bool:
    """Move a pending follow-up to 'sent' or 'skipped'; False if it was no longer pending."""
    cursor = db.execute(
        "UPDATE followups SET status = ?, done_at = ? WHERE id = ? AND status = 'pending'",
        [status, now, followup_id],
    )
    return cursor.rowcount == 1


def cancel(
    db: sqlite_utils.Database,
    incident_id: int,
    now: float,
    *,
    kinds: tuple[str, ...] | None = None,
    task: str | None = None,
    keep: tuple[str, ...] = (),
    keep_tasks: tuple[str, ...] = (),
) -> int:
    """Cancel pending follow-ups of an incident, optionally only some kinds or one task.

    ``keep`` names kinds that stay pending (the associate's check-ins when an incident closes);
    ``keep_tasks`` tasks whose reminders stay pending (the account decision after security
    closed its part early).
    """
    sql = "UPDATE followups SET status = 'cancelled', done_at = ? "
    sql += "WHERE incident_id = ? AND status = 'pending'"
    params: list = [now, incident_id]
    if kinds:
        sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
        params.extend(kinds)
    if task is not None:
        sql += " AND task = ?"
        params.append(task)
    if keep:
        sql += f" AND kind NOT IN ({', '.join('?' for _ in keep)})"
        params.extend(keep)
    if keep_tasks:
        sql += f" AND task NOT IN ({', '.join('?' for _ in keep_tasks)})"
        params.extend(keep_tasks)
    return db.execute(sql, params).rowcount


def next_due(db: sqlite_utils.Database, incident_id: int) -> float | None:
    """Return when the incident's next pending follow-up falls due (people's nudges only)."""
    row = db.execute(
        "SELECT min(due_at) FROM followups WHERE incident_id = ? AND status = 'pending' "
        "AND kind NOT IN ('wellbeing', 'alert_check')",
        [incident_id],
    ).fetchone()
    return row[0] if row else None


def next_due_any(db: sqlite_utils.Database, now: float) -> float | None:
    """Return the earliest future due time of any pending follow-up."""
    row = db.execute(
        "SELECT min(due_at) FROM followups WHERE status = 'pending' AND due_at > ?", [now]
    ).fetchone()
    return row[0] if row else None


def pending_for(db: sqlite_utils.Database, incident_id: int) -> list[Followup]:
    """Return an incident's pending follow-ups, earliest first."""
    return [
        _followup(row)
        for row in db.query(
            "SELECT * FROM followups WHERE incident_id = ? AND status = 'pending' "
            "ORDER BY due_at",
            [incident_id],
        )
    ]


def postpone(db: sqlite_utils.Database, followup_id: int, due_at: float) -> None:
    """Move a pending follow-up to a later time, such as the branch's next opening."""
    db.execute(
        "UPDATE followups SET due_at = ? WHERE id = ? AND status = 'pending'",
        [due_at, followup_id],
    )
