"""Trespass, no-contact and barring orders on a person, and their review reminders.

An order covers branches (or all) from a start date to an end or review date. Security is
reminded ``order_review_notice`` before that date, in the order's thread in the security
channel. While an order is in force, a new report about the person says so at the top of its
security post and counts as urgent for the reminder ladder (see ``flows.people``).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from care_bot.flows import lookout as lookout_flow
from care_bot.flows import person_page
from care_bot.services import Services
from care_bot.storage import incidents, lookout, outbox
from care_bot.views import lookout as views
from care_bot.views.forms import read_answers
from care_bot.views.people import answered
from care_bot.views.text import clean_typed

logger = logging.getLogger(__name__)


def order_key(order_id: int) -> str:
    """Outbox key of an order's post in the security channel."""
    return f"order:{order_id}:security"


def order_form(services: Services, user_id: str, person: int) -> dict | None:
    """The "Record an order" modal, for security only."""
    if not person_page.is_security(services, user_id):
        return None
    return views.order_modal(person, services.settings.branches)


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def end_of_day(day: date, timezone: str) -> float:
    """The last moment of a day in the bank's time zone."""
    zone = ZoneInfo(timezone)
    return datetime.combine(day + timedelta(days=1), time(0), zone).timestamp() - 1


def active(db: sqlite_utils.Database, services: Services, person: int | None,
           now: float) -> list[dict]:
    """A person's orders in force now (started, not past their date, not ended)."""
    today = views.local_date(now, services.settings.bank_timezone)
    return [o for o in lookout.active_orders(db, now, person) if o["starts_on"] <= today]


def record(services: Services, user_id: str, person: int, state_values: dict) -> dict:
    """Save an order; {"errors": …} or {"view": …}."""
    answers = read_answers(state_values)
    kind = answers.get("order_kind")
    codes = [c for c in views.chosen_branches(answers)
             if c == views.ALL or c in services.settings.branches]
    starts, ends = _date(answers.get("order_starts")), _date(answers.get("order_ends"))
    errors = {}
    if not person_page.is_security(services, user_id):
        errors["order_kind"] = "Only Corporate Security & Risk can record an order."
    elif kind not in views.ORDER_KINDS:
        errors["order_kind"] = "Choose the kind of order."
    if not codes:
        errors["target_branches"] = "Choose at least one branch, or tick All branches."
    if starts is None:
        errors["order_starts"] = "Choose the start date."
    if ends is None or (starts and ends < starts):
        errors["order_ends"] = "Choose an end or review date on or after the start."
    if errors:
        return {"errors": errors}
    note = clean_typed(answers.get("order_note") or "").strip()[:1000]
    with services.store.transaction() as db:
        order_id = _save(db, services, user_id, person, kind, codes, starts, ends, note)
    services.wake_sweep()
    logger.info("order %s recorded", order_id)
    order = {"kind": kind, "branches": codes, "ends_on": ends.isoformat()}
    return {"view": answered(f"Recorded: {views.order_banner(order, services.settings.branches)}"
                             ". Security is reminded before its date.")}


def _save(db: sqlite_utils.Database, services: Services, user_id: str, person: int, kind: str,
          codes: list[str], starts: date, ends: date, note: str) -> int:
    now = services.clock()
    anchor = person_page.anchor_of(db, person)
    ends_at = end_of_day(ends, services.settings.bank_timezone)
    notice = services.settings.reminders.order_review_notice.total_seconds()
    order_id = lookout.add_order(
        db, person_id=person, incident_id=anchor.id, kind=kind, branches=codes,
        starts_on=starts.isoformat(), ends_on=ends.isoformat(), note=note, created_by=user_id,
        created_at=now, ends_at=ends_at, remind_at=max(ends_at - notice, now))
    incidents.append_event(db, anchor.id, actor=user_id, action="order_recorded",
                           surface="person_page", now=now,
                           detail={"order": order_id, "kind": kind, "branches": codes[:50],
                                   "starts_on": starts.isoformat(), "ends_on": ends.isoformat()})
    order = lookout.orders_of(db, person)[0]
    text = (f":no_entry: Order recorded by <@{user_id}> for the person of {anchor.ref}: "
            f"{views.order_banner(order, services.settings.branches)[7:]}, from "
            f"{starts.isoformat()}.")
    outbox.enqueue_post(db, key=order_key(order_id), channel=services.settings.security_channel,
                        incident_id=anchor.id, payload=views.thread_line(text), now=now)
    _queue_homes(db, services, codes, now)
    return order_id


def _queue_homes(db: sqlite_utils.Database, services: Services, codes: list[str],
                 now: float) -> None:
    branches = services.settings.branches
    chosen = list(branches) if views.ALL in codes else codes
    people = {branches[c].supervisor for c in chosen[:200] if c in branches}
    people |= set(services.roles.members("security"))
    for user in sorted(p for p in people if p):
        outbox.enqueue_home(db, user_id=user, now=now)


def remind_due(services: Services) -> int:
    """Send each due review reminder to security, in the order's thread."""
    return lookout_flow.sweep_due(services, lookout.due_order_reminders,
                                  lookout.mark_order_reminded,
                                  lambda db, order, now: _remind(db, services, order, now))


def _remind(db: sqlite_utils.Database, services: Services, order: dict, now: float) -> None:
    anchor = incidents.get_incident(db, order["incident_id"])
    noun = views.ORDER_NOUNS.get(order["kind"], "order")
    where = views.branch_names(order["branches"], services.settings.branches)
    text = (f"{lookout_flow.security_ping(services)} Review due: the {noun} ({where}) ends or "
            f"is due for review on {order['ends_on']}. Extend it with a new order, or let it "
            f"end: `/threat person {anchor.ref}`.")
    outbox.enqueue_post(db, key=f"{order_key(order['id'])}:review",
                        channel=services.settings.security_channel,
                        incident_id=anchor.id, thread_of=order_key(order["id"]),
                        payload=views.thread_line(text), now=now)
    incidents.append_event(db, anchor.id, actor="care-bot", action="order_review_reminded",
                           surface="scheduler", now=now, detail={"order": order["id"]})
