"""The CSV export: columns, states from events, privacy per requester, audit events."""

from __future__ import annotations

import csv
import io

import pytest

from care_bot.flows import hr_report, records, tracking
from care_bot.storage import reports
from care_bot.views import export
from tests.support.report import file_report
from tests.support.world import USERS, make_services

HOUR = 3600.0


@pytest.fixture
def world(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    clock.advance(HOUR)
    tracking.acknowledge(services, USERS["sam"], 1, "channel")
    clock.advance(HOUR)
    hr_report.report(services, USERS["sam"], 1, "channel")
    return services, slack, clock


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_records_export_to_dm_for_security_with_client_details(world):
    services, slack, _ = world
    answer = records.export_to_dm(services, USERS["sec"], "")
    assert "1 incident" in answer
    upload = slack.uploads[-1]
    assert upload["channel"] == f"D{USERS['sec']}"
    assert upload["filename"].endswith(".csv")
    rows = _rows(upload["content"].decode())
    assert list(rows[0]) == export.columns()
    row = rows[0]
    assert row["reference"].startswith("CARE-") and row["danger"] == "no"
    assert row["branch"] == "downtown" and row["branch_name"] == "Downtown"
    assert row["channel"] == "In person"
    assert row["time_to_acknowledge_min"] == "60.0" and row["acknowledged_by"] == USERS["sam"]
    assert row["time_to_hr_report_min"] == "120.0"
    assert row["reported_hr_state"] == "done" and row["reported_hr_by"] == USERS["sam"]
    assert row["reported_security_state"] == "done"  # one action reports to both
    assert row["safety_plan_state"] == "open"
    assert row["client_name"] == "John Q. Client" and row["accounts"] == "Checking ****1234"


def test_records_export_for_hr_withholds_client_details(world):
    services, slack, _ = world
    records.export_to_dm(services, USERS["hana"], "")
    row = _rows(slack.uploads[-1]["content"].decode())[0]
    assert row["client_name"] == export.WITHHELD and row["accounts"] == export.WITHHELD
    assert "John" not in slack.uploads[-1]["content"].decode()


def test_records_export_refused_for_other_roles_and_nothing_recorded(world):
    services, slack, _ = world
    for user in ("sam", "alice", "olly", "manny"):
        assert "Only Corporate Security & Risk and HR" in records.export_to_dm(
            services, USERS[user], "")
    assert slack.uploads == []
    with services.store.reading() as db:
        assert not [e for e in reports.events_of(db, [1])[1] if e.action == "exported"]


def test_records_each_export_is_an_audit_event(world):
    services, _, _ = world
    records.export_to_dm(services, USERS["sec"], "")
    records.export_to_dm(services, USERS["hana"], "")
    with services.store.reading() as db:
        exported = [e for e in reports.events_of(db, [1])[1] if e.action == "exported"]
    assert [(e.actor, e.detail["with_client_details"]) for e in exported] == [
        (USERS["sec"], True), (USERS["hana"], False)]
    assert exported[0].detail["export"] != exported[1].detail["export"]


def test_records_since_filters_and_bad_dates_explain(world):
    services, slack, _ = world
    assert "0 incident" in records.export_to_dm(services, USERS["sec"], "since 2030-01-01")
    assert len(_rows(slack.uploads[-1]["content"].decode())) == 0
    assert "1 incident" in records.export_to_dm(services, USERS["sec"], "since 2026-01-01")
    assert "not a date" in records.export_to_dm(services, USERS["sec"], "since 2026-02-31")
    assert "/threat export since" in records.export_to_dm(services, USERS["sec"], "yesterday")


def test_records_parse_since_is_local_midnight():
    assert records.parse_since("", "UTC") is None
    assert records.parse_since("2026-09-21", "UTC") == 1_789_948_800  # 00:00 UTC that day
    assert records.parse_since("since 2026-09-21", "America/New_York") - records.parse_since(
        "2026-09-21", "UTC") == 4 * HOUR


@pytest.mark.parametrize("value", ["=HYPERLINK(1)", "+1", "-2", "@x", "\tq"])
def test_records_cells_never_run_as_formulas(value):
    assert export.cell(value) == "'" + value
    assert export.cell("plain") == "plain"
