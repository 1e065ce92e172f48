"""What delivering a danger alert's posts changes, called by the outbox in its writes.

Slack accepting the security post is the alert's "delivered" state: an audit event with the
post's ts, and the associate's screens, DM and Home re-rendered. A first failure shows "Not
delivered yet" at once. A security channel that refuses the alert gets it to each member by DM.
"""

from __future__ import annotations

from care_bot.domain.models import OutboxItem
from care_bot.flows import paging
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import incidents, outbox


def security_page(item: OutboxItem) -> bool:
    """True for a danger alert's post in the security channel (its first page)."""
    return (item.kind == "post" and item.render == posting.RENDER_PARENT
            and item.priority == outbox.URGENT and bool(item.incident_id)
            and posting.audience_of(item.key) == "security")


def sent(db, item: OutboxItem, ts: str | None, now: float) -> None:
    """Any row was sent: a danger alert's security post is the alert delivered."""
    if security_page(item):
        delivered(db, item, ts, now)


def retrying(db, item: OutboxItem, now: float) -> None:
    """A row's first send failed: a danger alert's security post shows "Not delivered yet"."""
    if security_page(item):
        show_state(db, item.incident_id, now)


def delivered(db, item: OutboxItem, ts: str | None, now: float) -> None:
    """Slack accepted the alert's security post: record it, and show the associate."""
    incidents.append_event(db, item.incident_id, actor="care-bot", action="alert_delivered",
                           surface="outbox", now=now, detail={"ts": ts})
    show_state(db, item.incident_id, now)


def show_state(db, incident_id: int, now: float) -> None:
    """Re-render the associate's views of their alert."""
    incident = incidents.get_incident(db, incident_id)
    if incident is not None:
        posting.queue_alert_views(db, incident, now)


def refused(db, services: Services, item: OutboxItem, now: float) -> None:
    """A danger alert the security channel refused goes to each security member by DM."""
    if item.kind != "post" or item.render != posting.RENDER_PARENT or not item.incident_id \
            or posting.audience_of(item.key) != "security":
        return
    incident = incidents.get_incident(db, item.incident_id)
    if incident is not None and incident.danger:
        paging.security_by_dm(db, services, incident, now)
        posting.queue_refresh(db, incident.id, now)
