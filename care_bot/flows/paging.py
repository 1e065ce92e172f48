"""The paging waves of a danger alert nobody has taken yet, and the loud "pressed again".

At ``danger_ack_reminder`` security is paged again: a reply shown in the channel that mentions
each member (or the group), and a DM to each member, which notifies a phone even when the
channel is muted. At ``danger_ack_escalation``, and every ``danger_ack_repeat`` after it, the
page widens: the RXM by DM, the ``supervisors`` role, and ``@here`` in the security channel.
Every page says how long the associate has waited, and where. Each post is skipped once the
alert is taken (``unless`` acknowledged). Written in the caller's transaction, sent first.
"""

from __future__ import annotations

import sqlite_utils

from care_bot.domain import care
from care_bot.domain.checklist import task_states
from care_bot.domain.masking import masked_incident
from care_bot.domain.models import Incident
from care_bot.flows import alert_status
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import incidents
from care_bot.views import alerts, messages, notices

TAKEN = {"acknowledged": True}  # taking an alert also acknowledges it


def waited(seconds: float) -> str:
    """ "45 s", "2 min": how long the associate has waited."""
    seconds = max(int(seconds), 0)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min"


def security_members(services: Services) -> list[str]:
    """Every member of the ``security`` role, groups expanded."""
    return sorted(services.roles.members(care.ROLE_SECURITY))


def _who_waits(services: Services, incident: Incident, now: float, outside: bool = False) -> str:
    """Who has waited how long, and where ("where" masked for readers outside the rule)."""
    seen = masked_incident(incident) if outside else incident
    where = alerts.alert_where(seen, services.settings.branches)
    return notices.alert_waiting(incident, where, waited(now - incident.created_at))


def remind(db: sqlite_utils.Database, services: Services, incident: Incident, key: str,
           now: float) -> None:
    """The second wave: security's thread (shown in the channel) and each member by DM."""
    settings = services.settings
    waiting = _who_waits(services, incident, now)
    security = alerts.role_mentions(settings.roles.get(care.ROLE_SECURITY, ()))
    posting.queue_thread_reply(db, settings, incident.id, "security", key,
                               notices.danger_page(incident, waiting, security), now, TAKEN,
                               posting.URGENT)
    for member in security_members(services):
        if member != incident.reporter:
            posting.queue_dm(db, incident.id, member, f"{key}:page", notices.danger_page_dm(
                incident, waiting), now, TAKEN, posting.URGENT)
    supervisor = alerts.alert_mentions("supervisors", incident, settings.roles,
                                       settings.branches)
    posting.queue_thread_reply(db, settings, incident.id, "supervisors", key,
                               notices.danger_page(incident, _who_waits(services, incident, now,
                                                                        True), supervisor,
                                                   broadcast=False), now, TAKEN, posting.URGENT)


def widen(db: sqlite_utils.Database, services: Services, incident: Incident, key: str,
          now: float) -> None:
    """The escalation (and each repeat): RXM by DM, the supervisors role, @here in security."""
    settings = services.settings
    branch = settings.branches.get(incident.branch or "")
    waiting = _who_waits(services, incident, now)
    security = [alerts.HERE, *alerts.role_mentions(settings.roles.get(care.ROLE_SECURITY, ()))]
    posting.queue_thread_reply(db, settings, incident.id, "security", key,
                               notices.danger_page(incident, waiting, security), now, TAKEN,
                               posting.URGENT)
    supervisors = alerts.role_mentions(settings.roles.get(care.ROLE_SUPERVISORS, ()))
    supervisor = care.branch_person(branch, "supervisor")
    if supervisor and supervisor != incident.reporter:
        supervisors = [f"<@{supervisor}>", *supervisors]
    outside = _who_waits(services, incident, now, True)  # supervisors and the RXM
    posting.queue_thread_reply(db, settings, incident.id, "supervisors", key,
                               notices.danger_page(incident, outside, supervisors or
                                                   [alerts.HERE]), now, TAKEN, posting.URGENT)
    members = security_members(services)
    people = [*care.told(incident, "rxm", branch), *care.told(incident, "supervisor", branch),
              *members]
    for person in dict.fromkeys(people):
        if person != incident.reporter:
            dm = notices.danger_page_dm(incident, waiting if person in members else outside)
            posting.queue_dm(db, incident.id, person, f"{key}:page", dm, now, TAKEN,
                             posting.URGENT)


def pressed_again(db: sqlite_utils.Database, services: Services, incident: Incident,
                  event_id: int, now: float) -> None:
    """A later press while the alert is open: loud in both threads, the taker DMed."""
    settings = services.settings
    when = alerts.local_time(now, settings.branches, incident.branch)
    taker = incident.claimed_by or incident.acknowledged_by
    for kind in posting.CHANNEL_KINDS:
        ping = ([f"<@{taker}>"] if taker else
                alerts.alert_mentions(kind, incident, settings.roles, settings.branches, True))
        posting.queue_thread_reply(db, settings, incident.id, kind, f"again:{event_id}",
                                   notices.pressed_again(incident, when, ping), now,
                                   priority=posting.URGENT)
    if taker and taker != incident.reporter:
        posting.queue_dm(db, incident.id, taker, f"incident:{incident.id}:again:{event_id}",
                         notices.pressed_again(incident, when, []), now,
                         priority=posting.URGENT)


def security_by_dm(db: sqlite_utils.Database, services: Services, incident: Incident,
                   now: float) -> None:
    """The security channel refused the alert: each ``security`` member gets it by DM now."""
    settings = services.settings
    states = task_states(incidents.list_events(db, incident.id))
    message = messages.parent_message(incident, states, None, settings.branches, "security")
    for member in security_members(services):
        if member != incident.reporter:
            posting.queue_dm(db, incident.id, member, alert_status.security_dm_key(incident.id),
                             message, now, priority=posting.URGENT)
