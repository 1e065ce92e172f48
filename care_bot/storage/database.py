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

from care_bot.storage.drafts import OpenDraftHint
from care_bot.storage.migrations import migrations
from care_bot.storage.sqlite_files import Snapshot, StorageUnavailable
from care_bot.storage.sqlite_files import chmod_if_mine as _chmod_if_mine
from care_bot.storage.sqlite_files import connect as _connect


class AlreadyRunning(Exception):
    """Raised when another bot process holds the database's instance lock."""


class Store:
    """Owns the process's single SQLite connection; every use goes through ``transaction``.

    The writing connection is shared by Bolt's worker threads and the scheduler thread, so it
    is opened with ``check_same_thread=False`` and guarded by one re-entrant lock. Reads of a
    file database use a read-only connection per thread instead, so a /threat lookup never
    waits behind another request's fsync (WAL lets readers run beside the writer).

    In WAL mode every connection maps the ``-shm`` file into memory. Writing through that map
    after the file became immutable (``chattr +i``) or unwritable kills the process with
    SIGBUS, which no ``try`` can catch. So before each use the files are checked with
    ``access(W_OK)``: while they cannot be written, writes raise ``StorageUnavailable``, reads
    go to a private copy of the files (``Snapshot``), and the old connections are set aside,
    never closed (closing one would checkpoint through the map).
    """

    def __init__(self, path: Path | str):
        self.path = str(path)
        self._lock = threading.RLock()
        self._readers = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._set_aside: list[sqlite3.Connection] = []
        self._generation = 0
        self._files_unsafe = False
        self._probe: sqlite3.Connection | None = None
        self._snapshot = Snapshot(self.path)
        self._instance_lock_file = None
        self.open_drafts = OpenDraftHint()
        self.unsafe_to_close = False
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = _connect(self.path, 5000)
        self.db = sqlite_utils.Database(connection)
        # secure_delete: purged rows are overwritten with zeros, not just unlinked.
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                       "secure_delete=ON"):
            self.db.execute(f"PRAGMA {pragma}")

    def migrate(self) -> None:
        """Apply any pending schema migrations."""
        with self._lock:
            migrations.apply(self.db)
            self.open_drafts.load(self.db)

    def claim_instance(self) -> None:
        """Take the one-bot-per-database lock; raise AlreadyRunning if another holds it.

        The lock belongs to the resolved file (symlinks followed), so a second path to the
        same database cannot start a second bot.
        """
        if self.path == ":memory:":
            return
        real = os.path.realpath(self.path)
        handle = open(f"{real}.lock", "a+")  # noqa: SIM115 - held for the process life
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.close()
            raise AlreadyRunning(
                f"another CARE bot is already running on {real}; "
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

    # -- file safety

    def unwritable_reason(self) -> str | None:
        """Say why the database files cannot be written now, or None when they can."""
        if self.path == ":memory:":
            return None
        for suffix in ("", "-wal", "-shm"):
            name = self.path + suffix
            if os.path.exists(name) and not os.access(name, os.W_OK):
                return "database files are read-only"
        return None

    def _check_files(self) -> str | None:
        """Note a change in the files' writability; set old connections aside when it flips."""
        reason = self.unwritable_reason()
        unsafe = reason is not None
        if unsafe != self._files_unsafe:
            with self._lock:
                if unsafe != self._files_unsafe:
                    self._files_unsafe = unsafe
                    self._generation += 1
                    self._set_aside.extend(self._reader_connections)
                    self._reader_connections = []
                    if self._probe is not None:
                        self._set_aside.append(self._probe)
                        self._probe = None
                    if not unsafe:
                        self._snapshot.discard()
        return reason

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """Run the block as one IMMEDIATE transaction; roll back on any exception.

        Raises StorageUnavailable at once when the files cannot be written.
        """
        with self._lock:
            reason = self._check_files()
            if reason:
                raise StorageUnavailable(reason)
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
        self._check_files()
        yield self._reader()

    def _reader(self) -> sqlite_utils.Database:
        held = getattr(self._readers, "db", None)
        if held is not None and held[0] == self._generation:
            return held[1]
        # check_same_thread=False only so close() may close it from the main thread.
        connection = _connect(self._snapshot.path() if self._files_unsafe else self.path, 5000)
        connection.execute("PRAGMA query_only=ON")
        with self._lock:
            self._reader_connections.append(connection)
            generation = self._generation
        reader = sqlite_utils.Database(connection)
        self._readers.db = (generation, reader)
        return reader

    def probe_write(self, now: float) -> str | None:
        """Write one tiny row to prove the database takes writes; return why not, or None."""
        try:
            if self.path == ":memory:":
                with self.transaction() as db:
                    db.execute("INSERT OR REPLACE INTO health_probe (id, at) VALUES (1, ?)",
                               [now])
                return None
            reason = self._check_files()
            if reason:
                return reason
            with self._lock:
                if self._probe is None:
                    self._probe = _connect(self.path, 1000)
                probe = self._probe
            probe.execute("BEGIN IMMEDIATE")
            try:
                probe.execute("INSERT OR REPLACE INTO health_probe (id, at) VALUES (1, ?)", [now])
                probe.execute("COMMIT")
            except BaseException:
                if probe.in_transaction:
                    probe.rollback()
                raise
        except sqlite3.Error as error:
            return str(error) or type(error).__name__
        return None

    def checkpoint(self) -> None:
        """Copy the WAL into the database and truncate it, so purged pages leave the WAL too."""
        with self._lock:
            if self._check_files() is None:
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def healthy(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.reading() as db:
                return db.execute("SELECT 1").fetchone() == (1,)
        except sqlite3.Error:
            return False

    def close(self) -> None:
        """Close the connections and release the instance lock.

        While the files cannot be written the connections are left open (closing would
        checkpoint through the memory map); ``unsafe_to_close`` tells the caller to exit
        without running finalizers.
        """
        try:
            if self.unwritable_reason():
                self.unsafe_to_close = True
                return
            if not self._lock.acquire(timeout=5):
                self.unsafe_to_close = True
                return
            try:
                self.db.conn.close()
                for connection in [*self._reader_connections, *self._set_aside]:
                    connection.close()
                if self._probe is not None:
                    self._probe.close()
                    self._probe = None
                self._reader_connections.clear()
                self._set_aside.clear()
            finally:
                self._lock.release()
        finally:
            self._snapshot.discard()
            if self._instance_lock_file is not None:
                self._instance_lock_file.close()
                self._instance_lock_file = None
