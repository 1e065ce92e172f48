"""Outbox rows rendered when they are sent, from the state at that moment.

A parent message shows the incident's checklist as it is now; a Home tab shows the latest
state; the associate's confirmation DM says honestly whether the channel alerts have gone out
yet. ``delivery_hooks()`` hands these, and what a danger alert's delivery changes, to the outbox.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from care_bot.domain import visibility
from care_bot.domain.checklist import task_states
from care_bot.domain.masking import for_audience
from care_bot.domain.models import Incident, OutboxItem
from care_bot.flows import alert_hooks, alert_status, lookout, people, urgent, worklist
from care_bot.flows import home as home_flow
from care_bot.outbox import posting
from care_bot.outbox.hooks import DeliveryHooks
from care_bot.outbox.posting import CONCERNED, RENDER_ALERT_DM
from care_bot.services import Services
from care_bot.storage import followups, incidents, outbox
from care_bot.views import alert_status as alert_status_views
from care_bot.views import alerts, home, messages

RENDER_HOME = "home"
RENDER_CONFIRMATION = "confirmation_dm"


def render(db: sqlite_utils.Database, services: Services, item: OutboxItem,
           incident: Incident | None) -> dict[str, Any]:
    """Return the plan entries ("view", "home_for" or "message") for a rendered outbox row."""
    if item.render == posting.RENDER_PARENT:
        return {"message": parent(db, services, item, incident)}
    if item.render == RENDER_HOME and item.channel.startswith(CONCERNED):
        # Only who; each view is built at send time, outside the write transaction. The
        # reporter is left out: their own Home row is queued beside this one.
        if incident is None:
            return {"home_for": []}
        people = visibility.concerned(incident, services.roles.snapshot(),
                                      services.settings.branches)
        return {"home_for": sorted(people - {incident.reporter})}
    if item.render == RENDER_HOME:
        return {"view": home_flow.home_view(db, services, item.channel)}
    if item.render == lookout.RENDER_NOTICE:  # issue 20: a notice's post in security
        return {"message": lookout.render(db, services, item.thread_of or item.key)}
    if item.render == RENDER_CONFIRMATION and incident is not None:
        delivered = home.delivery_state(outbox.parent_states(db, incident.id)) == "delivered"
        return {"message": messages.reporter_confirmation(
            incident, services.settings, delivered=delivered)}
    if item.render == RENDER_ALERT_DM and incident is not None:
        status = alert_status.status_of(db, services, incident, services.clock())
        settings = services.settings
        text = alert_status_views.status_text(status, settings.branches, incident.branch,
                                              settings.security_phone)
        return {"message": alert_status_views.status_dm(incident.ref, text)}
    return {"message": {k: v for k, v in item.payload.items() if k != "unless"}}


def parent(db: sqlite_utils.Database, services: Services, item: OutboxItem,
           incident: Incident) -> dict[str, Any]:
    """An incident's parent message in one channel, from its state now."""
    states = task_states(incidents.list_events(db, incident.id))
    next_due = followups.next_due(db, incident.id) if incident.status != "closed" else None
    audience = posting.audience_of(item.thread_of or item.key)
    settings = services.settings
    why = urgent.reasons(db, incident, services.clock())
    message = messages.parent_message(  # supervisors: free text and notes masked
        *for_audience(incident, states, audience), next_due, settings.branches, audience,
        _parent_mentions(services, incident, audience, bool(why)),
        hr_destination=bool(settings.hr_channel or services.roles.snapshot().get("hr")),
        urgent=why,
    )
    if audience == "security":  # issue 20: "Active trespass order (…)" comes first
        message = people.with_order_banners(db, services, incident, message)
    return message


def _parent_mentions(services: Services, incident, audience: str, urgent_now: bool) -> list:
    """Who a parent message pings: a danger alert's people; for an urgent report, the
    `security` role in the security channel."""
    settings = services.settings
    if incident.danger:
        return alerts.alert_mentions(audience, incident, settings.roles, settings.branches,
                                     settings.alert_broadcast)
    if urgent_now and audience == "security":
        return alerts.role_mentions(settings.roles.get("security", ()))
    return []


def publish_homes(services: Services, user_ids: list[str]) -> None:
    """Build and publish each user's Home; one read of the open incidents serves them all."""
    with worklist.one_read():
        for user_id in user_ids:
            with services.store.reading() as db:
                view = home_flow.home_view(db, services, user_id)
            services.slack.publish_home(user_id, view)


def delivery_hooks() -> DeliveryHooks:
    """The flows' part of delivery, handed to the outbox through ``Services.hooks``."""
    return DeliveryHooks(
        render=render, publish_homes=publish_homes, update_screen=alert_status.update_screen,
        sent=alert_hooks.sent, retrying=alert_hooks.retrying, failed=alert_hooks.refused,
    )
