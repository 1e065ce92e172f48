"""The audit trail as a hash chain: each event stores the previous event's hash and its own.

``content_hash`` is SHA-256 over the event's canonical content (id, incident, time, actor,
action, surface, detail as stored). An event's link hash is SHA-256 over the previous link
hash and its own content hash, and the next event stores it as ``prev_hash``. Editing,
deleting, inserting or reordering any event breaks the chain from that event on.

A purged (redacted) event keeps its two hashes and loses its content, so the chain still
verifies while the data is gone; a ``purged`` tombstone event later in the chain records it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

GENESIS = "0" * 64
CONTENT_COLUMNS = ("id", "incident_id", "at", "actor", "action", "surface", "detail")
TOMBSTONE = "purged"


def content_hash(row: dict[str, Any]) -> str:
    """Hash an event's content as stored (detail is the stored JSON text)."""
    canonical = json.dumps([row[column] for column in CONTENT_COLUMNS],
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def link_hash(prev_hash: str, own_content_hash: str) -> str:
    """The hash an event passes on to the next one."""
    return hashlib.sha256(f"{prev_hash}:{own_content_hash}".encode()).hexdigest()


def head(db: sqlite_utils.Database) -> tuple[int, str]:
    """Return (last event id, its link hash); (0, GENESIS) for an empty trail."""
    row = db.execute(
        "SELECT id, prev_hash, content_hash FROM events ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return 0, GENESIS
    return row[0], link_hash(row[1], row[2])


def insert_event(db: sqlite_utils.Database, *, incident_id: int, at: float, actor: str,
                 action: str, surface: str, detail: str) -> int:
    """Insert one chained event inside the caller's write transaction; return its id."""
    last_id, prev = head(db)
    row = {"id": last_id + 1, "incident_id": incident_id, "at": at, "actor": actor,
           "action": action, "surface": surface, "detail": detail}
    db.execute(
        "INSERT INTO events (id, incident_id, at, actor, action, surface, detail, prev_hash, "
        "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [row["id"], incident_id, at, actor, action, surface, detail, prev, content_hash(row)],
    )
    return row["id"]


def backfill(db: sqlite_utils.Database) -> int:
    """Chain events written before the chain existed, oldest first; return how many."""
    prev = GENESIS
    count = 0
    for row in list(db.query("SELECT * FROM events ORDER BY id")):
        own = content_hash(row)
        db.execute("UPDATE events SET prev_hash = ?, content_hash = ? WHERE id = ?",
                   [prev, own, row["id"]])
        prev = link_hash(prev, own)
        count += 1
    return count


@dataclass(frozen=True)
class Problem:
    """One thing verify found wrong; ``event_id`` is the first bad event when there is one."""

    what: str
    event_id: int | None = None
    incident_id: int | None = None


def verify_chain(db: sqlite_utils.Database) -> tuple[list[Problem], int, str]:
    """Walk the whole chain; return (problems, events checked, head hash)."""
    problems: list[Problem] = []
    prev = GENESIS
    expected_id = None
    purged_open: dict[int, int] = {}  # incident -> first redacted event not yet covered
    count = 0
    for row in db.query("SELECT * FROM events ORDER BY id"):
        count += 1
        event_id = row["id"]
        if expected_id is not None and event_id != expected_id:
            problems.append(Problem(f"event {expected_id} is missing (the next is {event_id})",
                                    expected_id, row["incident_id"]))
        expected_id = event_id + 1
        if row["prev_hash"] != prev:
            problems.append(Problem(f"event {event_id} does not link to the event before it",
                                    event_id, row["incident_id"]))
        if row["purged_at"] is None:
            if row["content_hash"] != content_hash(row):
                problems.append(Problem(f"event {event_id} was changed after it was written",
                                        event_id, row["incident_id"]))
        else:
            purged_open.setdefault(row["incident_id"], event_id)
        if row["action"] == TOMBSTONE and row["purged_at"] is None:
            purged_open.pop(row["incident_id"], None)
        prev = link_hash(row["prev_hash"] or "", row["content_hash"] or "")
    for incident_id, event_id in purged_open.items():
        problems.append(Problem(f"event {event_id} is redacted but no purge tombstone records it",
                                event_id, incident_id))
    return problems, count, prev
