"""The sweep: one thread that wakes at the next due time of anything pending.

The schedule itself lives in SQLite (follow-ups, outbox rows); in memory there are only the
channel holds (Retry-After, backoff). After each pass the sweep works out when the next thing
falls due — a follow-up, a held channel, a row's backoff, a stuck-post check — and sleeps
exactly until then (or ``sweep_every``, whichever is sooner). ``wake()`` cuts the sleep short
and is never lost: a wake-up during a pass makes the next pass start at once. APScheduler
runs only the user-group refresh, which needs no precision.

Beside it, a second thread (the urgent lane) sends only danger alerts' rows, so an alert never
waits behind a slow Home refresh or digest already in flight (issue 15: alerts go first).
"""

from __future__ import annotations

import logging
import threading
import time

from apscheduler.schedulers.background import BackgroundScheduler

from care_bot.flows import digest, followups, lookout, orders, retention, role_groups
from care_bot.outbox import delivery
from care_bot.runtime import watchdog
from care_bot.runtime.heartbeat import Heartbeat
from care_bot.runtime.uptime import AliveMarker
from care_bot.services import Services
from care_bot.storage import digests, outbox
from care_bot.storage import followups as followup_rows
from care_bot.storage import lookout as lookout_rows

logger = logging.getLogger(__name__)
ROLES_JOB_ID = "care-roles"
ROLE_REFRESH_SECONDS = 120  # well inside the role cache's five minutes
UNSETTLED_RETRY_SECONDS = 1.0  # how soon an unsaved send outcome is written again


def refresh_roles(services: Services) -> None:
    """Re-read Slack user groups in the background, so a click never waits for them."""
    try:
        services.roles.refresh()
    except Exception:
        logger.exception("role refresh failed; the cached members stay in use")


def sweep(services: Services, alive: AliveMarker | None = None) -> bool:
    """One pass: turn due follow-ups into posts, then deliver the outbox; True when it ran clean."""
    try:
        watchdog.watch_storage(services)
    except Exception:  # the alert is best effort; the sweep itself must go on
        logger.exception("storage watch failed")
    clean = True
    try:
        role_groups.alert_new_failures(services)  # once per unreadable user group
        followups.send_due(services)
        with services.store.reading() as db:
            reminder_at = followup_rows.next_due_any(db, services.clock())
        lookout_due(services)
        delivery.deliver_due(services, until=reminder_at)
        if lookout.feed(services):  # more of a notice's fan-out: come straight back
            services.delivery.backlog = True
        delivery.report_stuck(services)
        digest.send_due(services)  # issue 11: the weekly digest, when one is due
    except Exception:
        logger.exception("sweep failed; it will run again")
        clean = False
    if alive is not None:
        try:
            alive.note_alive()  # the bot is running, even if this pass hit an error
        except Exception:
            logger.warning("could not record that the bot is alive")
    return clean


def lookout_due(services: Services) -> None:
    """Issue 20: notices' expiry and "not seen" checks, orders' reminders, the fan-out."""
    try:
        lookout.close_due(services)
        lookout.check_seen(services)
        orders.remind_due(services)
        lookout.feed(services)
    except Exception:
        logger.exception("notices and orders could not be handled; tried again next sweep")


def next_due(services: Services) -> float | None:
    """The earliest future moment anything pending falls due (wall-clock seconds)."""
    now = services.clock()
    state = services.delivery
    if state.backlog:
        return now
    release = state.next_release(now)
    if release is not None and release <= now:
        return now  # a hold ended during the last pass: its channel's posts go now
    candidates = [release]
    if state.unsettled_count():
        candidates.append(now + UNSETTLED_RETRY_SECONDS)
    try:
        with services.store.reading() as db:
            candidates.append(followup_rows.next_due_any(db, now))
            candidates.append(outbox.next_not_before(db, now))
            candidates.append(digests.next_due(db))  # issue 11: the weekly digest
            candidates.append(lookout_rows.next_due(db, now))  # issue 20: notices, orders
            oldest = outbox.oldest_unsettled(db)
    except Exception:
        logger.warning("could not read the next due time; sweeping on the tick")
        oldest = None
    if oldest is not None:
        candidates.append(oldest + services.settings.stuck_alert_after.total_seconds())
    future = [c for c in candidates if c is not None and c > now]
    return min(future) if future else None


class Sweeper:
    """Owns the sweep thread and lets flows ask for an immediate sweep."""

    def __init__(self, services: Services):
        self.services = services
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._wakeup = threading.Condition()
        self._woken = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._urgent = _UrgentLane(services, self._stop)
        self.started_at = time.monotonic()
        self.last_completed: float | None = None
        self.heartbeat = Heartbeat(services.settings.heartbeat_url)
        self.alive = AliveMarker(services)
        self.retention = retention.RetentionTimer()

    def start(self) -> None:
        """Start the sweep thread (its first pass runs at once) and the role refresh."""
        self.started_at = time.monotonic()
        try:
            digest.ensure_scheduled(self.services)  # issue 11: match the [digest] setting
        except Exception:
            logger.exception("could not schedule the weekly digest; the bot runs without it")
        self._thread = threading.Thread(target=self._run, name="care-sweep", daemon=True)
        self._thread.start()
        self._urgent.start()
        self._scheduler.add_job(
            refresh_roles, "interval", args=[self.services], id=ROLES_JOB_ID,
            seconds=ROLE_REFRESH_SECONDS, coalesce=True, max_instances=1, misfire_grace_time=None,
        )
        self._scheduler.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.services.lease.leader:  # another process sweeps (PostgreSQL)
                self.last_completed = time.monotonic()
                self._sleep(None)
                continue
            clean = sweep(self.services, self.alive)
            if self._stop.is_set():
                break
            self.last_completed = time.monotonic()
            if clean:
                self.heartbeat.beat()
                self.retention.run_if_due(self.services)
            self._sleep(next_due(self.services))

    def _sleep(self, due: float | None) -> None:
        tick = max(self.services.settings.sweep_every.total_seconds(), 0.2)
        delay = tick if due is None else min(tick, max(due - self.services.clock(), 0.0))
        with self._wakeup:
            if not self._woken and not self._stop.is_set():
                self._wakeup.wait(delay + 0.001)  # a hair late, so the row is surely due
            self._woken = False

    def wake(self) -> None:
        """Run the sweep as soon as possible, such as right after a report is saved."""
        self._urgent.wake()
        with self._wakeup:
            self._woken = True
            self._wakeup.notify_all()

    @property
    def standby(self) -> bool:
        """True while another process holds the sweep lease and this one waits to take over."""
        return not self.services.lease.leader

    @property
    def running(self) -> bool:
        """True while the sweep thread runs."""
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def stop(self, timeout: float = 7.0) -> bool:
        """Stop after the post in flight; True when the sweep ended within ``timeout``."""
        self._stop.set()
        self.services.delivery.stopping.set()
        self.wake()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._thread is None:
            return True
        self._thread.join(timeout)
        self._urgent.join(1.0)
        return not self._thread.is_alive()


class _UrgentLane:
    """A thread that sends danger alerts' rows the moment they are queued."""

    TICK = 1.0  # also looks on its own, for a retry whose backoff ended

    def __init__(self, services: Services, stop: threading.Event):
        self.services = services
        self._stop = stop
        self._event = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the lane's thread."""
        self._thread = threading.Thread(target=self._run, name="care-urgent", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for urgent rows now."""
        self._event.set()

    def join(self, timeout: float) -> None:
        """Wait for the lane to stop (after ``stop`` was set)."""
        self._event.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._event.wait(self.TICK)
            self._event.clear()
            if self._stop.is_set():
                break
            if not self.services.lease.leader:  # the leader's lane sends (PostgreSQL)
                continue
            try:
                delivery.deliver_urgent(self.services)
            except Exception:
                logger.exception("urgent delivery failed; the sweep sends these rows too")
