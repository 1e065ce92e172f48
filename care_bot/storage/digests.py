"""The weekly digest's schedule: one row per digest, claimed and sent by the sweep."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class Digest:
    """One scheduled digest."""

    id: int
    due_at: float
    schedule: str
    status: str
    not_before: float
    attempts: int


def _digest(row: dict) -> Digest:
    return Digest(row["id"], row["due_at"], row["schedule"], row["status"], row["not_before"],
                  row["attempts"])


def pending(db: sqlite_utils.Database) -> list[Digest]:
    """Every digest still waiting to be sent, earliest first."""
    return [_digest(row) for row in db.query(
        "SELECT * FROM digests WHERE status = 'pending' ORDER BY due_at")]


def due(db: sqlite_utils.Database, now: float) -> Digest | None:
    """The earliest pending digest whose time has come."""
    rows = list(db.query(
        "SELECT * FROM digests WHERE status = 'pending' AND not_before <= ? "
        "ORDER BY not_before LIMIT 1", [now]))
    return _digest(rows[0]) if rows else None


def schedule(db: sqlite_utils.Database, due_at: float, spec: str, now: float) -> bool:
    """Add a pending digest once; False when that one was scheduled before."""
    cursor = db.execute(
        "INSERT INTO digests (due_at, schedule, not_before, created_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", [due_at, spec, due_at, now])
    return cursor.rowcount == 1


def cancel_other(db: sqlite_utils.Database, spec: str, now: float) -> int:
    """Cancel pending digests made under another schedule (the setting changed)."""
    return db.execute(
        "UPDATE digests SET status = 'cancelled', sent_at = ? "
        "WHERE status = 'pending' AND schedule != ?", [now, spec]).rowcount


def claim(db: sqlite_utils.Database, digest_id: int) -> bool:
    """Mark a digest as being sent; False when it was no longer pending."""
    return db.execute(
        "UPDATE digests SET status = 'sending', attempts = attempts + 1 "
        "WHERE id = ? AND status = 'pending'", [digest_id]).rowcount == 1


def finish(db: sqlite_utils.Database, digest_id: int, status: str, now: float,
           error: str | None = None) -> None:
    """Record a digest as 'sent' or 'failed'."""
    db.execute("UPDATE digests SET status = ?, sent_at = ?, error = ? WHERE id = ?",
               [status, now, error, digest_id])


def retry(db: sqlite_utils.Database, digest_id: int, not_before: float, error: str) -> None:
    """Put a digest back to wait after a failure that a later attempt may fix."""
    db.execute("UPDATE digests SET status = 'pending', not_before = ?, error = ? WHERE id = ?",
               [not_before, error, digest_id])


def release_in_flight(db: sqlite_utils.Database) -> int:
    """Return digests left 'sending' by a crash to 'pending'."""
    return db.execute(
        "UPDATE digests SET status = 'pending' WHERE status = 'sending'").rowcount


def next_due(db: sqlite_utils.Database) -> float | None:
    """When the next pending digest may be sent, for the sweep's wake-up."""
    row = db.execute("SELECT min(not_before) FROM digests WHERE status = 'pending'").fetchone()
    return row[0] if row else None
