"""People of concern in SQL: link-key digests, who belongs to which person, suggestions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import sqlite_utils

CANDIDATE_LIMIT = 400  # key rows read per new report: the newest reports first


def save_keys(db: sqlite_utils.Database, incident_id: int, digests: Mapping[str, str],
              keyed: bool) -> None:
    """Store a report's match-key digests ({digest: kind})."""
    for digest, kind in digests.items():
        db.execute("INSERT INTO subject_keys (incident_id, kind, digest, keyed) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                   [incident_id, kind, digest, int(keyed)])


def candidates(db: sqlite_utils.Database, digests: Iterable[str], exclude: int,
               limit: int = CANDIDATE_LIMIT) -> dict[int, set[str]]:
    """Earlier reports sharing any digest: {incident id: kinds matched}, newest first."""
    wanted = list(digests)
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    found: dict[int, set[str]] = defaultdict(set)
    for incident_id, kind in db.execute(
            f"SELECT incident_id, kind FROM subject_keys WHERE digest IN ({marks}) "
            "AND incident_id != ? ORDER BY incident_id DESC LIMIT ?", [*wanted, exclude, limit]):
        found[incident_id].add(kind)
    return dict(found)


def person_of(db: sqlite_utils.Database, incident_id: int) -> int | None:
    """The person a report is linked to, or None."""
    row = db.execute("SELECT person_id FROM person_reports WHERE incident_id = ?",
                     [incident_id]).fetchone()
    return row[0] if row else None


def new_person(db: sqlite_utils.Database, now: float) -> int:
    """Create a person of concern; return its id."""
    return db.execute("INSERT INTO people (created_at) VALUES (?) RETURNING id",
                      [now]).fetchall()[0][0]


def link(db: sqlite_utils.Database, incident_id: int, person_id: int, how: str,
         now: float) -> None:
    """Put a report under a person (moving it from any other)."""
    db.execute("INSERT INTO person_reports (incident_id, person_id, how, linked_at) "
               "VALUES (?, ?, ?, ?) ON CONFLICT(incident_id) DO UPDATE SET "
               "person_id = excluded.person_id, how = excluded.how, linked_at = excluded.linked_at",
               [incident_id, person_id, how, now])


def merge(db: sqlite_utils.Database, keep: int, gone: int, now: float) -> None:
    """Fold one person into another: their reports, orders and notices move."""
    if keep == gone:
        return
    db.execute("UPDATE person_reports SET person_id = ?, linked_at = ? WHERE person_id = ?",
               [keep, now, gone])
    for table in ("person_orders", "notices"):
        db.execute(f"UPDATE {table} SET person_id = ? WHERE person_id = ?", [keep, gone])


def reports_of(db: sqlite_utils.Database, person_id: int) -> list[int]:
    """A person's report ids, oldest first."""
    return [row[0] for row in db.execute(
        "SELECT incident_id FROM person_reports WHERE person_id = ? ORDER BY incident_id",
        [person_id])]


def add_suggestion(db: sqlite_utils.Database, incident_id: int, candidate_id: int, why: str,
                   now: float) -> int | None:
    """Record a likely-same suggestion once; return its id, or None when it existed."""
    rows = db.execute(
        "INSERT INTO link_suggestions (incident_id, candidate_id, why, created_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        [incident_id, candidate_id, why, now]).fetchall()
    return rows[0][0] if rows else None


def get_suggestion(db: sqlite_utils.Database, suggestion_id: int) -> dict | None:
    """A suggestion row, or None."""
    rows = list(db.query("SELECT * FROM link_suggestions WHERE id = ?", [suggestion_id]))
    return rows[0] if rows else None


def decide_suggestion(db: sqlite_utils.Database, suggestion_id: int, status: str, user_id: str,
                      now: float) -> bool:
    """Confirm or reject a pending suggestion; False when someone decided first."""
    return db.execute(
        "UPDATE link_suggestions SET status = ?, decided_by = ?, decided_at = ? "
        "WHERE id = ? AND status = 'pending'", [status, user_id, now, suggestion_id]
    ).rowcount == 1


def pending_suggestions(db: sqlite_utils.Database, incident_ids: Iterable[int]) -> list[dict]:
    """Pending suggestions touching any of these reports."""
    ids = list(incident_ids)
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    return list(db.query(
        f"SELECT * FROM link_suggestions WHERE status = 'pending' AND (incident_id IN ({marks}) "
        f"OR candidate_id IN ({marks})) ORDER BY id", [*ids, *ids]))


def forget_on_purge(db: sqlite_utils.Database, incident_id: int) -> None:
    """On purge: unkeyed digests go; the link stays only while a keyed digest does."""
    db.execute("DELETE FROM subject_keys WHERE incident_id = ? AND keyed = 0", [incident_id])
    db.execute("DELETE FROM link_suggestions WHERE status = 'pending' AND "
               "(incident_id = ? OR candidate_id = ?)", [incident_id, incident_id])
    if db.execute("SELECT 1 FROM subject_keys WHERE incident_id = ?",
                  [incident_id]).fetchone() is None:
        db.execute("DELETE FROM person_reports WHERE incident_id = ?", [incident_id])
