"""A raised danger alert: "I'm on it", what the associate said about 911, "I'm safe now"."""

from __future__ import annotations

import logging

from care_bot import care
from care_bot.care import CLAIM_ALERT, POLICE_CALL_LABELS, POLICE_CANT_CALL
from care_bot.checklist import EVENT_ACKNOWLEDGED
from care_bot.flows import followups as followup_flow
from care_bot.flows import home as home_flow
from care_bot.flows import posting
from care_bot.flows.services import Services
from care_bot.flows.tracking import Outcome
from care_bot.models import Incident
from care_bot.storage import incidents
from care_bot.views import alerts, notices
from care_bot.views.messages import thread_note
from care_bot.views.text import mention, slack_date

logger = logging.getLogger(__name__)


def _reply_both(db, services: Services, incident: Incident, key: str, message: dict,
                now: float) -> None:
    for kind in posting.CHANNEL_KINDS:
        posting.queue_thread_reply(db, services.settings, incident.id, kind, key, message, now)


def claim(services: Services, user_id: str, incident_id: int, surface: str = "channel") -> Outcome:
    """One security member takes the alert: recorded, shown in place, the ladder stopped.

    The claim also acknowledges the alert when nobody has, exactly as Acknowledge would.
    """
    roles = services.roles.snapshot()
    now = services.clock()
    with services.store.transaction() as db:
        incident = incidents.get_incident(db, incident_id)
        if incident is None or not incident.danger:
            return Outcome(message="That alert no longer exists.")
        if incident.status == "closed":
            return Outcome(message=f"{incident.ref} is already closed.")
        if not care.is_allowed(CLAIM_ALERT, user_id, incident, roles):
            incidents.append_event(db, incident.id, actor=user_id, action="refused",
                                   surface=surface, now=now, detail={"attempted": "claim"})
            return Outcome(message=(f"You can't take {incident.ref}. Only "
                                    f"{CLAIM_ALERT.describe()} can. Nothing was changed."))
        if not incidents.set_claimed(db, incident.id, user_id, now):
            current = incidents.get_incident(db, incident.id)
            return Outcome(message=(f"{incident.ref} is already taken by "
                                    f"{mention(current.claimed_by)} since "
                                    f"{slack_date(current.claimed_at)}."))
        event = incidents.append_event(db, incident.id, actor=user_id, action="claimed",
                                       surface=surface, now=now)
        _reply_both(db, services, incident, f"event:{event.id}", thread_note(
            f":raising_hand: {mention(user_id)} is on it ({incident.ref})."), now)
        if incidents.set_acknowledged(db, incident.id, user_id, now):
            incidents.append_event(db, incident.id, actor=user_id, action=EVENT_ACKNOWLEDGED,
                                   surface=surface, now=now, detail={"by_claim": True})
            followup_flow.on_acknowledge(db, services, incident.id, now)
            posting.queue_dm(db, incident.id, incident.reporter,
                             f"incident:{incident.id}:acked",
                             notices.acknowledged_dm(incident, user_id), now)
        posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()
    logger.info("danger alert %s claimed", incident.ref)
    return Outcome()


def record_police_call(services: Services, user_id: str, incident_id: int,
                       answer: str) -> Incident | None:
    """Record "I have called 911" or "I can't call"; "can't call" pings with @here at once."""
    if answer not in POLICE_CALL_LABELS:
        return None
    now = services.clock()
    settings = services.settings
    with services.store.transaction() as db:
        incident = incidents.get_incident(db, incident_id)
        if incident is None or incident.reporter != user_id:
            return None
        if incidents.set_police_call(db, incident.id, answer):
            event = incidents.append_event(db, incident.id, actor=user_id,
                                           action="police_call", surface="modal", now=now,
                                           detail={"answer": answer})
            incident = incidents.get_incident(db, incident.id)
            for kind in posting.CHANNEL_KINDS:
                if answer == POLICE_CANT_CALL:
                    note = alerts.cant_call_note(incident, settings.branches, alerts.alert_mentions(
                        kind, incident, settings.roles, settings.branches, True))
                else:
                    note = alerts.called_note(incident)
                posting.queue_thread_reply(db, settings, incident.id, kind, f"event:{event.id}",
                                           note, now)
            posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()
    return incident


def report_safe(services: Services, user_id: str, incident_id: int,
                surface: str = "modal") -> Incident | None:
    """Record "I'm safe now" and post "reported safe at HH:MM" in both alert threads.

    Idempotent: a second press (a double click, or Home after the modal) records nothing new.
    """
    now = services.clock()
    with services.store.transaction() as db:
        incident = incidents.get_incident(db, incident_id)
        if incident is None or incident.reporter != user_id:
            return None
        if incidents.set_safe(db, incident.id, now):
            incidents.append_event(db, incident.id, actor=user_id, action="reported_safe",
                                   surface=surface, now=now)
            incident = incidents.get_incident(db, incident.id)
            _reply_both(db, services, incident, "safe",
                        alerts.safe_note(incident, services.settings.branches), now)
            posting.queue_refresh(db, incident.id, now)
            home_flow.queue_home(db, incident.reporter, now, incident.id)
    services.wake_sweep()
    return incident
