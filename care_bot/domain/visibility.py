"""Who may look at an incident, export the program's records, and whom a change concerns.

Stdlib only. Client details follow the one privacy rule in ``care`` (``VIEW_PRIVATE``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from care_bot.domain import care
from care_bot.domain.models import Incident

# Roles whose members may open any incident: each of them may act on every incident.
SEE_ANY_ROLES = (care.ROLE_SUPERVISORS, care.ROLE_SECURITY, care.ROLE_HR, care.ROLE_MANAGEMENT)
EXPORT_ROLES = (care.ROLE_SECURITY, care.ROLE_HR)


def _acting_permissions() -> list[care.Permission]:
    return [care.ACKNOWLEDGE, care.DECIDE_ACCOUNT, care.CLOSE_EARLY, care.VIEW_PRIVATE,
            *(task.permission for task in care.TASKS)]


def in_role(user_id: str, roles: Mapping[str, Iterable[str]], *names: str) -> bool:
    """True when the user belongs to any of the named roles."""
    return any(user_id in roles.get(name, ()) for name in names)


def may_see(user_id: str, incident: Incident, roles: Mapping[str, Iterable[str]],
            branches: Mapping | None = None) -> bool:
    """True for the reporter, anyone who may act on the incident, and the program's roles.

    Who may act comes from ``roles`` and the branch directory (``branches``), never from the
    names the reporter typed.
    """
    if user_id == incident.reporter or in_role(user_id, roles, *SEE_ANY_ROLES):
        return True
    branch = care.branch_of(incident, branches)
    return any(care.is_allowed(p, user_id, incident, roles, branch)
               for p in _acting_permissions())


def sees_client_details(user_id: str, incident: Incident,
                        roles: Mapping[str, Iterable[str]],
                        branches: Mapping | None = None) -> bool:
    """The privacy rule for the client's name and accounts (one rule, kept in ``care``)."""
    return care.is_allowed(care.VIEW_PRIVATE, user_id, incident, roles,
                           care.branch_of(incident, branches))


def may_export(user_id: str, roles: Mapping[str, Iterable[str]]) -> bool:
    """Only Corporate Security & Risk and HR may export the records."""
    return in_role(user_id, roles, *EXPORT_ROLES)


def concerned(incident: Incident, roles: Mapping[str, Iterable[str]],
              branches: Mapping | None = None) -> set[str]:
    """Everyone whose Home shows this incident: the reporter, the people named (by the
    reporter, and by the branch directory), the roles."""
    people = {incident.reporter}
    people |= {incident.person(name) for name in care.BRANCH_POSTS} - {None}
    branch = care.branch_of(incident, branches)
    people |= {care.branch_person(branch, name) for name in care.BRANCH_POSTS} - {None}
    for role in (care.ROLE_SUPERVISORS, care.ROLE_SECURITY, care.ROLE_HR, care.ROLE_ICS,
                 care.ROLE_ACCOUNT_OFFICERS):
        people |= set(roles.get(role, ()))
    return people
