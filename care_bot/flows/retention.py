"""The retention schedule: what ``purge`` and the sweep remove, and legal holds that stop it.

``[retention]`` gives each record class a lifetime: drafts after their last change,
incidents after they were closed (default: forever), outbox rows after they were sent. An
incident on legal hold, and everything that belongs to it, is never purged. After a purge
the WAL is checkpointed, so with ``secure_delete`` the old content is gone from the files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from care_bot.config import Retention
from care_bot.services import Services
from care_bot.storage import Store, incidents, retention
from care_bot.views import holds
from care_bot.views.text import clean_typed

logger = logging.getLogger(__name__)
BATCH = 500  # rows per class per run, so one sweep never stalls on a large backlog
RUN_EVERY_SECONDS = 3600.0  # how often the sweep applies the schedule
HOLD_REASON_LIMIT = 500


@dataclass
class Plan:
    """What one retention run removes (or would remove, in a dry run)."""

    drafts: list[str] = field(default_factory=list)
    outbox: list[int] = field(default_factory=list)
    incidents: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing has expired."""
        return not (self.drafts or self.outbox or self.incidents)

    def summary(self) -> str:
        """One line with the counts."""
        return (f"{len(self.incidents)} incident(s), {len(self.drafts)} draft(s), "
                f"{len(self.outbox)} outbox row(s)")


def plan(store: Store, rules: Retention, now: float, limit: int = BATCH) -> Plan:
    """List what has expired under ``rules`` at ``now`` (reads only)."""
    found = Plan()
    with store.reading() as db:
        if rules.drafts is not None:
            found.drafts = retention.expired_drafts(db, now - rules.drafts.total_seconds(), limit)
        if rules.incidents is not None:
            found.incidents = retention.expired_incidents(
                db, now - rules.incidents.total_seconds(), limit)
        if rules.outbox is not None:
            found.outbox = retention.expired_outbox(db, now - rules.outbox.total_seconds(), limit)
    return found


def apply(store: Store, rules: Retention, now: float, limit: int = BATCH) -> Plan:
    """Purge what has expired, each incident in its own transaction; then checkpoint the WAL."""
    done = plan(store, rules, now, limit)
    if done.empty:
        return done
    rule = f"closed more than {rules.incidents.days}d ago" if rules.incidents else ""
    for incident_id in done.incidents:
        with store.transaction() as db:
            retention.purge_incident(db, incident_id, now, rule)
    with store.transaction() as db:
        retention.delete_drafts(db, done.drafts)
        retention.delete_outbox(db, done.outbox)
    store.checkpoint()
    logger.info("retention purged %s", done.summary())
    return done


class RetentionTimer:
    """Lets the sweep apply the schedule at most once every ``RUN_EVERY_SECONDS``."""

    def __init__(self) -> None:
        self._last: float | None = None

    def run_if_due(self, services: Services) -> Plan | None:
        """Apply retention when an hour has passed since the last run; never raises."""
        now = services.clock()
        if self._last is not None and now - self._last < RUN_EVERY_SECONDS:
            return None
        self._last = now
        try:
            return apply(services.store, services.settings.retention, now)
        except Exception:
            logger.exception("retention run failed; it is tried again in an hour")
            return None


@dataclass(frozen=True)
class HoldAnswer:
    """What to tell the person who asked for a legal hold change."""

    text: str
    ok: bool


def change_hold(services: Services, user_id: str, ref: str, reason: str, hold: bool) -> HoldAnswer:
    """Set or lift a legal hold: security only, with a reason, recorded as an audit event."""
    if user_id not in services.roles.members("security"):
        return HoldAnswer(holds.NOT_SECURITY, False)
    reason = " ".join(clean_typed(reason).split())[:HOLD_REASON_LIMIT]
    if not ref or not reason:
        return HoldAnswer(holds.usage(hold), False)
    now = services.clock()
    with services.store.transaction() as db:
        incident = incidents.find_by_ref(db, ref.upper())
        if incident is None or incident.status == "purged":
            return HoldAnswer(holds.not_found(ref), False)
        if hold:
            changed = retention.set_hold(db, incident.id, reason, user_id, now)
        else:
            changed = retention.release_hold(db, incident.id)
        if not changed:
            return HoldAnswer(holds.unchanged(incident.ref, hold), False)
        incidents.append_event(
            db, incident.id, actor=user_id, surface="slash_command", now=now,
            action="legal_hold_set" if hold else "legal_hold_released",
            detail={"reason": reason})
    return HoldAnswer(holds.changed(incident.ref, hold), True)
