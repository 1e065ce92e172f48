"""Drafts: the answers of an unfinished report, one open draft per associate."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import sqlite_utils

from care_bot.domain.models import Draft


class OpenDraftHint:
    """The users who may have an open draft: a superset, kept in memory.

    /threat asks it first, so most associates get their modal without touching SQLite at all
    (every SQLite call releases and re-takes the GIL, which is what slows a busy process).
    It is exact enough because one process owns the database (the instance lock): every draft
    is created by this process, which adds the user before the insert. On PostgreSQL other
    processes create drafts too, so it is built with ``exact=False`` and never rules one out.
    """

    def __init__(self, exact: bool = True) -> None:
        self._users: set[str] = set()
        self._lock = threading.Lock()
        self._exact = exact

    def load(self, db: sqlite_utils.Database) -> None:
        """Learn every user with an open draft from the database."""
        rows = db.execute("SELECT DISTINCT user_id FROM drafts WHERE submitted_at IS NULL")
        with self._lock:
            self._users.update(row[0] for row in rows)

    def add(self, user_id: str) -> None:
        """Note that the user may now have an open draft."""
        with self._lock:
            self._users.add(user_id)

    def may_have(self, user_id: str) -> bool:
        """False only when the user certainly has no open draft."""
        if not self._exact:
            return True
        with self._lock:
            return user_id in self._users


def _draft(row: dict) -> Draft:
    return Draft(
        id=row["id"],
        user_id=row["user_id"],
        step=row["step"],
        answers=json.loads(row["answers"]),
        incident_id=row["incident_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        drill=bool(row.get("drill")),
    )


def open_draft(db: sqlite_utils.Database, user_id: str, drill: bool = False) -> Draft | None:
    """Return the associate's newest unsubmitted draft (or drill draft), if any.

    A drill's draft and a real one never stand in for each other.
    """
    rows = list(
        db.query(
            "SELECT * FROM drafts WHERE user_id = ? AND submitted_at IS NULL AND drill = ? "
            "ORDER BY updated_at DESC LIMIT 1",
            [user_id, int(drill)],
        )
    )
    return _draft(rows[0]) if rows else None


def get_draft(db: sqlite_utils.Database, draft_id: str) -> Draft | None:
    """Return a draft by id, submitted or not."""
    rows = list(db.query("SELECT * FROM drafts WHERE id = ?", [draft_id]))
    return _draft(rows[0]) if rows else None


RETIRED = -1  # submitted_at of a draft replaced by "Start a new report"; kept for the record


def is_submitted(db: sqlite_utils.Database, draft_id: str) -> bool:
    """True when the draft has already become a submitted report."""
    row = db.execute("SELECT submitted_at FROM drafts WHERE id = ?", [draft_id]).fetchone()
    return bool(row and row[0] is not None and row[0] != RETIRED)


def is_retired(db: sqlite_utils.Database, draft_id: str) -> bool:
    """True when the associate replaced this draft with a new one."""
    row = db.execute("SELECT submitted_at FROM drafts WHERE id = ?", [draft_id]).fetchone()
    return bool(row and row[0] == RETIRED)


def new_draft_id() -> str:
    """Return a fresh, unguessable draft id."""
    return uuid.uuid4().hex


def create_draft(
    db: sqlite_utils.Database,
    user_id: str,
    now: float,
    answers: dict[str, Any] | None = None,
    incident_id: int | None = None,
    draft_id: str | None = None,
    hint: OpenDraftHint | None = None,
    drill: bool = False,
) -> Draft:
    """Start a new draft for the associate, retiring (not deleting) any older open one.

    A drill's draft (``drill``) retires only an older drill draft, never a real report.
    """
    draft_id = draft_id or new_draft_id()
    if hint is not None:
        hint.add(user_id)
    if get_draft(db, draft_id) is not None:
        return get_draft(db, draft_id)
    db.execute(
        "UPDATE drafts SET submitted_at = ? WHERE user_id = ? AND submitted_at IS NULL "
        "AND drill = ?",
        [RETIRED, user_id, int(drill)],
    )
    db.execute(
        "INSERT INTO drafts (id, user_id, step, answers, incident_id, created_at, updated_at, "
        "drill) VALUES (?, ?, 'safety', ?, ?, ?, ?, ?)",
        [draft_id, user_id, json.dumps(answers or {}), incident_id, now, now, int(drill)],
    )
    return get_draft(db, draft_id)


def save_answers(
    db: sqlite_utils.Database, draft_id: str, step: str, answers: dict[str, Any], now: float
) -> None:
    """Merge a step's answers into the draft and record the step reached."""
    row = db.execute("SELECT answers FROM drafts WHERE id = ?", [draft_id]).fetchone()
    merged = {**json.loads(row[0]), **answers} if row else dict(answers)
    db.execute(
        "UPDATE drafts SET answers = ?, step = ?, updated_at = ? WHERE id = ?",
        [json.dumps(merged), step, now, draft_id],
    )


def link_incident(db: sqlite_utils.Database, draft_id: str, incident_id: int) -> None:
    """Remember the incident a danger alert created from this draft."""
    db.execute("UPDATE drafts SET incident_id = ? WHERE id = ?", [incident_id, draft_id])


def revive(db: sqlite_utils.Database, draft_id: str, user_id: str, now: float) -> None:
    """Make a retired draft the user's open one again, retiring any other open draft of its
    kind (a drill's draft and a real one never retire each other)."""
    db.execute(
        "UPDATE drafts SET submitted_at = ? WHERE user_id = ? AND submitted_at IS NULL "
        "AND drill = (SELECT drill FROM drafts WHERE id = ?)",
        [RETIRED, user_id, draft_id],
    )
    db.execute(
        "UPDATE drafts SET submitted_at = NULL, updated_at = ? WHERE id = ? AND submitted_at = ?",
        [now, draft_id, RETIRED],
    )


def mark_submitted(db: sqlite_utils.Database, draft_id: str, now: float) -> None:
    """Close the draft once its report is saved."""
    db.execute("UPDATE drafts SET submitted_at = ? WHERE id = ?", [now, draft_id])
