"""Issue 20's tables: people of concern, their link keys, suggestions, orders and notices.

``subject_keys`` holds only digests of match keys (see ``care_bot.domain.people``); ``keyed`` says
whether a digest was made with ``CARE_SUBJECT_KEY`` and may outlive its report's purge.
"""

from __future__ import annotations

import sqlite_utils

TABLES = (
    """CREATE TABLE subject_keys (
        incident_id INTEGER NOT NULL REFERENCES incidents(id), kind TEXT NOT NULL,
        digest TEXT NOT NULL, keyed INTEGER NOT NULL, PRIMARY KEY (incident_id, kind, digest))""",
    "CREATE INDEX subject_keys_digest ON subject_keys (digest, incident_id)",
    "CREATE TABLE people (id INTEGER PRIMARY KEY, created_at REAL NOT NULL)",
    """CREATE TABLE person_reports (
        incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),
        person_id INTEGER NOT NULL REFERENCES people(id), how TEXT NOT NULL,
        linked_at REAL NOT NULL)""",
    "CREATE INDEX person_reports_person ON person_reports (person_id, incident_id)",
    """CREATE TABLE link_suggestions (
        id INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL REFERENCES incidents(id),
        candidate_id INTEGER NOT NULL REFERENCES incidents(id), why TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', decided_by TEXT, decided_at REAL,
        created_at REAL NOT NULL, UNIQUE (incident_id, candidate_id))""",
    """CREATE TABLE person_orders (
        id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES people(id),
        incident_id INTEGER NOT NULL REFERENCES incidents(id), kind TEXT NOT NULL,
        branches TEXT NOT NULL, starts_on TEXT NOT NULL, ends_on TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '', created_by TEXT NOT NULL, created_at REAL NOT NULL,
        ends_at REAL NOT NULL, remind_at REAL NOT NULL, reminded_at REAL, ended_at REAL)""",
    "CREATE INDEX person_orders_person ON person_orders (person_id)",
    "CREATE INDEX person_orders_remind ON person_orders (remind_at) WHERE reminded_at IS NULL",
    """CREATE TABLE notices (
        id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES people(id),
        incident_id INTEGER NOT NULL REFERENCES incidents(id), branches TEXT NOT NULL,
        description TEXT NOT NULL, todo TEXT NOT NULL, expires_at REAL NOT NULL,
        created_by TEXT NOT NULL, created_at REAL NOT NULL, seen_check_at REAL NOT NULL,
        seen_checked_at REAL, ended_at REAL, ended_by TEXT, end_posted_at REAL)""",
    "CREATE INDEX notices_person ON notices (person_id)",
    """CREATE TABLE notice_recipients (
        id INTEGER PRIMARY KEY, notice_id INTEGER NOT NULL REFERENCES notices(id),
        destination TEXT NOT NULL, branches TEXT NOT NULL, queued_at REAL,
        seen_by TEXT, seen_at REAL, UNIQUE (notice_id, destination))""",
    "CREATE INDEX notice_recipients_waiting ON notice_recipients (id) WHERE queued_at IS NULL",
)


def create(db: sqlite_utils.Database) -> None:
    """Create issue 20's tables and indexes."""
    for statement in TABLES:
        db.execute(statement)
