"""The supervisor names the RXM and ICS a report left unknown (issue 17 §4).

An associate missing from the branch directory names only their supervisor. When the Regional
Experience Manager or the Internal Control Specialist is still unknown at submission, the
supervisor gets the task "name them" (a DM with a button, the checklist, reminders). Once named,
the people are stored with the incident as the ones told (``care.told``), the RXM's DMs and
escalations and the ICS's tasks reach them, and the ICS may tick the ICS's checklist tasks
(never the client's details: ``care.is_allowed``).
"""

from __future__ import annotations

import sqlite_utils

from care_bot.domain import care
from care_bot.domain.care import MISSING_POSTS, NAME_PEOPLE, NAMED_POSTS, TASKS_BY_KEY
from care_bot.domain.checklist import EVENT_PEOPLE_NAMED
from care_bot.domain.models import Incident
from care_bot.flows import followups as followup_flow
from care_bot.flows import gate
from care_bot.flows import tracking as tracking_flow
from care_bot.flows.gate import Outcome
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import incidents
from care_bot.views import naming as views
from care_bot.views.forms import slack_user_id

NAME_PERMISSION = TASKS_BY_KEY[NAME_PEOPLE].permission


def stamp_missing(answers: dict) -> dict:
    """The answers to store with which of the RXM and ICS nobody knew (computed, never typed)."""
    missing = [post for post in care.NAMEABLE_POSTS if not answers.get(post)]
    stored = {k: v for k, v in answers.items() if k not in (MISSING_POSTS, NAMED_POSTS)}
    if missing:
        stored[MISSING_POSTS] = missing
    return stored


def ask_supervisor(db: sqlite_utils.Database, services: Services, incident: Incident,
                   now: float) -> None:
    """DM the supervisor the naming task, with its button, when the RXM or ICS is unknown."""
    posts = care.missing_posts(incident)
    if not posts or incident.drill:
        return
    task = TASKS_BY_KEY[NAME_PEOPLE]
    for person in followup_flow.task_owners(services, incident, task):
        if person != incident.reporter:
            posting.queue_dm(db, incident.id, person, f"incident:{incident.id}:name_people",
                             views.request(incident, posts), now, unless={"task": NAME_PEOPLE})


def _check(db, services: Services, user_id: str, incident_id: int) -> gate.Checked | Outcome:
    checked = gate.check(db, services, user_id, incident_id, None, "name_people", "modal",
                         closed="{ref} is closed.", settled=_settled)
    if isinstance(checked, Outcome):
        return checked
    if not care.may_name(user_id, checked.incident, checked.roles, checked.branch):
        return gate.refuse(services, db, checked.incident, user_id, "name_people",
                           NAME_PERMISSION, "modal", checked.now)
    return checked


def _settled(incident: Incident, states) -> str | None:
    if not care.missing_posts(incident):
        return f"{incident.ref} needs nobody named: the report says who they are."
    if NAME_PEOPLE in states:
        return f"The people on {incident.ref} were already named."
    return None


def open_naming(services: Services, user_id: str, incident_id: int) -> Outcome:
    """The naming modal, or why not (already named, not theirs)."""
    with services.store.transaction() as db:
        checked = _check(db, services, user_id, incident_id)
    if isinstance(checked, Outcome):
        return checked
    return Outcome(view=views.naming_view(checked.incident, care.missing_posts(checked.incident)))


def _errors(incident: Incident, chosen: dict[str, str | None]) -> dict[str, str]:
    errors = {}
    for post in care.missing_posts(incident):
        user = slack_user_id(chosen.get(post))
        if user is None:
            errors[post] = "Please pick a person."
        elif user == incident.reporter:
            errors[post] = "Please name someone other than the reporting associate."
    return errors


def name_people(services: Services, user_id: str, incident_id: int,
                chosen: dict[str, str | None]) -> Outcome:
    """Record whom the supervisor named, and tell them and the associate."""
    with services.store.transaction() as db:
        checked = _check(db, services, user_id, incident_id)
        if isinstance(checked, Outcome):
            return checked
        incident, now = checked.incident, checked.now
        if errors := _errors(incident, chosen):
            return Outcome(errors=errors)
        named = {post: chosen[post] for post in care.missing_posts(incident)}
        power = care.is_allowed(NAME_PERMISSION, user_id, incident, checked.roles,
                                checked.branch)  # else told only: the reporter's pick named them
        incidents.merge_answers(db, incident.id, {**named, NAMED_POSTS: named,
                                                  care.NAMED_WITH_POWER: power})
        event = incidents.append_event(db, incident.id, actor=user_id, action=EVENT_PEOPLE_NAMED,
                                       surface="modal", now=now, detail=dict(named))
        followup_flow.on_task_done(db, incident.id, NAME_PEOPLE, now)
        _tell(db, services, incidents.get_incident(db, incident.id), user_id, named,
              event.id, now, power)
        tracking_flow.close_if_done(db, services, incident, now)
        posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()
    return Outcome()


def _tell(db, services: Services, incident: Incident, by: str, named: dict[str, str],
          event_id: int, now: float, power: bool) -> None:
    """The threads, the named people and the associate hear who was named; what was waiting
    for the RXM or the ICS reaches them now."""
    posting.reply_in_both_threads(db, services.settings, incident.id, f"event:{event_id}",
                                  views.named_note(incident, by, named), now)
    for post, person in named.items():
        posting.queue_dm(db, incident.id, person, f"incident:{incident.id}:named:{post}",
                         views.named_dm(incident, by, post, power), now)
    posting.queue_dm(db, incident.id, incident.reporter, f"incident:{incident.id}:named",
                     views.reporter_dm(incident, named), now)
    if "rxm" in named and incident.danger:
        followup_flow.tell_rxm_of_danger(db, services, incident, now)
    # Identifying the client stays with the ICS role and security: it shows client details.
