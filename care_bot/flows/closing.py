"""Security's early close ends only security's part (issue 17, the guideline's section E).

The account decision belongs to Delivery / local management. When security closes early and
that decision is still owed, the other open tasks end and their reminders stop, but the
decision stays open with its reminders, and the incident closes when it is recorded. With no
decision owed (a non-client, or already decided) the early close closes the incident.
"""

from __future__ import annotations

import sqlite_utils

from care_bot.domain import ladder
from care_bot.domain.care import ACCOUNT_DECISION, TASKS_BY_KEY
from care_bot.domain.checklist import (
    EVENT_SECURITY_CLOSED,
    SECURITY_CLOSED,
    decision_still_owed,
    task_states,
)
from care_bot.domain.masking import mask_for
from care_bot.domain.models import Incident
from care_bot.flows.followups import task_owners
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import followups, incidents
from care_bot.views import closing as views


def decision_owners(services: Services, incident: Incident) -> list[str]:
    """Who owes the account decision: the branch's Market President, else management."""
    return task_owners(services, incident, TASKS_BY_KEY[ACCOUNT_DECISION])


def _states(db: sqlite_utils.Database, incident_id: int):
    return task_states(incidents.list_events(db, incident_id))


def close_early_view(services: Services, incident: Incident) -> dict:
    """The close-early modal, saying truly what the close ends and what stays open."""
    with services.store.reading() as db:
        states = _states(db, incident.id)
    owers = decision_owners(services, incident) if decision_still_owed(incident, states) \
        else None
    return views.close_early_view(incident, owers)


def part_already_closed(services: Services, db: sqlite_utils.Database,
                        incident: Incident) -> str | None:
    """The answer when security's part is already closed (the decision still open), or None."""
    if SECURITY_CLOSED not in _states(db, incident.id):
        return None
    return views.already_closed_part(incident, decision_owners(services, incident))


def settled_by_early_close(services: Services, incident: Incident, states) -> str | None:
    """For ``gate.check``: why a step other than the account decision is no longer taken."""
    if SECURITY_CLOSED not in states:
        return None
    return views.only_decision_left(incident, decision_owners(services, incident))


def end_security_part(db: sqlite_utils.Database, services: Services, incident: Incident,
                      user_id: str, reason: str, now: float) -> bool:
    """Close security's part when the account decision is still owed; True if it did.

    False (nothing written) when no decision is owed: the caller closes the incident.
    """
    if not decision_still_owed(incident, _states(db, incident.id)):
        return False
    event = incidents.append_event(db, incident.id, actor=user_id, action=EVENT_SECURITY_CLOSED,
                                   surface="modal", now=now, detail={"reason": reason})
    # every reminder stops but the decision's and the associate's check-ins
    followups.cancel(db, incident.id, now, keep=(ladder.WELLBEING,),
                     keep_tasks=(ACCOUNT_DECISION,))
    incidents.set_overdue(db, incident.id, False)
    owners = decision_owners(services, incident)
    for kind in posting.CHANNEL_KINDS:  # the reason is masked for the supervisors
        shown = mask_for(incident, reason) if kind == "supervisors" else reason
        message = views.security_part_closed(incident, user_id, shown, owners)
        posting.queue_thread_reply(db, services.settings, incident.id, kind,
                                   f"event:{event.id}", message, now)
    return True


def closed_message(db: sqlite_utils.Database, incident: Incident) -> dict | None:
    """The thread reply for a close by completion after an early close, or None."""
    if SECURITY_CLOSED in _states(db, incident.id):
        return views.closed_after_decision(incident)
    return None
