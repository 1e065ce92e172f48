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

from care_bot.care import BRANCH_POSTS
from care_bot.care_after_settings import DEFAULT_CHECKINS, care_after_settings
from care_bot.durations import parse_duration

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DB_PATH = "data/care.db"
DEFAULT_CONFIG_PATH = "config/care.toml"
DEFAULT_PORT = 3000

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
ROLE_NAMES = ("supervisors", "security", "hr", "management", "ics", "account_officers")
MAX_BRANCHES = 100
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

REMINDER_DEFAULTS = {
    "ack_reminder": "15m",
    "ack_escalation": "30m",
    "ack_repeat": "30m",
    "danger_ack_reminder": "5m",
    "danger_ack_escalation": "10m",
    "danger_ack_repeat": "10m",
    "urgent_ack_reminder": "10m",
    "urgent_ack_escalation": "30m",
    "report_deadline": "4h",
    "evaluate_deadline": "3d",
    "decision_deadline": "10d",
    "task_escalation": "1d",
    "safety_plan_deadline": "1d",
    "danger_safety_plan_deadline": "4h",
    "wellbeing_checkin": "24h",
    "bolo_seen_within": "4h",  # issue 20: a notice not seen by a branch within this (open hours)
    "order_review_notice": "7d",  # issue 20: security reminded this long before an order ends
    "debrief_deadline": "3d",
    "review_deadline": "14d",
}
DEFAULT_ACK_REPEAT_MAX = 6
DEFAULT_SWEEP_EVERY = "5s"
DEFAULT_STUCK_ALERT_AFTER = "10m"
DEFAULT_POST_TIMEOUT = "45s"
DEFAULT_UNSURE_RECHECK_AFTER = "60s"
RETENTION_DEFAULTS = {"drafts": "30d", "incidents": "forever", "outbox": "30d"}
KEEP_FOREVER = ("forever", "keep", "off")
DEFAULT_DOWNTIME_ALERT_AFTER = "2m"
PHONE = re.compile(r"^\+?[0-9(][0-9 ().\-]{1,28}[0-9](\s*(x|ext\.?)\s*[0-9]{1,6})?$")
DEFAULT_SUPPORT_TEXT = (
    "Being threatened at work is hard. Your manager and HR can connect you with the "
    "bank's employee assistance programme."
)


TOKEN_PREFIX = re.compile(r"xox[a-z]-|xapp-|xoxe")
SECRET_LIKE = re.compile(r"(xox[a-z]-|xapp-|xoxe|[A-Fa-f0-9]{24,}|[A-Za-z0-9_\-+/=]{32,})")


def shown(value: object) -> str:
    """Quote a bad setting's value for an error, unless it looks like a token or secret."""
    text = repr(value)
    if SECRET_LIKE.search(text):
        return "(a value that looks like a token or secret; not shown)"
    return text if len(text) <= 80 else text[:77] + "..."


def path_shown(path: object, quote: bool = False) -> str:
    """A file path for an error, unless it looks like a token pasted in its place."""
    text = str(path)
    if TOKEN_PREFIX.search(text) or ("/" not in text and SECRET_LIKE.search(text)):
        return "(a path that looks like a token or secret; not shown)"
    return repr(text) if quote else text


def _key(name: object) -> str:
    """A table key for an error message; a key that looks like a secret is not echoed."""
    return str(name) if not SECRET_LIKE.search(str(name)) else "(a key that looks like a secret)"


ENV_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL",
                 "PORT", "CARE_DB_PATH", "CARE_CONFIG", "CARE_SUBJECT_KEY", "DATABASE_URL",
                 "CARE_DB_POOL_SIZE")
SECRET_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                    "CARE_SUBJECT_KEY", "DATABASE_URL")
DATABASE_URL_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
SETTINGS_DOC = "docs/settings.md"


class ConfigError(Exception):
    """Raised at start when settings are missing or invalid; lists each problem and its file."""

    def __init__(self, problems: list[str], config_path: Path | str | None = None):
        self.problems = problems
        super().__init__(describe_problems(problems, config_path or DEFAULT_CONFIG_PATH))


def describe_problems(problems: list[str], config_path: Path | str) -> str:
    """The start-up message: the problems grouped by the file to fix them in."""
    in_env = [p for p in problems if p.startswith(ENV_VARIABLES)]
    in_toml = [p for p in problems if not p.startswith(ENV_VARIABLES)]
    lines = ["CARE bot cannot start; fix these settings:"]
    if in_env:
        lines.append("In .env (or the environment; config/example.env describes every variable):")
        lines += [f"  - {problem}" for problem in in_env]
    if in_toml:
        lines.append(f"In {path_shown(config_path)} (the file CARE_CONFIG names):")
        lines += [f"  - {problem}" for problem in in_toml]
    lines.append(f"Each setting is explained in {SETTINGS_DOC}.")
    return "\n".join(lines)


# The values config/example.env and config/care.toml ship with. They show the shape of a setting
# and name nothing real, so a bot started with them would report healthy and alert nobody.
EXAMPLE_ENV_VALUES = {
    "SLACK_BOT_TOKEN": "xoxb-your-bot-token",
    "SLACK_SIGNING_SECRET": "your-signing-secret",
    "SLACK_APP_TOKEN": "xapp-your-app-token",
}
EXAMPLE_IDS = frozenset({
    "C0000000001", "C0000000002",
    "U0000000001", "U0000000002", "U0000000003", "U0000000004", "U0000000005", "U0000000006",
})


def example_value_problems(env: Mapping[str, str], document: Mapping | None) -> list[str]:
    """Name every setting still holding an example value from config/example.env or care.toml."""
    hint = f"replace it with your own (see {SETTINGS_DOC})"
    problems = [
        f"{name} is still the example value from config/example.env; {hint}"
        for name, example in EXAMPLE_ENV_VALUES.items()
        if env.get(name, "").strip() == example
    ]
    for where, value in _strings(document or {}, ""):
        if value in EXAMPLE_IDS:
            problems.append(f"{where} = {value!r} is an example ID from config/care.toml; {hint}")
    return problems


def _strings(node, where: str):
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _strings(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, where)


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
    safety_plan_deadline: timedelta = timedelta(days=1)
    danger_safety_plan_deadline: timedelta = timedelta(hours=4)
    urgent_ack_reminder: timedelta = timedelta(minutes=10)
    urgent_ack_escalation: timedelta = timedelta(minutes=30)
    bolo_seen_within: timedelta = timedelta(hours=4)
    order_review_notice: timedelta = timedelta(days=7)
    debrief_deadline: timedelta = timedelta(days=3)  # issue 21: the supervisor's debrief
    review_deadline: timedelta = timedelta(days=14)  # issue 21: security's post-incident review


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
    channel: str | None = None  # issue 20: the branch's own channel for notices, if any


@dataclass(frozen=True)
class Weekly:
    """A weekly time, such as Monday 09:00, in a time zone."""

    weekday: int  # 0 = Monday
    at: time
    timezone: str = "UTC"


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with; built once by ``load_settings``."""

    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    port: int = DEFAULT_PORT
    db_path: Path = Path(DEFAULT_DB_PATH)
    database_url: str | None = field(default=None, repr=False)  # PostgreSQL; None: SQLite
    db_pool_size: int = 10  # connections per process, on PostgreSQL
    config_path: Path = Path(DEFAULT_CONFIG_PATH)
    supervisors_channel: str = ""
    security_channel: str = ""
    hr_channel: str = ""  # optional [channels] hr; without it HR hears by DM to the hr role
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reminders: Reminders | None = None
    sweep_every: timedelta = timedelta(seconds=5)
    stuck_alert_after: timedelta = timedelta(minutes=10)
    downtime_alert_after: timedelta = timedelta(minutes=2)
    support_text: str = DEFAULT_SUPPORT_TEXT
    branches: Mapping[str, Branch] = field(default_factory=dict)
    post_timeout: timedelta = timedelta(seconds=45)
    unsure_recheck_after: timedelta = timedelta(seconds=60)
    retention: Retention = field(default_factory=Retention)
    heartbeat_url: str | None = None
    digest_weekly: Weekly | None = None  # [digest] weekly; None: no digest
    bank_timezone: str = "UTC"  # [digest] timezone; by default the first branch's
    alert_broadcast: bool = False  # [alerts] broadcast: add @here to every danger alert
    security_phone: str | None = None  # [support] security_phone, shown on Home when set
    subject_key: bytes | None = field(default=None, repr=False)  # CARE_SUBJECT_KEY (issue 20)
    # [care_after] checkins (issue 21): when the associate is checked on, after the submission
    # (or the danger alert); () when off. Without [care_after], [reminders] wellbeing_checkin.
    checkins: tuple[timedelta, ...] = DEFAULT_CHECKINS

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


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from environment variables and the TOML file; raise ConfigError."""
    env = os.environ if environ is None else environ
    problems = _Problems()
    bot_token = _required_env(env, "SLACK_BOT_TOKEN", problems)
    app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
    # Socket Mode requests come over the app's own websocket; only HTTP needs the secret.
    signing_secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    if not signing_secret and not app_token:
        problems.append("SLACK_SIGNING_SECRET is not set")
    if app_token and not app_token.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    port = _port(env.get("PORT", str(DEFAULT_PORT)), problems)
    database_url = _database_url(env.get("DATABASE_URL", ""), problems)
    pool_size = _pool_size(env.get("CARE_DB_POOL_SIZE", ""), problems)
    api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    if not re.match(r"^https?://", api_url):
        problems.append("SLACK_API_URL must start with http:// or https://")
    api_url = api_url if api_url.endswith("/") else api_url + "/"
    config_path = Path(env.get("CARE_CONFIG", "").strip() or DEFAULT_CONFIG_PATH)
    document = _read_toml(config_path, problems)
    settings_kwargs = _from_document(document, problems) if document is not None else {}
    problems.extend(example_value_problems(env, document))
    if problems:
        raise ConfigError(list(problems), config_path)
    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=api_url,
        port=port,
        db_path=Path(env.get("CARE_DB_PATH", "").strip() or DEFAULT_DB_PATH),
        database_url=database_url,
        db_pool_size=pool_size,
        config_path=config_path,
        subject_key=env.get("CARE_SUBJECT_KEY", "").strip().encode() or None,
        **settings_kwargs,
    )


def _required_env(env: Mapping[str, str], name: str, problems: list[str]) -> str:
    value = env.get(name, "").strip()
    if not value:
        problems.append(f"{name} is not set")
    return value


def _database_url(raw: str, problems: list[str]) -> str | None:
    """PostgreSQL's URL, or None for the SQLite file; the value is never echoed (a password)."""
    url = raw.strip()
    if url and not url.startswith(DATABASE_URL_SCHEMES):
        problems.append("DATABASE_URL must start with postgresql:// (leave it unset to use the "
                        "SQLite file at CARE_DB_PATH)")
    return url or None


def _pool_size(raw: str, problems: list[str]) -> int:
    if not raw.strip():
        return 10
    if raw.strip().isascii() and raw.strip().isdigit() and 0 < int(raw) <= 200:
        return int(raw)
    problems.append(f"CARE_DB_POOL_SIZE must be a number from 1 to 200, not {shown(raw)}")
    return 10


def _port(raw: str, problems: list[str]) -> int:
    if raw.isascii() and raw.isdigit() and 0 < int(raw) < 65536:
        return int(raw)
    problems.append(f"PORT must be a number from 1 to 65535, not {shown(raw)}")
    return DEFAULT_PORT


def _read_toml(path: Path, problems: list[str]) -> dict | None:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        problems.append(f"CARE_CONFIG file {path_shown(path, True)} does not exist")
    except IsADirectoryError:
        problems.append(f"CARE_CONFIG {path_shown(path, True)} is a directory; point it at the "
                        "care.toml file inside it")
    except PermissionError:
        problems.append(f"CARE_CONFIG file {path_shown(path, True)} cannot be read "
                        "(permission denied)")
    except OSError as error:
        problems.append(f"CARE_CONFIG file {path_shown(path, True)} cannot be read "
                        f"({error.strerror})")
    except UnicodeDecodeError:
        problems.append(f"{path_shown(path)} is not valid TOML: it is not UTF-8 text")
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{path_shown(path)} is not valid TOML: {error}")
    return None


def _from_document(document: dict, problems: _Problems) -> dict:
    channels = _table(document, "channels", problems)
    roles_table = _table(document, "roles", problems)
    reminders_table = _table(document, "reminders", problems, required=False)
    scheduler_table = _table(document, "scheduler", problems, required=False)
    support_table = _table(document, "support", problems, required=False)
    monitoring_table = _table(document, "monitoring", problems, required=False)
    support_text = support_table.get("text", DEFAULT_SUPPORT_TEXT)
    if not isinstance(support_text, str) or not support_text.strip():
        problems.append("support.text must be a non-empty string")
        support_text = DEFAULT_SUPPORT_TEXT
    alerts_table = _table(document, "alerts", problems, required=False)
    return {
        "alert_broadcast": _broadcast(alerts_table, problems),
        "security_phone": _security_phone(support_table, problems),
        "supervisors_channel": problems.text(channels, "supervisors", "channels", CHANNEL_ID),
        "security_channel": problems.text(channels, "security", "channels", CHANNEL_ID),
        "hr_channel": (problems.text(channels, "hr", "channels", CHANNEL_ID) or ""
                       if "hr" in channels else ""),
        "roles": _roles(roles_table, problems),
        **care_after_settings(_table(document, "care_after", problems, required=False),
                              _reminders(reminders_table, problems), problems),
        "sweep_every": problems.duration(
            scheduler_table, "sweep_every", DEFAULT_SWEEP_EVERY, "scheduler"
        ),
        "stuck_alert_after": problems.duration(
            scheduler_table, "stuck_alert_after", DEFAULT_STUCK_ALERT_AFTER, "scheduler"
        ),
        "downtime_alert_after": problems.duration(
            monitoring_table, "downtime_alert_after", DEFAULT_DOWNTIME_ALERT_AFTER, "monitoring"
        ),
        "support_text": support_text.strip(),
        "branches": _branches(document.get("branches", {}), problems),
        **_durability_settings(document, scheduler_table, problems),
        **_digest(_table(document, "digest", problems, required=False), document, problems),
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
            problems.append(f"retention.{_key(key)} is not a known setting "
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
        detail = error if not SECRET_LIKE.search(repr(raw)) else shown(raw)
        problems.append(f"retention.{key}: {detail} (or \"forever\")")
        return None


def _broadcast(table: dict, problems: list[str]) -> bool:
    value = table.get("broadcast", False)
    if not isinstance(value, bool):
        problems.append("alerts.broadcast must be true or false")
        return False
    for key in table:
        if key != "broadcast":
            problems.append(f"alerts.{_key(key)} is not a known setting")
    return value


def _security_phone(table: dict, problems: list[str]) -> str | None:
    value = table.get("security_phone")
    if value is None:
        return None
    if not isinstance(value, str) or not PHONE.match(value.strip()):
        problems.append("support.security_phone must be a phone number such as "
                        "\"+1 555 010 0199\" (digits, spaces, dashes, dots, brackets, + and ext)")
        return None
    return value.strip()


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
            problems.append(f"{where} has {shown(item)}, which is not a Slack user or group ID")
    return tuple(good)


def _roles(table: dict, problems: list[str]) -> dict[str, tuple[str, ...]]:
    roles = {}
    for name in ROLE_NAMES:
        if name in ("supervisors", "security") and name not in table:
            problems.append(f"roles.{name} is missing")
        roles[name] = _id_list(table.get(name, []), f"roles.{name}", problems, True)
    for name in table:
        if name not in ROLE_NAMES:
            problems.append(f"roles.{_key(name)} is not a known role ({', '.join(ROLE_NAMES)})")
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
            problems.append(f"reminders.{_key(key)} is not a known setting")
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
            problems.append(f"branches.{_key(code)} must be a table")
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


def _digest(table: dict, document: dict, problems: list[str]) -> dict:
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
            problems.append(f"digest.{_key(key)} is not a known setting")
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
