"""Who may do what: every tracking action against every kind of user, through the real flows.

The expected table is written out by hand from the CARE guideline's Permission table in
care.py; it is deliberately not recomputed from the code, so a change to a permission has to
change this table too.
"""

from __future__ import annotations

import pytest

from care_bot import care
from care_bot.care import TASKS
from care_bot.flows import tracking
from care_bot.ids import Action
from care_bot.storage import incidents
from tests.support.report import file_report
from tests.support.world import USERS, make_services

# Every kind of user, and who plays it in the test world (tests/support/world.py).
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
}

# Y = allowed, . = refused. Columns in the order of KINDS.
#                                  rep sup rxm mp  ics ao  sups sec hr  mgmt out
TABLE = """
acknowledge                        .   Y   .   .   .   .   Y    Y   .   .    .
task:acknowledged                  .   Y   .   .   .   .   Y    Y   .   .    .
task:reported_hr                   .   Y   .   .   .   .   Y    .   Y   .    .
task:reported_security             .   Y   .   .   .   .   Y    Y   .   .    .
task:ics_notified                  Y   Y   .   .   Y   .   Y    .   .   .    .
task:account_officer_contacted     .   .   .   .   Y   Y   .    .   .   .    .
task:client_notified               .   .   .   .   .   Y   .    .   .   .    .
task:market_president_notified     .   Y   .   Y   .   Y   .    .   .   .    .
task:account_decision              .   .   .   Y   .   .   .    .   .   Y    .
decide_account                     .   .   .   Y   .   .   .    .   .   Y    .
close_early                        .   .   .   .   .   .   .    Y   .   .    .
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
ACTIONS = ["acknowledge", *(f"task:{task.key}" for task in TASKS), "decide_account",
           "close_early"]


def test_the_table_covers_every_action_and_every_task():
    assert {action for action, _kind in EXPECTED} == set(ACTIONS)
    assert len(EXPECTED) == len(ACTIONS) * len(KINDS)


def _permission(action: str) -> care.Permission:
    if action.startswith("task:"):
        return care.TASKS_BY_KEY[action.removeprefix("task:")].permission
    return {"acknowledge": care.ACKNOWLEDGE, "decide_account": care.DECIDE_ACCOUNT,
            "close_early": care.CLOSE_EARLY}[action]


def _attempt(services, action: str, user_id: str) -> tracking.Outcome:
    """Try one action on incident 1 through the flow a click or modal would call."""
    task = action.removeprefix("task:")
    if action == "acknowledge" or task == "acknowledged":
        return tracking.acknowledge(services, user_id, 1, "channel")
    if action == "decide_account" or task == "account_decision":
        return tracking.decide_account(services, user_id, 1, "restrict", "Repeated threats.")
    if action == "close_early":
        return tracking.close_early(services, user_id, 1, "Reported twice by mistake.")
    return tracking.complete_tasks(services, user_id, 1, [task], "done")


def _succeeded(services, action: str, user_id: str) -> bool:
    """Read back from the audit trail whether the action took effect, and by whom."""
    with services.store.reading() as db:
        events = incidents.list_events(db, 1)
        incident = incidents.get_incident(db, 1)
    task = action.removeprefix("task:")
    if action == "acknowledge" or task == "acknowledged":
        return incident.acknowledged_by == user_id
    if action == "decide_account" or task == "account_decision":
        return any(e.action == "account_decided" and e.actor == user_id for e in events)
    if action == "close_early":
        return incident.status == "closed" and incident.closed_by == user_id
    return any(e.action == "task_completed" and e.actor == user_id
               and e.detail["task"] == task for e in events)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("action", ACTIONS)
def test_roles_matrix(tmp_path, action, kind):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    user_id = KINDS[kind]
    allowed = EXPECTED[action, kind]

    outcome = _attempt(services, action, user_id)

    with services.store.reading() as db:
        refusals = [e for e in incidents.list_events(db, 1) if e.action == "refused"]
    if allowed:
        assert outcome.message is None and outcome.errors is None, outcome
        assert _succeeded(services, action, user_id)
        assert refusals == []
    else:
        assert outcome.message is not None and outcome.message.startswith("You can't"), outcome
        assert not _succeeded(services, action, user_id)
        surface = "channel" if action in ("acknowledge", "task:acknowledged") else "modal"
        assert [(e.actor, e.surface) for e in refusals] == [(user_id, surface)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_table_agrees_with_is_allowed(tmp_path, action, kind):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    with services.store.reading() as db:
        incident = incidents.get_incident(db, 1)
    roles = services.roles.snapshot()
    assert care.is_allowed(_permission(action), KINDS[kind], incident, roles) is (
        EXPECTED[action, kind])


@pytest.mark.parametrize("kind", KINDS)
def test_open_checklist_offers_exactly_the_users_tasks_and_buttons(tmp_path, kind):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    user_id = KINDS[kind]
    mine = [task.key for task in TASKS if task.via_checklist and EXPECTED[f"task:{task.key}", kind]]
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
