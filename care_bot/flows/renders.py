"""Outbox rows rendered when they are sent, from the state at that moment.

A Home tab shows the latest state; the associate's confirmation DM says honestly whether the
channel alerts have gone out yet.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from care_bot.domain import visibility
from care_bot.domain.models import Incident, OutboxItem
from care_bot.flows import alert_status, lookout
from care_bot.flows import home as home_flow
from care_bot.flows.posting import CONCERNED, RENDER_ALERT_DM
from care_bot.flows.services import Services
from care_bot.storage import outbox
from care_bot.views import alert_status as alert_status_views
from care_bot.views import home, messages

RENDER_HOME = "home"
RENDER_CONFIRMATION = "confirmation_dm"


def render(db: sqlite_utils.Database, services: Services, item: OutboxItem,
           incident: Incident | None) -> dict[str, Any]:
    """Return the plan entries ("view" or "message") for a rendered outbox row."""
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
