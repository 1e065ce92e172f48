"""Orders (trespass, no-contact, barred) and "Be on the lookout" notices in SQL."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils


def _order(row: dict) -> dict:
    return {**row, "branches": json.loads(row["branches"])}


def add_order(db: sqlite_utils.Database, **values) -> int:
    """Record an order; ``branches`` is a list of codes (or ["*"] for every branch)."""
    values = {**values, "branches": json.dumps(values["branches"])}
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    return db.execute(f"INSERT INTO person_orders ({columns}) VALUES ({marks}) RETURNING id",
                      list(values.values())).fetchall()[0][0]


def orders_of(db: sqlite_utils.Database, person_id: int) -> list[dict]:
    """A person's orders, newest first."""
    return [_order(r) for r in db.query(
        "SELECT * FROM person_orders WHERE person_id = ? ORDER BY id DESC", [person_id])]


def active_orders(db: sqlite_utils.Database, now: float,
                  person_id: int | None = None) -> list[dict]:
    """Orders in force at ``now`` (started, not past their end, not ended), optionally one
    person's."""
    where = "ended_at IS NULL AND ends_at > ? AND created_at <= ?"
    params: list = [now, now]
    if person_id is not None:
        where += " AND person_id = ?"
        params.append(person_id)
    return [_order(r) for r in db.query(
        f"SELECT * FROM person_orders WHERE {where} ORDER BY ends_at", params)]


def due_order_reminders(db: sqlite_utils.Database, now: float) -> list[dict]:
    """Orders whose review reminder is due and not yet sent."""
    return [_order(r) for r in db.query(
        "SELECT * FROM person_orders WHERE reminded_at IS NULL AND ended_at IS NULL "
        "AND remind_at <= ? ORDER BY remind_at", [now])]


def mark_order_reminded(db: sqlite_utils.Database, order_id: int, now: float) -> bool:
    """Note that an order's reminder went into the outbox; False when it already had."""
    return db.execute("UPDATE person_orders SET reminded_at = ? WHERE id = ? AND "
                      "reminded_at IS NULL", [now, order_id]).rowcount == 1


def _notice(row: dict) -> dict:
    return {**row, "branches": json.loads(row["branches"]), "todo": json.loads(row["todo"])}


def add_notice(db: sqlite_utils.Database, **values) -> int:
    """Record a notice; ``branches`` is a list of codes, ``todo`` a list of action keys."""
    values = {**values, "branches": json.dumps(values["branches"]),
              "todo": json.dumps(values["todo"])}
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    return db.execute(f"INSERT INTO notices ({columns}) VALUES ({marks}) RETURNING id",
                      list(values.values())).fetchall()[0][0]


def get_notice(db: sqlite_utils.Database, notice_id: int) -> dict | None:
    """A notice, or None."""
    rows = list(db.query("SELECT * FROM notices WHERE id = ?", [notice_id]))
    return _notice(rows[0]) if rows else None


def notices_of(db: sqlite_utils.Database, person_id: int) -> list[dict]:
    """A person's notices, newest first."""
    return [_notice(r) for r in db.query(
        "SELECT * FROM notices WHERE person_id = ? ORDER BY id DESC", [person_id])]


def active_notices(db: sqlite_utils.Database, now: float,
                   person_id: int | None = None) -> list[dict]:
    """Notices not yet expired or ended, optionally one person's."""
    where = "ended_at IS NULL AND expires_at > ?"
    params: list = [now]
    if person_id is not None:
        where += " AND person_id = ?"
        params.append(person_id)
    return [_notice(r) for r in db.query(
        f"SELECT * FROM notices WHERE {where} ORDER BY id", params)]


def add_recipients(db: sqlite_utils.Database, notice_id: int,
                   destinations: dict[str, list[str]]) -> None:
    """One row per destination (a supervisor or a branch channel) with its branches."""
    for dest, codes in destinations.items():
        db.execute("INSERT INTO notice_recipients (notice_id, destination, branches) "
                   "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                   [notice_id, dest, json.dumps(codes)])


def waiting_recipients(db: sqlite_utils.Database, limit: int) -> list[dict]:
    """Recipients not yet queued, of live notices, oldest notice and row first."""
    return list(db.query(
        "SELECT r.* FROM notice_recipients AS r JOIN notices AS n ON n.id = r.notice_id "
        "WHERE r.queued_at IS NULL AND n.ended_at IS NULL ORDER BY r.id LIMIT ?", [limit]))


def mark_queued(db: sqlite_utils.Database, recipient_ids: Iterable[int], now: float) -> None:
    """Note that recipients' posts are in the outbox."""
    for rid in recipient_ids:
        db.execute("UPDATE notice_recipients SET queued_at = ? WHERE id = ?", [now, rid])


def recipients(db: sqlite_utils.Database, notice_id: int) -> list[dict]:
    """Every recipient of a notice, in order."""
    return [{**r, "branches": json.loads(r["branches"])} for r in db.query(
        "SELECT * FROM notice_recipients WHERE notice_id = ? ORDER BY id", [notice_id])]


def mark_seen(db: sqlite_utils.Database, recipient_id: int, user_id: str, now: float) -> bool:
    """Record the first "Seen"; False when it was seen already."""
    return db.execute("UPDATE notice_recipients SET seen_by = ?, seen_at = ? WHERE id = ? "
                      "AND seen_at IS NULL", [user_id, now, recipient_id]).rowcount == 1


def get_recipient(db: sqlite_utils.Database, recipient_id: int) -> dict | None:
    """A recipient row, or None."""
    rows = list(db.query("SELECT * FROM notice_recipients WHERE id = ?", [recipient_id]))
    return {**rows[0], "branches": json.loads(rows[0]["branches"])} if rows else None


def end_notice(db: sqlite_utils.Database, notice_id: int, user_id: str, now: float) -> bool:
    """End a live notice early; False when it had already ended or expired."""
    return db.execute("UPDATE notices SET ended_at = ?, ended_by = ? WHERE id = ? AND "
                      "ended_at IS NULL AND expires_at > ?",
                      [now, user_id, notice_id, now]).rowcount == 1


def notices_to_close(db: sqlite_utils.Database, now: float) -> list[dict]:
    """Notices that expired or were ended and whose end is not posted yet."""
    return [_notice(r) for r in db.query(
        "SELECT * FROM notices WHERE end_posted_at IS NULL AND (ended_at IS NOT NULL "
        "OR expires_at <= ?) ORDER BY id", [now])]


def mark_end_posted(db: sqlite_utils.Database, notice_id: int, now: float) -> bool:
    """Note that a notice's end went into the outbox; False when it already had."""
    return db.execute("UPDATE notices SET end_posted_at = ? WHERE id = ? AND "
                      "end_posted_at IS NULL", [now, notice_id]).rowcount == 1


def due_seen_checks(db: sqlite_utils.Database, now: float) -> list[dict]:
    """Live notices whose "not seen yet" check is due."""
    return [_notice(r) for r in db.query(
        "SELECT * FROM notices WHERE seen_checked_at IS NULL AND ended_at IS NULL "
        "AND expires_at > ? AND seen_check_at <= ? ORDER BY id", [now, now])]


def mark_seen_checked(db: sqlite_utils.Database, notice_id: int, now: float) -> bool:
    """Note that the "not seen yet" check ran; False when it already had."""
    return db.execute("UPDATE notices SET seen_checked_at = ? WHERE id = ? AND "
                      "seen_checked_at IS NULL", [now, notice_id]).rowcount == 1


def next_due(db: sqlite_utils.Database, now: float) -> float | None:
    """The earliest future moment a notice or order needs the sweep."""
    row = db.execute(
        "SELECT min(t) FROM ("
        "SELECT min(expires_at) AS t FROM notices WHERE end_posted_at IS NULL UNION ALL "
        "SELECT min(seen_check_at) FROM notices WHERE seen_checked_at IS NULL "
        "AND ended_at IS NULL UNION ALL "
        "SELECT min(remind_at) FROM person_orders WHERE reminded_at IS NULL AND ended_at IS NULL) "
        "AS due"
    ).fetchone()
    return row[0] if row and row[0] is not None else None
