"""``/threat list`` and ``/threat show REF``: look things up, with every look recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from care_bot.domain import visibility
from care_bot.domain.checklist import task_states
from care_bot.domain.masking import masked_events, masked_incident, masked_states
from care_bot.flows import worklist
from care_bot.services import Services
from care_bot.storage import incidents, people, reports
from care_bot.views import lookup

REFERENCE = re.compile(r"^CARE-\d{4}-\d{4,}$", re.IGNORECASE)
MY_REPORTS = 15


@dataclass(frozen=True)
class Shown:
    """The answer to ``/threat show``: a modal to open, or a message for the person alone."""

    view: dict[str, Any] | None = None
    message: str | None = None


def my_list(services: Services, user_id: str) -> dict[str, Any]:
    """My reports, my own open tasks, and others' overdue tasks I may also complete."""
    roles = services.roles.snapshot()
    now = services.clock()
    with services.store.reading() as db:
        mine = reports.reported_by(db, user_id, MY_REPORTS)
        items = worklist.load_open(db, now)
    tasks = worklist.open_tasks(items, user_id, roles, now, services.settings.branches)
    own, others = worklist.split_own(tasks, user_id, roles, services.settings.branches)
    return lookup.list_message(mine, own, others=others)


def show(services: Services, user_id: str, ref_text: str, surface: str = "command") -> Shown:
    """The details modal for anyone who may see the incident; a plain refusal for others."""
    ref = ref_text.strip().upper()
    if not REFERENCE.match(ref):
        return Shown(message="Type `/threat show CARE-2026-0042` with the incident's reference.")
    return _show(services, user_id, surface, lambda db: incidents.find_by_ref(db, ref), ref)


def show_by_id(services: Services, user_id: str, incident_id: int) -> Shown:
    """The details modal opened from a Home button."""
    return _show(services, user_id, "home", lambda db: incidents.get_incident(db, incident_id),
                 None)


def _show(services: Services, user_id: str, surface: str, find, label: str | None) -> Shown:
    roles = services.roles.snapshot()
    now = services.clock()
    with services.store.transaction() as db:
        incident = find(db)
        if incident is None:
            return Shown(message=lookup.refusal_text(label))
        if not visibility.may_see(user_id, incident, roles, services.settings.branches):
            incidents.append_event(db, incident.id, actor=user_id, action="refused",
                                   surface=surface, now=now, detail={"attempted": "show"})
            return Shown(message=lookup.refusal_text(label))
        incidents.append_event(db, incident.id, actor=user_id, action="viewed_details",
                               surface=surface, now=now)
        events = incidents.list_events(db, incident.id)
        private = visibility.sees_client_details(user_id, incident, roles,
                                                 services.settings.branches)
        person = private and people.person_of(db, incident.id) is not None
    states = task_states(events)
    if not private:  # outside the privacy rule: the typed text is masked
        incident, states, events = (masked_incident(incident), masked_states(states, incident),
                                    masked_events(events, incident))
    return Shown(view=lookup.details_view(incident, states, events,
                                          services.settings.branches, person_button=person))
