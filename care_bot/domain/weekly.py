"""When a weekly event falls next, in its own time zone. Stdlib only."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from care_bot.config.types import Weekly


def next_after(weekly: Weekly, after: float) -> float:
    """The first moment strictly after ``after`` that is ``weekly``'s day and local time."""
    zone = ZoneInfo(weekly.timezone)
    local = datetime.fromtimestamp(after, zone)
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        if day.weekday() != weekly.weekday:
            continue
        moment = datetime.combine(day, weekly.at, zone).timestamp()
        if moment > after:
            return moment
    raise AssertionError("a weekday always recurs within eight days")


def describe(weekly: Weekly) -> str:
    """A plain label such as "Mondays at 09:00 (America/New_York)"."""
    day = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays",
           "Sundays")[weekly.weekday]
    return f"{day} at {weekly.at.strftime('%H:%M')} ({weekly.timezone})"


def spec(weekly: Weekly | None) -> str:
    """A stable text form of the schedule, stored with each scheduled digest."""
    if weekly is None:
        return "off"
    return f"{weekly.weekday} {weekly.at.strftime('%H:%M:%S')} {weekly.timezone}"
