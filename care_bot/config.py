"""Settings: read once from the environment and care.toml into a frozen object.

Every problem found is collected, so a bad start names all of them at once. Secrets are
kept out of ``repr`` and out of every error message.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from care_bot.durations import parse_duration

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DB_PATH = "data/care.db"
DEFAULT_CONFIG_PATH = "config/care.toml"
DEFAULT_PORT = 3000

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
ROLE_NAMES = ("supervisors", "security", "hr", "management")
BRANCH_PEOPLE = ("supervisor", "rxm", "market_president", "ics", "account_officer")
MAX_BRANCHES = 100
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

REMINDER_DEFAULTS = {
    "ack_reminder": "15m",
    "ack_escalation": "30m",
    "ack_repeat": "30m",
    "danger_ack_reminder": "5m",
    "danger_ack_escalation": "10m",
    "danger_ack_repeat": "10m",
    "report_deadline": "4h",
    "evaluate_deadline": "3d",
    "decision_deadline": "10d",
    "task_escalation": "1d",
    "wellbeing_checkin": "24h",
}
DEFAULT_ACK_REPEAT_MAX = 6
DEFAULT_SWEEP_EVERY = "5s"
DEFAULT_STUCK_ALERT_AFTER = "10m"
DEFAULT_POST_TIMEOUT = "45s"
DEFAULT_UNSURE_RECHECK_AFTER = "60s"
RETENTION_DEFAULTS = {"drafts": "30d", "incidents": "forever", "outbox": "30d"}
KEEP_FOREVER = ("forever", "keep", "off")
DEFAULT_SUPPORT_TEXT = (
    "Being threatened at work is hard. Your manager and HR can connect you with the "
    "bank's employee assistance programme."
)


class ConfigError(Exception):
    """Raised at start when settings are missing or invalid; lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"CARE bot cannot start; fix these settings:\n{lines}")


@dataclass(frozen=True)
class Reminders:
    """The follow-up intervals of the escalation ladder and task deadlines."""

    ack_reminder: timedelta
    ack_escalation: timedelta
    ack_repeat: timedelta
    ack_repeat_max: int
    danger_ack_reminder: timedelta
    danger_ack_escalation: timedelta
    danger_ack_repeat: timedelta
    report_deadline: timedelta
    evaluate_deadline: timedelta
    decision_deadline: timedelta
    task_escalation: timedelta
    wellbeing_checkin: timedelta | None


@dataclass(frozen=True)
class Retention:
    """How long each record class is kept; None keeps it forever."""

    drafts: timedelta | None = timedelta(days=30)  # after the draft's last change
    incidents: timedelta | None = None  # after the incident was closed
    outbox: timedelta | None = timedelta(days=30)  # after the post was sent (or given up)


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours of a branch, in its own time zone."""

    opens: time
    closes: time
    days: tuple[int, ...]  # 0 = Monday


@dataclass(frozen=True)
class Branch:
    """One branch in the directory, with the people who pre-fill a report from it."""

    code: str
    name: str
    timezone: str = "UTC"
    business_hours: BusinessHours | None = None
    supervisor: str | None = None
    rxm: str | None = None
    market_president: str | None = None
    ics: str | None = None
    account_officer: str | None = None
    associates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with; built once by ``load_settings``."""

    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    port: int = DEFAULT_PORT
    db_path: Path = Path(DEFAULT_DB_PATH)
    config_path: Path = Path(DEFAULT_CONFIG_PATH)
    supervisors_channel: str = ""
    security_channel: str = ""
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reminders: Reminders | None = None
    sweep_every: timedelta = timedelta(seconds=5)
    stuck_alert_after: timedelta = timedelta(minutes=10)
    support_text: str = DEFAULT_SUPPORT_TEXT
    branches: Mapping[str, Branch] = field(default_factory=dict)
    post_timeout: timedelta = timedelta(seconds=45)
    unsure_recheck_after: timedelta = timedelta(seconds=60)
    retention: Retention = field(default_factory=Retention)
    heartbeat_url: str | None = None

    @property
    def socket_mode(self) -> bool:
        """True when an app-level token is set, so the bot connects over Socket Mode."""
        return bool(self.app_token)

    def branch_of(self, user_id: str) -> Branch | None:
        """Return the branch that lists this associate, if any."""
        for branch in self.branches.values():
            if user_id in branch.associates:
                return branch
        return None


class _Problems(list):
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
            self.append(f"{where}.{key} = {value!r} is not a valid Slack ID")
            return None
        return value

    def duration(self, table: Mapping, key: str, default: str, where: str):
        raw = table.get(key, default)
        try:
            return parse_duration(raw)
        except ValueError as error:
            self.append(f"{where}.{key}: {error}")
            return parse_duration(default)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from environment variables and the TOML file; raise ConfigError."""
    env = os.environ if environ is None else environ
    problems = _Problems()
    bot_token = _required_env(env, "SLACK_BOT_TOKEN", problems)
    signing_secret = _required_env(env, "SLACK_SIGNING_SECRET", problems)
    app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
    if app_token and not app_token.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    port = _port(env.get("PORT", str(DEFAULT_PORT)), problems)
    api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    if not re.match(r"^https?://", api_url):
        problems.append("SLACK_API_URL must start with http:// or https://")
    api_url = api_url if api_url.endswith("/") else api_url + "/"
    config_path = Path(env.get("CARE_CONFIG", "").strip() or DEFAULT_CONFIG_PATH)
    document = _read_toml(config_path, problems)
    settings_kwargs = _from_document(document, problems) if document is not None else {}
    if problems:
        raise ConfigError(list(problems))
    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=api_url,
        port=port,
        db_path=Path(env.get("CARE_DB_PATH", "").strip() or DEFAULT_DB_PATH),
        config_path=config_path,
        **settings_kwargs,
    )


def _required_env(env: Mapping[str, str], name: str, problems: list[str]) -> str:
    value = env.get(name, "").strip()
    if not value:
        problems.append(f"{name} is not set")
    return value


def _port(raw: str, problems: list[str]) -> int:
    if raw.isascii() and raw.isdigit() and 0 < int(raw) < 65536:
        return int(raw)
    problems.append(f"PORT must be a number from 1 to 65535, not {raw!r}")
    return DEFAULT_PORT


def _read_toml(path: Path, problems: list[str]) -> dict | None:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        problems.append(f"CARE_CONFIG file {str(path)!r} does not exist")
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{path} is not valid TOML: {error}")
    return None


def _from_document(document: dict, problems: _Problems) -> dict:
    channels = _table(document, "channels", problems)
    roles_table = _table(document, "roles", problems)
    reminders_table = _table(document, "reminders", problems, required=False)
    scheduler_table = _table(document, "scheduler", problems, required=False)
    support_table = _table(document, "support", problems, required=False)
    support_text = support_table.get("text", DEFAULT_SUPPORT_TEXT)
    if not isinstance(support_text, str) or not support_text.strip():
        problems.append("support.text must be a non-empty string")
        support_text = DEFAULT_SUPPORT_TEXT
    return {
        "supervisors_channel": problems.text(channels, "supervisors", "channels", CHANNEL_ID),
        "security_channel": problems.text(channels, "security", "channels", CHANNEL_ID),
        "roles": _roles(roles_table, problems),
        "reminders": _reminders(reminders_table, problems),
        "sweep_every": problems.duration(
            scheduler_table, "sweep_every", DEFAULT_SWEEP_EVERY, "scheduler"
        ),
        "stuck_alert_after": problems.duration(
            scheduler_table, "stuck_alert_after", DEFAULT_STUCK_ALERT_AFTER, "scheduler"
        ),
        "support_text": support_text.strip(),
        "branches": _branches(document.get("branches", {}), problems),
        **_durability_settings(document, scheduler_table, problems),
    }


def _durability_settings(document: dict, scheduler: dict, problems: _Problems) -> dict:
    """Issue 9's optional settings: Slack timeouts, [retention], [monitoring] heartbeat_url."""
    retention_table = _table(document, "retention", problems, required=False)
    retention = {}
    for key, default in RETENTION_DEFAULTS.items():
        raw = retention_table.get(key, default)
        if isinstance(raw, str) and raw.strip().lower() in KEEP_FOREVER:
            retention[key] = None
        else:
            retention[key] = _forever_or_duration(raw, key, problems)
    for key in retention_table:
        if key not in RETENTION_DEFAULTS:
            problems.append(f"retention.{key} is not a known setting "
                            f"({', '.join(RETENTION_DEFAULTS)})")
    monitoring = _table(document, "monitoring", problems, required=False)
    heartbeat = monitoring.get("heartbeat_url")
    if heartbeat is not None and (
        not isinstance(heartbeat, str) or not re.match(r"^https?://\S+$", heartbeat.strip())
    ):
        problems.append("monitoring.heartbeat_url must be an http:// or https:// URL")
        heartbeat = None
    return {
        "post_timeout": problems.duration(scheduler, "post_timeout", DEFAULT_POST_TIMEOUT,
                                          "scheduler"),
        "unsure_recheck_after": problems.duration(
            scheduler, "unsure_recheck_after", DEFAULT_UNSURE_RECHECK_AFTER, "scheduler"),
        "retention": Retention(**retention),
        "heartbeat_url": heartbeat.strip() if heartbeat else None,
    }


def _forever_or_duration(raw, key: str, problems: list[str]) -> timedelta | None:
    try:
        return parse_duration(raw)
    except ValueError as error:
        problems.append(f"retention.{key}: {error} (or \"forever\")")
        return None


def _table(document: dict, name: str, problems: list[str], required: bool = True) -> dict:
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
            problems.append(f"{where} has {item!r}, which is not a Slack user or group ID")
    return tuple(good)


def _roles(table: dict, problems: list[str]) -> dict[str, tuple[str, ...]]:
    roles = {}
    for name in ROLE_NAMES:
        if name in ("supervisors", "security") and name not in table:
            problems.append(f"roles.{name} is missing")
        roles[name] = _id_list(table.get(name, []), f"roles.{name}", problems, True)
    for name in table:
        if name not in ROLE_NAMES:
            problems.append(f"roles.{name} is not a known role ({', '.join(ROLE_NAMES)})")
    return roles


def _reminders(table: dict, problems: _Problems) -> Reminders:
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
            problems.append(f"reminders.{key} is not a known setting")
    return Reminders(ack_repeat_max=repeat_max, **values)


def _branches(table, problems: _Problems) -> dict[str, Branch]:
    if not isinstance(table, dict):
        problems.append("branches must be a table of [branches.<code>] tables")
        return {}
    if len(table) > MAX_BRANCHES:
        problems.append(f"at most {MAX_BRANCHES} branches are supported (a Slack select holds "
                        f"{MAX_BRANCHES} options); {len(table)} are configured")
    branches = {}
    for code, raw in table.items():
        if not isinstance(raw, dict):
            problems.append(f"branches.{code} must be a table")
            continue
        branches[code] = _branch(code, raw, problems)
    return branches


def _branch(code: str, raw: dict, problems: _Problems) -> Branch:
    where = f"branches.{code}"
    name = raw.get("name", code)
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}.name must be a non-empty string")
        name = code
    timezone = raw.get("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        problems.append(f"{where}.timezone {timezone!r} is not a known time zone")
        timezone = "UTC"
    people = {}
    for role in BRANCH_PEOPLE:
        if raw.get(role) is not None:
            people[role] = problems.text(raw, role, where, USER_ID)
    return Branch(
        code=code,
        name=name.strip(),
        timezone=timezone,
        business_hours=_business_hours(raw, where, problems),
        associates=_id_list(raw.get("associates", []), f"{where}.associates", problems, False),
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
