"""Role sections of Home and the lookups: who sees what, danger first, overdue marked."""

from __future__ import annotations

import json

import pytest

from care_bot.flows import hr_report, lookup, renders, role_home, tracking
from care_bot.ids import Action
from care_bot.outbox import posting
from care_bot.storage import incidents, outbox
from care_bot.views import lookup as lookup_views
from tests.support.blockkit import assert_valid_view
from tests.support.report import file_report
from tests.support.world import USERS, care_toml, make_services

DAY = 86400.0


@pytest.fixture
def world(tmp_path):
    services, slack, clock = make_services(tmp_path, care_toml(
        {"report_deadline": "1h", "evaluate_deadline": "2h"}))
    file_report(services)  # CARE-…-0001, ordinary
    clock.advance(60)
    file_report(services, danger=True)  # CARE-…-0002, danger
    return services, slack, clock


def _section(services, builder, user):
    with services.store.reading() as db:
        return builder(db, services, USERS[user])


def _text(blocks):
    return json.dumps(blocks)


def _buttons(blocks, action):
    return [b["accessory"]["value"] for b in blocks
            if b.get("accessory", {}).get("action_id") == action.value]


def test_role_home_supervisor_sees_awaiting_danger_first_with_acknowledge(world):
    services, _, _ = world
    blocks = _section(services, role_home.supervisor_section, "sam")
    assert _buttons(blocks, Action.HOME_ACKNOWLEDGE) == ["2", "1"]  # danger first
    assert "Supervisor: waiting for you" in _text(blocks)
    assert _section(services, role_home.supervisor_section, "sue")  # the supervisors role too
    for outsider in ("olly", "alice", "sec", "hana"):
        assert _section(services, role_home.supervisor_section, outsider) == []


def test_role_home_acknowledged_leaves_the_list_and_tasks_show_overdue(world):
    services, _, clock = world
    tracking.acknowledge(services, USERS["sam"], 1, "home")
    clock.advance(2 * 3600)
    blocks = _section(services, role_home.supervisor_section, "sam")
    assert _buttons(blocks, Action.HOME_ACKNOWLEDGE) == ["2"]
    assert "Reported to HR" in _text(blocks) and ":red_circle: *Overdue*" in _text(blocks)
    assert "1" in _buttons(blocks, Action.UPDATE_CHECKLIST)


def test_role_home_security_sees_all_open_with_filter_and_figures(world):
    services, _, _ = world
    blocks = _section(services, role_home.security_section, "sec")
    text = _text(blocks)
    assert _buttons(blocks, Action.SHOW_DETAILS) == ["2", "1"]
    assert "Last 30 days" in text and "Time to acknowledge" in text
    select = next(b for b in blocks if b.get("block_id") == "care_home_branch")
    assert select["elements"][0]["action_id"] == Action.HOME_BRANCH.value
    assert select["elements"][0]["initial_option"]["value"] == "all"
    role_home.choose_branch(services, USERS["sec"], "nowhere")  # unknown: every branch
    assert _buttons(_section(services, role_home.security_section, "sec"),
                    Action.SHOW_DETAILS) == ["2", "1"]
    assert _section(services, role_home.security_section, "sam") == []


def test_role_home_hr_section_and_several_roles(tmp_path):
    toml = care_toml().replace(f'hr = ["{USERS["hana"]}"]',
                               f'hr = ["{USERS["hana"]}", "{USERS["sec"]}"]')
    services, _, _ = make_services(tmp_path, toml)
    file_report(services)
    tracking.acknowledge(services, USERS["sam"], 1, "channel")
    hr_report.report(services, USERS["sam"], 1, "channel")
    hr = _section(services, role_home.hr_section, "hana")
    assert "Incidents reported to HR" in _text(hr) and _buttons(hr, Action.SHOW_DETAILS) == ["1"]
    assert "Wellbeing requests" in _text(hr)
    with services.store.reading() as db:
        sections = [b for s in role_home.SECTIONS for b in s(db, services, USERS["sec"])]
    assert "Corporate Security & Risk: open incidents" in _text(sections)
    assert "Incidents reported to HR" in _text(sections)


def test_role_home_never_shows_client_details(world):
    services, _, _ = world
    with services.store.reading() as db:
        for user in USERS:
            for section in role_home.SECTIONS:
                text = _text(section(db, services, USERS[user]))
                assert "John Q. Client" not in text and "1234" not in text


def test_role_home_sections_fit_a_home_view(world):
    services, _, _ = world
    for user in ("sam", "sec", "hana"):
        with services.store.reading() as db:
            blocks = [b for s in role_home.SECTIONS for b in s(db, services, USERS[user])]
        assert_valid_view({"type": "home", "blocks": blocks})


def test_lookup_list_has_my_reports_and_my_tasks(world):
    services, _, _ = world
    mine = lookup.my_list(services, USERS["alice"])
    assert "CARE-2026-0001" in _text(mine["blocks"]) and "ICS" in _text(mine["blocks"])
    theirs = lookup.my_list(services, USERS["olly"])
    assert "You have no reports." in _text(theirs) and "You have no open tasks." in _text(theirs)


def test_lookup_show_opens_details_with_the_timeline(world):
    services, _, _ = world
    tracking.acknowledge(services, USERS["olly"], 1, "channel")  # refused, recorded
    tracking.open_checklist(services, USERS["ivy"], 1)  # views client details, recorded
    shown = lookup.show(services, USERS["sec"], "care-2026-0001")
    assert shown.message is None
    assert_valid_view(shown.view)
    text = _text(shown.view)
    for needle in ("submitted the report", "*was refused*: tried to acknowledge",
                   "*viewed the client details*", "Checklist", "People", "Timeline"):
        assert needle in text
    assert "John Q. Client" not in text


def test_lookup_show_refuses_plainly_and_the_same_for_unknown(world):
    services, _, _ = world
    refused = lookup.show(services, USERS["olly"], "CARE-2026-0001")
    unknown = lookup.show(services, USERS["olly"], "CARE-2026-9999")
    assert refused.view is None and unknown.view is None
    assert refused.message == lookup_views.refusal_text("CARE-2026-0001")
    assert "9999" in unknown.message and "There is no incident" in unknown.message
    shown = lookup.show(services, USERS["sec"], "CARE-2026-0001")
    assert "tried to open its details" in _text(shown.view)
    assert "/threat show" in lookup.show(services, USERS["sec"], "nonsense").message


def test_lookup_show_reporter_and_named_people_may_see(world):
    services, _, _ = world
    for user in ("alice", "sam", "ivy", "hana", "manny", "sue"):
        assert lookup.show(services, USERS[user], "CARE-2026-0001").view is not None, user


def test_role_home_rows_wait_behind_every_post_in_a_sweep(world):
    services, _, _ = world
    with services.store.reading() as db:
        due = outbox.due_items(db, services.clock() + 1)
    kinds = [item.kind for item in due]
    assert "home" in kinds and kinds.index("home") > max(
        i for i, kind in enumerate(kinds) if kind == "post")


def test_role_home_concerned_are_the_people_and_roles_not_the_reporter(world):
    services, _, _ = world
    with services.store.reading() as db:
        incident = incidents.get_incident(db, 1)
        row = next(item for item in outbox.due_items(db, services.clock() + 1)
                   if item.kind == "home" and item.channel.startswith(posting.CONCERNED))
        people = renders.render(db, services, row, incident)["home_for"]
    assert USERS["alice"] not in people
    assert {USERS["sam"], USERS["sec"], USERS["hana"], USERS["sue"], USERS["ivy"]} <= set(people)
    assert USERS["olly"] not in people


def test_role_home_a_busy_home_for_every_role_at_once_stays_valid(tmp_path):
    everyone = USERS["sec"]
    toml = care_toml().replace(f'supervisors = ["{USERS["sue"]}"]',
                               f'supervisors = ["{USERS["sue"]}", "{everyone}"]')
    toml = toml.replace(f'hr = ["{USERS["hana"]}"]', f'hr = ["{USERS["hana"]}", "{everyone}"]')
    services, _, clock = make_services(tmp_path, toml)
    for _ in range(25):
        file_report(services)
        clock.advance(60)
    from care_bot.flows import home

    with services.store.reading() as db:
        view = home.home_view(db, services, everyone)
    assert_valid_view(view)
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    for title in ("My reports", "Supervisor: waiting for you",
                  "Corporate Security & Risk: open incidents", "Last 30 days", "HR",
                  "Wellbeing requests"):
        assert title in headers, (title, headers, len(view["blocks"]))


def test_lookup_long_timeline_keeps_the_newest_within_slacks_limits(world):
    services, _, _ = world
    from care_bot.domain.models import Event

    with services.store.reading() as db:
        incident = incidents.get_incident(db, 1)
    events = [Event(i, 1, 1_790_000_000 + i, USERS["olly"], "refused", "channel",
                    {"attempted": "acknowledge"}) for i in range(3000)]
    view = lookup_views.details_view(incident, {}, events, services.settings.branches)
    assert_valid_view(view)
    text = _text(view)
    assert "earlier events are not shown here" in text
    assert "1790002999" in text  # the newest event is there
