"""The follow-up schedule as data: the acknowledgement ladder, task deadlines, business hours.

Pure functions over epoch seconds; stdlib only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from care_bot.config.types import Branch, Reminders
from care_bot.domain.care import TASKS_BY_KEY

ACK_REMINDER = "ack_reminder"
ACK_ESCALATION = "ack_escalation"
ACK_REPEAT = "ack_repeat"
ACK_OVERDUE = "ack_overdue"
TASK_DUE = "task_due"
TASK_OVERDUE = "task_overdue"
WELLBEING = "wellbeing"
ALERT_CHECK = "alert_check"  # a danger alert's screens re-rendered: "Not delivered yet" at 5 s
ACK_KINDS = (ACK_REMINDER, ACK_ESCALATION, ACK_REPEAT, ACK_OVERDUE)

# Tasks whose deadline starts at acknowledgement, and those that start at submission.
TASKS_AFTER_ACK = ("reported_hr", "reported_security")
TASKS_AFTER_SUBMIT = (
    "safety_plan", "identify_client", "ics_notified", "account_officer_contacted",
    "client_notified", "market_president_notified", "account_decision",
)


@dataclass(frozen=True)
class Planned:
    """A follow-up to schedule: what, which rung, and when."""

    kind: str
    due_at: float
    rung: int = 0
    task: str = ""


def _ack_intervals(reminders: Reminders, danger: bool, urgent: bool = False
                   ) -> tuple[float, float, float]:
    if danger:
        values = (reminders.danger_ack_reminder, reminders.danger_ack_escalation,
                  reminders.danger_ack_repeat)
    elif urgent:  # between the ordinary and the danger ladder, and never slower than ordinary
        values = (min(reminders.urgent_ack_reminder, reminders.ack_reminder),
                  min(reminders.urgent_ack_escalation, reminders.ack_escalation),
                  reminders.ack_repeat)
    else:
        values = (reminders.ack_reminder, reminders.ack_escalation, reminders.ack_repeat)
    return tuple(value.total_seconds() for value in values)


def first_ack_followup(reminders: Reminders, danger: bool, start: float,
                       urgent: bool = False) -> Planned:
    """The first rung: a reminder ``ack_reminder`` after the report (or danger alert)."""
    reminder, _, _ = _ack_intervals(reminders, danger, urgent)
    return Planned(ACK_REMINDER, start + reminder)


def next_ack_followup(
    reminders: Reminders, danger: bool, start: float, sent: Planned, sent_at: float,
    urgent: bool = False,
) -> Planned | None:
    """The rung after ``sent``, counted from when it was actually sent (so downtime coalesces).

    A danger alert repeats every ``danger_ack_repeat`` until someone takes it; a report goes
    overdue after ``ack_repeat_max`` repeats.
    """
    reminder, escalation, repeat = _ack_intervals(reminders, danger, urgent)
    if sent.kind == ACK_REMINDER:
        return Planned(ACK_ESCALATION, max(start + escalation, sent_at + escalation - reminder))
    if sent.kind == ACK_ESCALATION or (sent.kind == ACK_REPEAT):
        done_repeats = sent.rung if sent.kind == ACK_REPEAT else 0
        if danger or done_repeats < reminders.ack_repeat_max:  # danger: until someone takes it
            return Planned(ACK_REPEAT, sent_at + repeat, rung=done_repeats + 1)
        return Planned(ACK_OVERDUE, sent_at + repeat)
    return None


def task_deadline(reminders: Reminders, task_key: str, start: float,
                  danger: bool = False) -> Planned:
    """The deadline of a follow-through task, counted from ``start``.

    A danger incident's safety plan uses ``danger_safety_plan_deadline`` instead.
    """
    setting = TASKS_BY_KEY[task_key].deadline
    if danger and hasattr(reminders, f"danger_{setting}"):
        setting = f"danger_{setting}"
    delta: timedelta = getattr(reminders, setting)
    return Planned(TASK_DUE, start + delta.total_seconds(), task=task_key)


def task_escalation(reminders: Reminders, task_key: str, sent_at: float) -> Planned:
    """After a task's deadline reminder, when the next level is told."""
    return Planned(TASK_OVERDUE, sent_at + reminders.task_escalation.total_seconds(), rung=1,
                   task=task_key)


def checkins(offsets: Sequence[timedelta], start: float, branch: Branch | None) -> list[Planned]:
    """The associate's check-ins: each offset after ``start``, numbered from 1 as its rung.

    Each waits for the branch's next opening when ``business_hours`` is set, whatever the
    incident, so a check-in never arrives at night (the sweep checks again when it falls due).
    """
    return [Planned(WELLBEING, business_time(start + offset.total_seconds(), branch, False),
                    rung=number)
            for number, offset in enumerate(offsets, 1)]


def business_time(when: float, branch: Branch | None, danger: bool) -> float:
    """Move a non-urgent nudge to the branch's next opening time; danger never waits."""
    if danger or branch is None or branch.business_hours is None:
        return when
    hours = branch.business_hours
    zone = ZoneInfo(branch.timezone)
    local = datetime.fromtimestamp(when, zone)
    for day_offset in range(8):
        day = (local + timedelta(days=day_offset)).date()
        if day.weekday() not in hours.days:
            continue
        opens = datetime.combine(day, hours.opens, zone)
        closes = datetime.combine(day, hours.closes, zone)
        if day_offset == 0 and opens <= local < closes:
            return when
        if local < opens:
            return opens.timestamp()
    return when


def business_deadline(start: float, seconds: float, branch: Branch | None) -> float:
    """``start`` plus ``seconds`` counted only in the branch's business hours.

    A branch without business hours counts every hour.
    """
    if branch is None or branch.business_hours is None:
        return start + seconds
    zone = ZoneInfo(branch.timezone)
    at, left = business_time(start, branch, False), seconds
    for _ in range(400):  # a year of opening days at most
        local = datetime.fromtimestamp(at, zone)
        closes = datetime.combine(local.date(), branch.business_hours.closes, zone).timestamp()
        if at + left <= closes:
            return at + left
        left -= max(closes - at, 0.0)
        at = business_time(closes + 1, branch, False)
    return at + left
