"""The bot's own liveness record: when it was last alive, how it stopped, and its outages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

LAST_ALIVE = "last_alive"
CLEAN_STOP = "clean_stop"


@dataclass(frozen=True)
class Liveness:
    """When the bot last proved it was running, and when it last stopped cleanly."""

    last_alive_at: float | None
    clean_stop_at: float | None


def read_liveness(db: sqlite_utils.Database) -> Liveness:
    """Return the stored liveness marks; both are None on a new database."""
    rows = dict(db.execute("SELECT name, at FROM service_state").fetchall())
    return Liveness(last_alive_at=rows.get(LAST_ALIVE), clean_stop_at=rows.get(CLEAN_STOP))


def mark(db: sqlite_utils.Database, name: str, at: float) -> None:
    """Store one liveness mark (``LAST_ALIVE`` or ``CLEAN_STOP``), replacing the old one."""
    db.execute(
        "INSERT INTO service_state (name, at) VALUES (?, ?) "
        "ON CONFLICT(name) DO UPDATE SET at = excluded.at",
        [name, at],
    )


def clear(db: sqlite_utils.Database, name: str) -> None:
    """Forget one liveness mark, such as the clean stop once the bot runs again."""
    db.execute("DELETE FROM service_state WHERE name = ?", [name])


def append_service_event(
    db: sqlite_utils.Database, *, action: str, at: float, detail: dict[str, Any],
    actor: str = "care-bot",
) -> int:
    """Append one audit event about the service itself (not about an incident)."""
    return db.execute(
        "INSERT INTO service_events (at, actor, action, detail) VALUES (?, ?, ?, ?) "
        "RETURNING id",
        [at, actor, action, json.dumps(detail, sort_keys=True)],
    ).fetchall()[0][0]


def list_service_events(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Return every service event, oldest first."""
    rows = db.execute(
        "SELECT id, at, actor, action, detail FROM service_events ORDER BY id"
    ).fetchall()
    return [
        {"id": row[0], "at": row[1], "actor": row[2], "action": row[3],
         "detail": json.loads(row[4])}
        for row in rows
    ]
