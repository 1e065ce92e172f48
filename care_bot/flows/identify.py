""""I don't know" whether they are a client: the ICS identifies the client, if there is one.

If the ICS names a client, the account tasks are created then, their deadlines counted from
that moment. If not, the incident goes on as "not a client" and closes without them.
"""

from __future__ import annotations

import sqlite_utils

from care_bot.domain import care, ladder
from care_bot.domain.care import AFTER_IDENTIFIED, CLIENT, CLIENT_NOT_KNOWN, IDENTIFY, NOT_A_CLIENT
from care_bot.domain.checklist import EVENT_CLIENT_IDENTIFIED, identified
from care_bot.domain.models import Incident
from care_bot.flows import followups as followup_flow
from care_bot.flows import gate
from care_bot.flows import tracking as tracking_flow
from care_bot.flows.gate import Outcome
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import incidents
from care_bot.views import notices, tracking
from care_bot.views.text import clean_typed

NAME_LIMIT = 150
ACCOUNTS_LIMIT = 300


def needs_identifying(incident: Incident, states) -> bool:
    """True while the reporter said "I don't know" and nobody has identified the person."""
    return care.client_answer(incident.answers) == CLIENT_NOT_KNOWN and identified(
        states) is None


def ask_ics(db: sqlite_utils.Database, services: Services, incident: Incident,
            now: float) -> None:
    """DM the branch's ICS (and the one the reporter named) the one task, with its button."""
    if care.client_answer(incident.answers) != CLIENT_NOT_KNOWN:
        return
    branch = services.settings.branches.get(incident.branch or "")
    for ics in care.told(incident, "ics", branch):
        if ics != incident.reporter:
            posting.queue_dm(db, incident.id, ics, f"incident:{incident.id}:identify",
                             notices.identify_request(incident), now,
                             unless={"task": care.IDENTIFY_CLIENT})


def open_identify(services: Services, user_id: str, incident_id: int) -> Outcome:
    """The "Identify the client" modal for the ICS, or a refusal where they clicked."""
    with services.store.transaction() as db:
        checked = _check(db, services, user_id, incident_id)
        if isinstance(checked, Outcome):
            return checked
        incident, now = checked.incident, checked.now
        incidents.append_event(db, incident.id, actor=user_id, action="viewed_private",
                               surface="modal", now=now)
    return Outcome(view=tracking.identify_view(incident))


def _check(db, services: Services, user_id: str, incident_id: int) -> gate.Checked | Outcome:
    """The incident, while it still needs identifying and the clicker may identify it."""
    return gate.check(db, services, user_id, incident_id, IDENTIFY, "identify_client", "modal",
                      closed="{ref} is closed.", settled=_settled)


def _settled(incident: Incident, states) -> str | None:
    """Why there is nothing to identify, or None while it is still needed."""
    if needs_identifying(incident, states):
        return None
    found = identified(states)
    if found:
        return (f"The person on {incident.ref} was already identified: "
                f"{care.CLIENT_STATUS[found].lower()}.")
    return f"{incident.ref} needs no identification: the associate said who the person was."


def _errors(decision: str | None, name: str, accounts: str) -> dict[str, str]:
    errors = {}
    if decision not in (CLIENT, NOT_A_CLIENT):
        errors["client_status"] = "Choose whether they are a client."
    if len(name) > NAME_LIMIT:
        errors["client_name"] = f"Please keep this under {NAME_LIMIT} characters."
    if len(accounts) > ACCOUNTS_LIMIT:
        errors["accounts"] = f"Please keep this under {ACCOUNTS_LIMIT} characters."
    return errors


def identify_client(services: Services, user_id: str, incident_id: int, decision: str | None,
                    name: str = "", accounts: str = "") -> Outcome:
    """Record the ICS's answer; a client gets the account tasks, from now."""
    name, accounts = clean_typed(name or "").strip(), clean_typed(accounts or "").strip()
    if errors := _errors(decision, name, accounts):
        return Outcome(errors=errors)
    with services.store.transaction() as db:
        checked = _check(db, services, user_id, incident_id)
        if isinstance(checked, Outcome):
            return checked
        incident, now = checked.incident, checked.now
        _record(db, services, incident, user_id, decision, name, accounts, now)
    services.wake_sweep()
    return Outcome()


def _record(db, services: Services, incident: Incident, user_id: str, decision: str,
            name: str, accounts: str, now: float) -> None:
    client = decision == CLIENT
    known = {k: v for k, v in (("client_name", name), ("accounts", accounts)) if v and client}
    if known:  # private answers: kept with the incident, never in the event or a channel
        incidents.merge_answers(db, incident.id, known)
    event = incidents.append_event(db, incident.id, actor=user_id,
                                   action=EVENT_CLIENT_IDENTIFIED, surface="modal", now=now,
                                   detail={"decision": decision, "named": bool(known)})
    followup_flow.on_task_done(db, incident.id, care.IDENTIFY_CLIENT, now)
    if client:
        reminders = services.settings.reminders
        for key in AFTER_IDENTIFIED:
            followup_flow.schedule(db, incident.id, ladder.task_deadline(reminders, key, now),
                                   now)
    posting.reply_in_both_threads(db, services.settings, incident.id, f"event:{event.id}",
                                  notices.client_identified(incident, user_id, client), now)
    tracking_flow.close_if_done(db, services, incident, now)
    posting.queue_refresh(db, incident.id, now)
