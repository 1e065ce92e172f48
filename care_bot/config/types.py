"""The settings types: the frozen ``Settings`` object, its parts and their defaults.

Stdlib only, so the domain rules can take a ``Branch`` or ``Reminders`` without the loader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DB_PATH = "data/care.db"
DEFAULT_CONFIG_PATH = "config/care.toml"
DEFAULT_PORT = 3000

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
DEFAULT_SUPPORT_TEXT = (
    "Being threatened at work is hard. Your manager and HR can connect you with the "
    "bank's employee assistance programme."
)
# [care_after] checkins (issue 21): 1, 3 and 14 days after the submission (or the danger alert)
DEFAULT_CHECKINS = (timedelta(days=1), timedelta(days=3), timedelta(days=14))


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
