"""A small world for unit tests: users, channels, a care.toml, and Services on fakes."""

from __future__ import annotations

from pathlib import Path

from care_bot.config import load_settings
from care_bot.flows import renders
from care_bot.roles import RoleDirectory
from care_bot.services import Services
from care_bot.storage import Store
from tests.support.fake_slack import FakeSlack

USERS = {
    "alice": "U0ALICE", "sam": "U0SAM", "rita": "U0RITA", "mark": "U0MARK", "ivy": "U0IVY",
    "oscar": "U0OSCAR", "sec": "U0SEC", "hana": "U0HANA", "manny": "U0MANNY", "olly": "U0OLLY",
    "sue": "U0SUE", "ina": "U0INA", "aldo": "U0ALDO",
}
SUPERVISORS_CHANNEL = "C0SUPERVISE"
SECURITY_CHANNEL = "C0SECURITY"
START = 1_790_000_000.0  # 2026-09-21T14:13:20Z, a Monday


def care_toml(reminders: dict | None = None, extra: str = "") -> str:
    """Return a care.toml for the test world, with optional [reminders] overrides."""
    u = USERS
    reminder_lines = "\n".join(
        f"{key} = {value!r}" if isinstance(value, str) else f"{key} = {value}"
        for key, value in (reminders or {}).items()
    )
    return f"""
[channels]
supervisors = "{SUPERVISORS_CHANNEL}"
security = "{SECURITY_CHANNEL}"
[roles]
supervisors = ["{u['sue']}"]
security = ["{u['sec']}"]
hr = ["{u['hana']}"]
management = ["{u['manny']}"]
ics = ["{u['ina']}"]
account_officers = ["{u['aldo']}"]
[reminders]
{reminder_lines}
[support]
text = "EAP: 1-800-555-0100"
[branches.downtown]
name = "Downtown"
timezone = "America/New_York"
supervisor = "{u['sam']}"
rxm = "{u['rita']}"
market_president = "{u['mark']}"
ics = "{u['ivy']}"
account_officer = "{u['oscar']}"
associates = ["{u['alice']}"]
{extra}
"""


def make_settings(tmp_path: Path, toml_text: str | None = None):
    """Load real Settings from a written care.toml."""
    path = tmp_path / "care.toml"
    path.write_text(toml_text if toml_text is not None else care_toml())
    return load_settings({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret",
        "CARE_CONFIG": str(path), "CARE_DB_PATH": str(tmp_path / "care.db"),
    })


class Clock:
    """A hand-moved clock for flows and the sweep."""

    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


def make_services(tmp_path: Path, toml_text: str | None = None, path: str = ":memory:"):
    """Return (services, fake slack, clock) on an in-memory database."""
    settings = make_settings(tmp_path, toml_text)
    store = Store(path)
    store.migrate()
    slack = FakeSlack()
    clock = Clock()
    roles = RoleDirectory(settings.roles, slack.usergroup_members, clock=clock)
    services = Services(settings=settings, store=store, slack=slack, roles=roles, clock=clock,
                        hooks=renders.delivery_hooks())
    return services, slack, clock
