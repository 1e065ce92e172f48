"""The PostgreSQL store: a pool of connections, one write order, the same migrations.

Every write transaction first takes one transaction-level advisory lock, so writes from any
number of processes are applied one at a time, as SQLite's ``BEGIN IMMEDIATE`` applies them
in one process: a read-then-write (the first Acknowledge wins, the duplicate final submit, the
next audit event's place in the hash chain) sees every earlier commit and no later one.
Reads take no lock. Errors are raised as ``sqlite3.Error`` subclasses, so the callers' one
``except`` covers both backends.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy
from sqlalchemy import exc as sa_exc

from care_bot.storage import dialect
from care_bot.storage.drafts import OpenDraftHint

logger = logging.getLogger(__name__)
WRITE_LOCK = 0x43415245  # "CARE": the advisory lock every write transaction takes
MIGRATION_LOCK = WRITE_LOCK + 1
CONNECT_TIMEOUT_SECONDS = 5
DEFAULT_POOL_SIZE = 10


class BackendError(sqlite3.OperationalError):
    """A PostgreSQL error, raised as the storage error callers already handle."""


class BackendIntegrityError(sqlite3.IntegrityError):
    """A PostgreSQL constraint violation (unique, foreign key, trigger)."""


def _translated(error: Exception) -> sqlite3.Error:
    orig = getattr(error, "orig", None) or error
    text = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    if isinstance(error, sa_exc.IntegrityError):
        return BackendIntegrityError(text)
    if "append-only" in text:
        return BackendIntegrityError(text)
    return BackendError(text)


@contextmanager
def _as_storage_errors() -> Iterator[None]:
    try:
        yield
    except (sa_exc.SQLAlchemyError, OSError) as error:
        raise _translated(error) from error


def engine_url(url: str) -> sqlalchemy.URL:
    """The SQLAlchemy URL for a ``postgresql://`` DATABASE_URL, with the psycopg 3 driver."""
    parsed = sqlalchemy.make_url(url)
    return parsed.set(drivername="postgresql+psycopg")


def shown_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return sqlalchemy.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(an unreadable DATABASE_URL)"


class PgDb:
    """One PostgreSQL connection, with the two calls storage modules use: execute and query."""

    backend = dialect.POSTGRESQL

    def __init__(self, connection: sqlalchemy.Connection):
        self.connection = connection

    def execute(self, sql: str, params: Any = None):
        """Run one statement with ``?`` placeholders; return its cursor result."""
        with _as_storage_errors():
            if params is None:
                return self.connection.exec_driver_sql(sql)
            return self.connection.exec_driver_sql(dialect.to_pyformat(sql), tuple(params))

    def execute_many(self, sql: str, rows: list[tuple]) -> None:
        """Run one statement once per row of parameters (one round trip per batch)."""
        if rows:
            with _as_storage_errors():
                self.connection.exec_driver_sql(dialect.to_pyformat(sql), rows)

    def query(self, sql: str, params: Any = None) -> Iterator[dict]:
        """Run one query; yield each row as a dict."""
        result = self.execute(sql, [] if params is None else params)
        for row in result:
            yield dict(row._mapping)

    def lock(self, key: int) -> None:
        """Take a transaction-level advisory lock (released at commit or rollback)."""
        self.execute("SELECT pg_advisory_xact_lock(?)", [key])


class PgStore:
    """Owns the process's connection pool; every use goes through ``transaction``/``reading``."""

    backend = dialect.POSTGRESQL
    path = None

    def __init__(self, url: str, pool_size: int = DEFAULT_POOL_SIZE):
        self.url = url
        self.shown_url = shown_url(url)
        self.engine = sqlalchemy.create_engine(
            engine_url(url), pool_size=pool_size, max_overflow=pool_size, pool_timeout=10,
            pool_pre_ping=True, pool_recycle=1800,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS,
                          "application_name": "care-bot"},
        )
        self._local = threading.local()
        # Other processes create drafts too, so the in-memory hint can never rule one out.
        self.open_drafts = OpenDraftHint(exact=False)
        self.unsafe_to_close = False

    @classmethod
    def open(cls, url: str, pool_size: int = DEFAULT_POOL_SIZE) -> PgStore:
        """Connect and migrate; raise ``sqlite3.Error`` (a BackendError) when it cannot."""
        store = cls(url, pool_size)
        try:
            store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    def migrate(self) -> None:
        """Apply pending migrations, one process at a time (the others wait, then skip)."""
        from care_bot.storage.pg_migrations import apply

        with self._connection() as connection, _as_storage_errors(), connection.begin():
            db = PgDb(connection)
            db.lock(MIGRATION_LOCK)
            apply(db)

    def migrate_in(self, db: PgDb) -> None:
        """Apply pending migrations inside the caller's transaction (``migrate --to``)."""
        from care_bot.storage.pg_migrations import apply

        db.lock(MIGRATION_LOCK)
        apply(db)

    @contextmanager
    def _connection(self) -> Iterator[sqlalchemy.Connection]:
        with _as_storage_errors():
            connection = self.engine.connect()
        try:
            yield connection
        finally:
            with _as_storage_errors():
                connection.close()

    @contextmanager
    def transaction(self) -> Iterator[PgDb]:
        """Run the block as one transaction behind the write lock; roll back on any exception."""
        current = getattr(self._local, "db", None)
        if current is not None:  # nested in this thread's transaction: the same one
            yield current
            return
        with self._connection() as connection:
            with _as_storage_errors():
                transaction = connection.begin()
            db = PgDb(connection)
            self._local.db = db
            try:
                db.lock(WRITE_LOCK)
                yield db
                with _as_storage_errors():
                    transaction.commit()
            except BaseException:
                if transaction.is_active:
                    try:
                        transaction.rollback()
                    except sa_exc.SQLAlchemyError:
                        logger.warning("rollback failed; the connection is discarded")
                raise
            finally:
                self._local.db = None

    @contextmanager
    def reading(self) -> Iterator[PgDb]:
        """Give a connection for reads that sees every committed write; never for writes."""
        current = getattr(self._local, "db", None)
        if current is not None:
            yield current
            return
        with self._connection() as connection:
            try:
                yield PgDb(connection)
            finally:
                with _as_storage_errors():
                    connection.rollback()

    def probe_write(self, now: float) -> str | None:
        """Write one tiny row to prove the database takes writes; return why not, or None."""
        try:
            with self.transaction() as db:
                db.execute("INSERT INTO health_probe (id, at) VALUES (1, ?) "
                           "ON CONFLICT (id) DO UPDATE SET at = excluded.at", [now])
        except sqlite3.Error as error:
            return str(error) or type(error).__name__
        return None

    def unwritable_reason(self) -> str | None:
        """Files are PostgreSQL's business: nothing to say here."""
        return None

    def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL recycles its own WAL (retention's purge calls this)."""

    def healthy(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.reading() as db:
                return db.execute("SELECT 1").fetchone()[0] == 1
        except sqlite3.Error:
            return False

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


SWEEP_LOCK = WRITE_LOCK + 2  # held for the whole life of a leader's lease session
WAKE_CHANNEL = "care_sweep"
# The server drops a vanished leader's session (and so its lock) after about 5 + 2 x 3 s.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
              "keepalives_count": 3}


class LeaseSession:
    """One dedicated connection: it holds the sweep lock while leading and hears wake-ups.

    The advisory lock lives as long as the session, so the lease ends the moment the
    leader's process dies (kill -9 closes its socket) or, on a vanished host, when the
    server's TCP keepalive gives up on it. Every call raises ``BackendError`` when the
    connection is gone; the caller then stops leading at once.
    """

    def __init__(self, url: str):
        import psycopg

        self._psycopg = psycopg
        with _as_psycopg_errors(psycopg):
            self.connection = psycopg.connect(
                str(engine_url(url).set(drivername="postgresql").render_as_string(
                    hide_password=False)),
                autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name="care-bot-lease", **KEEPALIVES)
            self.connection.execute("SET tcp_keepalives_idle = 5")
            self.connection.execute("SET tcp_keepalives_interval = 2")
            self.connection.execute("SET tcp_keepalives_count = 3")
            self.connection.execute(f"LISTEN {WAKE_CHANNEL}")

    def try_lock(self) -> bool:
        """Take the sweep lock if nobody holds it; True when this session holds it."""
        with _as_psycopg_errors(self._psycopg):
            return bool(self.connection.execute(
                "SELECT pg_try_advisory_lock(%s)", (SWEEP_LOCK,)).fetchone()[0])

    def ping(self) -> None:
        """Prove the session (and with it the lock) is still alive; raise when it is not."""
        with _as_psycopg_errors(self._psycopg):
            self.connection.execute("SELECT 1")

    def wait_wakeups(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds; return how many wake-ups arrived (stops at the first)."""
        with _as_psycopg_errors(self._psycopg):
            return sum(1 for _ in self.connection.notifies(timeout=timeout, stop_after=1))

    def close(self) -> None:
        """Close the session, which releases the lock at once."""
        try:
            self.connection.close()
        except Exception:
            logger.warning("the lease session did not close cleanly")


@contextmanager
def _as_psycopg_errors(psycopg) -> Iterator[None]:
    try:
        yield
    except (psycopg.Error, OSError) as error:
        raise BackendError(str(error).splitlines()[0] if str(error) else
                           type(error).__name__) from error


def notify_sweep(store: PgStore) -> None:
    """Wake the leader, whichever process it is (delivered to every listening session)."""
    with store._connection() as connection, _as_storage_errors():
        connection.exec_driver_sql(f"NOTIFY {WAKE_CHANNEL}")
        connection.commit()
