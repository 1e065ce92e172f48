"""The weekly digest: scheduled as rows, sent by the sweep with a 12-week chart.

The next digest is scheduled in the same transaction that records this one as sent, so a
digest due while the bot was down goes out once after the restart.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from care_bot.domain import metrics, weekly
from care_bot.services import Services
from care_bot.slack_api import classify
from care_bot.storage import digests, reports
from care_bot.views import chart
from care_bot.views.figures import digest_text

logger = logging.getLogger(__name__)
WEEK = 7 * 86400.0


def ensure_scheduled(services: Services) -> None:
    """Make the schedule rows match the setting: one pending digest, or none when off."""
    settings = services.settings
    spec = weekly.spec(settings.digest_weekly)
    now = services.clock()
    with services.store.transaction() as db:
        digests.release_in_flight(db)
        digests.cancel_other(db, spec, now)
        if settings.digest_weekly is not None and not digests.pending(db):
            digests.schedule(db, weekly.next_after(settings.digest_weekly, now), spec, now)


def figures(services: Services, since: float, until: float):
    """The metrics of [since, until) and the 12 weeks up to ``until``, from the events."""
    zone = services.settings.bank_timezone
    first_week = metrics.week_start(until, zone) - 12 * WEEK
    with services.store.reading() as db:
        chosen = reports.incidents_since(db, min(since, first_week), until)
        events = reports.events_of(db, [incident.id for incident in chosen])
    facts = [metrics.facts_of(incident, events[incident.id]) for incident in chosen]
    return metrics.compute(facts, since, until), metrics.weekly(facts, until, zone)


def send_due(services: Services) -> int:
    """Send the digest if one is due; return 1 when one was sent."""
    now = services.clock()
    with services.store.reading() as db:
        item = digests.due(db, now)
    if item is None:
        return 0
    with services.store.transaction() as db:
        if not digests.claim(db, item.id):
            return 0
    try:
        _send(services, item.due_at)
    except Exception as error:  # classified: retried later, or recorded as failed
        failure = classify(error, item.attempts + 1)
        with services.store.transaction() as db:
            if failure.permanent:
                logger.error("weekly digest failed permanently: %s", failure.reason)
                digests.finish(db, item.id, "failed", now, failure.reason)
                _schedule_next(services, db, now)
            else:
                logger.warning("weekly digest delayed %.0fs: %s", failure.delay, failure.reason)
                digests.retry(db, item.id, now + failure.delay, failure.reason)
        return 0
    with services.store.transaction() as db:
        digests.finish(db, item.id, "sent", services.clock())
        _schedule_next(services, db, now)
    logger.info("weekly digest sent")
    return 1


def _schedule_next(services: Services, db, now: float) -> None:
    setting = services.settings.digest_weekly
    if setting is not None:
        digests.schedule(db, weekly.next_after(setting, now), weekly.spec(setting), now)


def _send(services: Services, due_at: float) -> None:
    settings = services.settings
    until = max(due_at, 0.0)
    figures_now, weeks = figures(services, until - WEEK, until)
    zone = ZoneInfo(settings.bank_timezone)
    period = (f"{datetime.fromtimestamp(until - WEEK, zone):%a %d %b} to "
              f"{datetime.fromtimestamp(until, zone):%a %d %b %Y}")
    text = digest_text(figures_now, settings.branches, period)
    image = chart.render_chart(weeks, settings.bank_timezone)
    name = f"care-digest-{datetime.fromtimestamp(until, zone):%Y-%m-%d}.png"
    services.slack.upload_file(settings.security_channel, name, image, title="CARE: last 12 weeks",
                               comment=text, alt_text=chart.alt_text(weeks))

