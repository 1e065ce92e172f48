"""The sweep lease as a row: who holds it and its epoch, a number that grows at each takeover.

On PostgreSQL the lease itself is a session advisory lock (``postgres.LeaseSession``); this
row gives each holding a new epoch, which fences outbox claims (``outbox.claim``) and which
/healthz shows. On SQLite the one bot process takes the lease at start.
"""

from __future__ import annotations

import sqlite_utils

NAME = "sweep"


def take(db: sqlite_utils.Database, holder: str, now: float) -> int:
    """Record ``holder`` as the new lease holder; return its epoch (one more than the last)."""
    return db.execute(
        "INSERT INTO sweep_lease (name, holder, epoch, acquired_at, renewed_at) "
        "VALUES (?, ?, 1, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
        "epoch = sweep_lease.epoch + 1, acquired_at = excluded.acquired_at, "
        "renewed_at = excluded.renewed_at RETURNING epoch",
        [NAME, holder, now, now],
    ).fetchall()[0][0]


def renew(db: sqlite_utils.Database, holder: str, epoch: int, now: float) -> bool:
    """Note that the holder still holds the lease; False when another epoch began."""
    return db.execute(
        "UPDATE sweep_lease SET renewed_at = ? WHERE name = ? AND holder = ? AND epoch = ?",
        [now, NAME, holder, epoch],
    ).rowcount == 1


def current(db: sqlite_utils.Database) -> dict | None:
    """The lease row: holder, epoch, acquired_at, renewed_at; None before anyone took it."""
    rows = list(db.query(
        "SELECT holder, epoch, acquired_at, renewed_at FROM sweep_lease WHERE name = ?", [NAME]))
    return rows[0] if rows else None
