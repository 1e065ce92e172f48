"""Where a danger alert stands, read from the stored state, and the screens that show it.

Stages: queued ("Sending your alert…"), delivered (Slack accepted the security post, or, when
the channel refused, a DM to a security member), taken (a named person pressed "I'm on it"
or Acknowledge), resolved (the associate reported safe, or the alert was closed). A post
that failed, or is still waiting ``NOT_DELIVERED_AFTER`` seconds after the tap, shows "Not
delivered yet".
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import Any

import sqlite_utils

from care_bot.domain import care
from care_bot.domain.models import Incident
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import alerts as alert_rows
from care_bot.storage import incidents, outbox
from care_bot.views import alert_status, alerts, danger_modal
from care_bot.views.alert_status import AlertStatus

logger = logging.getLogger(__name__)

NOT_DELIVERED_AFTER = 5.0
SECURITY_DM_KEY = "security_alert"  # dm:{member}:incident:{id}:security_alert
_names: dict[str, str] = {}
_names_lock = threading.Lock()
# Held while a screen is rebuilt and sent, and while one is forgotten: once the associate moved
# on to their report, no update already in flight can put the emergency screen back over it.
SCREEN_LOCK = threading.Lock()
NAMES_KEPT = 2000


def security_dm_key(incident_id: int) -> str:
    """The DM key (after ``dm:{member}:``) of the alert sent to a security member directly."""
    return f"incident:{incident_id}:{SECURITY_DM_KEY}"


def person_name(services: Services, user_id: str) -> str:
    """A person's real name from Slack (kept in memory), or their mention when unknown."""
    with _names_lock:
        known = _names.get(user_id)
    if known:
        return known
    name = ""
    try:
        name = services.slack.user_profile(user_id).get("name") or ""
    except Exception:
        logger.warning("could not look up a responder's name", exc_info=True)
    if not name:
        return f"<@{user_id}>"
    with _names_lock:
        if len(_names) >= NAMES_KEPT:
            _names.clear()
        _names[user_id] = name
    return name


def taker_role(services: Services, incident: Incident, user_id: str) -> str:
    """How the associate knows the person who took their alert."""
    branch = services.settings.branches.get(incident.branch or "")
    if user_id in services.roles.members(care.ROLE_SECURITY):
        return alert_status.SECURITY
    if care.branch_person(branch, "supervisor") == user_id:
        return "your supervisor"
    return "supervisor on duty"


def paged(services: Services, incident: Incident) -> tuple[str, ...]:
    """Who the first wave pinged: security, then the supervisor (or the supervisors role)."""
    settings = services.settings
    names: list[str] = []
    for kind in ("security", "supervisors"):
        for entry in alerts.alert_mentions(kind, incident, settings.roles, settings.branches):
            if entry != alerts.HERE and entry not in names:
                names.append(entry)
    supervisor = alerts.branch_supervisor(incident, settings.branches)
    if supervisor and supervisor != incident.reporter:
        names = [f"{n} (your supervisor)" if n == f"<@{supervisor}>" else n for n in names]
    return tuple(names)


def status_of(db: sqlite_utils.Database, services: Services, incident: Incident, now: float,
              name_of: Any = None) -> AlertStatus:
    """The alert's stage now; ``name_of`` turns a user id into a name (default: a mention)."""
    name_of = name_of or (lambda user: f"<@{user}>")
    if incident.safe_at or incident.status == "closed":
        return AlertStatus(alert_status.RESOLVED, safe_at=incident.safe_at,
                           closed=incident.status == "closed")
    delivered_at, by_dm, tried = _delivery(db, incident)
    taker = incident.claimed_by or (incident.acknowledged_by if incident.danger else None)
    if taker:
        taken_at = incident.claimed_at or incident.acknowledged_at
        return AlertStatus(alert_status.TAKEN, delivered_at, by_dm, taker_name=name_of(taker),
                           taker_role=taker_role(services, incident, taker), taken_at=taken_at)
    if delivered_at is not None:
        return AlertStatus(alert_status.DELIVERED, delivered_at, by_dm,
                           paged=paged(services, incident))
    if tried or now - incident.created_at >= NOT_DELIVERED_AFTER:
        return AlertStatus(alert_status.NOT_DELIVERED)
    return AlertStatus(alert_status.SENDING)


def _delivery(db: sqlite_utils.Database, incident: Incident) -> tuple[float | None, bool, bool]:
    """(delivered at, by DM, a send was tried and failed) of the alert to security."""
    row = outbox.delivery_of(db, posting.parent_key(incident.id, "security"))
    if row is not None and row[0] == "sent":
        return row[1], False, True
    by_dm = outbox.first_sent(db, incident.id, f"dm:%:{security_dm_key(incident.id)}")
    if by_dm is not None:
        return by_dm, True, True
    tried = row is not None and (row[0] == "failed" or row[2] > 0)
    return None, False, tried


def record_screen(services: Services, view_id: str | None, incident_id: int, user_id: str,
                  draft_id: str) -> None:
    """Remember an open modal that shows the alert, and bring it up to date at once.

    Never raises: a screen that cannot be remembered simply is not updated in place.
    """
    if not view_id:
        return
    try:
        now = services.clock()
        with services.store.transaction() as db:
            alert_rows.record_screen(db, view_id=view_id, incident_id=incident_id,
                                     user_id=user_id, draft_id=draft_id, now=now)
            outbox.enqueue_screen(db, view_id=view_id, incident_id=incident_id, now=now)
        services.wake_sweep()
    except Exception:
        logger.warning("could not remember the alert's screen", exc_info=True)


def current(services: Services, incident_id: int, with_names: bool = True
            ) -> tuple[Incident, AlertStatus] | None:
    """The incident and its status, read now; names looked up in Slack with ``with_names``
    (call it outside any write transaction, and off the 3-second path)."""
    with services.store.reading() as db:
        incident = incidents.get_incident(db, incident_id)
        if incident is None:
            return None
        status = status_of(db, services, incident, services.clock())
    taker = incident.claimed_by or incident.acknowledged_by
    if with_names and status.stage == alert_status.TAKEN and taker:
        status = replace(status, taker_name=person_name(services, taker))
    return incident, status


def update_screen(services: Services, view_id: str) -> None:
    """Bring one remembered screen up to date (views.update), unless it was forgotten."""
    with SCREEN_LOCK:
        view = screen_view(services, view_id)
        if view is not None:
            services.slack.update_view(view_id, view)


def forget_screen(services: Services, view_id: str | None) -> None:
    """Stop updating a modal: the associate closed it or moved on to their report."""
    if not view_id:
        return
    try:
        with SCREEN_LOCK, services.store.transaction() as db:
            alert_rows.forget_screen(db, view_id)
    except Exception:
        logger.warning("could not forget an alert screen", exc_info=True)


def screen_view(services: Services, view_id: str) -> dict[str, Any] | None:
    """The emergency modal a remembered screen should show now, or None when forgotten."""
    with services.store.reading() as db:
        shown = alert_rows.screen(db, view_id)
    if shown is None:
        return None
    incident_id, _user_id, draft_id = shown
    found = current(services, incident_id)
    if found is None:
        return None
    incident, status = found
    settings = services.settings
    if status.stage == alert_status.RESOLVED and incident.safe_at:
        return danger_modal.safe_view(incident, draft_id,
                                      alerts.safe_phrase(incident, settings.branches))
    supervisor = alerts.branch_supervisor(incident, settings.branches)
    return danger_modal.emergency_view(incident, draft_id, supervisor, settings.security_phone,
                                       status, settings.branches)
