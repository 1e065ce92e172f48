"""Pure tests of care_bot/domain/ladder.py: the acknowledgement ladder, task deadlines, the
wellbeing check-in and business hours, all on epoch seconds with explicit expected times."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from care_bot.config import Branch, BusinessHours, Reminders
from care_bot.domain import ladder
from care_bot.domain.care import TASKS
from care_bot.domain.ladder import (
    ACK_ESCALATION,
    ACK_OVERDUE,
    ACK_REMINDER,
    ACK_REPEAT,
    TASK_DUE,
    TASK_OVERDUE,
    WELLBEING,
    Planned,
)

T = 1_790_000_000.0  # Monday 2026-09-21 14:13:20 UTC = 10:13:20 in New York (EDT, UTC-4)
NY = ZoneInfo("America/New_York")
MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0

# Every interval differs, so a test fails if the wrong setting is used.
ACK_REMINDER_S = 15 * MINUTE
ACK_ESCALATION_S = 40 * MINUTE
ACK_REPEAT_S = 25 * MINUTE
DANGER_REMINDER_S = 5 * MINUTE
DANGER_ESCALATION_S = 12 * MINUTE
DANGER_REPEAT_S = 7 * MINUTE
REPORT_S = 4 * HOUR
EVALUATE_S = 3 * DAY
DECISION_S = 10 * DAY
TASK_ESCALATION_S = 1 * DAY
WELLBEING_S = 24 * HOUR


def reminders(**overrides) -> Reminders:
    """Build Reminders with distinct intervals; override any field."""
    values = {
        "ack_reminder": timedelta(seconds=ACK_REMINDER_S),
        "ack_escalation": timedelta(seconds=ACK_ESCALATION_S),
        "ack_repeat": timedelta(seconds=ACK_REPEAT_S),
        "ack_repeat_max": 3,
        "danger_ack_reminder": timedelta(seconds=DANGER_REMINDER_S),
        "danger_ack_escalation": timedelta(seconds=DANGER_ESCALATION_S),
        "danger_ack_repeat": timedelta(seconds=DANGER_REPEAT_S),
        "report_deadline": timedelta(seconds=REPORT_S),
        "evaluate_deadline": timedelta(seconds=EVALUATE_S),
        "decision_deadline": timedelta(seconds=DECISION_S),
        "task_escalation": timedelta(seconds=TASK_ESCALATION_S),
        "wellbeing_checkin": timedelta(seconds=WELLBEING_S),
    }
    values.update(overrides)
    return Reminders(**values)


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    """Epoch seconds of a New York wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=NY).timestamp()


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    """Epoch seconds of a UTC time."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


def branch(hours: BusinessHours | None = None, timezone: str = "America/New_York") -> Branch:
    return Branch(code="downtown", name="Downtown", timezone=timezone, business_hours=hours)


WEEKDAYS_9_TO_5 = BusinessHours(time(9, 0), time(17, 0), (0, 1, 2, 3, 4))


def walk_ladder(rem: Reminders, danger: bool, start: float, delays: dict[int, float] | None = None,
                limit: int = 50) -> list[Planned]:
    """Send every rung when due (plus an optional delay per rung index); return the rungs."""
    delays = delays or {}
    rungs = []
    planned = ladder.first_ack_followup(rem, danger, start)
    while planned is not None and len(rungs) < limit:
        rungs.append(planned)
        sent_at = planned.due_at + delays.get(len(rungs) - 1, 0.0)
        planned = ladder.next_ack_followup(rem, danger, start, planned, sent_at)
    return rungs


# --------------------------------------------------------------------- the acknowledgement ladder


def test_first_ack_followup_is_a_reminder_ack_reminder_after_the_report():
    assert ladder.first_ack_followup(reminders(), False, T) == Planned(
        ACK_REMINDER, T + ACK_REMINDER_S, rung=0, task=""
    )


def test_first_ack_followup_of_a_danger_incident_uses_the_danger_reminder():
    assert ladder.first_ack_followup(reminders(), True, T) == Planned(
        ACK_REMINDER, T + DANGER_REMINDER_S
    )


def test_after_an_on_time_reminder_the_escalation_is_ack_escalation_after_the_start():
    sent = Planned(ACK_REMINDER, T + ACK_REMINDER_S)
    nxt = ladder.next_ack_followup(reminders(), False, T, sent, T + ACK_REMINDER_S)
    assert nxt == Planned(ACK_ESCALATION, T + ACK_ESCALATION_S, rung=0)


def test_after_a_danger_reminder_the_escalation_uses_the_danger_escalation():
    sent = Planned(ACK_REMINDER, T + DANGER_REMINDER_S)
    nxt = ladder.next_ack_followup(reminders(), True, T, sent, T + DANGER_REMINDER_S)
    assert nxt == Planned(ACK_ESCALATION, T + DANGER_ESCALATION_S)


def test_the_escalation_is_never_scheduled_before_the_reminder_was_sent():
    late = T + 10 * HOUR
    sent = Planned(ACK_REMINDER, T + ACK_REMINDER_S)
    nxt = ladder.next_ack_followup(reminders(), False, T, sent, late)
    assert nxt.kind == ACK_ESCALATION
    assert nxt.due_at >= late


def test_after_a_late_reminder_the_escalation_is_scheduled_from_when_it_was_sent():
    late = T + 10 * HOUR
    sent = Planned(ACK_REMINDER, T + ACK_REMINDER_S)
    nxt = ladder.next_ack_followup(reminders(), False, T, sent, late)
    assert nxt == Planned(ACK_ESCALATION, late + (ACK_ESCALATION_S - ACK_REMINDER_S))


def test_after_the_escalation_the_first_repeat_is_ack_repeat_after_it_was_sent():
    sent_at = T + ACK_ESCALATION_S + 7  # sent a little late: counted from the send
    sent = Planned(ACK_ESCALATION, T + ACK_ESCALATION_S)
    nxt = ladder.next_ack_followup(reminders(), False, T, sent, sent_at)
    assert nxt == Planned(ACK_REPEAT, sent_at + ACK_REPEAT_S, rung=1)


@pytest.mark.parametrize("done", [1, 2])
def test_repeats_count_up_while_below_ack_repeat_max(done):
    sent_at = T + 5 * HOUR
    sent = Planned(ACK_REPEAT, sent_at, rung=done)
    nxt = ladder.next_ack_followup(reminders(ack_repeat_max=3), False, T, sent, sent_at)
    assert nxt == Planned(ACK_REPEAT, sent_at + ACK_REPEAT_S, rung=done + 1)


def test_after_the_last_repeat_the_incident_goes_overdue():
    sent_at = T + 5 * HOUR
    sent = Planned(ACK_REPEAT, sent_at, rung=3)
    nxt = ladder.next_ack_followup(reminders(ack_repeat_max=3), False, T, sent, sent_at)
    assert nxt == Planned(ACK_OVERDUE, sent_at + ACK_REPEAT_S)


def test_with_ack_repeat_max_0_the_escalation_is_followed_by_overdue():
    sent_at = T + ACK_ESCALATION_S
    sent = Planned(ACK_ESCALATION, sent_at)
    nxt = ladder.next_ack_followup(reminders(ack_repeat_max=0), False, T, sent, sent_at)
    assert nxt == Planned(ACK_OVERDUE, sent_at + ACK_REPEAT_S)


def test_nothing_follows_overdue():
    sent = Planned(ACK_OVERDUE, T + 3 * HOUR)
    assert ladder.next_ack_followup(reminders(), False, T, sent, T + 3 * HOUR) is None
    assert ladder.next_ack_followup(reminders(), True, T, sent, T + 3 * HOUR) is None


@pytest.mark.parametrize("kind", [TASK_DUE, TASK_OVERDUE, WELLBEING])
def test_other_kinds_have_no_ack_rung_after_them(kind):
    assert ladder.next_ack_followup(reminders(), False, T, Planned(kind, T), T) is None


def test_the_whole_ladder_in_order_with_exact_times():
    rungs = walk_ladder(reminders(ack_repeat_max=2), False, T)
    assert [(p.kind, p.rung, p.due_at - T) for p in rungs] == [
        (ACK_REMINDER, 0, ACK_REMINDER_S),
        (ACK_ESCALATION, 0, ACK_ESCALATION_S),
        (ACK_REPEAT, 1, ACK_ESCALATION_S + ACK_REPEAT_S),
        (ACK_REPEAT, 2, ACK_ESCALATION_S + 2 * ACK_REPEAT_S),
        (ACK_OVERDUE, 0, ACK_ESCALATION_S + 3 * ACK_REPEAT_S),
    ]


def test_the_whole_danger_ladder_uses_the_danger_intervals_and_repeats_until_taken():
    """Issue 15: a danger alert is paged every danger_ack_repeat until someone takes it."""
    rungs = walk_ladder(reminders(ack_repeat_max=1), True, T, limit=6)
    assert [(p.kind, p.rung, p.due_at - T) for p in rungs] == [
        (ACK_REMINDER, 0, DANGER_REMINDER_S),
        (ACK_ESCALATION, 0, DANGER_ESCALATION_S),
        *[(ACK_REPEAT, n, DANGER_ESCALATION_S + n * DANGER_REPEAT_S) for n in range(1, 5)],
    ]


def test_the_default_ladder_has_ack_repeat_max_repeats_then_overdue():
    rungs = walk_ladder(reminders(ack_repeat_max=6), False, T)
    kinds = [p.kind for p in rungs]
    assert kinds == [ACK_REMINDER, ACK_ESCALATION] + [ACK_REPEAT] * 6 + [ACK_OVERDUE]
    assert [p.rung for p in rungs if p.kind == ACK_REPEAT] == [1, 2, 3, 4, 5, 6]


def test_a_late_repeat_moves_the_following_rungs_instead_of_bunching_them():
    # Repeat 1 (index 2) is sent an hour late; repeat 2 is counted from that send.
    rungs = walk_ladder(reminders(ack_repeat_max=2), False, T, delays={2: HOUR})
    repeat_1, repeat_2 = rungs[2], rungs[3]
    assert repeat_2.due_at == repeat_1.due_at + HOUR + ACK_REPEAT_S


# ---------------------------------------------------------------------------------- task deadlines


@pytest.mark.parametrize(
    ("task", "seconds"),
    [
        ("reported_hr", REPORT_S),
        ("reported_security", REPORT_S),
        ("ics_notified", EVALUATE_S),
        ("account_officer_contacted", EVALUATE_S),
        ("client_notified", EVALUATE_S),
        ("market_president_notified", EVALUATE_S),
        ("account_decision", DECISION_S),
    ],
)
def test_task_deadline_uses_the_tasks_setting(task, seconds):
    assert ladder.task_deadline(reminders(), task, T) == Planned(
        TASK_DUE, T + seconds, rung=0, task=task
    )


def test_task_escalation_is_task_escalation_after_the_deadline_reminder_was_sent():
    sent_at = T + 4 * HOUR + 13
    assert ladder.task_escalation(reminders(), "reported_hr", sent_at) == Planned(
        TASK_OVERDUE, sent_at + TASK_ESCALATION_S, rung=1, task="reported_hr"
    )


def test_task_escalation_follows_its_setting():
    rem = reminders(task_escalation=timedelta(hours=2))
    assert ladder.task_escalation(rem, "ics_notified", T).due_at == T + 2 * HOUR


def test_the_tasks_counted_from_acknowledgement_and_submission_match_the_guideline():
    tracked = [t for t in TASKS if t.key != "acknowledged"]
    after_ack = {t.key for t in tracked if t.counted_from == "acknowledged"}
    after_submit = {t.key for t in tracked if t.counted_from == "submitted"}
    assert set(ladder.TASKS_AFTER_ACK) == after_ack == {"reported_hr", "reported_security"}
    # The debrief and the review follow only some incidents: the care after schedules them.
    assert set(ladder.TASKS_AFTER_SUBMIT) == {t.key for t in TASKS
                                              if t.key in after_submit and not t.applies_to}
    assert {t.key for t in TASKS if t.applies_to} == {"debrief", "post_incident_review",
                                                      "name_people"}


# ---------------------------------------------------------------------------- the check-ins


def test_checkins_are_numbered_and_fall_their_offsets_after_the_start():
    offsets = (timedelta(days=1), timedelta(days=3), timedelta(days=14))
    assert ladder.checkins(offsets, T, None) == [
        Planned(WELLBEING, T + DAY, 1), Planned(WELLBEING, T + 3 * DAY, 2),
        Planned(WELLBEING, T + 14 * DAY, 3)]


def test_no_checkins_when_they_are_off():
    assert ladder.checkins((), T, branch(WEEKDAYS_9_TO_5)) == []


def test_a_checkin_due_at_night_waits_for_the_branchs_opening_in_its_own_time_zone():
    """22:13 in New York is 02:13 UTC next day; the check-in waits for 09:00 New York."""
    [planned] = ladder.checkins((timedelta(hours=12),), T, branch(WEEKDAYS_9_TO_5))
    assert planned.due_at == ny(2026, 9, 22, 9, 0) == utc(2026, 9, 22, 13, 0)


def test_the_same_checkin_waits_for_tokyos_morning_at_a_branch_in_tokyo():
    """T is 23:13 in Tokyo; a check-in one hour later (00:13) waits for 09:00 Tokyo."""
    tokyo = branch(WEEKDAYS_9_TO_5, timezone="Asia/Tokyo")
    [planned] = ladder.checkins((timedelta(hours=1),), T, tokyo)
    assert planned.due_at == datetime(2026, 9, 22, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")).timestamp()


def test_a_checkin_falling_on_saturday_waits_for_monday():
    """Five days after Monday 10:13 is Saturday: the branch opens again on Monday."""
    [planned] = ladder.checkins((timedelta(days=5),), T, branch(WEEKDAYS_9_TO_5))
    assert planned.due_at == ny(2026, 9, 28, 9, 0)


def test_a_checkin_in_opening_hours_is_not_moved():
    [planned] = ladder.checkins((timedelta(hours=2),), T, branch(WEEKDAYS_9_TO_5))
    assert planned.due_at == T + 2 * HOUR


# ---------------------------------------------------------------------------------- business hours


def test_the_world_start_is_monday_morning_in_new_york():
    local = datetime.fromtimestamp(T, NY)
    assert (local.weekday(), local.hour, local.minute) == (0, 10, 13)
    assert ny(2026, 9, 21, 10, 13) + 20 == T


def test_business_time_without_a_branch_or_hours_sends_now():
    assert ladder.business_time(T, None, False) == T
    assert ladder.business_time(T, branch(None), False) == T


def test_business_time_inside_opening_hours_sends_now():
    assert ladder.business_time(T, branch(WEEKDAYS_9_TO_5), False) == T


def test_business_time_at_the_opening_minute_sends_now():
    opening = ny(2026, 9, 22, 9, 0)
    assert ladder.business_time(opening, branch(WEEKDAYS_9_TO_5), False) == opening


def test_business_time_before_opening_waits_for_the_same_days_opening():
    early = ny(2026, 9, 22, 7, 30)  # Tuesday 07:30 EDT
    assert ladder.business_time(early, branch(WEEKDAYS_9_TO_5), False) == utc(2026, 9, 22, 13, 0)


def test_business_time_after_closing_waits_for_the_next_morning():
    evening = T + 7 * HOUR  # Monday 17:13:20 EDT
    expected = utc(2026, 9, 22, 13, 0)  # Tuesday 09:00 EDT
    assert expected == ny(2026, 9, 22, 9, 0)
    assert ladder.business_time(evening, branch(WEEKDAYS_9_TO_5), False) == expected


def test_business_time_at_the_closing_minute_waits_for_the_next_morning():
    closing = ny(2026, 9, 21, 17, 0)
    assert ladder.business_time(closing, branch(WEEKDAYS_9_TO_5), False) == utc(2026, 9, 22, 13)


def test_business_time_just_before_midnight_waits_for_the_next_morning():
    late = ny(2026, 9, 21, 23, 59)  # already Tuesday in UTC
    assert ladder.business_time(late, branch(WEEKDAYS_9_TO_5), False) == utc(2026, 9, 22, 13)


def test_business_time_on_friday_evening_waits_for_monday():
    friday = ny(2026, 9, 25, 17, 30)
    assert ladder.business_time(friday, branch(WEEKDAYS_9_TO_5), False) == utc(2026, 9, 28, 13)


def test_business_time_on_saturday_waits_for_monday():
    saturday_noon = ny(2026, 9, 26, 12, 0)
    assert ladder.business_time(saturday_noon, branch(WEEKDAYS_9_TO_5), False) == utc(
        2026, 9, 28, 13
    )


def test_business_time_on_sunday_night_waits_for_monday_morning():
    sunday_night = ny(2026, 9, 27, 23, 0)
    assert ladder.business_time(sunday_night, branch(WEEKDAYS_9_TO_5), False) == utc(
        2026, 9, 28, 13
    )


def test_business_time_across_the_autumn_dst_change():
    # DST ends Sunday 2026-11-01: Friday is EDT (UTC-4), Monday's opening is EST (UTC-5).
    friday = ny(2026, 10, 30, 18, 0)
    assert friday == utc(2026, 10, 30, 22, 0)
    assert ladder.business_time(friday, branch(WEEKDAYS_9_TO_5), False) == utc(2026, 11, 2, 14)


def test_business_time_across_the_spring_dst_change():
    # DST starts Sunday 2027-03-14: Friday is EST (UTC-5), Monday's opening is EDT (UTC-4).
    friday = ny(2027, 3, 12, 18, 0)
    assert friday == utc(2027, 3, 12, 23, 0)
    assert ladder.business_time(friday, branch(WEEKDAYS_9_TO_5), False) == utc(2027, 3, 15, 13)


def test_business_time_on_the_dst_sunday_itself_when_sunday_is_a_business_day():
    every_day = BusinessHours(time(9, 0), time(17, 0), (0, 1, 2, 3, 4, 5, 6))
    early = utc(2026, 11, 1, 12, 0)  # 07:00 EST, after the 02:00 fall-back
    assert ladder.business_time(early, branch(every_day), False) == utc(2026, 11, 1, 14)
    spring_early = utc(2027, 3, 14, 11, 0)  # 07:00 EDT, after the 02:00 spring-forward
    assert ladder.business_time(spring_early, branch(every_day), False) == utc(2027, 3, 14, 13)


def test_business_time_with_one_business_day_a_week_waits_up_to_a_week():
    saturdays = BusinessHours(time(10, 0), time(14, 0), (5,))
    after_closing = ny(2026, 9, 26, 15, 0)  # Saturday after closing
    assert ladder.business_time(after_closing, branch(saturdays), False) == ny(2026, 10, 3, 10)


def test_business_time_uses_the_branchs_own_timezone():
    london = branch(WEEKDAYS_9_TO_5, timezone="Europe/London")
    # T is 15:13 in London (BST): open there, while 10:13 in New York is open too.
    assert ladder.business_time(T, london, False) == T
    evening_in_london = utc(2026, 9, 21, 17, 0)  # 18:00 BST, 13:00 EDT
    assert ladder.business_time(evening_in_london, london, False) == utc(2026, 9, 22, 8, 0)
    assert ladder.business_time(evening_in_london, branch(WEEKDAYS_9_TO_5), False) == (
        evening_in_london
    )


def test_danger_never_waits_for_business_hours():
    saturday_night = ny(2026, 9, 26, 23, 0)
    assert ladder.business_time(saturday_night, branch(WEEKDAYS_9_TO_5), True) == saturday_night
