"""Queue Slack posts for an incident inside the caller's transaction."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from care_bot.config import Settings
from care_bot.domain.models import Incident
from care_bot.storage import alerts, incidents, outbox

CHANNEL_KINDS = ("supervisors", "security")
CONCERNED = "concerned:"  # a Home row for everyone an incident concerns, not one user
RENDER_PARENT = "parent"
RENDER_ALERT_DM = "alert_dm"  # the associate's DM that shows their danger alert's state
SCREEN_LIFETIME = 3600.0  # an alert screen older than this is no longer updated
URGENT = outbox.URGENT


def channel_id(settings: Settings, kind: str) -> str:
    """Return the configured channel id for "supervisors" or "security"."""
    return settings.supervisors_channel if kind == "supervisors" else settings.security_channel


def parent_key(incident_id: int, kind: str) -> str:
    """Outbox key of an incident's parent message in one channel."""
    return f"incident:{incident_id}:{kind}:parent"


def audience_of(key: str) -> str:
    """The channel kind ("supervisors" or "security") of a parent key, or ""."""
    parts = key.split(":")
    return parts[2] if len(parts) >= 4 and parts[2] in CHANNEL_KINDS else ""


def queue_parents(db: sqlite_utils.Database, settings: Settings, incident: Incident,
                  now: float) -> bool:
    """Queue the parent message in both channels, rendered from state when sent.

    Returns False when they were queued before (a danger alert), so the caller refreshes them.
    """
    priority = outbox.URGENT if incident.danger else outbox.ESCALATION
    kinds = CHANNEL_KINDS[::-1] if incident.danger else CHANNEL_KINDS  # danger: security first
    queued = [
        outbox.enqueue_post(
            db, key=parent_key(incident.id, kind), channel=channel_id(settings, kind),
            incident_id=incident.id, render=RENDER_PARENT, now=now, priority=priority,
        )
        for kind in kinds
    ]
    return all(queued)


def queue_refresh(db: sqlite_utils.Database, incident_id: int, now: float) -> None:
    """Queue a re-render of both parent messages, and of the reporter's Home, from state."""
    for kind in CHANNEL_KINDS:
        outbox.enqueue_refresh(
            db, parent_key=parent_key(incident_id, kind), incident_id=incident_id,
            render=RENDER_PARENT, now=now,
        )
    incident = incidents.get_incident(db, incident_id)
    if incident is not None:  # Home shows the associate's reports: publish it again
        outbox.enqueue_home(db, user_id=incident.reporter, now=now, incident_id=incident_id)
    queue_concerned_homes(db, incident_id, now)
    if incident is not None and incident.danger:
        queue_alert_views(db, incident, now, home=False)


def queue_alert_views(db: sqlite_utils.Database, incident: Incident, now: float,
                      home: bool = True) -> None:
    """Re-render what shows the associate their alert: its screens, its DM, their Home."""
    queue_screens(db, incident.id, now)
    outbox.enqueue_refresh(db, parent_key=status_dm_key(incident), incident_id=incident.id,
                           render=RENDER_ALERT_DM, now=now)
    if home:
        outbox.enqueue_home(db, user_id=incident.reporter, now=now, incident_id=incident.id)


def status_dm_key(incident: Incident) -> str:
    """Outbox key of the associate's DM that shows their alert's state (chat.update)."""
    return f"dm:{incident.reporter}:incident:{incident.id}:alert_status"


def queue_screens(db: sqlite_utils.Database, incident_id: int, now: float) -> None:
    """Queue a views.update of every open screen that shows this danger alert."""
    for view_id, _draft_id in alerts.screens_of(db, incident_id, now - SCREEN_LIFETIME):
        outbox.enqueue_screen(db, view_id=view_id, incident_id=incident_id, now=now)


def queue_concerned_homes(db: sqlite_utils.Database, incident_id: int, now: float) -> None:
    """Queue a re-publish of the Home of everyone the incident concerns (issue 11's roles).

    One row stands for them all; delivery works out who they are when it is sent.
    """
    outbox.enqueue_home(db, user_id=f"{CONCERNED}{incident_id}", now=now,
                        incident_id=incident_id)


def queue_thread_reply(
    db: sqlite_utils.Database,
    settings: Settings,
    incident_id: int,
    kind: str,
    key: str,
    message: dict[str, Any],
    now: float,
    unless: dict[str, Any] | None = None,
    priority: int = outbox.ROUTINE,
) -> None:
    """Queue a reply in the incident's thread in one channel (``URGENT`` for a danger page)."""
    outbox.enqueue_post(
        db, key=f"incident:{incident_id}:{kind}:{key}", channel=channel_id(settings, kind),
        incident_id=incident_id, thread_of=parent_key(incident_id, kind),
        payload=_with_condition(message, unless), now=now, priority=priority,
    )


def reply_in_both_threads(db: sqlite_utils.Database, settings: Settings, incident_id: int,
                          key: str, message: dict[str, Any], now: float,
                          unless: dict[str, Any] | None = None) -> None:
    """Queue the same reply in the incident's thread in each channel (supervisors, security)."""
    for kind in CHANNEL_KINDS:
        queue_thread_reply(db, settings, incident_id, kind, key, message, now, unless)


def queue_dm(
    db: sqlite_utils.Database,
    incident_id: int | None,
    user_id: str,
    key: str,
    message: dict[str, Any],
    now: float,
    unless: dict[str, Any] | None = None,
    priority: int = outbox.ROUTINE,
) -> None:
    """Queue a direct message to a user (``URGENT`` for a danger page)."""
    outbox.enqueue_post(
        db, key=f"dm:{user_id}:{key}", channel=user_id, incident_id=incident_id,
        payload=_with_condition(message, unless), now=now, priority=priority,
    )


def _with_condition(message: dict[str, Any], unless: dict[str, Any] | None) -> dict[str, Any]:
    """Attach a state condition that makes delivery skip the post once it no longer applies."""
    return {**message, "unless": unless} if unless else message


def queue_channel_post(
    db: sqlite_utils.Database,
    incident_id: int | None,
    channel: str,
    key: str,
    message: dict[str, Any],
    now: float,
) -> None:
    """Queue a top-level post in a channel other than the incident's two (such as HR's)."""
    outbox.enqueue_post(db, key=f"channel:{channel}:{key}", channel=channel,
                        incident_id=incident_id, payload=message, now=now)
