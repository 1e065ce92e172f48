"""Issue 17 §5: each role's "My open tasks" lists only that person's own tasks; others' overdue
tasks sit under a separate heading, folded until the person unfolds it (kept across re-publishes).
"""

from __future__ import annotations

import json

import pytest

from care_bot.domain import care
from care_bot.domain.checklist import owns, task_owner
from care_bot.flows import home as home_flow
from care_bot.flows import role_home, tracking, worklist
from care_bot.ids import Action
from tests.support.blockkit import assert_valid_view
from tests.support.report import file_report
from tests.support.world import USERS, care_toml, make_services

HOUR = 3600.0
SAM, SUE, SEC, HANA, ALICE = (USERS[n] for n in ("sam", "sue", "sec", "hana", "alice"))


@pytest.fixture
def world(tmp_path):
    """One report at downtown (sam is its supervisor; sue is in the supervisors role),
    acknowledged by sam."""
    services, slack, clock = make_services(tmp_path, care_toml({"report_deadline": "1h"}))
    file_report(services)
    tracking.acknowledge(services, SAM, 1, "home")
    return services, slack, clock


def _incident(services):
    with services.store.reading() as db:
        return worklist.load_open(db, 0)[0].incident


def _blocks(services, builder, user_id):
    with services.store.reading() as db:
        return builder(db, services, user_id)


def _headers(blocks) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "header"]


def test_owns_is_the_branch_post_then_the_owning_roles(world):
    services, _, _ = world
    incident = _incident(services)
    branch = care.branch_of(incident, services.settings.branches)
    roles = services.roles.snapshot()
    hr_task = care.TASKS_BY_KEY["reported_hr"]
    assert task_owner(hr_task, incident, branch) == SAM
    assert owns(hr_task, SAM, incident, roles, branch)
    assert not owns(hr_task, SUE, incident, roles, branch)  # may complete it, not hers
    assert care.is_allowed(hr_task.permission, SUE, incident, roles, branch)
    assert owns(hr_task, SUE, incident, roles, None)  # nobody in the post: the role's own
    plan = care.TASKS_BY_KEY[care.SAFETY_PLAN]
    assert task_owner(plan, incident, branch) is None
    assert owns(plan, SEC, incident, roles, branch) and owns(plan, HANA, incident, roles, branch)
    told = care.TASKS_BY_KEY["ics_notified"]
    assert task_owner(told, incident, branch) == ALICE
    assert not owns(told, SAM, incident, roles, branch)


def test_my_open_tasks_holds_only_my_own(world):
    services, _, _ = world
    sam = _blocks(services, role_home.supervisor_section, SAM)
    assert "My open tasks" in _headers(sam) and "Reported to HR" in json.dumps(sam)
    sue = _blocks(services, role_home.supervisor_section, SUE)
    assert "My open tasks" not in _headers(sue)
    assert "0 open task(s)" in json.dumps(sue)
    assert _blocks(services, role_home.others_overdue_section, SUE) == []  # not overdue yet


def test_others_overdue_tasks_are_folded_then_shown_and_kept_across_publishes(world):
    services, _, clock = world
    clock.advance(2 * HOUR)  # report_deadline passed: sam's two report tasks are overdue
    folded = _blocks(services, role_home.others_overdue_section, SUE)
    assert _headers(folded) == ["Others' overdue tasks (2)"]
    toggle = folded[1]["accessory"]
    assert (toggle["action_id"], toggle["value"], toggle["text"]["text"]) == (
        Action.HOME_OTHERS_TASKS.value, "show", "Show")
    assert "Reported to HR" not in json.dumps(folded)
    assert "My open tasks" not in _headers(_blocks(services, role_home.supervisor_section, SUE))

    role_home.show_others(services, SUE, "show")
    shown = _blocks(services, role_home.others_overdue_section, SUE)
    text = json.dumps(shown)
    assert "Reported to HR" in text and f"owner: <@{SAM}>" in text
    assert shown[1]["accessory"]["value"] == "hide"
    with services.store.reading() as db:
        view = home_flow.home_view(db, services, SUE)  # any later publish keeps it unfolded
    assert_valid_view(view)
    assert "Others' overdue tasks (2)" in _headers(view["blocks"])
    assert f"owner: <@{SAM}>" in json.dumps(view)

    role_home.show_others(services, SUE, "hide")
    assert "Reported to HR" not in json.dumps(
        _blocks(services, role_home.others_overdue_section, SUE))
    # the owner sees their overdue tasks as their own, never under "others"
    assert _blocks(services, role_home.others_overdue_section, SAM) == []
    assert "Reported to HR" in json.dumps(_blocks(services, role_home.supervisor_section, SAM))


def test_show_others_keeps_the_branch_filter(world):
    services, _, _ = world
    role_home.choose_branch(services, SEC, "downtown")
    role_home.show_others(services, SEC, "show")
    from care_bot.storage import home_filters
    with services.store.reading() as db:
        assert home_filters.home_filter(db, SEC) == "downtown"
        assert home_filters.others_shown(db, SEC) is True


def test_threat_list_keeps_my_tasks_apart_from_others_overdue(world):
    from care_bot.flows import lookup

    services, _, clock = world
    before = json.dumps(lookup.my_list(services, SUE))
    assert "You have no open tasks." in before and "Others' overdue" not in before
    clock.advance(2 * HOUR)
    after = lookup.my_list(services, SUE)
    headers = _headers(after["blocks"])
    assert headers == ["My reports", "My open tasks", "Others' overdue tasks (2)"]
    at = next(i for i, b in enumerate(after["blocks"]) if b["type"] == "header"
              and b["text"]["text"].startswith("Others'"))
    assert "Reported to HR" not in json.dumps(after["blocks"][:at])  # not among my own
    assert "Reported to HR" in json.dumps(after["blocks"][at:])
    mine = json.dumps(lookup.my_list(services, SAM))
    assert "Reported to HR" in mine and "Others' overdue" not in mine
