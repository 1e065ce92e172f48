"""Program metrics computed from the audit events: acknowledgement times, HR reports, overdue
tasks, and counts by kind, branch and channel. Stdlib only; times are epoch seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from care_bot.domain.care import REVIEW, TASKS
from care_bot.domain.checklist import ended_early, task_states
from care_bot.domain.models import Event, Incident

START_ACTIONS = ("danger_alerted", "submitted")
ACKNOWLEDGED = "acknowledged"
# The HR report: the checklist task today; issue 8's one-step report records its own action.
HR_REPORT_ACTIONS = ("hr_notification_sent", "hr_reported", "reported_hr_and_security")
HR_TASK = "reported_hr"
FOLLOWUP_SENT = "followup_sent"
TASK_DUE_KIND = "task_due"
NOT_GIVEN = "not given"


@dataclass(frozen=True)
class Facts:
    """What the metrics need from one incident, read from its events."""

    incident_id: int
    ref: str
    danger: bool
    branch: str
    kinds: tuple[str, ...]
    channel: str
    started_at: float  # the danger alert, or the submission
    acknowledged_at: float | None
    hr_reported_at: float | None
    closed_at: float | None
    overdue_tasks: tuple[str, ...]
    review_done_at: float | None = None  # security's post-incident review (danger incidents)

    @property
    def time_to_ack(self) -> float | None:
        """Seconds from the alert or submission to the first acknowledgement."""
        return None if self.acknowledged_at is None else self.acknowledged_at - self.started_at

    @property
    def time_to_hr(self) -> float | None:
        """Seconds from the alert or submission to the report to HR."""
        return None if self.hr_reported_at is None else self.hr_reported_at - self.started_at


def _first(events: Iterable[Event], test) -> Event | None:
    return next((event for event in events if test(event)), None)


def facts_of(incident: Incident, events: Sequence[Event]) -> Facts:
    """Fold one incident's events into the figures the metrics use."""
    start = _first(events, lambda e: e.action in START_ACTIONS)
    ack = _first(events, lambda e: e.action == ACKNOWLEDGED)
    states = task_states(events)
    hr = _first(events, lambda e: e.action in HR_REPORT_ACTIONS)
    hr_at = hr.at if hr else (states[HR_TASK].at if HR_TASK in states else None)
    closed = _first(events, lambda e: e.action == "closed")
    overdue: list[str] = []
    if closed is None and incident.status != "closed":
        reminded = {e.detail.get("task") for e in events
                    if e.action == FOLLOWUP_SENT and e.detail.get("kind") == TASK_DUE_KIND}
        ended = {task.key for task in ended_early(incident, states)}  # security closed early
        overdue = [task.key for task in TASKS if task.key in reminded
                   and task.key not in states and task.key not in ended]
    answers = incident.answers
    return Facts(
        incident_id=incident.id,
        ref=incident.ref,
        danger=incident.danger,
        branch=incident.branch or answers.get("branch") or NOT_GIVEN,
        kinds=tuple(answers.get("threat_kinds") or ()) or (NOT_GIVEN,),
        channel=answers.get("threat_channel") or NOT_GIVEN,
        started_at=start.at if start else incident.created_at,
        acknowledged_at=ack.at if ack else None,
        hr_reported_at=hr_at,
        closed_at=closed.at if closed else incident.closed_at,
        overdue_tasks=tuple(overdue),
        review_done_at=states[REVIEW].at if REVIEW in states else None,
    )


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The value below which ``fraction`` of ``values`` fall, linearly interpolated."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Spread:
    """How many durations there were, and their median and 90th percentile, in seconds."""

    count: int = 0
    p50: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        """Summarise a list of durations."""
        return cls(len(values), percentile(values, 0.5), percentile(values, 0.9))


@dataclass(frozen=True)
class Metrics:
    """The program's figures over a period."""

    since: float
    until: float
    incidents: int = 0
    danger: int = 0
    ack_ordinary: Spread = Spread()
    ack_danger: Spread = Spread()
    unacknowledged: int = 0
    hr_report: Spread = Spread()
    tasks_overdue: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_branch: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    reviews_done: int = 0  # post-incident reviews recorded in the period, whatever the start
    reviews_overdue: int = 0  # reviews past their deadline and still not recorded


def _counts(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda item: (-item[1], item[0])))


def compute(facts: Iterable[Facts], since: float, until: float) -> Metrics:
    """Compute the metrics of the incidents started in [since, until)."""
    facts = list(facts)
    chosen = [f for f in facts if since <= f.started_at < until]
    ordinary = [f.time_to_ack for f in chosen if not f.danger and f.time_to_ack is not None]
    danger = [f.time_to_ack for f in chosen if f.danger and f.time_to_ack is not None]
    return Metrics(
        since=since,
        until=until,
        incidents=len(chosen),
        danger=sum(1 for f in chosen if f.danger),
        ack_ordinary=Spread.of(ordinary),
        ack_danger=Spread.of(danger),
        unacknowledged=sum(1 for f in chosen if f.acknowledged_at is None),
        hr_report=Spread.of([f.time_to_hr for f in chosen if f.time_to_hr is not None]),
        tasks_overdue=sum(len(f.overdue_tasks) for f in chosen),
        by_kind=_counts(kind for f in chosen for kind in f.kinds),
        by_branch=_counts(f.branch for f in chosen),
        by_channel=_counts(f.channel for f in chosen),
        # A review follows its incident by up to two weeks: counted over every fact given.
        reviews_done=sum(1 for f in facts
                         if f.review_done_at is not None and since <= f.review_done_at < until),
        reviews_overdue=sum(1 for f in facts if REVIEW in f.overdue_tasks),
    )


@dataclass(frozen=True)
class Week:
    """One week of the trend: its start, how many incidents, the median time to acknowledge."""

    start: float
    incidents: int
    median_ack: float | None


def week_start(when: float, zone: str) -> float:
    """The Monday 00:00 (in ``zone``) of the week holding ``when``."""
    local = datetime.fromtimestamp(when, ZoneInfo(zone))
    monday = (local - timedelta(days=local.weekday())).date()
    return datetime(monday.year, monday.month, monday.day, tzinfo=ZoneInfo(zone)).timestamp()


def weekly(facts: Iterable[Facts], until: float, zone: str, weeks: int = 12) -> list[Week]:
    """The last ``weeks`` calendar weeks up to ``until``, oldest first."""
    tz = ZoneInfo(zone)
    last = datetime.fromtimestamp(week_start(until, zone), tz)
    # Aware arithmetic keeps the wall clock, so every start is local midnight across DST.
    starts = [(last - timedelta(weeks=back)).timestamp() for back in range(weeks - 1, -1, -1)]
    bounds = [*starts[1:], until]
    items = list(facts)
    result = []
    for start, end in zip(starts, bounds, strict=True):
        chosen = [f for f in items if start <= f.started_at < end]
        acks = [f.time_to_ack for f in chosen if f.time_to_ack is not None]
        result.append(Week(start, len(chosen), percentile(acks, 0.5)))
    return result


def describe_duration(seconds: float | None) -> str:
    """A short human duration such as "4m", "2h 05m" or "3d 4h"; a dash when unknown."""
    if seconds is None:
        return "—"
    seconds = max(seconds, 0)
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def label_counts(counts: Mapping[str, int], labels: Mapping[str, str], limit: int = 6) -> str:
    """Render counts as "Label 3, Other 1", at most ``limit`` entries."""
    parts = [f"{labels.get(key, key)} {value}" for key, value in list(counts.items())[:limit]]
    if len(counts) > limit:
        parts.append(f"+{len(counts) - limit} more")
    return ", ".join(parts) or "none"
