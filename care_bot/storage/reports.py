"""Read-side queries for Home, lookups, exports and metrics: incidents with their events."""

from __future__ import annotations

import json
from collections import defaultdict

import sqlite_utils

from care_bot.domain.models import Event, Incident
from care_bot.storage.incidents import _incident


def _event(row: dict) -> Event:
    return Event(row["id"], row["incident_id"], row["at"], row["actor"], row["action"],
                 row["surface"], json.loads(row["detail"]))


def _created_between(since: float | None, until: float | None) -> tuple[str, list[float]]:
    """A WHERE clause (and its parameters) for incidents created in [since, until)."""
    clauses, params = ["1 = 1"], []
    if since is not None:
        clauses.append("created_at >= ?")
        params.append(since)
    if until is not None:
        clauses.append("created_at < ?")
        params.append(until)
    return " AND ".join(clauses), params


def incidents_since(db: sqlite_utils.Database, since: float | None = None,
                    until: float | None = None, include_drills: bool = False) -> list[Incident]:
    """Incidents created in [since, until), oldest first; every incident when unbounded.

    Drills are left out (metrics, the digest, exports) unless ``include_drills``.
    """
    where, params = _created_between(since, until)
    if not include_drills:
        where += " AND drill = 0"
    return [_incident(row) for row in db.query(
        f"SELECT * FROM incidents WHERE {where} ORDER BY id", params)]


def drills_since(db: sqlite_utils.Database, since: float) -> list[Incident]:
    """Drill incidents created since ``since``, oldest first (security's Home)."""
    return [_incident(row) for row in db.query(
        "SELECT * FROM incidents WHERE drill = 1 AND created_at >= ? ORDER BY id", [since])]


def open_incidents(db: sqlite_utils.Database) -> list[Incident]:
    """Every incident not yet closed, oldest first."""
    return [_incident(row) for row in db.query(
        "SELECT * FROM incidents WHERE status != 'closed' ORDER BY id")]


def reported_by(db: sqlite_utils.Database, user_id: str, limit: int = 20) -> list[Incident]:
    """The user's own reports, newest first."""
    return [_incident(row) for row in db.query(
        "SELECT * FROM incidents WHERE reporter = ? ORDER BY id DESC LIMIT ?", [user_id, limit])]


def events_of(db: sqlite_utils.Database, incident_ids: list[int]) -> dict[int, list[Event]]:
    """The events of several incidents, each list oldest first."""
    found: dict[int, list[Event]] = defaultdict(list)
    for start in range(0, len(incident_ids), 500):  # stay under SQLite's variable limit
        chunk = incident_ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in db.query(
            f"SELECT * FROM events WHERE incident_id IN ({marks}) ORDER BY incident_id, id", chunk
        ):
            found[row["incident_id"]].append(_event(row))
    return {incident_id: found.get(incident_id, []) for incident_id in incident_ids}


def events_since(db: sqlite_utils.Database, since: float | None = None,
                 until: float | None = None) -> dict[int, list[Event]]:
    """The events of the incidents created in [since, until), keyed by incident."""
    where, params = _created_between(since, until)
    sql = f"SELECT id FROM incidents WHERE {where}"
    found: dict[int, list[Event]] = defaultdict(list)
    for row in db.query(
        f"SELECT * FROM events WHERE incident_id IN ({sql}) ORDER BY incident_id, id", params
    ):
        found[row["incident_id"]].append(_event(row))
    return found


def task_deadlines(db: sqlite_utils.Database, incident_ids: list[int]) -> dict[tuple[int, str],
                                                                               float]:
    """When each task of these incidents falls due: {(incident id, task): due_at}."""
    deadlines: dict[tuple[int, str], float] = {}
    for start in range(0, len(incident_ids), 500):
        chunk = incident_ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in db.query(
            f"SELECT incident_id, task, min(due_at) AS due FROM followups "
            f"WHERE kind = 'task_due' AND incident_id IN ({marks}) GROUP BY incident_id, task",
            chunk,
        ):
            deadlines[(row["incident_id"], row["task"])] = row["due"]
    return deadlines
