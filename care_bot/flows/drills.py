"""Drills (issue 21): `/threat drill` runs the real danger path in drill mode.

A drill is a draft and an incident flagged ``drill``: the same screens and the same paging of
the real responders, every surface marked DRILL (``views.drill``; posts and DMs are marked in
one place, delivery), no broadcast, and none of it in metrics, the digest, exports, HR or the
Market President's DMs. The associate's real draft is never touched, so the real danger button
and ``/threat`` keep raising real alerts during a drill. When the drill alert is resolved ("I'm
safe now", or closed), a scorecard goes in its security thread.
"""

from __future__ import annotations

import logging
from datetime import datetime
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from care_bot.domain import care
from care_bot.domain.care import Step
from care_bot.domain.checklist import task_states
from care_bot.domain.metrics import describe_duration
from care_bot.domain.models import Incident
from care_bot.flows.drafting import initial_answers
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import drafts, incidents, outbox, reports
from care_bot.views import drill as views
from care_bot.views import report_modal
from care_bot.views.text import mrkdwn, plain

logger = logging.getLogger(__name__)

RUN_DRILL = care.Permission((), (care.ROLE_SUPERVISORS, care.ROLE_SECURITY))
REFUSAL = ("Only the supervisors group or Corporate Security & Risk can run a drill. "
           "If anyone is in danger, use `/threat` or the danger button on Home: those are real.")
CHAIN_STEPS = (
    ("Security took it", "claimed"),
    ("Acknowledged", "acknowledged"),
    ("911 answer given", "police_call"),
    ("Reported to HR and CS&R", "reported_security"),
    ("Safety plan", "safety_plan"),
    ("Associate safe", "reported_safe"),
)


def may_run(services: Services, user_id: str) -> bool:
    """Members of the ``supervisors`` or ``security`` role may run a drill."""
    roles = services.roles.snapshot()
    return any(user_id in roles.get(role, ()) for role in RUN_DRILL.roles)


def start(services: Services, user_id: str) -> tuple[dict[str, Any] | None, str | None]:
    """The drill's first screen (the report's own safety step, marked DRILL), or a refusal.

    The drill gets its own draft, so the person's real unfinished report stays theirs.
    """
    if not may_run(services, user_id):
        return None, REFUSAL
    now = services.clock()
    with services.store.transaction() as db:
        draft = drafts.open_draft(db, user_id, drill=True)
        if draft is None or draft.incident_id:
            draft = drafts.create_draft(db, user_id, now,
                                        {**initial_answers(services, user_id), "drill": True},
                                        hint=services.store.open_drafts, drill=True)
    logger.info("drill started")
    view = report_modal.step_view(Step.SAFETY, draft.answers, draft.id,
                                  services.settings.branches)
    return views.mark_view(view), None


def on_resolved(db: sqlite_utils.Database, services: Services, incident: Incident,
                now: float) -> None:
    """Post the scorecard in the drill's security thread, once, when it is resolved."""
    if not incident.drill or not incident.danger:
        return
    card = scorecard(db, incidents.get_incident(db, incident.id) or incident)
    posting.queue_thread_reply(db, services.settings, incident.id, "security", "scorecard",
                               views.scorecard_message(card), now)


def scorecard(db: sqlite_utils.Database, incident: Incident) -> views.Scorecard:
    """Measure a drill from its events and the delivery of its security alert."""
    events = incidents.list_events(db, incident.id)
    done = set(task_states(events)) | {e.action for e in events}
    taken_at, taken_by = taken(incident)
    return views.Scorecard(
        ref=incident.ref,
        alerted_at=incident.created_at,
        first_page_at=outbox.sent_at(db, posting.parent_key(incident.id, "security")),
        taken_at=taken_at, taken_by=taken_by, safe_at=incident.safe_at,
        steps=[(label, key in done) for label, key in CHAIN_STEPS],
    )


def taken(incident: Incident) -> tuple[float | None, str | None]:
    """When the alert was first taken ("I'm on it" or Acknowledge), and by whom."""
    marks = [(at, who) for at, who in ((incident.claimed_at, incident.claimed_by),
                                       (incident.acknowledged_at, incident.acknowledged_by))
             if at is not None]
    return min(marks) if marks else (None, None)


def quarter_start(now: float, zone: str) -> float:
    """Midnight on the first day of the calendar quarter holding ``now``, in ``zone``."""
    local = datetime.fromtimestamp(now, ZoneInfo(zone))
    month = 3 * ((local.month - 1) // 3) + 1
    return datetime(local.year, month, 1, tzinfo=ZoneInfo(zone)).timestamp()


def security_section(db: sqlite_utils.Database, services: Services,
                     user_id: str) -> list[dict[str, Any]]:
    """Security's Home: drills this quarter and their median time to take."""
    if user_id not in services.roles.snapshot().get(care.ROLE_SECURITY, ()):
        return []
    since = quarter_start(services.clock(), services.settings.bank_timezone)
    drills = [i for i in reports.drills_since(db, since) if i.danger]
    times = [at - i.created_at for i in drills for at, _who in [taken(i)] if at is not None]
    middle = describe_duration(median(times)) if times else "—"
    return [
        {"type": "header", "text": plain("Drills", 150)},
        {"type": "section", "text": mrkdwn(
            f"*This quarter:* {len(drills)} drill(s) · median time to take: {middle} "
            f"({len(times)} taken). Run one with `/threat drill`.")},
    ]
