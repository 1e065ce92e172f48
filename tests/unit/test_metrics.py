"""Metrics computed from a synthetic event history."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from care_bot.domain import metrics
from care_bot.domain.models import Event, Incident

T0 = 1_790_000_000.0  # Monday 2026-09-21 14:13:20 UTC
MIN = 60.0
HOUR = 3600.0
DAY = 86400.0


def _incident(n, *, danger=False, branch="downtown", kinds=("physical",), channel="in_person",
              status="open"):
    answers = {"threat_kinds": list(kinds), "threat_channel": channel, "branch": branch}
    return Incident(id=n, ref=f"CARE-2026-{n:04d}", reporter="U0ALICE", status=status,
                    danger=danger, branch=branch, answers=answers, created_at=T0,
                    submitted_at=T0)


class History:
    """Builds events for one incident at offsets from its start."""

    def __init__(self, incident_id, start):
        self.incident_id, self.start, self.events = incident_id, start, []

    def add(self, offset, action, actor="U0SAM", **detail):
        self.events.append(Event(len(self.events) + 1, self.incident_id, self.start + offset,
                                 actor, action, "modal", detail))
        return self


def _case(n, start, *, ack=None, hr=None, danger=False, reminded=(), **kw):
    history = History(n, start).add(0, "danger_alerted" if danger else "submitted", "U0ALICE")
    if ack is not None:
        history.add(ack, "acknowledged")
    if hr is not None:
        history.add(hr, "task_completed", task="reported_hr")
    for task in reminded:
        history.add(2 * DAY, "followup_sent", "care-bot", kind="task_due", task=task, rung=0)
    return metrics.facts_of(_incident(n, danger=danger, **kw), history.events)


def test_metrics_percentiles_interpolate():
    assert metrics.percentile([], 0.5) is None
    assert metrics.percentile([7], 0.9) == 7
    assert metrics.percentile([4, 1, 3, 2], 0.5) == 2.5
    assert metrics.percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)


def test_metrics_time_to_acknowledge_split_ordinary_and_danger():
    facts = [
        _case(1, T0, ack=10 * MIN), _case(2, T0 + HOUR, ack=20 * MIN),
        _case(3, T0 + 2 * HOUR, ack=30 * MIN), _case(4, T0 + 3 * HOUR),  # never acknowledged
        _case(5, T0, ack=2 * MIN, danger=True), _case(6, T0, ack=4 * MIN, danger=True),
    ]
    result = metrics.compute(facts, T0, T0 + DAY)
    assert result.incidents == 6 and result.danger == 2 and result.unacknowledged == 1
    assert result.ack_ordinary == metrics.Spread(3, 20 * MIN, 28 * MIN)
    assert result.ack_danger == metrics.Spread(2, 3 * MIN, 3.8 * MIN)


def test_metrics_danger_counts_from_the_alert_not_the_submission():
    history = History(1, T0).add(0, "danger_alerted", "U0ALICE").add(
        30 * MIN, "submitted", "U0ALICE").add(5 * MIN, "acknowledged")
    facts = metrics.facts_of(_incident(1, danger=True), history.events)
    assert facts.started_at == T0 and facts.time_to_ack == 5 * MIN


def test_metrics_time_to_hr_report_from_the_task_or_the_hr_action():
    task = _case(1, T0, ack=MIN, hr=3 * HOUR)
    action = metrics.facts_of(_incident(2), History(2, T0).add(0, "submitted").add(
        HOUR, "hr_reported").events)
    result = metrics.compute([task, action, _case(3, T0)], T0, T0 + DAY)
    assert result.hr_report == metrics.Spread(2, 2 * HOUR, pytest.approx(2.8 * HOUR))


def test_metrics_overdue_tasks_are_reminded_and_not_done_on_open_incidents():
    open_one = _case(1, T0, ack=MIN, hr=HOUR, reminded=("reported_hr", "reported_security"))
    closed = _case(2, T0, reminded=("ics_notified",), status="closed")
    assert open_one.overdue_tasks == ("reported_security",)
    assert closed.overdue_tasks == ()
    assert metrics.compute([open_one, closed], T0, T0 + DAY).tasks_overdue == 1


def test_metrics_counts_by_kind_branch_and_channel_most_first():
    facts = [
        _case(1, T0, kinds=("physical", "abusive")), _case(2, T0, kinds=("abusive",)),
        _case(3, T0, branch="uptown", channel="phone", kinds=()),
    ]
    result = metrics.compute(facts, T0, T0 + DAY)
    assert result.by_kind == {"abusive": 2, "not given": 1, "physical": 1}
    assert list(result.by_kind) == ["abusive", "not given", "physical"]
    assert result.by_branch == {"downtown": 2, "uptown": 1}
    assert result.by_channel == {"in_person": 2, "phone": 1}


def test_metrics_window_excludes_incidents_outside_it():
    facts = [_case(1, T0 - 1, ack=MIN), _case(2, T0, ack=MIN), _case(3, T0 + DAY, ack=MIN)]
    assert metrics.compute(facts, T0, T0 + DAY).incidents == 1


def test_metrics_weekly_twelve_weeks_oldest_first_with_medians():
    zone = "America/New_York"
    facts = [_case(1, T0, ack=10 * MIN), _case(2, T0 + HOUR, ack=30 * MIN),
             _case(3, T0 - 7 * DAY), _case(4, T0 - 20 * 7 * DAY, ack=MIN)]
    weeks = metrics.weekly(facts, T0 + 2 * HOUR, zone)
    assert len(weeks) == 12
    assert [w.incidents for w in weeks[-2:]] == [1, 2]
    assert weeks[-1].median_ack == 20 * MIN and weeks[-2].median_ack is None
    assert sum(w.incidents for w in weeks) == 3  # 20 weeks ago is outside
    for week in weeks:  # every week starts on a Monday at local midnight, DST or not
        local = datetime.fromtimestamp(week.start, ZoneInfo(zone))
        assert (local.weekday(), local.hour, local.minute) == (0, 0, 0)
    assert weeks[1].start > weeks[0].start


def test_metrics_describe_duration():
    seconds = (None, 42, 300, 2 * HOUR + 5 * MIN, 3 * DAY + 4 * HOUR)
    assert [metrics.describe_duration(s) for s in seconds] == ["—", "42s", "5m", "2h 05m", "3d 4h"]
