"""Deliver the outbox to Slack: claim a row, render or load its message, send, record.

429s (honouring Retry-After), 5xx and timeouts put the row back to wait; permanent errors
(a missing channel, a channel the bot is not in) are recorded on the incident and surfaced in
the security channel instead of being retried forever.
"""

from __future__ import annotations

import logging
from typing import Any

from care_bot.checklist import task_states
from care_bot.flows import home as home_flow
from care_bot.flows import posting, renders
from care_bot.flows.services import Services
from care_bot.models import OutboxItem
from care_bot.slack_api import classify
from care_bot.storage import followups, incidents, outbox
from care_bot.views import alerts, messages, notices

logger = logging.getLogger(__name__)


def deliver_due(services: Services, limit: int = 50, rounds: int = 20) -> int:
    """Send every due outbox row, replies as soon as their parents are out; return the count."""
    total = 0
    blocked: set[str] = set()  # threads waiting on a retry, channels under a rate limit
    for _ in range(rounds):
        sent = _deliver_batch(services, limit, blocked)
        total += sent
        if not sent:
            break
    return total


def _deliver_batch(services: Services, limit: int, blocked: set[str]) -> int:
    now = services.clock()
    with services.store.reading() as db:
        due = outbox.due_items(db, now, limit)
    sent = 0
    for item in due:
        lane = item.thread_of or item.key
        if lane in blocked or item.channel in blocked:
            continue  # keep a thread's replies in order; respect a channel's rate limit
        try:
            result = _deliver(services, item)
        except Exception:  # one bad row must not stop the others
            logger.exception("outbox %s could not be delivered; it stays queued", item.key)
            continue
        if result == "sent":
            sent += 1
        elif result == "ratelimited":
            blocked.add(item.channel)
        elif result == "waiting":
            blocked.add(lane)
    return sent


def _deliver(services: Services, item: OutboxItem) -> str:
    with services.store.transaction() as db:
        plan = _plan(db, services, item)
        if plan.get("skip"):
            outbox.mark_skipped(db, item.id, reason=plan["skip"], now=services.clock())
            return "skipped"
        if plan.get("wait"):
            return "waiting"
        if not outbox.claim(db, item.id):
            return "taken"
    try:
        channel, ts = _send(services, item, plan)
    except Exception as error:  # classified below; every failure is recorded
        return _record_failure(services, item, error)
    with services.store.transaction() as db:
        outbox.mark_sent(db, item.id, channel=channel, ts=ts, now=services.clock())
    return "sent"


def _plan(db, services: Services, item: OutboxItem) -> dict[str, Any]:
    """Decide what to send, re-checking the incident's state first."""
    incident = incidents.get_incident(db, item.incident_id) if item.incident_id else None
    unless = item.payload.get("unless") or {}
    if incident is not None and unless:
        if incident.status == "closed":
            return {"skip": "incident closed"}
        if unless.get("acknowledged") and incident.acknowledged_at:
            return {"skip": "already acknowledged"}
        if unless.get("task") and unless["task"] in task_states(
            incidents.list_events(db, incident.id)
        ):
            return {"skip": "task already done"}
    plan: dict[str, Any] = {}
    if item.thread_of:
        parent = outbox.get_item(db, item.thread_of)
        if parent is None or parent.status == "failed":
            return {"skip": "parent message could not be posted"}
        if parent.status != "sent":
            return {"wait": True}
        plan.update(parent_channel=parent.channel, parent_ts=parent.ts)
    if item.render == posting.RENDER_PARENT:
        states = task_states(incidents.list_events(db, incident.id))
        next_due = followups.next_due(db, incident.id) if incident.status != "closed" else None
        audience = posting.audience_of(item.thread_of or item.key)
        settings = services.settings
        mentions = alerts.alert_mentions(audience, incident, settings.roles, settings.branches,
                                         settings.alert_broadcast) if incident.danger else []
        plan["message"] = messages.parent_message(
            incident, states, next_due, settings.branches, audience, mentions,
            hr_destination=bool(settings.hr_channel or services.roles.snapshot().get("hr")),
        )
    elif item.render:
        plan.update(renders.render(db, services, item, incident))
    else:
        plan["message"] = {k: v for k, v in item.payload.items() if k != "unless"}
    return plan


def _send(services: Services, item: OutboxItem, plan: dict[str, Any]) -> tuple[str, str]:
    if item.kind == "home" and "home_for" in plan:  # everyone an incident concerns
        for user_id in plan["home_for"]:
            with services.store.reading() as db:
                view = home_flow.home_view(db, services, user_id)
            services.slack.publish_home(user_id, view)
        return item.channel, ""
    if item.kind == "home":
        services.slack.publish_home(item.channel, plan["view"])
        return item.channel, ""
    message = plan["message"]
    if item.kind == "update":
        services.slack.update(plan["parent_channel"], plan["parent_ts"], message)
        return plan["parent_channel"], plan["parent_ts"]
    channel = item.channel
    if channel.startswith(("U", "W")):
        channel = services.slack.open_dm(channel)
    thread_ts = plan.get("parent_ts")
    marker = item.uid or item.key  # the uid is unique even across databases
    if item.unsure:  # an earlier attempt may have gone through: look before posting again
        found = services.slack.find_post(channel, marker, thread_ts)
        if found:
            logger.info("outbox %s was already posted; not posting again", item.key)
            return channel, found
    return services.slack.post(channel, message, thread_ts=thread_ts, key=marker)


def _record_failure(services: Services, item: OutboxItem, error: Exception) -> str:
    failure = classify(error, item.attempts + 1)
    now = services.clock()
    with services.store.transaction() as db:
        if not failure.permanent:
            logger.warning("outbox %s delayed %.0fs: %s", item.key, failure.delay, failure.reason)
            outbox.mark_retry(db, item.id, not_before=now + failure.delay, error=failure.reason,
                              unsure=failure.maybe_done and item.kind == "post")
            return "ratelimited" if failure.reason == "ratelimited" else "waiting"
        logger.error("outbox %s failed permanently: %s", item.key, failure.reason)
        outbox.mark_failed(db, item.id, error=failure.reason, now=now)
        _surface_failure(db, services, item, failure.reason, now)
    return "failed"


def _surface_failure(db, services: Services, item: OutboxItem, reason: str, now: float) -> None:
    """Record a permanent failure on the incident and tell the security channel."""
    if item.kind == "home":
        return  # a Home tab that could not be published is retried on the next change
    ref = _record_on_incident(db, item, "delivery_failed", reason, now)
    channel = _target_channel(db, item)
    message = notices.delivery_failed(ref, _where(channel), reason)
    _alert_security(db, services, item, channel, f"alert:delivery:{item.id}", message, now)


def report_stuck(services: Services) -> int:
    """Tell security once about every post still waiting after ``stuck_alert_after``."""
    now = services.clock()
    waited = services.settings.stuck_alert_after.total_seconds()
    with services.store.reading() as db:
        stuck = outbox.stuck_items(db, now - waited)
    for item in stuck:
        with services.store.transaction() as db:
            reason = item.error or "not sent yet"
            ref = _record_on_incident(db, item, "delivery_delayed", reason, now)
            channel = _target_channel(db, item)
            message = notices.delivery_stuck(ref, _where(channel), reason, int(waited // 60))
            _alert_security(db, services, item, channel, f"alert:stuck:{item.id}", message, now)
            outbox.mark_reported(db, item.id, now)
    return len(stuck)


def _record_on_incident(db, item: OutboxItem, action: str, reason: str, now: float) -> str:
    """Add an audit event about a delivery problem; return the incident's reference."""
    if not item.incident_id:
        return ""
    incident = incidents.get_incident(db, item.incident_id)
    incidents.append_event(
        db, item.incident_id, actor="care-bot", action=action, surface="outbox", now=now,
        detail={"key": item.key, "error": reason},
    )
    return incident.ref if incident else ""


def _target_channel(db, item: OutboxItem) -> str:
    """The channel an item posts to; updates take their message's channel."""
    if item.kind == "update" and item.thread_of:
        parent = outbox.get_item(db, item.thread_of)
        return parent.channel if parent else ""
    return item.channel


def _where(channel: str) -> str:
    return "a direct message" if channel.startswith(("U", "W", "D")) else f"<#{channel}>"


def _alert_security(db, services: Services, item: OutboxItem, channel: str, key: str,
                    message: dict, now: float) -> None:
    """Queue a warning in the security channel, or DMs to its members if it is the problem."""
    if item.key.startswith("alert:"):
        return  # an alert about a failure failed too; the log and the audit trail keep it
    security = services.settings.security_channel
    if channel != security:
        outbox.enqueue_post(db, key=key, channel=security, incident_id=item.incident_id,
                            payload=message, now=now)
        return
    for member in sorted(services.roles.members("security")):
        outbox.enqueue_post(db, key=f"{key}:{member}", channel=member,
                            incident_id=item.incident_id, payload=message, now=now)
