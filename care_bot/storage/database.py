"""The SQLite connection: one per process, behind a lock, with durable PRAGMAs and migrations."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from care_bot.storage.drafts import OpenDraftHint

migrations = Migrations("care_bot")


class AlreadyRunning(Exception):
    """Raised when another bot process holds the database's instance lock."""


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


def _chmod_if_mine(path: Path, mode: int) -> None:
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) != mode:
            path.chmod(mode)
    except FileNotFoundError:
        return


class Store:
    """Owns the process's single SQLite connection; every use goes through ``transaction``.

    The writing connection is shared by Bolt's worker threads and the scheduler thread, so it
    is opened with ``check_same_thread=False`` and guarded by one re-entrant lock. Reads of a
    file database use a read-only connection per thread instead, so a /threat lookup never
    waits behind another request's fsync (WAL lets readers run beside the writer).
    """

    def __init__(self, path: Path | str):
        self.path = str(path)
        self._lock = threading.RLock()
        self._readers = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._instance_lock_file = None
        self.open_drafts = OpenDraftHint()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db = sqlite_utils.Database(connection)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "busy_timeout=5000",
            "foreign_keys=ON",
        ):
            self.db.execute(f"PRAGMA {pragma}")

    def migrate(self) -> None:
        """Apply any pending schema migrations."""
        with self._lock:
            migrations.apply(self.db)
            self.open_drafts.load(self.db)

    def claim_instance(self) -> None:
        """Take the one-bot-per-database lock; raise AlreadyRunning if another holds it."""
        if self.path == ":memory:":
            return
        handle = open(f"{self.path}.lock", "a+")  # noqa: SIM115 - held for the process life
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.close()
            raise AlreadyRunning(
                f"another CARE bot is already running on {self.path}; "
                "run exactly one bot process per database"
            ) from error
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._instance_lock_file = handle

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open the database for this process: claim the instance lock, then migrate."""
        store = cls(path)
        try:
            store.claim_instance()
        except AlreadyRunning:
            store.close()
            raise
        store.migrate()
        store.secure_files()
        return store

    def secure_files(self) -> None:
        """Make the database, -wal, -shm and lock files 0600 and their directory 0700.

        New files are private through the process umask; this also fixes files made earlier.
        A shared directory (sticky, such as /tmp) or one owned by someone else is left alone.
        """
        if self.path == ":memory:":
            return
        for suffix in ("", "-wal", "-shm", ".lock"):
            _chmod_if_mine(Path(self.path + suffix), 0o600)
        folder = Path(self.path).resolve().parent
        try:
            info = folder.stat()
        except OSError:
            return
        if not info.st_mode & stat.S_ISVTX and folder != Path(folder.anchor):
            _chmod_if_mine(folder, 0o700)

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """Run the block as one IMMEDIATE transaction; roll back on any exception."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.conn.in_transaction:
                    self.db.conn.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[sqlite_utils.Database]:
        """Give a connection for reads that sees every committed write; never for writes."""
        if self.path == ":memory:" or self._lock._is_owned():
            with self._lock:
                yield self.db
            return
        yield self._reader()

    def _reader(self) -> sqlite_utils.Database:
        reader = getattr(self._readers, "db", None)
        if reader is None:
            # check_same_thread=False only so close() may close it from the main thread.
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA busy_timeout=5000")
            connection.execute("PRAGMA query_only=ON")
            with self._lock:
                self._reader_connections.append(connection)
            reader = self._readers.db = sqlite_utils.Database(connection)
        return reader

    def healthy(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.reading() as db:
                return db.execute("SELECT 1").fetchone() == (1,)
        except sqlite3.Error:
            return False

    def close(self) -> None:
        """Close the connection and release the instance lock."""
        try:
            with self._lock:
                self.db.conn.close()
                for connection in self._reader_connections:
                    connection.close()
                self._reader_connections.clear()
        finally:
            if self._instance_lock_file is not None:
                self._instance_lock_file.close()
                self._instance_lock_file = None
