"""A danger alert's tracking: the screens that show it, and the associate's open alert."""

from __future__ import annotations

import sqlite_utils

from care_bot.domain.models import Incident
from care_bot.storage.incidents import get_incident


def record_screen(db: sqlite_utils.Database, *, view_id: str, incident_id: int, user_id: str,
                  draft_id: str, now: float) -> None:
    """Remember an open modal that shows this alert, so it is updated in place."""
    db.execute(
        "INSERT INTO alert_screens (view_id, incident_id, user_id, draft_id, opened_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(view_id) DO UPDATE SET "
        "incident_id = excluded.incident_id, draft_id = excluded.draft_id, "
        "opened_at = excluded.opened_at",
        [view_id, incident_id, user_id, draft_id, now],
    )


def screens_of(db: sqlite_utils.Database, incident_id: int, opened_since: float
               ) -> list[tuple[str, str]]:
    """The (view id, draft id) of this alert's screens opened since ``opened_since``."""
    return [
        (row["view_id"], row["draft_id"])
        for row in db.query(
            "SELECT view_id, draft_id FROM alert_screens WHERE incident_id = ? "
            "AND opened_at >= ? ORDER BY opened_at",
            [incident_id, opened_since],
        )
    ]


def screen(db: sqlite_utils.Database, view_id: str) -> tuple[int, str, str] | None:
    """The (incident id, user id, draft id) a screen shows, or None."""
    rows = list(db.query(
        "SELECT incident_id, user_id, draft_id FROM alert_screens WHERE view_id = ?", [view_id]))
    if not rows:
        return None
    return rows[0]["incident_id"], rows[0]["user_id"], rows[0]["draft_id"]


def open_alert_of(db: sqlite_utils.Database, reporter: str, since: float,
                  drill: bool = False) -> Incident | None:
    """The associate's latest danger alert raised since ``since`` that is not resolved.

    Resolved: they reported safe, or the incident was closed. A drill's alert and a real one
    never stand in for each other (issue 21): a real press during a drill is a real alert.
    """
    row = db.execute(
        "SELECT id FROM incidents WHERE reporter = ? AND danger = 1 AND status != 'closed' "
        "AND safe_at IS NULL AND created_at >= ? AND drill = ? ORDER BY id DESC LIMIT 1",
        [reporter, since, int(drill)],
    ).fetchone()
    return get_incident(db, row[0]) if row else None


def forget_screen(db: sqlite_utils.Database, view_id: str) -> None:
    """Stop updating a modal: the associate closed it or moved on to their report."""
    db.execute("DELETE FROM alert_screens WHERE view_id = ?", [view_id])
