"""Validation: each care.toml table checked, with the message that names what is wrong.

Each reader appends its problems to the list it is given and returns a usable value, so one
start names every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from care_bot.config.messages import SECRET_LIKE, key_shown, shown
from care_bot.config.types import (
    DEFAULT_ACK_REPEAT_MAX,
    REMINDER_DEFAULTS,
    Branch,
    BusinessHours,
    Reminders,
    Weekly,
)
from care_bot.domain.care import BRANCH_POSTS
from care_bot.domain.durations import parse_duration

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
ROLE_NAMES = ("supervisors", "security", "hr", "management", "ics", "account_officers")
MAX_BRANCHES = 100
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PHONE = re.compile(r"^\+?[0-9(][0-9 ().\-]{1,28}[0-9](\s*(x|ext\.?)\s*[0-9]{1,6})?$")


class Problems(list):
    """A list of problem strings with small helpers for reading typed values."""

    def text(self, table: Mapping, key: str, where: str, pattern: re.Pattern | None = None):
        value = table.get(key)
        if value is None:
            self.append(f"{where}.{key} is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.append(f"{where}.{key} must be a non-empty string")
            return None
        if pattern and not pattern.match(value):
            self.append(f"{where}.{key} = {shown(value)} is not a valid Slack ID")
            return None
        return value

    def duration(self, table: Mapping, key: str, default: str, where: str):
        raw = table.get(key, default)
        try:
            return parse_duration(raw)
        except ValueError as error:
            detail = error if not SECRET_LIKE.search(repr(raw)) else shown(raw)
            self.append(f"{where}.{key}: {detail}")
            return parse_duration(default)

def forever_or_duration(raw, key: str, problems: list[str]) -> timedelta | None:
    try:
        return parse_duration(raw)
    except ValueError as error:
        detail = error if not SECRET_LIKE.search(repr(raw)) else shown(raw)
        problems.append(f"retention.{key}: {detail} (or \"forever\")")
        return None


def broadcast(table: dict, problems: list[str]) -> bool:
    value = table.get("broadcast", False)
    if not isinstance(value, bool):
        problems.append("alerts.broadcast must be true or false")
        return False
    for key in table:
        if key != "broadcast":
            problems.append(f"alerts.{key_shown(key)} is not a known setting")
    return value


def security_phone(table: dict, problems: list[str]) -> str | None:
    value = table.get("security_phone")
    if value is None:
        return None
    if not isinstance(value, str) or not PHONE.match(value.strip()):
        problems.append("support.security_phone must be a phone number such as "
                        "\"+1 555 010 0199\" (digits, spaces, dashes, dots, brackets, + and ext)")
        return None
    return value.strip()


def table(document: dict, name: str, problems: list[str], required: bool = True) -> dict:
    value = document.get(name)
    if value is None:
        if required:
            problems.append(f"[{name}] table is missing")
        return {}
    if not isinstance(value, dict):
        problems.append(f"{name} must be a table")
        return {}
    return value


def _id_list(value, where: str, problems: list[str], allow_groups: bool) -> tuple[str, ...]:
    if not isinstance(value, list):
        problems.append(f"{where} must be a list of Slack IDs")
        return ()
    good = []
    for item in value:
        valid = isinstance(item, str) and (
            USER_ID.match(item) or (allow_groups and USERGROUP_ID.match(item))
        )
        if valid:
            good.append(item)
        else:
            problems.append(f"{where} has {shown(item)}, which is not a Slack user or group ID")
    return tuple(good)


def roles(table: dict, problems: list[str]) -> dict[str, tuple[str, ...]]:
    roles = {}
    for name in ROLE_NAMES:
        if name in ("supervisors", "security") and name not in table:
            problems.append(f"roles.{name} is missing")
        roles[name] = _id_list(table.get(name, []), f"roles.{name}", problems, True)
    for name in table:
        if name not in ROLE_NAMES:
            problems.append(f"roles.{key_shown(name)} is not a known role "
                            f"({', '.join(ROLE_NAMES)})")
    return roles


def reminders(table: dict, problems: Problems) -> Reminders:
    values = {}
    for key, default in REMINDER_DEFAULTS.items():
        if key == "wellbeing_checkin" and table.get(key, default) in ("off", False):
            values[key] = None
            continue
        values[key] = problems.duration(table, key, default, "reminders")
    repeat_max = table.get("ack_repeat_max", DEFAULT_ACK_REPEAT_MAX)
    if not isinstance(repeat_max, int) or isinstance(repeat_max, bool) or repeat_max < 0:
        problems.append("reminders.ack_repeat_max must be a whole number, 0 or more")
        repeat_max = DEFAULT_ACK_REPEAT_MAX
    known = {*REMINDER_DEFAULTS, "ack_repeat_max"}
    for key in table:
        if key not in known:
            problems.append(f"reminders.{key_shown(key)} is not a known setting")
    return Reminders(ack_repeat_max=repeat_max, **values)


def branches(table, problems: Problems) -> dict[str, Branch]:
    if not isinstance(table, dict):
        problems.append("branches must be a table of [branches.<code>] tables")
        return {}
    if len(table) > MAX_BRANCHES:
        problems.append(f"at most {MAX_BRANCHES} branches are supported (a Slack select holds "
                        f"{MAX_BRANCHES} options); {len(table)} are configured")
    branches = {}
    for code, raw in table.items():
        if not isinstance(raw, dict):
            problems.append(f"branches.{key_shown(code)} must be a table")
            continue
        branches[code] = _branch(code, raw, problems)
    return branches


def _branch(code: str, raw: dict, problems: Problems) -> Branch:
    where = f"branches.{code}"
    name = raw.get("name", code)
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}.name must be a non-empty string")
        name = code
    timezone = raw.get("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        problems.append(f"{where}.timezone {shown(timezone)} is not a known time zone")
        timezone = "UTC"
    people = {}
    for role in BRANCH_POSTS:
        if raw.get(role) is not None:
            people[role] = problems.text(raw, role, where, USER_ID)
    return Branch(
        code=code,
        name=name.strip(),
        timezone=timezone,
        business_hours=_business_hours(raw, where, problems),
        associates=_id_list(raw.get("associates", []), f"{where}.associates", problems, False),
        channel=problems.text(raw, "channel", where, CHANNEL_ID) if "channel" in raw else None,
        **people,
    )


def _business_hours(raw: dict, where: str, problems: list[str]) -> BusinessHours | None:
    spec = raw.get("business_hours")
    if spec is None:
        return None
    match = re.match(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$", str(spec).strip())
    if not match or not _valid_clock(match):
        problems.append(f"{where}.business_hours must look like \"09:00-17:00\"")
        return None
    opens = time(int(match.group(1)), int(match.group(2)))
    closes = time(int(match.group(3)), int(match.group(4)))
    if closes <= opens:
        problems.append(f"{where}.business_hours must close after it opens")
        return None
    days = raw.get("business_days", ["mon", "tue", "wed", "thu", "fri"])
    if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
        problems.append(f"{where}.business_days must be a list of {', '.join(WEEKDAYS)}")
        days = ["mon", "tue", "wed", "thu", "fri"]
    return BusinessHours(opens, closes, tuple(sorted(WEEKDAYS.index(d) for d in days)))


def _valid_clock(match: re.Match) -> bool:
    hours = (int(match.group(1)), int(match.group(3)))
    minutes = (int(match.group(2)), int(match.group(4)))
    return all(0 <= h <= 23 for h in hours) and all(0 <= m <= 59 for m in minutes)


# ---- [digest] (issue 11): the weekly digest's day, time and time zone

FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def digest(table: dict, document: dict, problems: list[str]) -> dict:
    branches = document.get("branches")
    first = next(iter(branches.values()), {}) if isinstance(branches, dict) and branches else {}
    default_zone = first.get("timezone", "UTC") if isinstance(first, dict) else "UTC"
    zone = table.get("timezone", default_zone)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        if "timezone" in table:
            problems.append(f"digest.timezone {shown(zone)} is not a known time zone")
        zone = "UTC"
    for key in table:
        if key not in ("weekly", "timezone"):
            problems.append(f"digest.{key_shown(key)} is not a known setting")
    raw = table.get("weekly", "off")
    if raw in ("off", False, ""):
        return {"digest_weekly": None, "bank_timezone": zone}
    text = str(raw).strip().lower()
    day, _, clock = text.partition(" ")
    if day in FULL_WEEKDAYS:  # "monday 09:00" reads as "mon 09:00"
        text = f"{day[:3]} {clock.strip()}"
    match = re.match(r"^([a-z]{3})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$", text)
    if (not match or match.group(1) not in WEEKDAYS or int(match.group(2)) > 23
            or int(match.group(3)) > 59 or int(match.group(4) or 0) > 59):
        problems.append(f"digest.weekly must look like \"mon 09:00\" or be \"off\", "
                        f"not {shown(raw)}")
        return {"digest_weekly": None, "bank_timezone": zone}
    at = time(int(match.group(2)), int(match.group(3)), int(match.group(4) or 0))
    weekly = Weekly(WEEKDAYS.index(match.group(1)), at, zone)
    return {"digest_weekly": weekly, "bank_timezone": zone}
