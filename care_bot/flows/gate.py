"""The checks every action on an incident makes first: load it, is it there and open, may this
person act, and if not, record the refused attempt and say who may.

Each caller gives its own texts for a closed incident (acceptance tests read them), so the
helper changes where the checks live, never what a person is told.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from care_bot.domain import care
from care_bot.domain.care import TASKS_BY_KEY
from care_bot.domain.checklist import TaskDone, task_states
from care_bot.domain.models import Incident
from care_bot.flows import role_groups
from care_bot.services import Services
from care_bot.storage import incidents

GONE = "That incident no longer exists."

ACTION_PHRASES = {
    "acknowledge": "acknowledge",
    "claim": "take",
    "report_to_hr": "report to HR and CS&R",
    "update_checklist": "update the checklist of",
    "decide_account": "record the account decision on",
    "close_incident": "close early",
    "identify_client": "identify the client on",
    "name_people": "name the RXM and ICS on",
}


@dataclass
class Outcome:
    """What to show the clicker: an ephemeral message, a view, or field errors.

    ``refused`` marks a click by someone who may not use the button: they are told where they
    clicked (the modal, or the thread of the message they clicked on).
    """

    message: str | None = None
    view: dict[str, Any] | None = None
    errors: dict[str, str] | None = None
    refused: bool = False


@dataclass(frozen=True)
class Checked:
    """What an allowed action needs: the incident, its branch, its checklist, who holds roles."""

    incident: Incident
    branch: Any
    states: dict[str, TaskDone]
    roles: Mapping[str, Any]
    now: float


def _phrase(action: str) -> str:
    if action.startswith("complete_") and action[9:] in TASKS_BY_KEY:
        return f"mark \"{TASKS_BY_KEY[action[9:]].label}\" done on"
    return ACTION_PHRASES.get(action, action.replace("_", " "))


def refuse(services: Services, db: sqlite_utils.Database, incident: Incident, user_id: str,
           action: str, permission: care.Permission, surface: str, now: float) -> Outcome:
    """Record a refused attempt and return the refusal naming who may act."""
    incidents.append_event(db, incident.id, actor=user_id, action="refused", surface=surface,
                           now=now, detail={"attempted": action})
    return Outcome(refused=True, message=(
        f"You can't {_phrase(action)} {incident.ref}. Only {permission.describe()} can. "
        "Nothing was changed." + role_groups.refusal_note(services, permission.roles)
    ))


def check(db: sqlite_utils.Database, services: Services, user_id: str, incident_id: int,
          permission: care.Permission | None, action: str, surface: str, *,
          closed: str | None, gone: str = GONE,
          found: Callable[[Incident], bool] | None = None,
          settled: Callable[[Incident, dict], str | None] | None = None) -> Checked | Outcome:
    """Load the incident and check it, in this order; the first check that fails answers.

    - gone: no such incident (or ``found`` says it is not the kind this action is for);
    - closed: the incident is closed (``closed`` is a format string with ``{ref}``; None when
      the action is allowed on a closed incident);
    - settled: ``settled(incident, states)`` returns why there is nothing left to do, or None;
    - permission: without it the attempt is recorded as refused and the refusal names who may
      (``permission`` None: the caller checks later, with ``refuse``).
    """
    roles = services.roles.snapshot()
    now = services.clock()
    incident = incidents.get_incident(db, incident_id)
    if incident is None or (found is not None and not found(incident)):
        return Outcome(message=gone)
    if closed is not None and incident.status == "closed":
        return Outcome(message=closed.format(ref=incident.ref))
    states = task_states(incidents.list_events(db, incident.id))
    if settled is not None and (reason := settled(incident, states)):
        return Outcome(message=reason)
    branch = care.branch_of(incident, services.settings.branches)
    if permission is not None and not care.is_allowed(permission, user_id, incident, roles,
                                                      branch):
        return refuse(services, db, incident, user_id, action, permission, surface, now)
    return Checked(incident, branch, states, roles, now)
