"""Who may do what: every tracking action against every kind of user, through the real flows.

The expected table is written out by hand from the CARE guideline's Permission table in
care.py; it is deliberately not recomputed from the code, so a change to a permission has to
change this table too.
"""

from __future__ import annotations

import re

import pytest

from care_bot.domain import care
from care_bot.domain.care import TASKS
from care_bot.flows import care_after, hr_report, identify, naming, tracking
from care_bot.ids import Action
from care_bot.storage import incidents
from tests.support.report import SKIP, file_report
from tests.support.world import USERS, care_toml, make_services

# Every kind of user, and who plays it in the test world (tests/support/world.py). The branch
# posts (supervisor … account_officer) are the Downtown branch's people in the directory.
KINDS = {
    "reporter": USERS["alice"],
    "incident_supervisor": USERS["sam"],
    "rxm": USERS["rita"],
    "market_president": USERS["mark"],
    "ics": USERS["ivy"],
    "account_officer": USERS["oscar"],
    "role_supervisors": USERS["sue"],
    "role_security": USERS["sec"],
    "role_hr": USERS["hana"],
    "role_management": USERS["manny"],
    "outsider": USERS["olly"],
    "role_ics": USERS["ina"],
    "role_account_officers": USERS["aldo"],
}

# Y = allowed, . = refused. Columns in the order of KINDS.
#                                  rep sup rxm mp  ics ao  sups sec hr  mgmt out rics rao
TABLE = """
acknowledge                        .   Y   .   .   .   .   Y    Y   .   .    .   .    .
report_to_hr                       .   Y   .   .   .   .   Y    .   .   .    .   .    .
task:acknowledged                  .   Y   .   .   .   .   Y    Y   .   .    .   .    .
task:reported_hr                   .   Y   .   .   .   .   Y    .   .   .    .   .    .
task:reported_security             .   Y   .   .   .   .   Y    .   .   .    .   .    .
task:name_people                   .   Y   .   .   .   .   Y    Y   .   .    .   .    .
task:safety_plan                   .   .   .   .   .   .   .    Y   Y   .    .   .    .
task:identify_client               .   .   .   .   Y   .   .    Y   .   .    .   Y    .
task:ics_notified                  Y   Y   .   .   Y   .   Y    .   .   .    .   Y    .
task:account_officer_contacted     .   .   .   .   Y   Y   .    .   .   .    .   Y    Y
task:client_notified               .   .   .   .   .   Y   .    .   .   .    .   .    Y
task:market_president_notified     .   Y   .   Y   .   Y   .    .   .   .    .   .    Y
task:account_decision              .   .   .   Y   .   .   .    .   .   Y    .   .    .
task:debrief                       .   Y   .   .   .   .   Y    .   .   .    .   .    .
task:post_incident_review          .   .   .   .   .   .   .    Y   .   .    .   .    .
decide_account                     .   .   .   Y   .   .   .    .   .   Y    .   .    .
close_early                        .   .   .   .   .   .   .    Y   .   .    .   .    .
view_private                       Y   .   .   Y   Y   Y   .    Y   .   Y    .   Y    Y
"""


def _parse(table: str) -> dict[tuple[str, str], bool]:
    expected = {}
    for line in table.strip().splitlines():
        action, *marks = line.split()
        assert len(marks) == len(KINDS), line
        for kind, mark in zip(KINDS, marks, strict=True):
            assert mark in "Y.", line
            expected[action, kind] = mark == "Y"
    return expected


EXPECTED = _parse(TABLE)
ACTIONS = ["acknowledge", "report_to_hr", *(f"task:{task.key}" for task in TASKS),
           "decide_account", "close_early", "view_private"]
OUTSIDER = USERS["olly"]
# A reporter who names the outsider as every person on the report (no tampering needed).
OUTSIDER_NAMED = {"report": {"supervisor": OUTSIDER, "rxm": OUTSIDER,
                             "market_president": OUTSIDER, "ics": OUTSIDER,
                             "account_officer": OUTSIDER}}


def _without_rxm_and_ics() -> str:
    """The test care.toml with Downtown's RXM and ICS left out of the directory."""
    return "\n".join(line for line in care_toml().splitlines()
                     if not line.startswith(("rxm =", "ics =")))


def test_the_table_covers_every_action_and_every_task():
    assert {action for action, _kind in EXPECTED} == set(ACTIONS)
    assert len(EXPECTED) == len(ACTIONS) * len(KINDS)


def _permission(action: str) -> care.Permission:
    if action.startswith("task:"):
        return care.TASKS_BY_KEY[action.removeprefix("task:")].permission
    return {"acknowledge": care.ACKNOWLEDGE, "decide_account": care.DECIDE_ACCOUNT,
            "close_early": care.CLOSE_EARLY, "report_to_hr": care.REPORT_TO_HR_AND_SECURITY,
            "view_private": care.VIEW_PRIVATE}[action]


def _attempt(services, action: str, user_id: str) -> tracking.Outcome:
    """Try one action on incident 1 through the flow a click or modal would call."""
    task = action.removeprefix("task:")
    if action == "acknowledge" or task == "acknowledged":
        return tracking.acknowledge(services, user_id, 1, "channel")
    if action == "report_to_hr" or task in ("reported_hr", "reported_security"):
        return hr_report.report(services, user_id, 1, "channel")
    if action == "decide_account" or task == "account_decision":
        return tracking.decide_account(services, user_id, 1, "restrict", "Repeated threats.")
    if action == "close_early":
        return tracking.close_early(services, user_id, 1, "Reported twice by mistake.")
    if action == "view_private":
        return tracking.open_checklist(services, user_id, 1)
    if task == "identify_client":
        return identify.identify_client(services, user_id, 1, "not_client")
    if task == care.NAME_PEOPLE:
        return naming.name_people(services, user_id, 1, {"rxm": USERS["rita"],
                                                         "ics": USERS["ina"]})
    if task == care.REVIEW:
        return care_after.save_review(services, user_id, 1, {
            "what_worked": "The alert reached security at once.",
            "what_to_change": "A second exit plan for the branch."})
    return tracking.complete_tasks(services, user_id, 1, [task], "done",
                                   {"safety_plan": "Escort to car for a week.",
                                    "debrief": "Met with the associate; EAP offered."})


def _succeeded(services, action: str, user_id: str, outcome) -> bool:
    """Read back from the audit trail whether the action took effect, and by whom."""
    with services.store.reading() as db:
        events = incidents.list_events(db, 1)
        incident = incidents.get_incident(db, 1)
    task = action.removeprefix("task:")
    if action == "acknowledge" or task == "acknowledged":
        return incident.acknowledged_by == user_id
    if action == "report_to_hr":
        return any(e.action == "hr_notification_sent" and e.actor == user_id for e in events)
    if action == "decide_account" or task == "account_decision":
        return any(e.action == "account_decided" and e.actor == user_id for e in events)
    if action == "close_early":  # the account decision, still owed, stays open (issue 17)
        return (incident.status == "closed" and incident.closed_by == user_id) or any(
            e.action == "security_part_closed" and e.actor == user_id for e in events)
    if task == "identify_client":
        return any(e.action == "client_identified" and e.actor == user_id for e in events)
    if task == care.NAME_PEOPLE:
        return any(e.action == "people_named" and e.actor == user_id for e in events)
    if action == "view_private":
        shown = outcome.view is not None and "John Q. Client" in str(outcome.view)
        audited = any(e.action == "viewed_private" and e.actor == user_id for e in events)
        assert shown is audited  # every view of client details is an audit event
        return shown
    return any(e.action == "task_completed" and e.actor == user_id
               and e.detail["task"] == task for e in events)


@pytest.mark.parametrize("named", ["directory_people", "outsider_named_for_everyone"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("action", ACTIONS)
def test_roles_matrix(tmp_path, action, kind, named):
    """Powers follow [roles] and the branch directory, whoever the reporter named."""
    services, _slack, _clock = make_services(tmp_path)
    overrides = dict(OUTSIDER_NAMED) if named != "directory_people" else {}
    if action == "task:identify_client":  # the ICS's task exists only for "I don't know"
        overrides["client_service"] = {"client_status": "unknown"}
    allowed = EXPECTED[action, kind]
    if action == f"task:{care.NAME_PEOPLE}":  # only when the RXM and ICS are unknown
        services, _slack, _clock = make_services(tmp_path, _without_rxm_and_ics())
        overrides["report"] = {**overrides.get("report", {}), "rxm": SKIP, "ics": SKIP}
        # the supervisor the reporter picked may name them (told only, never empowered)
        allowed = allowed or (kind == "outsider" and named != "directory_people")
    file_report(services, overrides=overrides,
                danger=action == f"task:{care.REVIEW}")  # only danger incidents have a review
    user_id = KINDS[kind]

    outcome = _attempt(services, action, user_id)

    with services.store.reading() as db:
        refusals = [e for e in incidents.list_events(db, 1) if e.action == "refused"]
    if action == "view_private":
        assert _succeeded(services, action, user_id, outcome) is allowed
        return
    if allowed:
        assert outcome.errors is None, outcome
        assert outcome.message is None or not outcome.message.startswith("You can't"), outcome
        assert _succeeded(services, action, user_id, outcome)
        assert refusals == []
    else:
        assert outcome.message is not None and outcome.message.startswith("You can't"), outcome
        assert not _succeeded(services, action, user_id, outcome)
        surface = "channel" if action in ("acknowledge", "task:acknowledged", "report_to_hr",
                                          "task:reported_hr", "task:reported_security") \
            else "modal"
        assert [(e.actor, e.surface) for e in refusals] == [(user_id, surface)]


def test_the_reporter_in_every_role_still_cannot_act_on_their_own_incident(tmp_path):
    """Roles never let the reporter acknowledge, report, decide or close their own report."""
    alice = USERS["alice"]
    text = care_toml()
    for role in ("supervisors", "security", "hr", "management", "ics", "account_officers"):
        text = re.sub(rf"^{role} = \[", f'{role} = ["{alice}", ', text, count=1, flags=re.M)
    services, _slack, _clock = make_services(tmp_path, text)
    file_report(services)
    for action in ACTIONS:
        if action in ("task:ics_notified", "view_private"):
            continue  # the reporter's own guideline step, and what they reported
        outcome = _attempt(services, action, alice)
        assert not _succeeded(services, action, alice, outcome), action


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_table_agrees_with_is_allowed(tmp_path, action, kind):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    with services.store.reading() as db:
        incident = incidents.get_incident(db, 1)
    roles = services.roles.snapshot()
    branch = services.settings.branches["downtown"]
    assert care.is_allowed(_permission(action), KINDS[kind], incident, roles, branch) is (
        EXPECTED[action, kind])
    assert care.is_allowed(_permission(action), OUTSIDER, incident, roles, branch) is False


@pytest.mark.parametrize("kind", KINDS)
def test_open_checklist_offers_exactly_the_users_tasks_and_buttons(tmp_path, kind):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    user_id = KINDS[kind]
    mine = [task.key for task in TASKS if task.via_checklist and EXPECTED[f"task:{task.key}", kind]]
    if kind == "reporter":
        mine = ["ics_notified"]
    can_decide = EXPECTED["decide_account", kind]
    can_close = EXPECTED["close_early", kind]

    outcome = tracking.open_checklist(services, user_id, 1)

    if not (mine or can_decide or can_close):
        assert outcome.view is None
        assert outcome.message.startswith("You can't update the checklist of CARE-2026-0001.")
        return
    blocks = outcome.view["blocks"]
    offered = [option["value"] for block in blocks if block.get("block_id") == "tasks"
               for option in block["element"]["options"]]
    buttons = [element["action_id"] for block in blocks if block["type"] == "actions"
               for element in block["elements"]]
    assert offered == mine
    assert (Action.DECIDE_ACCOUNT.value in buttons) is can_decide
    assert (Action.CLOSE_EARLY.value in buttons) is can_close
