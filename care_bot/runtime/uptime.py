"""Notice the bot's own outages: remember when it was alive, and report a gap once at start.

A crash, a hung host or a long stop leaves associates with Slack's bare error when they type
/threat. Nobody learns that someone may have tried, unless the bot says so when it is back.
A clean stop (SIGTERM) followed by a quick restart, such as a deploy, is not an outage.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from care_bot.services import Services
from care_bot.storage import outbox, service
from care_bot.views import notices

logger = logging.getLogger(__name__)
MAX_MARK_EVERY = timedelta(seconds=15)
MIN_MARK_EVERY = timedelta(seconds=1)


@dataclass(frozen=True)
class Outage:
    """A stretch of time when the bot was not running."""

    started_at: float
    ended_at: float
    clean_stop: bool

    @property
    def seconds(self) -> float:
        """How long the bot was away."""
        return self.ended_at - self.started_at


def find_outage(liveness: service.Liveness, now: float, threshold: timedelta) -> Outage | None:
    """Return the outage that ends now, or None when the gap is shorter than ``threshold``."""
    started, stopped = liveness.last_alive_at, liveness.clean_stop_at
    clean = stopped is not None and (started is None or stopped >= started)
    if clean:
        started = stopped
    if started is None or now - started < threshold.total_seconds():
        return None
    return Outage(started_at=started, ended_at=now, clean_stop=clean)


def report_downtime_at_start(services: Services) -> Outage | None:
    """At start, queue one security-channel notice of a long outage and record it; mark alive."""
    now = services.clock()
    settings = services.settings
    with services.store.transaction() as db:
        outage = find_outage(service.read_liveness(db), now, settings.downtime_alert_after)
        if outage is not None:
            key = f"downtime:{int(outage.started_at * 1000)}"
            message = notices.downtime(outage.started_at, outage.ended_at)
            if outbox.enqueue_post(db, key=key, channel=settings.security_channel,
                                   payload=message, now=now):
                service.append_service_event(
                    db, action="downtime_reported", at=now,
                    detail={"from": outage.started_at, "to": outage.ended_at,
                            "after_clean_stop": outage.clean_stop},
                )
        service.clear(db, service.CLEAN_STOP)
        service.mark(db, service.LAST_ALIVE, now)
    if outage is not None:
        logger.warning("CARE bot was down for %d s before this start; security is told",
                       int(outage.seconds))
    return outage


def record_clean_stop(services: Services) -> None:
    """Remember that this stop was deliberate, so a quick restart raises no alarm."""
    now = services.clock()
    try:
        with services.store.transaction() as db:
            service.mark(db, service.LAST_ALIVE, now)
            service.mark(db, service.CLEAN_STOP, now)
    except Exception:
        logger.warning("could not record the clean stop; the next start may report an outage")


class AliveMarker:
    """Stores "still alive" after sweeps, at most every few seconds so idle sweeps stay cheap."""

    def __init__(self, services: Services):
        self.services = services
        threshold = services.settings.downtime_alert_after
        self.every = min(max(threshold / 4, MIN_MARK_EVERY), MAX_MARK_EVERY).total_seconds()
        self._last = float("-inf")
        self._lock = threading.Lock()

    def note_alive(self) -> None:
        """Record that the bot is running, unless it did so moments ago; never raises."""
        now = self.services.clock()
        with self._lock:
            if now - self._last < self.every:
                return
            try:
                with self.services.store.transaction() as db:
                    service.mark(db, service.LAST_ALIVE, now)
            except Exception:
                logger.warning("could not record that the bot is alive")
                return
            self._last = now
