"""APScheduler runs one sweep job; the schedule itself lives in SQLite.

The job coalesces, never overlaps itself, and has no misfire grace limit, so a sweep missed
while the process was busy runs once, late, instead of being dropped.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

from care_bot.flows import delivery, digest, followups
from care_bot.flows.services import Services
from care_bot.flows.uptime import AliveMarker

logger = logging.getLogger(__name__)
SWEEP_JOB_ID = "care-sweep"
ROLES_JOB_ID = "care-roles"
ROLE_REFRESH_SECONDS = 120  # well inside the role cache's five minutes


def refresh_roles(services: Services) -> None:
    """Re-read Slack user groups in the background, so a click never waits for them."""
    try:
        services.roles.refresh()
    except Exception:
        logger.exception("role refresh failed; the cached members stay in use")


def sweep(services: Services, alive: AliveMarker | None = None) -> None:
    """One pass: turn due follow-ups into posts, then deliver the outbox."""
    try:
        followups.send_due(services)
        delivery.deliver_due(services)
        delivery.report_stuck(services)
        digest.send_due(services)  # issue 11: the weekly digest, when one is due
    except Exception:
        logger.exception("sweep failed; it will run again")
    if alive is not None:
        alive.note_alive()  # the bot is running, even if this pass hit an error


class Sweeper:
    """Owns the background scheduler and lets flows ask for an immediate sweep."""

    def __init__(self, services: Services):
        self.services = services
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._started = threading.Event()
        self.alive = AliveMarker(services)

    def start(self) -> None:
        """Start the periodic sweep, running the first one right away."""
        interval = max(self.services.settings.sweep_every.total_seconds(), 0.2)
        try:
            digest.ensure_scheduled(self.services)  # issue 11: match the [digest] setting
        except Exception:
            logger.exception("could not schedule the weekly digest; the bot runs without it")
        self._scheduler.add_job(
            sweep, "interval", args=[self.services, self.alive], id=SWEEP_JOB_ID, seconds=interval,
            coalesce=True, max_instances=1, misfire_grace_time=None,
            next_run_time=datetime.now().astimezone(),
        )
        self._scheduler.add_job(
            refresh_roles, "interval", args=[self.services], id=ROLES_JOB_ID,
            seconds=ROLE_REFRESH_SECONDS, coalesce=True, max_instances=1, misfire_grace_time=None,
        )
        self._scheduler.start()
        self._started.set()

    def wake(self) -> None:
        """Run the sweep as soon as possible, such as right after a report is saved."""
        if not self._started.is_set():
            return
        try:
            self._scheduler.modify_job(SWEEP_JOB_ID, next_run_time=datetime.now().astimezone())
        except Exception:  # the scheduler is shutting down; the next start sweeps anyway
            logger.debug("sweep wake-up ignored")

    @property
    def running(self) -> bool:
        """True while the scheduler is running."""
        return self._scheduler.running

    def stop(self) -> None:
        """Stop the scheduler, letting a running sweep finish."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
