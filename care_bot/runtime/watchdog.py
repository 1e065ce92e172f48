"""Watch the database's ability to take writes, and tell security when it cannot.

Outbox rows cannot carry this alert (writing them is what fails), so it goes straight to
Slack, once per episode, and a second notice says when writes work again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from care_bot.views import operations

if TYPE_CHECKING:
    from care_bot.services import Services

logger = logging.getLogger(__name__)
PROBE_EVERY_SECONDS = 1.0  # /healthz probes at most this often
SWEEP_PROBE_EVERY_SECONDS = 10.0  # the sweep reuses a probe this fresh (each costs an fsync)


class StorageWatch:
    """The last write-probe result, shared by the sweep and /healthz."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._probed_at: float | None = None
        self.reason: str | None = None
        self.failing_since: float | None = None
        self.alerted = False

    def probe(self, services: Services, max_age: float = PROBE_EVERY_SECONDS) -> str | None:
        """Return why the database cannot be written (None if it can); probe once per max_age."""
        now = time.monotonic()
        with self._lock:
            if self._probed_at is not None and now - self._probed_at < max_age:
                return self.reason
            self._probed_at = now
        reason = services.store.probe_write(services.clock())
        with self._lock:
            self.reason = reason
            if reason and self.failing_since is None:
                self.failing_since = services.clock()
        return reason


def watch_storage(services: Services) -> str | None:
    """Probe the database; alert security when writes start failing and when they recover."""
    watch = services.storage_watch
    reason = watch.probe(services, SWEEP_PROBE_EVERY_SECONDS)
    if reason:
        if not watch.alerted:
            logger.error("the database refuses writes: %s", reason)
            watch.alerted = _tell_security(services, operations.storage_failing(reason))
        return reason
    if watch.failing_since is not None:
        minutes = int((services.clock() - watch.failing_since) // 60)
        logger.warning("the database takes writes again")
        if watch.alerted:
            _tell_security(services, operations.storage_recovered(minutes))
        watch.failing_since = None
        watch.alerted = False
    return None


def _tell_security(services: Services, message: dict) -> bool:
    """Post in the security channel, or DM its members; True when someone was told."""
    try:
        services.slack.post(services.settings.security_channel, message)
        return True
    except Exception as error:
        logger.warning("security channel unreachable for a storage alert: %s",
                       type(error).__name__)
    told = False
    for member in sorted(services.roles.members("security")):
        try:
            services.slack.post(services.slack.open_dm(member), message)
            told = True
        except Exception:
            logger.warning("a storage alert DM could not be sent")
    return told
