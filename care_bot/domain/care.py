"""The CARE guideline as data: report steps, threat kinds, follow-through tasks and roles.

Stdlib only: nothing here knows about Slack or SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from care_bot.domain import glossary
from care_bot.domain.models import Incident


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
# "Did they…": concrete signs, not a score. Any of them makes a report urgent.
THREAT_SIGNS = {
    "weapon": "mention a weapon",
    "target": "name a target",
    "when_where": "say when or where",
}
SUPERVISOR_CALLED = {"yes": "I called my supervisor over while it happened"}
# The three questions of earlier reports, still shown when a stored report has them.
ASSESSMENT_ANSWERS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}
ASSESSMENT_QUESTIONS = {
    "credible": "Is the threat credible?",
    "valid": "Is the threat valid?",
    "likely": "Is it likely to be acted upon?",
}
# "What did you do?": reporting here is itself telling the supervisor, so "nothing yet" is the
# honest default for most people.
NOTHING_YET = "nothing_yet"
ACTIONS = {
    NOTHING_YET: "Nothing yet: I'm reporting it now",
    "law_enforcement": "I called law enforcement",
    "supervisor_notified": "I judged it not viable or imminent and told my supervisor",
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
# The guideline covers "a threatening client or non-client": three answers, three paths.
CLIENT = "client"
NOT_A_CLIENT = "not_client"
CLIENT_NOT_KNOWN = "unknown"
CLIENT_STATUS = {CLIENT: "A client", NOT_A_CLIENT: "Not a client", CLIENT_NOT_KNOWN: "I don't know"}

# Role names from care.toml, and the posts of a branch in the directory ([branches.*]).
ROLE_SUPERVISORS = "supervisors"
ROLE_SECURITY = "security"
ROLE_HR = "hr"
ROLE_MANAGEMENT = "management"
ROLE_ICS = "ics"
ROLE_ACCOUNT_OFFICERS = "account_officers"
BRANCH_POSTS = ("supervisor", "rxm", "market_president", "ics", "account_officer")
PERSON_LABELS = {
    "reporter": "the reporting associate",
    "supervisor": "the branch's supervisor",
    "rxm": "the Regional Experience Manager",
    "market_president": "the branch's Market President",
    "ics": "the branch's Internal Control Specialist",
    "account_officer": "the branch's account officer",
}
ROLE_LABELS = {
    ROLE_SUPERVISORS: "the supervisors group",
    ROLE_SECURITY: "Corporate Security & Risk",
    ROLE_HR: "HR",
    ROLE_MANAGEMENT: "Delivery / local management",
    ROLE_ICS: f"the {glossary.spelled('ICS')} group",
    ROLE_ACCOUNT_OFFICERS: "the account officers group",
}


@dataclass(frozen=True)
class Permission:
    """Who may take an action: posts of the incident's branch and members of roles.

    ``people`` names branch posts ("supervisor", "ics", …), looked up in the branch directory
    of care.toml, never in the report: the people a reporter picks are told, not empowered.
    "reporter" is the associate who filed the report (known from Slack, not typed).
    """

    people: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    not_the_reporter: bool = True  # kept for callers; the reporter acts only as "reporter"

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
    owner: str  # the branch post (or "reporter") who owns it; "" when a role owns it
    permission: Permission
    deadline: str  # a [reminders] setting; counted from "acknowledged" or "submitted"
    counted_from: str
    next_level: str  # who is told when the deadline has passed (a branch post)
    via_checklist: bool = True
    note_required: str = ""  # the field label when a note of the decision is required
    applies_to: str = ""  # "" every incident; "danger_or_urgent"; "danger" (see applies)
    thread: str = "supervisors"  # the channel thread its deadline reminder goes to


def urgent_reasons(answers: Mapping[str, Any]) -> list[str]:
    """Why a report is urgent, in the bank's words: "Likely" to be acted on, a physical threat,
    or they mentioned a weapon, named a target or said when or where ("Did they…"). No score."""
    found = []
    if answers.get("likelihood") == "likely":
        found.append("likely to be acted on")
    if "physical" in (answers.get("threat_kinds") or ()):
        found.append("a physical threat")
    signs = [THREAT_SIGNS[s] for s in answers.get("did_they") or () if s in THREAT_SIGNS]
    if signs:
        found.append("they did " + ", ".join(signs))
    if answers.get("danger_now") == "yes":
        found.append("someone may be in danger now (said on the review)")
    return found


def is_urgent(incident: Incident) -> bool:
    """An urgent report: any of ``urgent_reasons`` (the one place urgency is decided)."""
    return bool(urgent_reasons(incident.answers))


def applies(task: Task, incident: Incident) -> bool:
    """True when the task is on this incident's checklist (by danger, urgency, unknown people)."""
    if task.applies_to == "people_missing":
        return bool(missing_posts(incident))
    if task.applies_to == "danger":
        return incident.danger
    if task.applies_to == "danger_or_urgent":
        return incident.danger or is_urgent(incident)
    return True


def tasks_for(incident: Incident, identified: str | None = None) -> tuple[Task, ...]:
    """The checklist tasks this incident has: by danger and urgency, and by who the person
    was (see ``incident_tasks``)."""
    return tuple(task for task in incident_tasks(incident.answers, identified)
                 if applies(task, incident))


SAFETY_PLAN = "safety_plan"
DEBRIEF = "debrief"  # issue 21: the supervisor's debrief with the associate
REVIEW = "post_incident_review"  # issue 21: security's post-incident review

NAME_PEOPLE = "name_people"  # issue 17 §4: the supervisor names an RXM / ICS still unknown
NAMEABLE_POSTS = ("rxm", "ics")
MISSING_POSTS = "missing_posts"  # answers: the posts nobody knew at submission
NAMED_POSTS = "named_posts"  # answers: {post: user} as the supervisor named them
NAMED_WITH_POWER = "named_with_power"  # answers: named by the directory's or a role's supervisor

TASKS: tuple[Task, ...] = (
    Task(
        "acknowledged", "R", "Supervisor acknowledged", "supervisor",
        Permission(("supervisor",), (ROLE_SUPERVISORS, ROLE_SECURITY)),
        "ack_reminder", "submitted", "rxm", via_checklist=False,
    ),
    Task(
        "reported_hr", "R", "Reported to HR", "supervisor",
        Permission(("supervisor",), (ROLE_SUPERVISORS,)),
        "report_deadline", "acknowledged", "rxm", via_checklist=False,
    ),
    Task(
        "reported_security", "R", "Reported to Corporate Security & Risk", "supervisor",
        Permission(("supervisor",), (ROLE_SUPERVISORS,)),
        "report_deadline", "acknowledged", "rxm", via_checklist=False,
    ),
    Task(
        NAME_PEOPLE, "R", "Supervisor named the Regional Experience Manager and Internal "
        "Control Specialist", "supervisor", Permission(("supervisor",), (ROLE_SUPERVISORS,
                                                                          ROLE_SECURITY)),
        "report_deadline", "submitted", "", via_checklist=False, applies_to="people_missing",
    ),
    Task(
        SAFETY_PLAN, "R", "Safety plan", "",
        Permission((), (ROLE_SECURITY, ROLE_HR)),
        "safety_plan_deadline", "submitted", "rxm",
        note_required="Safety plan decision",
    ),
    Task(
        "identify_client", "E", "Identify the client, if there is one", "ics",
        Permission(("ics",), (ROLE_ICS, ROLE_SECURITY)),
        "evaluate_deadline", "submitted", "supervisor", via_checklist=False,
    ),
    Task(
        "ics_notified", "E", f"Associate notified the {glossary.spelled('ICS')}", "reporter",
        Permission(("reporter", "ics", "supervisor"), (ROLE_SUPERVISORS, ROLE_ICS)),
        "evaluate_deadline", "submitted", "supervisor",
    ),
    Task(
        "account_officer_contacted", "E",
        f"{glossary.spelled('ICS')} contacted the account officer", "ics",
        Permission(("ics", "account_officer"), (ROLE_ICS, ROLE_ACCOUNT_OFFICERS)),
        "evaluate_deadline", "submitted", "supervisor",
    ),
    Task(
        "client_notified", "E", "Account officer gave the client a courtesy notice",
        "account_officer",
        Permission(("account_officer",), (ROLE_ACCOUNT_OFFICERS,)),
        "evaluate_deadline", "submitted", "ics",
    ),
    Task(
        "market_president_notified", "E", "Market President notified", "account_officer",
        Permission(("account_officer", "market_president", "supervisor"),
                   (ROLE_ACCOUNT_OFFICERS,)),
        "evaluate_deadline", "submitted", "rxm",
    ),
    Task(
        "account_decision", "E", "Delivery / local management decided on the account",
        "market_president",
        Permission(("market_president",), (ROLE_MANAGEMENT,)),
        "decision_deadline", "submitted", "rxm", via_checklist=False,
    ),
    Task(
        DEBRIEF, "E", "Debrief with the associate", "supervisor",
        Permission(("supervisor",), (ROLE_SUPERVISORS,)),
        "debrief_deadline", "submitted", "rxm",
        note_required="Debrief note", applies_to="danger_or_urgent",
    ),
    Task(
        REVIEW, "E", "Post-incident review", "",
        Permission((), (ROLE_SECURITY,)),
        "review_deadline", "submitted", "", via_checklist=False,
        applies_to="danger", thread="security",
    ),
)
TASK_OWNER_ROLES = {SAFETY_PLAN: (ROLE_SECURITY, ROLE_HR), REVIEW: (ROLE_SECURITY,)}
TASKS_BY_KEY = {task.key: task for task in TASKS}
IDENTIFY_CLIENT = "identify_client"
ACCOUNT_DECISION = "account_decision"  # Delivery / local management's; outlives an early close
# The client relationship's work: only for a client (section E of the guideline).
ACCOUNT_TASKS = ("ics_notified", "account_officer_contacted", "client_notified",
                 "market_president_notified", "account_decision")
# Once the ICS has identified the client, telling the ICS is moot.
AFTER_IDENTIFIED = ACCOUNT_TASKS[1:]


def client_answer(answers: Mapping[str, Any]) -> str:
    """What the reporter said: "client", "not_client" or "unknown".

    Reports from the earlier form said "Unknown / not a client" in one checkbox: that reads as
    "unknown". Earlier reports without it were about a client.
    """
    value = answers.get("client_status")
    if value in CLIENT_STATUS:
        return value
    return CLIENT_NOT_KNOWN if answers.get("client_unknown") else CLIENT


def client_status(answers: Mapping[str, Any], identified: str | None = None) -> str:
    """Whether the incident is about a client now: the reporter's answer, or, for "I don't
    know", the ICS's identification ("client" or "not_client") once made."""
    answer = client_answer(answers)
    if answer == CLIENT_NOT_KNOWN and identified in (CLIENT, NOT_A_CLIENT):
        return identified
    return answer


def incident_tasks(answers: Mapping[str, Any], identified: str | None = None
                   ) -> tuple[Task, ...]:
    """The tasks an incident owes by who the person was (before danger and urgency apply).

    A client: every account task. Not a client: none. "I don't know": the ICS's one task,
    "Identify the client, if there is one", and the account tasks once a client is named.
    """
    answer = client_answer(answers)
    keys = {task.key for task in TASKS} - set(ACCOUNT_TASKS) - {IDENTIFY_CLIENT}
    if answer == CLIENT:
        keys.update(ACCOUNT_TASKS)
    elif answer == CLIENT_NOT_KNOWN:
        keys.add(IDENTIFY_CLIENT)
        if identified == CLIENT:
            keys.update(AFTER_IDENTIFIED)
    return tuple(task for task in TASKS if task.key in keys)

ACKNOWLEDGE = TASKS_BY_KEY["acknowledged"].permission
IDENTIFY = TASKS_BY_KEY["identify_client"].permission
DECIDE_ACCOUNT = TASKS_BY_KEY["account_decision"].permission
REPORT_TO_HR_AND_SECURITY = TASKS_BY_KEY["reported_hr"].permission
CLOSE_EARLY = Permission((), (ROLE_SECURITY,))
# "I'm on it" (or Acknowledge) on a danger alert: a named person takes it. Who may: members
# of Corporate Security & Risk, the branch's supervisor and the supervisors role.
TAKE_ALERT = Permission(("supervisor",), (ROLE_SECURITY, ROLE_SUPERVISORS))
CLAIM_ALERT = TAKE_ALERT

# Who sees the client's name and accounts (the one privacy rule; docs/security-and-data.md
# states it the same way): the reporter; Corporate Security & Risk; the branch's ICS, account
# officer and Market President and the `ics` / `account_officers` roles, who act on the client
# relationship; and Delivery / local management (`management`), who decide on the account.
# Supervisors do not: they look after the associate's safety and the report, which needs no
# client identity.
VIEW_PRIVATE = Permission(
    ("reporter", "ics", "account_officer", "market_president"),
    (ROLE_SECURITY, ROLE_ICS, ROLE_ACCOUNT_OFFICERS, ROLE_MANAGEMENT),
)


def branch_of(incident: Incident, branches: Mapping | None) -> Any:
    """The incident's branch in the directory (where powers come from), or None."""
    return (branches or {}).get(incident.branch or "")


def branch_person(branch: Any, post: str) -> str | None:
    """The user the branch directory names for a post ("supervisor", …), or None."""
    if branch is None or post not in BRANCH_POSTS:
        return None
    return getattr(branch, post, None) or None


def is_allowed(
    permission: Permission,
    user_id: str,
    incident: Incident,
    role_members: Mapping[str, Iterable[str]],
    branch: Any = None,
) -> bool:
    """True when the user holds a permitted branch post or role; never from the report's names.

    ``branch`` is the incident's branch from the directory (config ``Branch``), or None. The
    reporter can never act on their own incident, whatever roles they hold, except where the
    permission names "reporter" (their own guideline step, and seeing what they reported).
    """
    if user_id == incident.reporter:
        return "reporter" in permission.people
    if any(branch_person(branch, post) == user_id for post in permission.people):
        return True
    if permission not in (VIEW_PRIVATE, IDENTIFY) and any(  # named (NAME_PEOPLE): no client
            branch_person(branch, post) is None and named_person(incident, post) == user_id
            for post in permission.people):  # details
        return True
    return any(user_id in role_members.get(role, ()) for role in permission.roles)


def told(incident: Incident, post: str, branch: Any = None) -> list[str]:
    """Who to tell for a post: the person the reporter picked, then the directory's, distinct."""
    people = [incident.person(post), branch_person(branch, post)]
    return [p for i, p in enumerate(people) if p and p not in people[:i]]


def completable_tasks(
    user_id: str,
    incident: Incident,
    done: Iterable[str],
    role_members: Mapping[str, Iterable[str]],
    branch: Any = None,
    identified: str | None = None,
) -> list[Task]:
    """Return the open checklist tasks of this incident that this user may mark complete."""
    finished = set(done)
    return [
        task
        for task in incident_tasks(incident.answers, identified)
        if task.via_checklist
        and applies(task, incident)
        and task.key not in finished
        and is_allowed(task.permission, user_id, incident, role_members, branch)
    ]


def missing_posts(incident: Incident) -> list[str]:
    """The posts (RXM, ICS) nobody knew when the report was submitted."""
    found = incident.answers.get(MISSING_POSTS)
    return [post for post in NAMEABLE_POSTS if isinstance(found, list) and post in found]


def named_person(incident: Incident, post: str) -> str | None:
    """Whom a supervisor with power named for a post the report left unknown, or None (named
    by the supervisor the reporter picked: told, never empowered)."""
    named = incident.answers.get(NAMED_POSTS)
    ok = incident.answers.get(NAMED_WITH_POWER) is True and isinstance(named, dict)
    return named.get(post) or None if ok else None


def may_name(user_id: str, incident: Incident, role_members: Mapping[str, Iterable[str]],
             branch: Any = None) -> bool:
    """The task's permission, or the supervisor the associate picked (naming tells only)."""
    if user_id == incident.reporter:
        return False
    permission = TASKS_BY_KEY[NAME_PEOPLE].permission
    return (user_id == incident.person("supervisor")
            or is_allowed(permission, user_id, incident, role_members, branch))
