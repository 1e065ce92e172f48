"""Outbox rows rendered when they are sent, from the state at that moment.

A Home tab shows the latest state; the associate's confirmation DM says honestly whether the
channel alerts have gone out yet.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from care_bot.flows import home as home_flow
from care_bot.flows import lookout, role_home
from care_bot.flows.posting import CONCERNED
from care_bot.flows.services import Services
from care_bot.models import Incident, OutboxItem
from care_bot.storage import outbox
from care_bot.views import home, messages

RENDER_HOME = "home"
RENDER_CONFIRMATION = "confirmation_dm"


def render(db: sqlite_utils.Database, services: Services, item: OutboxItem,
           incident: Incident | None) -> dict[str, Any]:
    """Return the plan entries ("view" or "message") for a rendered outbox row."""
    if item.render == RENDER_HOME and item.channel.startswith(CONCERNED):
        # Only who; each view is built at send time, outside the write transaction.
        users = role_home.concerned(services, incident) if incident is not None else []
        return {"home_for": users}
    if item.render == RENDER_HOME:
        return {"view": home_flow.home_view(db, services, item.channel)}
    if item.render == lookout.RENDER_NOTICE:  # issue 20: a notice's post in security
        return {"message": lookout.render(db, services, item.thread_of or item.key)}
    if item.render == RENDER_CONFIRMATION and incident is not None:
        delivered = home.delivery_state(outbox.parent_states(db, incident.id)) == "delivered"
        return {"message": messages.reporter_confirmation(
            incident, services.settings, delivered=delivered)}
    return {"message": {k: v for k, v in item.payload.items() if k != "unless"}}
