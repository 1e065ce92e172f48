"""Each person's chosen Home branch filter and unfolded headings, kept across re-publishes."""

from __future__ import annotations

import sqlite_utils


def home_filter(db: sqlite_utils.Database, user_id: str) -> str | None:
    """The branch a person chose to filter their Home by, if any."""
    row = db.execute("SELECT branch FROM home_filters WHERE user_id = ?", [user_id]).fetchone()
    return row[0] if row and row[0] else None


def set_home_filter(db: sqlite_utils.Database, user_id: str, branch: str | None,
                    now: float) -> None:
    """Remember a person's Home branch filter (None shows every branch)."""
    db.execute(
        "INSERT INTO home_filters (user_id, branch, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET branch = excluded.branch, "
        "updated_at = excluded.updated_at", [user_id, branch, now])


def others_shown(db: sqlite_utils.Database, user_id: str) -> bool:
    """True when the person unfolded "Others' overdue tasks" on their Home."""
    row = db.execute("SELECT others_shown FROM home_filters WHERE user_id = ?",
                     [user_id]).fetchone()
    return bool(row and row[0])


def set_others_shown(db: sqlite_utils.Database, user_id: str, shown: bool, now: float) -> None:
    """Remember whether "Others' overdue tasks" is unfolded (the branch filter is kept)."""
    db.execute(
        "INSERT INTO home_filters (user_id, branch, updated_at, others_shown) "
        "VALUES (?, NULL, ?, ?) ON CONFLICT(user_id) DO UPDATE SET "
        "others_shown = excluded.others_shown, updated_at = excluded.updated_at",
        [user_id, now, 1 if shown else 0])
