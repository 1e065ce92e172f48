"""The outbox: Slack posts and updates saved in the same transaction as the change behind them."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlite_utils

from care_bot.domain.models import OutboxItem

# Delivery order (issue 15): danger alerts (posts, re-pages, DMs, the associate's screen)
# first, then every report's escalation posts, then everything else.
URGENT = 0
ESCALATION = 1
ROUTINE = 2


def _item(row: dict) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        incident_id=row["incident_id"],
        key=row["key"],
        kind=row["kind"],
        channel=row["channel"],
        thread_of=row["thread_of"],
        render=row["render"],
        payload=json.loads(row["payload"]),
        status=row["status"],
        attempts=row["attempts"],
        not_before=row["not_before"],
        ts=row["ts"],
        error=row["error"],
        unsure=bool(row["unsure"]),
        uid=row["uid"] or "",
        priority=row.get("priority", ROUTINE),
    )


def enqueue_post(
    db: sqlite_utils.Database,
    *,
    key: str,
    channel: str,
    now: float,
    incident_id: int | None = None,
    payload: dict[str, Any] | None = None,
    render: str | None = None,
    thread_of: str | None = None,
    priority: int = ROUTINE,
) -> bool:
    """Queue a new message once per key; False when that key was queued before."""
    cursor = db.execute(
        "INSERT INTO outbox (incident_id, key, kind, channel, thread_of, render, "
        "payload, not_before, created_at, uid, priority) "
        "VALUES (?, ?, 'post', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [incident_id, key, channel, thread_of, render, json.dumps(payload or {}), now, now,
         uuid.uuid4().hex, priority],
    )
    return cursor.rowcount == 1


def enqueue_refresh(
    db: sqlite_utils.Database, *, parent_key: str, incident_id: int, render: str, now: float
) -> None:
    """Queue a re-render of a posted message, unless one is already waiting."""
    waiting = db.execute(
        "SELECT 1 FROM outbox WHERE kind = 'update' AND thread_of = ? AND status = 'pending'",
        [parent_key],
    ).fetchone()
    if waiting:
        return
    db.execute(
        "INSERT INTO outbox (incident_id, key, kind, channel, thread_of, render, not_before, "
        "created_at) VALUES (?, ?, 'update', '', ?, ?, ?, ?)",
        [incident_id, f"{parent_key}:update:{uuid.uuid4().hex}", parent_key, render, now, now],
    )


def enqueue_update(db: sqlite_utils.Database, *, target_key: str, payload: dict[str, Any],
                   now: float, incident_id: int | None = None) -> None:
    """Queue a ``chat.update`` of an earlier post (by its key) to a fixed message."""
    db.execute(
        "INSERT INTO outbox (incident_id, key, kind, channel, thread_of, payload, not_before, "
        "created_at) VALUES (?, ?, 'update', '', ?, ?, ?, ?)",
        [incident_id, f"{target_key}:update:{uuid.uuid4().hex}", target_key,
         json.dumps(payload), now, now],
    )


def enqueue_home(db: sqlite_utils.Database, *, user_id: str, now: float,
                 incident_id: int | None = None) -> bool:
    """Queue a re-publish of a user's Home tab, unless one is already waiting."""
    waiting = db.execute(
        "SELECT 1 FROM outbox WHERE kind = 'home' AND channel = ? AND status = 'pending'",
        [user_id],
    ).fetchone()
    if waiting:
        return False
    db.execute(
        "INSERT INTO outbox (incident_id, key, kind, channel, render, not_before, created_at, "
        "uid) VALUES (?, ?, 'home', ?, 'home', ?, ?, ?)",
        [incident_id, f"home:{user_id}:{uuid.uuid4().hex}", user_id, now, now,
         uuid.uuid4().hex],
    )
    return True


def enqueue_screen(db: sqlite_utils.Database, *, view_id: str, incident_id: int,
                   now: float) -> bool:
    """Queue a views.update of an open alert screen, unless one is already waiting."""
    waiting = db.execute(
        "SELECT 1 FROM outbox WHERE kind = 'screen' AND channel = ? AND status = 'pending'",
        [view_id],
    ).fetchone()
    if waiting:
        return False
    db.execute(
        "INSERT INTO outbox (incident_id, key, kind, channel, render, not_before, created_at, "
        "uid, priority) VALUES (?, ?, 'screen', ?, 'screen', ?, ?, ?, ?)",
        [incident_id, f"screen:{view_id}:{uuid.uuid4().hex}", view_id, now, now,
         uuid.uuid4().hex, URGENT],
    )
    return True


def urgent_waiting(db: sqlite_utils.Database, now: float) -> bool:
    """True when a danger alert's row is due: the batch in hand gives way to it."""
    row = db.execute(
        "SELECT 1 FROM outbox AS o WHERE o.status = 'pending' AND o.priority = ? "
        "AND o.not_before <= ? AND (o.thread_of IS NULL OR NOT EXISTS (SELECT 1 FROM outbox "
        "AS p WHERE p.key = o.thread_of AND p.status IN ('pending', 'sending'))) LIMIT 1",
        [URGENT, now],
    ).fetchone()
    return row is not None


def delivery_trouble(db: sqlite_utils.Database) -> bool:
    """True while some post is waiting to be retried after Slack failed to take it."""
    row = db.execute(
        "SELECT 1 FROM outbox WHERE status = 'pending' AND attempts > 0 "
        "AND kind NOT IN ('home', 'screen') LIMIT 1"
    ).fetchone()
    return row is not None


def parent_states(db: sqlite_utils.Database, incident_id: int) -> dict[str, str]:
    """Return {parent key: status} of an incident's channel parent messages."""
    return {
        row["key"]: row["status"]
        for row in db.query(
            "SELECT key, status FROM outbox WHERE incident_id = ? AND kind = 'post' "
            "AND key LIKE 'incident:%:parent'",
            [incident_id],
        )
    }


def due_items(db: sqlite_utils.Database, now: float, limit: int = 50,
              max_priority: int = ROUTINE) -> list[OutboxItem]:
    """Return pending items whose time has come and whose parent message is settled.

    Replies still waiting for their parent are left out, so they can never fill the batch
    and starve other incidents' posts. Danger alerts come first, then escalations, then the
    rest; within each, oldest first, so each channel gets its posts in the order they were
    queued (a parent is always queued before its replies). ``max_priority`` = ``URGENT``
    returns the danger alerts' rows only.
    """
    return [
        _item(row)
        for row in db.query(
            "SELECT * FROM outbox AS o WHERE o.status = 'pending' AND o.not_before <= ? "
            "AND o.priority <= ? "
            "AND (o.thread_of IS NULL OR NOT EXISTS (SELECT 1 FROM outbox AS p "
            "WHERE p.key = o.thread_of AND p.status IN ('pending', 'sending'))) "
            "ORDER BY o.priority, o.kind = 'home', o.id LIMIT ?",  # Home tabs after posts
            [now, max_priority, limit],
        )
    ]


def get_item(db: sqlite_utils.Database, key: str) -> OutboxItem | None:
    """Return an outbox item by key."""
    rows = list(db.query("SELECT * FROM outbox WHERE key = ?", [key]))
    return _item(rows[0]) if rows else None


def sent_at(db: sqlite_utils.Database, key: str) -> float | None:
    """When Slack accepted the item with this key; None while it is not sent."""
    row = db.execute("SELECT sent_at FROM outbox WHERE key = ? AND status = 'sent'",
                     [key]).fetchone()
    return row[0] if row else None


def claim(db: sqlite_utils.Database, item_id: int, now: float | None = None, *,
          sender: str | None = None, epoch: int | None = None) -> bool:
    """Mark an item as being sent at ``now`` by ``sender``; False when it was not ours to send.

    The update is conditional, so of two sweepers only one can take a row. With an ``epoch``
    (the sweep lease's, on PostgreSQL) the row is taken only while that epoch is still the
    lease's: a sweeper that lost the lease can no longer take anything.
    """
    fence = " AND ? = (SELECT epoch FROM sweep_lease WHERE name = 'sweep')" if epoch else ""
    cursor = db.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?, "
        "claimed_by = ? WHERE id = ? AND status = 'pending'" + fence,
        [now, sender, item_id, *([epoch] if epoch else [])],
    )
    return cursor.rowcount == 1


def mark_sent(
    db: sqlite_utils.Database, item_id: int, *, channel: str, ts: str | None, now: float
) -> None:
    """Record a delivered item with the channel and ts Slack gave it."""
    db.execute(
        "UPDATE outbox SET status = 'sent', channel = CASE WHEN kind = 'post' THEN ? "
        "ELSE channel END, ts = ?, sent_at = ?, error = NULL WHERE id = ?",
        [channel, ts, now, item_id],
    )


def mark_retry(
    db: sqlite_utils.Database, item_id: int, *, not_before: float, error: str,
    unsure: bool = False,
) -> None:
    """Put an item back to wait until ``not_before``; ``unsure`` if it may have been posted."""
    db.execute(
        "UPDATE outbox SET status = 'pending', not_before = ?, error = ?, "
        "unsure = CASE WHEN ? = 1 THEN 1 ELSE unsure END WHERE id = ?",
        [not_before, error, int(unsure), item_id],
    )


def set_not_before(db: sqlite_utils.Database, item_id: int, not_before: float) -> None:
    """Move a pending row's earliest send time."""
    db.execute("UPDATE outbox SET not_before = ? WHERE id = ? AND status = 'pending'",
               [not_before, item_id])


def mark_failed(db: sqlite_utils.Database, item_id: int, *, error: str, now: float) -> None:
    """Give up on an item after a permanent Slack error."""
    db.execute(
        "UPDATE outbox SET status = 'failed', error = ?, sent_at = ? WHERE id = ?",
        [error, now, item_id],
    )


def release_in_flight(db: sqlite_utils.Database, unsure_wait: float = 0.0,
                      keep: frozenset[int] | set[int] = frozenset()) -> int:
    """Return items left 'sending' to 'pending' as unsure; returns how many.

    At start every such row was cut off by a crash or a stop; while running, rows in ``keep``
    (still in flight, or whose outcome is waiting to be written) are left alone. A post may
    have reached Slack, so it waits until ``unsure_wait`` seconds after its send started
    before it is looked up and, if not found, sent again.
    """
    marks = ", ".join("?" for _ in keep)
    skip = f" AND id NOT IN ({marks})" if keep else ""
    return db.execute(
        "UPDATE outbox SET status = 'pending', unsure = CASE kind WHEN 'post' THEN 1 ELSE "
        "unsure END, not_before = CASE WHEN kind = 'post' AND coalesce(claimed_at, 0) + ? "
        "> not_before THEN coalesce(claimed_at, 0) + ? ELSE not_before END "
        "WHERE status = 'sending'" + skip,
        [unsure_wait, unsure_wait, *sorted(keep)],
    ).rowcount


def in_flight_ids(db: sqlite_utils.Database) -> set[int]:
    """Return the ids of rows marked as being sent."""
    return {
        row[0]
        for row in db.execute(  # the first term lets SQLite use the partial index
            "SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND status = 'sending'"
        )
    }


def next_not_before(db: sqlite_utils.Database, now: float) -> float | None:
    """Return the earliest future time a pending row becomes due, if any."""
    row = db.execute(
        "SELECT min(not_before) FROM outbox WHERE status = 'pending' AND not_before > ?", [now]
    ).fetchone()
    return row[0] if row else None


def oldest_unsettled(db: sqlite_utils.Database) -> float | None:
    """Return when the oldest row still pending or being sent was queued (alerts left out)."""
    row = db.execute(
        "SELECT min(created_at) FROM outbox WHERE status IN ('pending', 'sending') "
        "AND reported_at IS NULL AND key NOT LIKE 'alert:%' AND kind NOT IN ('home', 'screen')"
    ).fetchone()
    return row[0] if row else None


def stuck_count(db: sqlite_utils.Database, queued_before: float) -> int:
    """Count rows still pending or being sent that were queued before ``queued_before``."""
    return db.execute(
        "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending') AND created_at <= ? "
        "AND kind NOT IN ('home', 'screen')",
        [queued_before],
    ).fetchone()[0]


def pending_count(db: sqlite_utils.Database) -> int:
    """Count items still waiting to be delivered."""
    return db.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]


def mark_skipped(db: sqlite_utils.Database, item_id: int, *, reason: str, now: float) -> None:
    """Drop an item whose reason has passed, such as a reminder after acknowledgement."""
    db.execute(
        "UPDATE outbox SET status = 'skipped', error = ?, sent_at = ? WHERE id = ?",
        [reason, now, item_id],
    )


def stuck_items(
    db: sqlite_utils.Database, queued_before: float, limit: int = 20
) -> list[OutboxItem]:
    """Return items waiting since before ``queued_before`` that nobody was told about.

    Replies held back by a waiting parent are left out: the parent is the one to report.
    """
    return [
        _item(row)
        for row in db.query(
            "SELECT * FROM outbox AS o WHERE o.status IN ('pending', 'sending') "
            "AND o.created_at <= ? AND o.key NOT LIKE 'alert:%' "
            "AND o.kind NOT IN ('home', 'screen') "
            "AND (o.thread_of IS NULL OR NOT EXISTS (SELECT 1 FROM outbox AS p "
            "WHERE p.key = o.thread_of AND p.status IN ('pending', 'sending'))) "
            "AND o.reported_at IS NULL ORDER BY o.id LIMIT ?",
            [queued_before, limit],
        )
    ]


def mark_reported(db: sqlite_utils.Database, item_id: int, now: float) -> None:
    """Note that security was told this item is stuck, so it is told only once."""
    db.execute("UPDATE outbox SET reported_at = ? WHERE id = ?", [now, item_id])


def delivery_of(db: sqlite_utils.Database, key: str) -> tuple[str, float | None, int] | None:
    """A row's (status, sent_at, attempts) by key, or None when it was never queued."""
    row = db.execute("SELECT status, sent_at, attempts FROM outbox WHERE key = ?",
                     [key]).fetchone()
    return (row[0], row[1], row[2]) if row else None


def first_sent(db: sqlite_utils.Database, incident_id: int, key_pattern: str) -> float | None:
    """When the first of an incident's rows whose key is LIKE ``key_pattern`` was sent."""
    row = db.execute(
        "SELECT min(sent_at) FROM outbox WHERE incident_id = ? AND key LIKE ? "
        "AND status = 'sent'",
        [incident_id, key_pattern],
    ).fetchone()
    return row[0] if row else None
