"""A person's page (``/threat person REF``, or the details modal's button), and manual links.

Only the privacy rule's people may open it (they may see the report's client details);
every opening, link and unlink is an audit event. Linking and unlinking is security's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from care_bot.domain import people as matching
from care_bot.domain import visibility
from care_bot.domain.models import Incident
from care_bot.flows import people as people_flow
from care_bot.flows.lookup import REFERENCE
from care_bot.services import Services
from care_bot.storage import incidents, lookout
from care_bot.storage import people as store
from care_bot.views import lookout as lookout_views
from care_bot.views import people as views
from care_bot.views.lookup import refusal_text
from care_bot.views.text import clean_typed

REASON_LIMIT = 500
NO_PERSON = ("{ref} names nobody (no client name or account number), so it has no person's "
             "page.")


@dataclass(frozen=True)
class Page:
    """A modal to open, or a message for the person alone."""

    view: dict[str, Any] | None = None
    message: str | None = None


def is_security(services: Services, user_id: str) -> bool:
    """Members of the ``security`` role."""
    return user_id in services.roles.members("security")


def open_by_ref(services: Services, user_id: str, ref_text: str, surface: str = "command"
                ) -> Page:
    """``/threat person CARE-2026-0007``."""
    ref = ref_text.strip().upper()
    if not REFERENCE.match(ref):
        return Page(message="Type `/threat person CARE-2026-0042` with a report's reference.")
    return _open(services, user_id, surface, lambda db: incidents.find_by_ref(db, ref), ref)


def open_by_id(services: Services, user_id: str, incident_id: int) -> Page:
    """The button on the details modal."""
    return _open(services, user_id, "details",
                 lambda db: incidents.get_incident(db, incident_id), None)


def _open(services: Services, user_id: str, surface: str, find, label: str | None) -> Page:
    roles = services.roles.snapshot()
    now = services.clock()
    with services.store.transaction() as db:
        incident = find(db)
        if incident is None or incident.status == "purged":
            return Page(message=refusal_text(label))
        if not visibility.sees_client_details(user_id, incident, roles,
                                              services.settings.branches):
            incidents.append_event(db, incident.id, actor=user_id, action="refused",
                                   surface=surface, now=now, detail={"attempted": "person"})
            return Page(message=refusal_text(label))
        person = store.person_of(db, incident.id)
        if person is None:
            return Page(message=NO_PERSON.format(ref=incident.ref))
        incidents.append_event(db, incident.id, actor=user_id, action="person_page_viewed",
                               surface=surface, now=now, detail={"person": person})
        page = build_page(db, services, person, incident.ref, is_security(services, user_id))
    return Page(view=views.person_view(page))


def build_page(db: sqlite_utils.Database, services: Services, person: int, ref: str,
               security: bool) -> views.PersonPage:
    """Everything the page shows, read in one go."""
    now = services.clock()
    settings = services.settings
    reports = people_flow.linked_reports(db, person)
    reports.sort(key=lambda i: i.submitted_at or i.created_at)
    live = [i for i in reports if i.status != "purged"]
    names = _distinct(i.answers.get("client_name") for i in reversed(live))
    accounts = _distinct(i.answers.get("accounts") for i in reversed(live))
    trend = matching.trend_line(
        [(i.submitted_at or i.created_at, i.answers.get("threat_kinds") or []) for i in reports],
        now)
    ids = [i.id for i in reports]
    pending = [f"{row['why']} ({_ref(db, row)})" for row in store.pending_suggestions(db, ids)]
    return views.PersonPage(
        person_id=person, opened_from=ref, names=names, accounts=accounts,
        reports=[people_flow.report_line(services, i) for i in reports], trend=trend,
        orders=lookout.orders_of(db, person), notices=lookout.notices_of(db, person),
        suggestions=pending, security=security, branches=dict(settings.branches),
        bank_timezone=settings.bank_timezone,
        today=lookout_views.local_date(now, settings.bank_timezone))


def _ref(db: sqlite_utils.Database, row: dict) -> str:
    refs = [incidents.get_incident(db, row[k]) for k in ("incident_id", "candidate_id")]
    return " and ".join(i.ref for i in refs if i is not None)


def _distinct(values) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if isinstance(value, str) and value.strip():
            seen.setdefault(matching.fold(value.strip()), value.strip())
    return list(seen.values())[:10]


def anchor_of(db: sqlite_utils.Database, person: int) -> Incident | None:
    """The person's newest live report: where their audit events are recorded."""
    live = [i for i in people_flow.linked_reports(db, person) if i.status != "purged"]
    return live[-1] if live else None


def link_form(services: Services, user_id: str, person: int, unlink: bool) -> dict | None:
    """The link or unlink modal, for security only."""
    if not is_security(services, user_id):
        return None
    return views.link_modal(person, unlink)


def change_link(services: Services, user_id: str, person: int, ref_text: str, reason: str,
                unlink: bool) -> dict[str, str] | dict[str, Any]:
    """Link a report to a person, or unlink it; errors keyed by block, or the answer view."""
    block = (views.Block.UNLINK_REF if unlink else views.Block.LINK_REF).value
    reason = " ".join(clean_typed(reason or "").split())[:REASON_LIMIT]
    ref = (ref_text or "").strip().upper()
    if not is_security(services, user_id):
        return {"errors": {block: "Only Corporate Security & Risk can link or unlink reports."}}
    if not reason:
        return {"errors": {views.Block.REASON.value: "Say why, for the record."}}
    now = services.clock()
    with services.store.transaction() as db:
        target = incidents.find_by_ref(db, ref) if REFERENCE.match(ref) else None
        if target is None or target.status == "purged":
            return {"errors": {block: f"No report {ref or 'with that reference'} was found."}}
        current = store.person_of(db, target.id)
        if unlink and current != person:
            return {"errors": {block: f"{target.ref} is not linked to this person."}}
        if not unlink and current == person:
            return {"errors": {block: f"{target.ref} is already linked to this person."}}
        if unlink:
            store.link(db, target.id, store.new_person(db, now), "unlinked", now)
        else:
            _link_into(db, target, person, now)
        action = "person_unlinked" if unlink else "person_linked"
        anchor = anchor_of(db, person)
        for incident in {target.id: target, **({anchor.id: anchor} if anchor else {})}.values():
            incidents.append_event(db, incident.id, actor=user_id, action=action,
                                   surface="person_page", now=now,
                                   detail={"report": target.ref, "reason": reason})
    done = "unlinked from" if unlink else "linked to"
    return {"view": views.answered(f"{target.ref} is now {done} this person. Recorded with "
                                   "your reason.")}


def _link_into(db: sqlite_utils.Database, target: Incident, person: int, now: float) -> None:
    other = store.person_of(db, target.id)
    if other is None:
        store.link(db, target.id, person, "manual", now)
    else:
        store.merge(db, person, other, now)
