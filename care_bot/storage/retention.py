"""Retention and legal holds in SQL: what has expired, and purging it for real.

A purged incident keeps a bare row (id, reference, "purged", dates) so its audit events keep
their foreign key; its events keep their hashes but lose their content; a ``purged``
tombstone event is appended. Its outbox rows, follow-ups and drafts are deleted.
"""

from __future__ import annotations

import json

import sqlite_utils

from care_bot.storage import chain, dialect, people

KEEP_ON_PURGE = {"id", "ref", "status", "danger", "created_at", "submitted_at", "closed_at"}
HELD = "SELECT incident_id FROM legal_holds"


def expired_drafts(db: sqlite_utils.Database, changed_before: float, limit: int) -> list[str]:
    """Drafts last changed before the cutoff, unless their incident is on legal hold."""
    return [row[0] for row in db.execute(
        f"SELECT id FROM drafts WHERE updated_at < ? AND (incident_id IS NULL OR incident_id "
        f"NOT IN ({HELD})) AND id NOT IN (SELECT draft_id FROM incidents WHERE id IN ({HELD})) "
        "ORDER BY updated_at LIMIT ?", [changed_before, limit])]


def expired_outbox(db: sqlite_utils.Database, sent_before: float, limit: int) -> list[int]:
    """Delivered (or given-up) outbox rows older than the cutoff whose incident is finished."""
    return [row[0] for row in db.execute(
        "SELECT o.id FROM outbox AS o LEFT JOIN incidents AS i ON i.id = o.incident_id "
        "WHERE o.status IN ('sent', 'skipped', 'failed') AND coalesce(o.sent_at, o.created_at) < ? "
        f"AND (o.incident_id IS NULL OR (i.status IN ('closed', 'purged') AND o.incident_id "
        f"NOT IN ({HELD}))) ORDER BY o.id LIMIT ?", [sent_before, limit])]


def expired_incidents(db: sqlite_utils.Database, closed_before: float, limit: int) -> list[int]:
    """Incidents closed before the cutoff and not on legal hold."""
    return [row[0] for row in db.execute(
        "SELECT id FROM incidents WHERE status = 'closed' AND closed_at < ? "
        f"AND id NOT IN ({HELD}) ORDER BY id LIMIT ?", [closed_before, limit])]


def delete_drafts(db: sqlite_utils.Database, draft_ids: list[str]) -> int:
    """Delete drafts by id; return how many."""
    return sum(db.execute("DELETE FROM drafts WHERE id = ?", [i]).rowcount for i in draft_ids)


def delete_outbox(db: sqlite_utils.Database, item_ids: list[int]) -> int:
    """Delete outbox rows by id; return how many."""
    return sum(db.execute("DELETE FROM outbox WHERE id = ?", [i]).rowcount for i in item_ids)


def purge_incident(db: sqlite_utils.Database, incident_id: int, now: float, rule: str) -> int:
    """Erase an incident's data, keeping a verifiable trail; return how many events it had."""
    draft = db.execute("SELECT draft_id FROM incidents WHERE id = ?", [incident_id]).fetchone()
    db.execute("INSERT INTO retention_permit (id) VALUES (1) ON CONFLICT DO NOTHING")
    try:
        redacted = db.execute(
            "UPDATE events SET actor = '', surface = '', detail = '{}', purged_at = ? "
            "WHERE incident_id = ? AND purged_at IS NULL", [now, incident_id]).rowcount
    finally:
        db.execute("DELETE FROM retention_permit")
    db.execute("DELETE FROM outbox WHERE incident_id = ?", [incident_id])
    db.execute("DELETE FROM followups WHERE incident_id = ?", [incident_id])
    people.forget_on_purge(db, incident_id)  # a keyed link key outlives the report (issue 20)
    db.execute("DELETE FROM drafts WHERE incident_id = ? OR id = ?",
               [incident_id, draft[0] if draft else ""])
    assignments, values = _blank_columns(db, incident_id)
    db.execute(f"UPDATE incidents SET status = 'purged', {assignments} WHERE id = ?",
               [*values, incident_id])
    chain.insert_event(db, incident_id=incident_id, at=now, actor="care-bot",
                       action=chain.TOMBSTONE, surface="retention",
                       detail=json.dumps({"events_redacted": redacted, "rule": rule}))
    return redacted


def _blank_columns(db: sqlite_utils.Database, incident_id: int) -> tuple[str, list]:
    """Every incident column but the bare record, set to empty (whatever columns exist)."""
    parts, values = [], []
    for name, kind, notnull in dialect.table_columns(db, "incidents"):
        if name in KEEP_ON_PURGE:
            continue
        parts.append(f"{name} = ?")
        if name == "draft_id":
            values.append(f"purged:{incident_id}")
        elif name == "answers":
            values.append("{}")
        elif notnull:
            values.append(0 if kind.upper() in ("INTEGER", "REAL") else "")
        else:
            values.append(None)
    return ", ".join(parts), values


def set_hold(db: sqlite_utils.Database, incident_id: int, reason: str, user_id: str,
             now: float) -> bool:
    """Put an incident on legal hold; False when it already was."""
    return db.execute(
        "INSERT INTO legal_holds (incident_id, reason, set_by, set_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [incident_id, reason, user_id, now]).rowcount == 1


def release_hold(db: sqlite_utils.Database, incident_id: int) -> bool:
    """Lift an incident's legal hold; False when it had none."""
    return db.execute("DELETE FROM legal_holds WHERE incident_id = ?",
                      [incident_id]).rowcount == 1


def hold_of(db: sqlite_utils.Database, incident_id: int) -> dict | None:
    """Return an incident's legal hold, if any."""
    rows = list(db.query("SELECT * FROM legal_holds WHERE incident_id = ?", [incident_id]))
    return rows[0] if rows else None
