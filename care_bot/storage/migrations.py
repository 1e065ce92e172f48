"""The schema's history: every migration, in order, each applied once.

The same functions run on SQLite (``sqlite_utils``'s ``Migrations``, from ``Store.migrate``)
and on PostgreSQL (``pg_migrations.py`` rewrites their DDL). A new table or column is a new
function at the end; a migration that has shipped is never edited.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from care_bot.storage import chain, people_schema

migrations = Migrations("care_bot")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """Create the first schema: drafts, incidents, events, outbox, follow-ups, counters."""
    db.execute(
        """CREATE TABLE drafts (
            id TEXT PRIMARY KEY, user_id TEXT NOT NULL, step TEXT NOT NULL,
            answers TEXT NOT NULL DEFAULT '{}', incident_id INTEGER,
            created_at REAL NOT NULL, updated_at REAL NOT NULL, submitted_at REAL)"""
    )
    db.execute("CREATE INDEX drafts_open ON drafts (user_id) WHERE submitted_at IS NULL")
    db.execute(
        """CREATE TABLE incidents (
            id INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE, draft_id TEXT NOT NULL UNIQUE,
            reporter TEXT NOT NULL, status TEXT NOT NULL, danger INTEGER NOT NULL,
            branch TEXT, answers TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL, submitted_at REAL,
            acknowledged_by TEXT, acknowledged_at REAL,
            closed_at REAL, closed_by TEXT, close_reason TEXT,
            overdue INTEGER NOT NULL DEFAULT 0)"""
    )
    db.execute("CREATE INDEX incidents_status ON incidents (status)")
    db.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL REFERENCES incidents(id),
            at REAL NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            surface TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}')"""
    )
    db.execute("CREATE INDEX events_incident ON events (incident_id, id)")
    db.execute(
        """CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
           BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"""
    )
    db.execute(
        """CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
           BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"""
    )
    db.execute(
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY, incident_id INTEGER, key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL, channel TEXT NOT NULL, thread_of TEXT, render TEXT,
            payload TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0, not_before REAL NOT NULL,
            ts TEXT, error TEXT, created_at REAL NOT NULL, sent_at REAL)"""
    )
    db.execute("CREATE INDEX outbox_pending ON outbox (id, not_before) WHERE status = 'pending'")
    db.execute(
        """CREATE TABLE followups (
            id INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL REFERENCES incidents(id),
            kind TEXT NOT NULL, task TEXT NOT NULL DEFAULT '', rung INTEGER NOT NULL DEFAULT 0,
            due_at REAL NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
            created_at REAL NOT NULL, done_at REAL,
            UNIQUE (incident_id, kind, task, rung))"""
    )
    db.execute("CREATE INDEX followups_due ON followups (due_at) WHERE status = 'pending'")
    db.execute(
        "CREATE INDEX followups_incident ON followups (incident_id) WHERE status = 'pending'"
    )
    db.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")


@migrations()
def m002_outbox_reported(db: sqlite_utils.Database) -> None:
    """Remember when security was told that an outbox item is stuck."""
    db.execute("ALTER TABLE outbox ADD COLUMN reported_at REAL")


@migrations()
def m003_outbox_unsure(db: sqlite_utils.Database) -> None:
    """Give each post a unique id for Slack metadata, and mark posts that may have landed."""
    db.execute("ALTER TABLE outbox ADD COLUMN unsure INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE outbox ADD COLUMN uid TEXT")


@migrations()
def m004_i12_service_state(db: sqlite_utils.Database) -> None:
    """Remember when the bot was last alive, and keep an append-only log of its outages."""
    db.execute("CREATE TABLE service_state (name TEXT PRIMARY KEY, at REAL NOT NULL)")
    db.execute(
        """CREATE TABLE service_events (
            id INTEGER PRIMARY KEY, at REAL NOT NULL, actor TEXT NOT NULL,
            action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}')"""
    )
    for verb in ("UPDATE", "DELETE"):
        db.execute(
            f"""CREATE TRIGGER service_events_append_only_{verb.lower()} BEFORE {verb}
               ON service_events
               BEGIN SELECT RAISE(ABORT, 'service events are append-only'); END"""
        )


@migrations()
def m004_i8_unchecked_requests(db: sqlite_utils.Database) -> None:
    """Requests accepted while the bot's identity was unknown, checked once it is known."""
    db.execute(
        """CREATE TABLE unchecked_requests (
            id INTEGER PRIMARY KEY, at REAL NOT NULL, team_id TEXT NOT NULL,
            app_id TEXT NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL,
            verdict TEXT, checked_at REAL)"""
    )


@migrations()
def m004_i7_danger_alert_state(db: sqlite_utils.Database) -> None:
    """Who claimed a danger alert, when the associate reported safe, what they said about 911."""
    db.execute("ALTER TABLE incidents ADD COLUMN claimed_by TEXT")
    db.execute("ALTER TABLE incidents ADD COLUMN claimed_at REAL")
    db.execute("ALTER TABLE incidents ADD COLUMN safe_at REAL")
    db.execute("ALTER TABLE incidents ADD COLUMN police_call TEXT")
    db.execute("CREATE INDEX incidents_reporter ON incidents (reporter, id)")


@migrations()
def m005_i11_digests_and_home_filters(db: sqlite_utils.Database) -> None:
    """Issue 11: the weekly digest's schedule as rows, and each person's Home branch filter."""
    db.execute(
        """CREATE TABLE digests (
            id INTEGER PRIMARY KEY, due_at REAL NOT NULL, schedule TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending', not_before REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, error TEXT,
            created_at REAL NOT NULL, sent_at REAL, UNIQUE (due_at, schedule))"""
    )
    db.execute("CREATE INDEX digests_pending ON digests (not_before) WHERE status = 'pending'")
    db.execute(
        "CREATE TABLE home_filters (user_id TEXT PRIMARY KEY, branch TEXT, updated_at REAL)"
    )


@migrations()
def m005_i9_outbox_claimed(db: sqlite_utils.Database) -> None:
    """Remember when a post was handed to Slack, and index the rows still unsettled."""
    db.execute("ALTER TABLE outbox ADD COLUMN claimed_at REAL")
    db.execute(
        "CREATE INDEX outbox_unsettled ON outbox (status, created_at) "
        "WHERE status IN ('pending', 'sending')"
    )
    db.execute("CREATE TABLE health_probe (id INTEGER PRIMARY KEY, at REAL NOT NULL)")


@migrations()
def m006_i9_event_chain(db: sqlite_utils.Database) -> None:
    """Chain the audit events by hash, and add legal holds and the retention permit."""
    db.execute("ALTER TABLE events ADD COLUMN prev_hash TEXT")
    db.execute("ALTER TABLE events ADD COLUMN content_hash TEXT")
    db.execute("ALTER TABLE events ADD COLUMN purged_at REAL")
    db.execute("DROP TRIGGER IF EXISTS events_append_only_update")
    db.execute("DROP TRIGGER IF EXISTS events_append_only_delete")
    chain.backfill(db)
    # Retention may redact an event's content (keeping its hashes) only while it holds the
    # permit, inside its own transaction; nothing may ever delete an event.
    db.execute("CREATE TABLE retention_permit (id INTEGER PRIMARY KEY CHECK (id = 1))")
    db.execute(
        """CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
           WHEN NOT EXISTS (SELECT 1 FROM retention_permit)
           BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"""
    )
    db.execute(
        """CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
           BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"""
    )
    db.execute(
        """CREATE TABLE legal_holds (
            incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),
            reason TEXT NOT NULL, set_by TEXT NOT NULL, set_at REAL NOT NULL)"""
    )


@migrations()
def m007_i15_alert_tracking(db: sqlite_utils.Database) -> None:
    """Issue 15: alerts go first (an outbox priority), and the screens that show an alert."""
    db.execute("ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 2")
    db.execute("CREATE INDEX outbox_urgent ON outbox (priority, id) WHERE status = 'pending'")
    db.execute(
        """CREATE TABLE alert_screens (
            view_id TEXT PRIMARY KEY, incident_id INTEGER NOT NULL REFERENCES incidents(id),
            user_id TEXT NOT NULL, draft_id TEXT NOT NULL DEFAULT '',
            opened_at REAL NOT NULL)"""
    )
    db.execute("CREATE INDEX alert_screens_incident ON alert_screens (incident_id)")


migrations(name="m007_i20_people_of_concern")(people_schema.create)  # issue 20's tables


@migrations()
def m008_i21_drills(db: sqlite_utils.Database) -> None:
    """Mark drill incidents and drill drafts (issue 21): kept out of metrics and exports."""
    db.execute("ALTER TABLE incidents ADD COLUMN drill INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE drafts ADD COLUMN drill INTEGER NOT NULL DEFAULT 0")


@migrations()
def m007_i19_sweep_lease(db: sqlite_utils.Database) -> None:
    """Issue 19: the sweep's lease (holder and epoch), and which sender claimed each post."""
    db.execute(
        """CREATE TABLE sweep_lease (
            name TEXT PRIMARY KEY, holder TEXT NOT NULL, epoch INTEGER NOT NULL,
            acquired_at REAL NOT NULL, renewed_at REAL NOT NULL)"""
    )
    db.execute("ALTER TABLE outbox ADD COLUMN claimed_by TEXT")


@migrations()
def m008_i16_view_owners(db: sqlite_utils.Database) -> None:
    """Who each modal the bot opened belongs to: a click may change only the clicker's own."""
    db.execute(
        """CREATE TABLE view_owners (
            view_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, opened_at REAL NOT NULL)"""
    )
    db.execute("CREATE INDEX view_owners_opened ON view_owners (opened_at)")


@migrations()
def m009_i17_others_tasks_shown(db: sqlite_utils.Database) -> None:
    """Issue 17: whether a person unfolded "Others' overdue tasks" on Home."""
    db.execute("ALTER TABLE home_filters ADD COLUMN others_shown INTEGER NOT NULL DEFAULT 0")
