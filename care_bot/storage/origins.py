"""Requests accepted while the bot's own identity was unknown, kept to be checked later."""

from __future__ import annotations

import sqlite_utils


def record_unchecked(db: sqlite_utils.Database, *, team_id: str | None, app_id: str | None,
                     user_id: str | None, kind: str, now: float) -> None:
    """Remember a request whose workspace and app could not be checked yet."""
    db.execute(
        "INSERT INTO unchecked_requests (at, team_id, app_id, user_id, kind) "
        "VALUES (?, ?, ?, ?, ?)",
        [now, team_id or "", app_id or "", user_id or "", kind],
    )


def pending(db: sqlite_utils.Database) -> list[dict]:
    """Every recorded request not yet checked, oldest first."""
    return list(db.query(
        "SELECT id, at, team_id, app_id, user_id, kind FROM unchecked_requests "
        "WHERE verdict IS NULL ORDER BY id"
    ))


def set_verdict(db: sqlite_utils.Database, row_id: int, verdict: str, now: float) -> None:
    """Record the result of the late check: "ok" or "foreign"."""
    db.execute("UPDATE unchecked_requests SET verdict = ?, checked_at = ? WHERE id = ?",
               [verdict, now, row_id])
