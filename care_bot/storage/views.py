"""Which person each modal the bot opened belongs to (Slack's view id -> user id)."""

from __future__ import annotations

import sqlite_utils


def record_owner(db: sqlite_utils.Database, view_id: str, user_id: str, now: float) -> None:
    """Remember that the bot opened (or pushed) view ``view_id`` for ``user_id``."""
    db.execute(
        "INSERT INTO view_owners (view_id, user_id, opened_at) VALUES (?, ?, ?) "
        "ON CONFLICT (view_id) DO UPDATE SET user_id = excluded.user_id, "
        "opened_at = excluded.opened_at",
        [view_id, user_id, now],
    )


def owner_of(db: sqlite_utils.Database, view_id: str) -> str | None:
    """The person the view was opened for, or None when the bot never opened it."""
    row = db.execute("SELECT user_id FROM view_owners WHERE view_id = ?", [view_id]).fetchone()
    return row[0] if row else None


def forget_before(db: sqlite_utils.Database, cutoff: float) -> None:
    """Drop the owners of views opened before ``cutoff`` (long closed by then)."""
    db.execute("DELETE FROM view_owners WHERE opened_at < ?", [cutoff])
