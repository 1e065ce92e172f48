"""The supervisor, security and HR sections of Home, and the actions taken from them.

Each section has the Home framework's signature ``(db, services, user_id) -> blocks`` and
returns ``[]`` to someone without that role, so a person with several roles sees each.
``flows.home`` composes them with the associate's section and publishes the view.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from care_bot.domain import care, metrics
from care_bot.flows import drills, worklist
from care_bot.services import Services
from care_bot.storage import home_filters, reports
from care_bot.views import figures, role_home

DAY = 86400.0
FIGURE_DAYS = 30


def is_supervisor(user_id: str, services: Services, roles) -> bool:
    """Members of the supervisors role, and every branch's supervisor in the directory."""
    if user_id in roles.get(care.ROLE_SUPERVISORS, ()):
        return True
    return any(branch.supervisor == user_id for branch in services.settings.branches.values())


def supervisor_section(db: sqlite_utils.Database, services: Services,
                       user_id: str) -> list[dict[str, Any]]:
    """Awaiting my acknowledgement (with the Acknowledge button), my tasks, overdue marked."""
    roles = services.roles.snapshot()
    if not is_supervisor(user_id, services, roles):
        return []
    now = services.clock()
    items = worklist.load_open(db, now)
    awaiting = worklist.awaiting_ack(items, user_id, roles, services.settings.branches)
    tasks = _own_tasks(items, user_id, roles, now, services)
    return role_home.supervisor_section(awaiting, tasks, services.settings.branches)


def others_tasks_section(db: sqlite_utils.Database, services: Services,
                         user_id: str) -> list[dict[str, Any]]:
    """Open tasks of people named on incidents who hold no role with a section of its own."""
    roles = services.roles.snapshot()
    if is_supervisor(user_id, services, roles) or user_id in roles.get(care.ROLE_SECURITY, ()):
        return []
    now = services.clock()
    items = [item for item in worklist.load_open(db, now) if item.incident.reporter != user_id]
    return role_home.tasks_blocks(_own_tasks(items, user_id, roles, now, services))


def _own_tasks(items, user_id: str, roles, now: float, services: Services) -> list:
    """"My open tasks": only the person's own, never everything they may complete."""
    branches = services.settings.branches
    mine, _others = worklist.split_own(
        worklist.open_tasks(items, user_id, roles, now, branches), user_id, roles, branches)
    return mine


def others_overdue_section(db: sqlite_utils.Database, services: Services,
                           user_id: str) -> list[dict[str, Any]]:
    """Others' overdue tasks this person may also complete, under a folded heading."""
    roles = services.roles.snapshot()
    now = services.clock()
    branches = services.settings.branches
    items = [item for item in worklist.load_open(db, now) if item.incident.reporter != user_id]
    _mine, others = worklist.split_own(
        worklist.open_tasks(items, user_id, roles, now, branches), user_id, roles, branches)
    return role_home.others_overdue_blocks(others, home_filters.others_shown(db, user_id),
                                           branches)


def show_others(services: Services, user_id: str, value: str) -> None:
    """Unfold ("show") or fold ("hide") the person's "Others' overdue tasks"."""
    with services.store.transaction() as db:
        home_filters.set_others_shown(db, user_id, value == role_home.SHOW, services.clock())


def figure_lines(db: sqlite_utils.Database, services: Services, days: int = FIGURE_DAYS,
                 branch: str | None = None) -> list[str]:
    """The metrics of the last ``days`` days as mrkdwn lines."""
    now = services.clock()
    since = now - days * DAY
    chosen = [i for i in reports.incidents_since(db, since) if not branch or i.branch == branch]
    events = reports.events_of(db, [incident.id for incident in chosen])
    facts = [metrics.facts_of(incident, events[incident.id]) for incident in chosen]
    return figures.figure_lines(metrics.compute(facts, since, now + 1),
                                services.settings.branches)


def security_section(db: sqlite_utils.Database, services: Services,
                     user_id: str) -> list[dict[str, Any]]:
    """All open incidents with a branch filter, safety plans pending, the 30-day figures."""
    roles = services.roles.snapshot()
    if user_id not in roles.get(care.ROLE_SECURITY, ()):
        return []
    now = services.clock()
    chosen = home_filters.home_filter(db, user_id)
    if chosen not in services.settings.branches:
        chosen = None
    items = worklist.load_open(db, now)
    plans = worklist.pending_task(items, worklist.SAFETY_PLAN, now)
    own = _own_tasks(items, user_id, roles, now, services)
    return role_home.security_section(
        items, plans, services.settings.branches, chosen,
        figure_lines(db, services, branch=chosen),
    ) + role_home.tasks_blocks(own)


def hr_section(db: sqlite_utils.Database, services: Services,
               user_id: str) -> list[dict[str, Any]]:
    """Incidents reported to HR, safety plans pending, wellbeing requests."""
    roles = services.roles.snapshot()
    if user_id not in roles.get(care.ROLE_HR, ()):
        return []
    now = services.clock()
    items = worklist.load_open(db, now)
    return role_home.hr_section(
        worklist.reported_to_hr(items), worklist.pending_task(items, worklist.SAFETY_PLAN, now),
        worklist.wellbeing_requests(items), services.settings.branches,
    )


SECTIONS = (supervisor_section, security_section, drills.security_section, hr_section,
            others_tasks_section, others_overdue_section)



def choose_branch(services: Services, user_id: str, branch: str | None) -> None:
    """Remember the Security Home's branch filter ("all" or an unknown code shows every one)."""
    if branch not in services.settings.branches:
        branch = None
    with services.store.transaction() as db:
        home_filters.set_home_filter(db, user_id, branch, services.clock())
