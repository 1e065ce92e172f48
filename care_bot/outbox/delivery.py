"""Deliver the outbox to Slack: claim a row, render or load its message, send, record.

429s (honouring Retry-After), 5xx and timeouts put the row back to wait; permanent errors
(a missing channel, a channel the bot is not in) are recorded on the incident and surfaced in
the security channel instead of being retried forever.

Each channel gets its posts oldest first: a 429 holds the channel until its Retry-After, and
a transient failure holds it for the backoff, after which the oldest post is tried first. A
post that may have landed without an answer waits ``unsure_recheck_after`` from its send
before it is looked up in Slack and, only if absent, sent again.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from care_bot.domain.checklist import task_states
from care_bot.domain.models import OutboxItem
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.slack_api import Failure, classify
from care_bot.storage import incidents, outbox
from care_bot.storage.database import StorageUnavailable
from care_bot.views import drill as drill_views
from care_bot.views import notices

logger = logging.getLogger(__name__)


UNSETTLED_WRITE_TRIES = 3  # each waits up to busy_timeout (5 s) behind another writer
REPEATED_FAILURES = 3  # after this many, a failing row stops holding its channel alone


def deliver_urgent(services: Services, limit: int = 20, rounds: int = 20) -> int:
    """Send the danger alerts' rows only (their posts, re-pages, DMs, the associate's screen).

    Runs in its own lane beside the sweep, so an alert waits only for Slack's own pace, never
    behind a Home refresh or a digest that is in flight.
    """
    total = 0
    blocked: set[str] = set()
    for _ in range(rounds):
        if services.delivery.stopping.is_set():
            break
        sent, _full = _deliver_batch(services, limit, blocked, max_priority=outbox.URGENT)
        total += sent
        if not sent:
            break
    return total


def deliver_due(services: Services, limit: int = 50, rounds: int = 20,
                until: float | None = None) -> int:
    """Send every due outbox row, replies as soon as their parents are out; return the count.

    Stops between posts once shutdown began: the post in flight finishes, the rest stay
    queued. Stops too once ``until`` passes (a follow-up fell due), so a busy outbox never
    makes a reminder late. Sets ``services.delivery.backlog`` when it stopped with work left.
    """
    state = services.delivery
    settle_unsettled(services)
    total = 0
    blocked: set[str] = set()  # threads waiting on a retry, channels under a hold
    state.backlog = False
    for _ in range(rounds):
        if state.stopping.is_set():
            break
        sent, full = _deliver_batch(services, limit, blocked, until)
        total += sent
        if until is not None and services.clock() >= until:
            state.backlog = True  # the sweep comes straight back, follow-ups first
            break
        if not sent:
            break
        state.backlog = full
    return total


def _deliver_batch(services: Services, limit: int, blocked: set[str],
                   until: float | None = None,
                   max_priority: int = outbox.ROUTINE) -> tuple[int, bool]:
    state = services.delivery
    now = services.clock()
    with services.store.reading() as db:
        due = outbox.due_items(db, now, limit, max_priority)
    sent = 0
    paused: set[str] = set()  # channels whose new parent's replies must come next
    for item in due:
        if state.stopping.is_set() or (until is not None and services.clock() >= until):
            break
        lane = item.thread_of or item.key
        channel = _channel_key(item)
        # Holds are judged at the batch's start: a hold ending mid-batch must not let a
        # newer post through after its channel's older one was skipped.
        if lane in blocked or channel in blocked or channel in paused \
                or state.held(channel, now):
            continue  # keep a thread's replies in order; keep a channel oldest first
        try:
            result, failure = _deliver(services, item)
        except Exception:  # one bad row must not stop the others
            logger.exception("outbox %s could not be delivered; it stays queued", item.key)
            blocked.add(lane)
            continue
        if result == "sent":
            sent += 1
            # Only a post proves chat.postMessage works (Home tabs use another method).
            state.note_success(channel, services.clock(), proves=item.kind == "post")
            if item.render == posting.RENDER_PARENT and item.kind == "post":
                paused.add(channel)  # its replies are due now: the next round takes them in order
            if item.priority > outbox.URGENT and _alert_waiting(services):
                return sent, True  # a danger alert came in: it goes before the rest
        elif result == "ratelimited":
            state.hold(channel, services.clock() + failure.delay, services.clock())
            blocked.add(channel)
        elif result in ("waiting", "waiting_alone"):
            blocked.add(lane)
            if failure is None or failure.maybe_done:
                continue  # it may have landed; it waits alone and is looked up later
            if result == "waiting_alone":
                state.release(channel)  # Slack works for others: it is this post, not Slack
                continue
            state.hold(channel, services.clock() + failure.delay, services.clock())
            blocked.add(channel)
    return sent, len(due) >= limit


def _alert_waiting(services: Services) -> bool:
    with services.store.reading() as db:
        return outbox.urgent_waiting(db, services.clock())


def _its_own_fault(services: Services, item: OutboxItem) -> bool:
    """True when a row keeps failing while Slack took other posts since its channel was held.

    Then the row waits on its own backoff and stops holding its channel, so one bad message
    never blocks a channel; in an outage nothing succeeds, so the channel stays in order.
    """
    return (item.attempts + 1 >= REPEATED_FAILURES
            and services.delivery.others_succeeded_while_held(_channel_key(item)))


def _channel_key(item: OutboxItem) -> str:
    """The lane that Slack's per-channel limit and FIFO order apply to."""
    if item.kind in ("home", "screen"):
        return f"{item.kind}:{item.channel}"  # views.*, another limit than posts
    return item.channel or f"update:{item.thread_of}"


def _deliver(services: Services, item: OutboxItem) -> tuple[str, Failure | None]:
    state = services.delivery
    # In flight before the claim commits: the other lane (urgent or sweep) must never take a
    # claimed row for one stranded by a crash and release it to be sent twice.
    state.begin(item.id)
    try:
        with services.store.transaction() as db:
            plan = _plan(db, services, item)
            if plan.get("skip"):
                outbox.mark_skipped(db, item.id, reason=plan["skip"], now=services.clock())
                return "skipped", None
            if plan.get("wait"):
                return "waiting", None
            started = services.clock()
            if not outbox.claim(db, item.id, started, sender=services.lease.holder,
                                epoch=services.lease.epoch):
                return "taken", None
        try:
            channel, ts = _send(services, item, plan)
        except Exception as error:  # classified below; every failure is recorded
            failure = classify(error, item.attempts + 1)
            alone = not failure.permanent and _its_own_fault(services, item)
            write, result = _failure_write(services, item, failure, started, alone)
            _settle(services, item, write)
            return result, failure
        now = services.clock()

        def write_sent(db):
            outbox.mark_sent(db, item.id, channel=channel, ts=ts, now=now)
            if item.kind == "post" and item.render == posting.RENDER_PARENT and item.incident_id:
                _home_shows_delivery(db, item.incident_id, now)
            services.hooks.sent(db, item, ts, now)

        _settle(services, item, write_sent)
        return "sent", None
    finally:
        state.end(item.id)


def _settle(services: Services, item: OutboxItem, write: Callable[[Any], None]) -> None:
    """Write what happened to a sent row, retrying; keep it in memory if the disk refuses.

    A write that still fails (disk full, files read-only, locked for long) is kept and
    retried at every sweep, so the row is released without a restart and its thread waits
    only as long as the database does.
    """
    for attempt in range(UNSETTLED_WRITE_TRIES):
        try:
            with services.store.transaction() as db:
                write(db)
            return
        except sqlite3.Error as error:
            logger.warning("outbox %s: saving the outcome failed (%s), try %d",
                           item.key, error, attempt + 1)
            if isinstance(error, StorageUnavailable):
                break
            time.sleep(0.2)
    services.delivery.keep_unsettled(item.id, write, services.clock())
    logger.error("outbox %s: outcome kept in memory until the database takes writes", item.key)


def settle_unsettled(services: Services) -> int:
    """Write outcomes kept in memory; release rows stranded "sending"; return how many."""
    state = services.delivery
    settled = 0
    for item_id, write in state.unsettled_writes():
        try:
            with services.store.transaction() as db:
                write(db)
        except sqlite3.Error:
            return settled  # still failing; the next sweep tries again
        state.drop_unsettled(item_id)
        settled += 1
    with services.store.reading() as db:
        stranded = outbox.in_flight_ids(db) - state.busy_ids()
    if stranded:
        with services.store.transaction() as db:
            released = outbox.release_in_flight(
                db, services.settings.unsure_recheck_after.total_seconds(),
                keep=state.busy_ids())
        logger.warning("%d outbox row(s) stranded while sending were released", released)
    return settled


def _home_shows_delivery(db, incident_id: int, now: float) -> None:
    """Both channel parents are out: the reporter's Home shows "delivered" from now on."""
    states = outbox.parent_states(db, incident_id)
    if set(states.values()) != {"sent"}:
        return
    incident = incidents.get_incident(db, incident_id)
    if incident is not None:
        outbox.enqueue_home(db, user_id=incident.reporter, now=now, incident_id=incident_id)


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
    if item.kind == "screen":
        plan["screen"] = item.channel  # built at send time, outside this transaction
    elif item.render:  # a parent message, a Home, a DM: the flows render it from state
        plan.update(services.hooks.render(db, services, item, incident))
    else:
        plan["message"] = {k: v for k, v in item.payload.items() if k != "unless"}
    if incident is not None and incident.drill and plan.get("message"):
        # Issue 21, one place for every post, DM and update of a drill: DRILL, no broadcast.
        plan["message"] = drill_views.mark_message(plan["message"])
    return plan


def _send(services: Services, item: OutboxItem, plan: dict[str, Any]) -> tuple[str, str]:
    if item.kind == "home" and "home_for" in plan:  # everyone an incident concerns
        services.hooks.publish_homes(services, plan["home_for"])
        return item.channel, ""
    if item.kind == "home":
        services.slack.publish_home(item.channel, plan["view"])
        return item.channel, ""
    if item.kind == "screen":
        services.hooks.update_screen(services, plan["screen"])
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


DANGER_RECHECK_SECONDS = 5.0


def _recheck_after(services: Services, item: OutboxItem) -> float:
    """How long a post that may have landed waits before it is looked up and sent again.

    A danger incident nobody has acknowledged yet waits at most a few seconds: a possible
    duplicate is better than an alert that wakes nobody for a minute.
    """
    wait = services.settings.unsure_recheck_after.total_seconds()
    if item.incident_id:
        with services.store.reading() as db:
            incident = incidents.get_incident(db, item.incident_id)
        if incident is not None and incident.danger and incident.acknowledged_at is None:
            return min(wait, DANGER_RECHECK_SECONDS)
    return wait


def _failure_write(services: Services, item: OutboxItem, failure: Failure,
                   started: float, alone: bool = False) -> tuple[Callable[[Any], None], str]:
    """Build the write that records a failed send, and the lane result for the batch."""
    now = services.clock()
    if not failure.permanent:
        logger.warning("outbox %s delayed %.0fs: %s", item.key, failure.delay, failure.reason)
        unsure = failure.maybe_done and item.kind == "post"
        # The channel's hold paces a failure; the row keeps its own backoff only when it may
        # have landed, for a 429, or when it is the row's own fault (see _its_own_fault).
        own_backoff = unsure or failure.reason == "ratelimited" or alone
        not_before = now + failure.delay if own_backoff else now
        if unsure:  # a late landing must have time to show up before any second attempt
            not_before = max(not_before, started + _recheck_after(services, item))

        def write_retry(db):
            outbox.mark_retry(db, item.id, not_before=not_before, error=failure.reason,
                              unsure=unsure)
            if item.attempts == 0:  # a danger alert shows "Not delivered yet" at once
                services.hooks.retrying(db, item, now)

        if failure.reason == "ratelimited":
            return write_retry, "ratelimited"
        return write_retry, "waiting_alone" if alone else "waiting"
    logger.error("outbox %s failed permanently: %s", item.key, failure.reason)

    def write_failed(db):
        outbox.mark_failed(db, item.id, error=failure.reason, now=now)
        _surface_failure(db, services, item, failure.reason, now)

    return write_failed, "failed"


def _surface_failure(db, services: Services, item: OutboxItem, reason: str, now: float) -> None:
    """Record a permanent failure on the incident and tell the security channel."""
    if item.kind in ("home", "screen"):
        return  # a view that could not be updated is retried on the next change
    ref = _record_on_incident(db, item, "delivery_failed", reason, now)
    services.hooks.failed(db, services, item, now)
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
