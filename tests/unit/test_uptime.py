"""Outage detection: which gaps count, the notice, and the once-only record."""

from __future__ import annotations

from datetime import timedelta

import pytest

from care_bot.runtime import uptime
from care_bot.storage import service
from care_bot.storage.service import Liveness
from care_bot.views import notices
from tests.support.world import make_services

TWO_MINUTES = timedelta(minutes=2)


@pytest.fixture
def world(tmp_path):
    """Services on an in-memory database with a hand-moved clock."""
    return make_services(tmp_path)


@pytest.fixture
def services(world):
    """The services of the test world."""
    return world[0]


@pytest.fixture
def clock(world):
    """The clock of the test world."""
    return world[2]


@pytest.mark.parametrize(
    ("liveness", "now", "expected"),
    [
        (Liveness(None, None), 1000.0, None),  # a new database: no history, no alarm
        (Liveness(1000.0, None), 1100.0, None),  # crash, back within the threshold
        (Liveness(1000.0, None), 1120.0, (1000.0, 1120.0, False)),  # exactly the threshold
        (Liveness(1000.0, 1000.0), 1010.0, None),  # deploy: clean stop, quick restart
        (Liveness(1000.0, 1005.0), 1500.0, (1005.0, 1500.0, True)),  # stopped, left down
        (Liveness(2000.0, 1000.0), 2300.0, (2000.0, 2300.0, False)),  # old clean stop, then crash
    ],
)
def test_uptime_find_outage_counts_only_long_gaps(liveness, now, expected):
    """A gap counts from the last sign of life, or from a later clean stop."""
    outage = uptime.find_outage(liveness, now, TWO_MINUTES)
    if expected is None:
        assert outage is None
    else:
        assert (outage.started_at, outage.ended_at, outage.clean_stop) == expected


def test_uptime_notice_names_both_times_and_what_to_do():
    """The notice gives from and to as Slack dates and tells security what to check."""
    message = notices.downtime(1764597720.0, 1764598140.0)
    assert "<!date^1764597720^" in message["text"]
    assert "<!date^1764598140^" in message["text"]
    assert "2025-12-01 14:02 UTC" in message["text"]
    assert "please check with your branches" in message["text"]
    assert message["blocks"]


def test_uptime_report_at_start_queues_one_notice_and_one_event(services, clock):
    """A long gap queues one security post and one service event; a second start adds none."""
    with services.store.transaction() as db:
        service.mark(db, service.LAST_ALIVE, clock.now - 600)
    outage = uptime.report_downtime_at_start(services)
    assert outage is not None and outage.seconds == pytest.approx(600)
    assert uptime.report_downtime_at_start(services) is None
    with services.store.reading() as db:
        rows = db.execute("SELECT channel, payload FROM outbox WHERE key LIKE 'downtime:%'")
        posted = rows.fetchall()
        assert [row[0] for row in posted] == [services.settings.security_channel]
        events = service.list_service_events(db)
    assert [event["action"] for event in events] == ["downtime_reported"]
    assert events[0]["detail"]["from"] == pytest.approx(clock.now - 600)


def test_uptime_clean_stop_then_quick_start_is_silent(services, clock):
    """record_clean_stop then an immediate start raises nothing and clears the mark."""
    uptime.record_clean_stop(services)
    clock.now += 5
    assert uptime.report_downtime_at_start(services) is None
    with services.store.reading() as db:
        assert service.read_liveness(db).clean_stop_at is None


def test_uptime_service_events_are_append_only(services, clock):
    """Nobody can edit or delete the outage record through SQL."""
    with services.store.transaction() as db:
        service.append_service_event(db, action="downtime_reported", at=clock.now, detail={})
    for statement in ("UPDATE service_events SET action = 'x'", "DELETE FROM service_events"):
        with pytest.raises(Exception, match="append-only"), services.store.transaction() as db:
            db.execute(statement)


def test_uptime_alive_marker_writes_at_most_every_few_seconds(services, clock):
    """Idle sweeps stay cheap: the alive mark is written only when it is due."""
    marker = uptime.AliveMarker(services)
    marker.note_alive()
    first = clock.now
    clock.now += marker.every / 2
    marker.note_alive()
    with services.store.reading() as db:
        assert service.read_liveness(db).last_alive_at == first
    clock.now += marker.every
    marker.note_alive()
    with services.store.reading() as db:
        assert service.read_liveness(db).last_alive_at == clock.now
