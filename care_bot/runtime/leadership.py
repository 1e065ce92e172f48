"""Which process runs the sweep: exactly one at a time, and another within seconds of a crash.

SQLite: this process, always (the instance lock already keeps a second one out). PostgreSQL:
the process whose lease session holds the sweep's advisory lock. Every process polls for the
lock once a second, so a leader killed with ``kill -9`` (its socket closes, the server frees
the lock) is replaced within about two seconds, and a vanished host within the server's TCP
keepalive (about 11 s). Each new holding gets a new epoch, which fences outbox claims.

Any process can wake the leader: the leader's sweep directly, another one by ``NOTIFY``,
which the leader's lease session hears at once.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable

from care_bot.services import Services
from care_bot.storage import backend_name, lease

logger = logging.getLogger(__name__)
POLL_SECONDS = 1.0
RENEW_EVERY_SECONDS = 5.0


class Leadership:
    """Owns the lease thread (PostgreSQL) and routes wake-ups to the leader."""

    def __init__(self, services: Services, on_gain: Callable[[], None],
                 wake_local: Callable[[], None]):
        self.services = services
        self.state = services.lease
        self.state.backend = backend_name(services.store)
        self.state.leader = self.state.backend != "postgresql"
        self._on_gain = on_gain
        self._wake_local = wake_local
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._session = None

    def start(self) -> None:
        """SQLite: lead now. PostgreSQL: start the thread that takes and keeps the lease."""
        if self.state.backend != "postgresql":
            self._gain()
            return
        self._thread = threading.Thread(target=self._run, name="care-lease", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Make the leader sweep now, whichever process it is."""
        if self.state.leader or self.state.backend != "postgresql":
            self._wake_local()
            return
        from care_bot.storage.postgres import notify_sweep

        try:
            notify_sweep(self.services.store)
        except sqlite3.Error as error:
            logger.warning("could not wake the sweep leader (%s); it sweeps on its tick", error)

    def _gain(self) -> None:
        with self.services.store.transaction() as db:
            epoch = lease.take(db, self.state.holder, self.services.clock())
        self.state.epoch = epoch
        self.state.since = self.services.clock()
        self.state.error = None
        self._on_gain()
        self.state.leader = True
        self.state.changed.set()
        logger.info("this process now runs the sweep (lease epoch %d)", epoch)
        self._wake_local()

    def _lose(self, reason: str) -> None:
        if self.state.leader:
            logger.error("the sweep lease was lost (%s); this process stops sending", reason)
        self.state.leader = False
        self.state.error = reason
        self.state.changed.set()

    def _run(self) -> None:
        from care_bot.storage.postgres import LeaseSession

        renewed = 0.0
        while not self._stop.is_set():
            try:
                if self._session is None:
                    self._session = LeaseSession(self.services.store.url)
                    self.state.error = None
                if not self.state.leader and self._session.try_lock():
                    self._gain()
                if self.state.leader:
                    self._session.ping()
                    if time.monotonic() - renewed >= RENEW_EVERY_SECONDS:
                        self._renew()
                        renewed = time.monotonic()
                if self._session.wait_wakeups(POLL_SECONDS) and self.state.leader:
                    self._wake_local()
            except Exception as error:  # the session or the database failed: stop leading
                self._lose(str(error) or type(error).__name__)
                self._close_session()
                self._stop.wait(POLL_SECONDS)
        self._close_session()

    def _renew(self) -> None:
        with self.services.store.transaction() as db:
            held = lease.renew(db, self.state.holder, self.state.epoch, self.services.clock())
        if not held:
            raise RuntimeError("another process took the lease")

    def _close_session(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def stop(self, timeout: float = 3.0) -> None:
        """Stop leading: close the session, so another process takes over at its next poll."""
        self._stop.set()
        self.state.leader = False
        if self._thread is not None:
            self._thread.join(timeout)
