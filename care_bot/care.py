"""The CARE guideline as data: report steps, threat kinds, follow-through tasks and roles.

Stdlib only: nothing here knows about Slack or SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from care_bot.models import Incident


class Step(StrEnum):
    """The modal steps of a report, in order."""

    SAFETY = "safety"
    CLIENT_SERVICE = "client_service"
    ASSESS = "assess"
    REPORT = "report"  # "Who will be told" and "The client relationship" (R and E)
    REVIEW = "review"


STEP_ORDER = tuple(Step)
# Drafts saved by an earlier version of the form may stop at a step that was merged away.
LEGACY_STEPS = {"evaluate": Step.REPORT}


def parse_step(value: str) -> Step:
    """Return the step a saved draft is at, mapping merged-away steps onto their successor."""
    return LEGACY_STEPS.get(value) or Step(value)

THREAT_KINDS = {
    "physical": "Physical, verbal or written threat",
    "abusive": "Abusive language",
    "implied": "Implied threat",
    "behaviour": "Concerning behaviour",
    "other": "Other",
}
THREAT_CHANNELS = {
    "in_person": "In person",
    "phone": "Phone",
    "email": "Email",
    "social_media": "Social media",
    "other": "Other",
}
# The guideline's credible / valid / likely, asked once.
LIKELIHOOD = {
    "likely": "Likely: they could and probably will act on it",
    "possible": "Possible",
    "unlikely": "Unlikely",
    "unsure": "Not sure",
}
# The three questions of earlier reports, still shown when a stored report has them.
ASSESSMENT_ANSWERS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}
ASSESSMENT_QUESTIONS = {
    "credible": "Is the threat credible?",
    "valid": "Is the threat valid?",
    "likely": "Is it likely to be acted upon?",
}
ACTIONS = {
    "law_enforcement": "Law enforcement contacted",
    "supervisor_notified": "Not viable or imminent: supervisor notified",
}
RECOMMENDATIONS = {
    "keep": "Keep the relationship",
    "restrict": "Restrict the relationship",
    "close": "Close the account(s)",
    "unsure": "No recommendation",
}
ACCOUNT_DECISIONS = {
    "keep": "Keep the relationship",
    "restrict": "Restrict the relationship",
    "close": "Close the account(s)",
}

# What the associate says about law enforcement on the danger screen.
POLICE_CALLED = "called"
POLICE_CANT_CALL = "cant_call"
POLICE_CALL_LABELS = {
    POLICE_CALLED: "I have called 911 / law enforcement",
    POLICE_CANT_CALL: "I can't call: please call for me",
}

# Answers that are never posted in a channel: they identify the client.
PRIVATE_ANSWERS = frozenset({"client_name", "accounts", "client_unknown"})
CLIENT_UNKNOWN = {"unknown": "Unknown / not a client"}

# Role names from care.toml, and the people named on an incident.
ROLE_SUPERVISORS = "supervisors"
ROLE_SECURITY = "security"
ROLE_HR = "hr"
ROLE_MANAGEMENT = "management"
PERSON_LABELS = {
    "reporter": "the reporting associate",
    "supervisor": "the incident's supervisor",
    "rxm": "the Regional Experience Manager",
    "market_president": "the Market President",
    "ics": "the Internal Control Specialist",
    "account_officer": "the account officer",
}
ROLE_LABELS = {
    ROLE_SUPERVISORS: "the supervisors group",
    ROLE_SECURITY: "Corporate Security & Risk",
    ROLE_HR: "HR",
    ROLE_MANAGEMENT: "local management",
}


@dataclass(frozen=True)
class Permission:
    """Who may take an action: people named on the incident and members of roles."""

    people: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    not_the_reporter: bool = False  # the reporter may never do this, whatever their roles

    def describe(self) -> str:
        """Return a plain-language list of who may act, for refusals."""
        names = [PERSON_LABELS[p] for p in self.people] + [ROLE_LABELS[r] for r in self.roles]
        if len(names) <= 1:
            return "".join(names) or "nobody"
        return ", ".join(names[:-1]) + " or " + names[-1]


@dataclass(frozen=True)
class Task:
    """One follow-through obligation of the guideline, tracked on the checklist."""

    key: str
    section: str  # "R" or "E"
    label: str
    owner: str  # a person role named on the incident
    permission: Permission
    deadline: str  # a [reminders] setting; counted from "acknowledged" or "submitted"
    counted_from: str
    next_level: str  # who is told when the deadline has passed
    via_checklist: bool = True


TASKS: tuple[Task, ...] = (
    Task(
        "acknowledged", "R", "Supervisor acknowledged", "supervisor",
        Permission(("supervisor",), (ROLE_SUPERVISORS, ROLE_SECURITY), not_the_reporter=True),
        "ack_reminder", "submitted", "rxm", via_checklist=False,
    ),
    Task(
        "reported_hr", "R", "Reported to HR", "supervisor",
        Permission(("supervisor",), (ROLE_SUPERVISORS, ROLE_HR)),
        "report_deadline", "acknowledged", "rxm",
    ),
    Task(
        "reported_security", "R", "Reported to Corporate Security & Risk", "supervisor",
        Permission(("supervisor",), (ROLE_SUPERVISORS, ROLE_SECURITY)),
        "report_deadline", "acknowledged", "rxm",
    ),
    Task(
        "ics_notified", "E", "Associate notified the ICS", "reporter",
        Permission(("reporter", "ics", "supervisor"), (ROLE_SUPERVISORS,)),
        "evaluate_deadline", "submitted", "supervisor",
    ),
    Task(
        "account_officer_contacted", "E", "ICS contacted the account officer", "ics",
        Permission(("ics", "account_officer")),
        "evaluate_deadline", "submitted", "supervisor",
    ),
    Task(
        "client_notified", "E", "Account officer gave the client a courtesy notice",
        "account_officer",
        Permission(("account_officer",)),
        "evaluate_deadline", "submitted", "ics",
    ),
    Task(
        "market_president_notified", "E", "Market President notified", "account_officer",
        Permission(("account_officer", "market_president", "supervisor")),
        "evaluate_deadline", "submitted", "rxm",
    ),
    Task(
        "account_decision", "E", "Local management decided on the account", "market_president",
        Permission(("market_president",), (ROLE_MANAGEMENT,), not_the_reporter=True),
        "decision_deadline", "submitted", "rxm", via_checklist=False,
    ),
)
TASKS_BY_KEY = {task.key: task for task in TASKS}

ACKNOWLEDGE = TASKS_BY_KEY["acknowledged"].permission
DECIDE_ACCOUNT = TASKS_BY_KEY["account_decision"].permission
CLOSE_EARLY = Permission((), (ROLE_SECURITY,), not_the_reporter=True)
# "I'm on it" on a danger alert: one member of Corporate Security & Risk takes it.
CLAIM_ALERT = Permission((), (ROLE_SECURITY,), not_the_reporter=True)
VIEW_PRIVATE = Permission(
    ("reporter", "supervisor", "market_president", "ics", "account_officer"),
    (ROLE_SECURITY, ROLE_MANAGEMENT),
)


def is_allowed(
    permission: Permission,
    user_id: str,
    incident: Incident,
    role_members: Mapping[str, Iterable[str]],
) -> bool:
    """True when the user is named on the incident in a permitted role, or is in a role."""
    if permission.not_the_reporter and user_id == incident.reporter:
        return False
    if any(incident.person(person) == user_id for person in permission.people):
        return True
    return any(user_id in role_members.get(role, ()) for role in permission.roles)


def completable_tasks(
    user_id: str,
    incident: Incident,
    done: Iterable[str],
    role_members: Mapping[str, Iterable[str]],
) -> list[Task]:
    """Return the open checklist tasks this user may mark complete."""
    finished = set(done)
    return [
        task
        for task in TASKS
        if task.via_checklist
        and task.key not in finished
        and is_allowed(task.permission, user_id, incident, role_members)
    ]
