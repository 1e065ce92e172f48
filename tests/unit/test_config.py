"""Settings: every env variable and care.toml key, the one-error report, and the docs."""

from __future__ import annotations

import ast
import tomllib
from datetime import time, timedelta
from pathlib import Path

import pytest

from care_bot import config
from care_bot.config import (
    DEFAULT_API_URL,
    REMINDER_DEFAULTS,
    BusinessHours,
    ConfigError,
    load_settings,
)
from care_bot.domain.durations import parse_duration
from tests.support.world import SECURITY_CHANNEL, SUPERVISORS_CHANNEL, USERS, care_toml

REPO = Path(__file__).resolve().parents[2]
ENV_NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "CARE_SUBJECT_KEY",
    "PORT",
    "CARE_DB_PATH",
    "DATABASE_URL",
    "CARE_DB_POOL_SIZE",
    "CARE_CONFIG",
)
BOT_TOKEN = "xoxb-1111-bot-token-very-secret"
SIGNING_SECRET = "signing-secret-0123456789abcdef"
APP_TOKEN = "xapp-1-A111-222-app-token-very-secret"

MINIMAL_TOML = f"""
[channels]
supervisors = "{SUPERVISORS_CHANNEL}"
security = "{SECURITY_CHANNEL}"
[roles]
supervisors = ["{USERS['sue']}"]
security = ["{USERS['sec']}"]
"""


def write_toml(tmp_path: Path, text: str) -> Path:
    """Write a care.toml into tmp_path and return its path."""
    path = tmp_path / "care.toml"
    path.write_text(text)
    return path


def env_for(tmp_path: Path, toml_text: str | None = None, **overrides: str) -> dict[str, str]:
    """Return a complete valid environment pointing at a freshly written care.toml."""
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "CARE_CONFIG": str(write_toml(tmp_path, toml_text or care_toml())),
        "CARE_DB_PATH": str(tmp_path / "care.db"),
    }
    env.update(overrides)
    return env


def problems_for(env: dict[str, str]) -> list[str]:
    """Return the problems load_settings reports for env; fail if it loads."""
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    return caught.value.problems


def branch_toml(*lines: str) -> str:
    """Return MINIMAL_TOML with one [branches.north] table of the given TOML lines."""
    return MINIMAL_TOML + "[branches.north]\n" + "".join(f"{line}\n" for line in lines)


def reminders_toml(body: str) -> str:
    """Return MINIMAL_TOML with a [reminders] table of the given TOML lines."""
    return MINIMAL_TOML + "[reminders]\n" + body + "\n"


# --- a full, valid configuration ------------------------------------------------------------


def test_load_settings_reads_every_value_from_env_and_toml(tmp_path):
    toml_text = care_toml(
        reminders={"ack_reminder": "10m", "ack_repeat_max": 3, "wellbeing_checkin": "2d"},
        extra='[scheduler]\nsweep_every = "30s"\n',
    )
    env = env_for(tmp_path, toml_text, PORT="8080", SLACK_API_URL="http://localhost:9000/api/")

    settings = load_settings(env)

    assert settings.bot_token == BOT_TOKEN
    assert settings.signing_secret == SIGNING_SECRET
    assert settings.app_token is None
    assert settings.socket_mode is False
    assert settings.port == 8080
    assert settings.api_url == "http://localhost:9000/api/"
    assert settings.db_path == tmp_path / "care.db"
    assert settings.config_path == tmp_path / "care.toml"
    assert settings.supervisors_channel == SUPERVISORS_CHANNEL
    assert settings.security_channel == SECURITY_CHANNEL
    assert settings.roles == {
        "supervisors": (USERS["sue"],),
        "security": (USERS["sec"],),
        "hr": (USERS["hana"],),
        "management": (USERS["manny"],),
        "ics": (USERS["ina"],),
        "account_officers": (USERS["aldo"],),
    }
    assert settings.hr_channel == ""
    assert settings.reminders.safety_plan_deadline == timedelta(days=1)
    assert settings.reminders.danger_safety_plan_deadline == timedelta(hours=4)
    assert settings.reminders.ack_reminder == timedelta(minutes=10)
    assert settings.reminders.ack_repeat_max == 3
    assert settings.reminders.wellbeing_checkin == timedelta(days=2)
    assert settings.reminders.ack_escalation == timedelta(minutes=30)  # the default
    assert settings.sweep_every == timedelta(seconds=30)
    assert settings.support_text == "EAP: 1-800-555-0100"
    downtown = settings.branches["downtown"]
    assert (downtown.code, downtown.name, downtown.timezone) == (
        "downtown", "Downtown", "America/New_York",
    )
    assert (downtown.supervisor, downtown.rxm, downtown.market_president) == (
        USERS["sam"], USERS["rita"], USERS["mark"],
    )
    assert (downtown.ics, downtown.account_officer) == (USERS["ivy"], USERS["oscar"])
    assert downtown.associates == (USERS["alice"],)
    assert downtown.business_hours is None


def test_load_settings_uses_defaults_for_optional_tables(tmp_path):
    settings = load_settings(env_for(tmp_path, MINIMAL_TOML))

    assert settings.roles["hr"] == ()
    assert settings.roles["management"] == ()
    assert settings.sweep_every == parse_duration(config.DEFAULT_SWEEP_EVERY)
    assert settings.support_text == config.DEFAULT_SUPPORT_TEXT
    assert settings.branches == {}
    assert settings.reminders.ack_repeat_max == config.DEFAULT_ACK_REPEAT_MAX
    for key, default in REMINDER_DEFAULTS.items():
        assert getattr(settings.reminders, key) == parse_duration(default), key


def test_load_settings_defaults_db_path_and_port_when_unset(tmp_path):
    env = env_for(tmp_path)
    del env["CARE_DB_PATH"]

    settings = load_settings(env)

    assert settings.db_path == Path(config.DEFAULT_DB_PATH)
    assert settings.port == config.DEFAULT_PORT


def test_load_settings_defaults_care_config_to_config_care_toml(tmp_path, monkeypatch):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "care.toml").write_text(MINIMAL_TOML)
    monkeypatch.chdir(tmp_path)

    settings = load_settings({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s"})

    assert settings.config_path == Path("config/care.toml")
    assert settings.supervisors_channel == SUPERVISORS_CHANNEL


def test_load_settings_reads_os_environ_when_no_mapping_given(tmp_path, monkeypatch):
    for name, value in env_for(tmp_path, MINIMAL_TOML).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    monkeypatch.delenv("PORT", raising=False)

    assert load_settings().bot_token == BOT_TOKEN


# --- one error listing every problem --------------------------------------------------------


def test_load_settings_reports_every_problem_in_one_error(tmp_path):
    toml_text = f"""
[roles]
supervisors = ["{USERS['sue']}"]
security = ["{USERS['sec']}"]
[reminders]
ack_reminder = "soon"
"""
    env = {"CARE_CONFIG": str(write_toml(tmp_path, toml_text))}

    with pytest.raises(ConfigError) as caught:
        load_settings(env)

    problems = caught.value.problems
    expected = [
        "SLACK_BOT_TOKEN is not set",
        "SLACK_SIGNING_SECRET is not set",
        "[channels] table is missing",
        "reminders.ack_reminder: 'soon' is not a duration like \"90s\", \"15m\", \"4h\" or \"3d\"",
    ]
    for problem in expected:
        assert problem in problems
        assert f"  - {problem}" in str(caught.value)
    assert str(caught.value).startswith("CARE bot cannot start; fix these settings:")


def test_load_settings_treats_blank_tokens_as_missing(tmp_path):
    problems = problems_for(env_for(tmp_path, SLACK_BOT_TOKEN="   ", SLACK_SIGNING_SECRET=""))

    assert problems == ["SLACK_BOT_TOKEN is not set", "SLACK_SIGNING_SECRET is not set"]


def test_config_error_never_contains_secrets(tmp_path):
    bad_app_token = "xoxp-user-token-that-must-stay-secret"
    env = env_for(tmp_path, "this is [not toml", SLACK_APP_TOKEN=bad_app_token, PORT="x")

    with pytest.raises(ConfigError) as caught:
        load_settings(env)

    text = str(caught.value) + repr(caught.value) + repr(caught.value.problems)
    for secret in (BOT_TOKEN, SIGNING_SECRET, bad_app_token):
        assert secret not in text
    assert "SLACK_APP_TOKEN must be an app-level token starting with xapp-" in text


def test_settings_repr_hides_every_token(tmp_path):
    settings = load_settings(env_for(tmp_path, SLACK_APP_TOKEN=APP_TOKEN))

    text = repr(settings) + str(settings)

    assert "Settings(" in text
    for secret in (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN):
        assert secret not in text


def test_settings_is_frozen(tmp_path):
    settings = load_settings(env_for(tmp_path))

    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


# --- environment variables ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, DEFAULT_API_URL),
        ("", DEFAULT_API_URL),
        ("   ", DEFAULT_API_URL),
        ("http://localhost:8080/api", "http://localhost:8080/api/"),
        ("http://localhost:8080/api/", "http://localhost:8080/api/"),
        ("https://slack.example/api", "https://slack.example/api/"),
    ],
)
def test_load_settings_api_url_defaults_and_ends_with_slash(tmp_path, raw, expected):
    env = env_for(tmp_path)
    if raw is not None:
        env["SLACK_API_URL"] = raw

    assert load_settings(env).api_url == expected


@pytest.mark.parametrize("raw", ["ftp://slack.example/api", "slack.com/api", "localhost:8080"])
def test_load_settings_rejects_api_url_without_http_scheme(tmp_path, raw):
    problems = problems_for(env_for(tmp_path, SLACK_API_URL=raw))

    assert problems == ["SLACK_API_URL must start with http:// or https://"]


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("3000", 3000), ("65535", 65535)])
def test_load_settings_accepts_port_in_range(tmp_path, raw, expected):
    assert load_settings(env_for(tmp_path, PORT=raw)).port == expected


@pytest.mark.parametrize("raw", ["0", "65536", "-1", "abc", "80.5", "", " 80"])
def test_load_settings_rejects_bad_port(tmp_path, raw):
    problems = problems_for(env_for(tmp_path, PORT=raw))

    assert problems == [f"PORT must be a number from 1 to 65535, not {raw!r}"]


def test_load_settings_reports_superscript_port_as_config_error(tmp_path):
    problems = problems_for(env_for(tmp_path, PORT="²"))

    assert problems == ["PORT must be a number from 1 to 65535, not '²'"]


@pytest.mark.parametrize(
    ("raw", "app_token", "socket_mode"),
    [(APP_TOKEN, APP_TOKEN, True), (f" {APP_TOKEN} ", APP_TOKEN, True), ("", None, False),
     ("  ", None, False)],
)
def test_load_settings_app_token_switches_socket_mode(tmp_path, raw, app_token, socket_mode):
    settings = load_settings(env_for(tmp_path, SLACK_APP_TOKEN=raw))

    assert settings.app_token == app_token
    assert settings.socket_mode is socket_mode


@pytest.mark.parametrize("raw", ["xoxb-not-an-app-token", "app-123", "XAPP-1-upper"])
def test_load_settings_rejects_app_token_without_xapp_prefix(tmp_path, raw):
    problems = problems_for(env_for(tmp_path, SLACK_APP_TOKEN=raw))

    assert problems == ["SLACK_APP_TOKEN must be an app-level token starting with xapp-"]


def test_load_settings_reports_missing_care_config_file(tmp_path):
    missing = tmp_path / "nowhere" / "care.toml"
    env = env_for(tmp_path, CARE_CONFIG=str(missing))

    problems = problems_for(env)

    assert problems == [f"CARE_CONFIG file {str(missing)!r} does not exist"]


def test_load_settings_reports_invalid_toml(tmp_path):
    problems = problems_for(env_for(tmp_path, "[channels\nsupervisors = "))

    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'care.toml'} is not valid TOML: ")


# --- care.toml: tables and Slack IDs --------------------------------------------------------


@pytest.mark.parametrize(
    ("toml_text", "problem"),
    [
        (
            MINIMAL_TOML.replace(SUPERVISORS_CHANNEL, "#supervisors"),
            "channels.supervisors = '#supervisors' is not a valid Slack ID",
        ),
        (
            MINIMAL_TOML.replace(SECURITY_CHANNEL, "U0NOTACHANNEL"),
            "channels.security = 'U0NOTACHANNEL' is not a valid Slack ID",
        ),
        (
            MINIMAL_TOML.replace(f'security = "{SECURITY_CHANNEL}"', 'security = ""'),
            "channels.security must be a non-empty string",
        ),
        (
            MINIMAL_TOML.replace(f'security = "{SECURITY_CHANNEL}"\n', ""),
            "channels.security is missing",
        ),
        (
            MINIMAL_TOML.replace(f'["{USERS["sue"]}"]', '["bob"]'),
            "roles.supervisors has 'bob', which is not a Slack user or group ID",
        ),
        (
            MINIMAL_TOML.replace(f'["{USERS["sec"]}"]', '["C0SECURITY"]'),
            "roles.security has 'C0SECURITY', which is not a Slack user or group ID",
        ),
        (
            MINIMAL_TOML.replace(f'["{USERS["sec"]}"]', f'"{USERS["sec"]}"'),
            "roles.security must be a list of Slack IDs",
        ),
        (
            MINIMAL_TOML.replace(f'supervisors = ["{USERS["sue"]}"]\n', ""),
            "roles.supervisors is missing",
        ),
        (
            MINIMAL_TOML + 'hr = ["u0lowercase"]\n',
            "roles.hr has 'u0lowercase', which is not a Slack user or group ID",
        ),
    ],
)
def test_load_settings_rejects_bad_channels_and_role_ids(tmp_path, toml_text, problem):
    assert problems_for(env_for(tmp_path, toml_text)) == [problem]


def test_load_settings_rejects_non_table_sections(tmp_path):
    toml_text = 'channels = "C0SUPERVISE"\nroles = 1\nreminders = []\n'

    problems = problems_for(env_for(tmp_path, toml_text))

    for problem in ("channels must be a table", "roles must be a table",
                    "reminders must be a table", "channels.supervisors is missing",
                    "roles.supervisors is missing", "roles.security is missing"):
        assert problem in problems


def test_load_settings_accepts_user_group_ids_in_roles(tmp_path):
    toml_text = MINIMAL_TOML.replace(f'["{USERS["sue"]}"]', '["S0SUPERVISORS", "W0GRID"]')
    toml_text += 'hr = ["S0HR"]\nmanagement = ["S0MGMT", "U0MANNY"]\n'

    roles = load_settings(env_for(tmp_path, toml_text)).roles

    assert roles["supervisors"] == ("S0SUPERVISORS", "W0GRID")
    assert roles["hr"] == ("S0HR",)
    assert roles["management"] == ("S0MGMT", "U0MANNY")


def test_load_settings_keeps_good_ids_and_names_each_bad_one(tmp_path):
    toml_text = MINIMAL_TOML + 'hr = ["U0GOOD", "nobody", 42]\n'

    problems = problems_for(env_for(tmp_path, toml_text))

    assert problems == [
        "roles.hr has 'nobody', which is not a Slack user or group ID",
        "roles.hr has 42, which is not a Slack user or group ID",
    ]


def test_load_settings_rejects_unknown_role(tmp_path):
    problems = problems_for(env_for(tmp_path, MINIMAL_TOML + 'admins = ["U0ADMIN"]\n'))

    assert problems == [
        "roles.admins is not a known role (supervisors, security, hr, management, ics, "
        "account_officers)"
    ]


# --- care.toml: reminders -------------------------------------------------------------------


@pytest.mark.parametrize("key", ["ack_remindr", "wellbeing", "sweep_every"])
def test_load_settings_rejects_unknown_reminder_key(tmp_path, key):
    problems = problems_for(env_for(tmp_path, reminders_toml(f'{key} = "5m"')))

    assert problems == [f"reminders.{key} is not a known setting"]


@pytest.mark.parametrize("key", sorted(REMINDER_DEFAULTS))
def test_load_settings_rejects_bad_reminder_duration(tmp_path, key):
    problems = problems_for(env_for(tmp_path, reminders_toml(f'{key} = "0m"')))

    assert problems == [f"reminders.{key}: '0m' must be longer than zero"]


def test_load_settings_rejects_non_string_duration(tmp_path):
    problems = problems_for(env_for(tmp_path, reminders_toml("ack_reminder = 15")))

    assert problems == [
        "reminders.ack_reminder: 15 is not a duration like \"90s\", \"15m\", \"4h\" or \"3d\""
    ]


@pytest.mark.parametrize("value", ['"off"', "false"])
def test_load_settings_wellbeing_checkin_can_be_turned_off(tmp_path, value):
    env = env_for(tmp_path, reminders_toml(f"wellbeing_checkin = {value}"))

    assert load_settings(env).reminders.wellbeing_checkin is None


@pytest.mark.parametrize("value", ['"on"', '"OFF"', "true"])
def test_load_settings_rejects_other_wellbeing_words(tmp_path, value):
    problems = problems_for(env_for(tmp_path, reminders_toml(f"wellbeing_checkin = {value}")))

    assert len(problems) == 1
    assert problems[0].startswith("reminders.wellbeing_checkin: ")


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("12", 12)])
def test_load_settings_accepts_ack_repeat_max(tmp_path, value, expected):
    env = env_for(tmp_path, reminders_toml(f"ack_repeat_max = {value}"))

    assert load_settings(env).reminders.ack_repeat_max == expected


@pytest.mark.parametrize("value", ["-1", '"6"', "true", "2.5"])
def test_load_settings_rejects_bad_ack_repeat_max(tmp_path, value):
    problems = problems_for(env_for(tmp_path, reminders_toml(f"ack_repeat_max = {value}")))

    assert problems == ["reminders.ack_repeat_max must be a whole number, 0 or more"]


def test_load_settings_rejects_bad_sweep_every_and_blank_support_text(tmp_path):
    toml_text = MINIMAL_TOML + '[scheduler]\nsweep_every = "fast"\n[support]\ntext = "  "\n'

    problems = problems_for(env_for(tmp_path, toml_text))

    assert problems == [
        "support.text must be a non-empty string",
        "scheduler.sweep_every: 'fast' is not a duration like \"90s\", \"15m\", \"4h\" or \"3d\"",
    ]


# --- care.toml: branches --------------------------------------------------------------------


def test_load_settings_branch_defaults(tmp_path):
    settings = load_settings(env_for(tmp_path, branch_toml()))

    north = settings.branches["north"]
    assert (north.code, north.name, north.timezone) == ("north", "north", "UTC")
    assert north.business_hours is None
    assert north.associates == ()
    assert north.supervisor is None


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('supervisor = "sam"', "branches.north.supervisor = 'sam' is not a valid Slack ID"),
        ('rxm = "S0GROUP"', "branches.north.rxm = 'S0GROUP' is not a valid Slack ID"),
        ('ics = ""', "branches.north.ics must be a non-empty string"),
        (
            'associates = ["U0ALICE", "S0TELLERS"]',
            "branches.north.associates has 'S0TELLERS', which is not a Slack user or group ID",
        ),
        ('associates = "U0ALICE"', "branches.north.associates must be a list of Slack IDs"),
        (
            'timezone = "Mars/Olympus"',
            "branches.north.timezone 'Mars/Olympus' is not a known time zone",
        ),
        ("timezone = 5", "branches.north.timezone 5 is not a known time zone"),
        ('name = " "', "branches.north.name must be a non-empty string"),
    ],
)
def test_load_settings_rejects_bad_branch_fields(tmp_path, line, problem):
    assert problems_for(env_for(tmp_path, branch_toml(line))) == [problem]


def test_load_settings_rejects_branch_that_is_not_a_table(tmp_path):
    problems = problems_for(env_for(tmp_path, MINIMAL_TOML.replace(
        "[channels]", 'branches = "downtown"\n[channels]')))

    assert problems == ["branches must be a table of [branches.<code>] tables"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (['business_hours = "09:00-17:00"'], BusinessHours(time(9), time(17), (0, 1, 2, 3, 4))),
        (['business_hours = " 9:30-17:45 "'],
         BusinessHours(time(9, 30), time(17, 45), (0, 1, 2, 3, 4))),
        (['business_hours = "00:00-23:59"', 'business_days = ["sun", "sat", "mon"]'],
         BusinessHours(time(0), time(23, 59), (0, 5, 6))),
    ],
)
def test_load_settings_parses_business_hours(tmp_path, lines, expected):
    settings = load_settings(env_for(tmp_path, branch_toml(*lines)))

    assert settings.branches["north"].business_hours == expected


@pytest.mark.parametrize(
    ("hours", "problem"),
    [
        ("9-5", 'must look like "09:00-17:00"'),
        ("09:00 to 17:00", 'must look like "09:00-17:00"'),
        ("24:00-25:00", 'must look like "09:00-17:00"'),
        ("09:60-17:00", 'must look like "09:00-17:00"'),
        ("17:00-09:00", "must close after it opens"),
        ("09:00-09:00", "must close after it opens"),
    ],
)
def test_load_settings_rejects_bad_business_hours(tmp_path, hours, problem):
    problems = problems_for(env_for(tmp_path, branch_toml(f"business_hours = {hours!r}")))

    assert problems == [f"branches.north.business_hours {problem}"]


@pytest.mark.parametrize("days", ['["monday"]', "[]", '"mon"', '["mon", 1]'])
def test_load_settings_rejects_bad_business_days(tmp_path, days):
    toml_text = branch_toml('business_hours = "09:00-17:00"', f"business_days = {days}")

    problems = problems_for(env_for(tmp_path, toml_text))

    assert problems == [
        "branches.north.business_days must be a list of mon, tue, wed, thu, fri, sat, sun"
    ]


def test_branch_of_finds_the_branch_listing_the_associate(tmp_path):
    toml_text = care_toml(extra='[branches.uptown]\nassociates = ["U0BOB", "U0CAROL"]\n')
    settings = load_settings(env_for(tmp_path, toml_text))

    assert settings.branch_of(USERS["alice"]).code == "downtown"
    assert settings.branch_of("U0CAROL").code == "uptown"
    assert settings.branch_of(USERS["sam"]) is None  # the supervisor is not an associate
    assert settings.branch_of("U0STRANGER") is None


# --- documentation tests --------------------------------------------------------------------


def env_reads(path: Path) -> set[str]:
    """Return every env variable name a module reads via env.get or _required_env."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        reads_env = (
            isinstance(func, ast.Attribute) and func.attr == "get"
            and isinstance(func.value, ast.Name) and func.value.id == "env"
        )
        if reads_env and isinstance(node.args[0], ast.Constant):
            names.add(node.args[0].value)
        if isinstance(func, ast.Name) and func.id == "_required_env":
            names.add(node.args[1].value)
    return names


def env_names_read_by_config() -> set[str]:
    """Return every env variable name the config package reads (all in config/loading.py)."""
    return env_reads(Path(config.loading.__file__))


def test_config_reads_the_environment_only_in_loading():
    package = Path(config.__file__).parent
    others = [path for path in package.glob("*.py") if path.name != "loading.py"]

    assert others and all("os.environ" not in path.read_text() for path in others)
    assert {path.name: env_reads(path) for path in others} == {path.name: set() for path in others}


def test_docs_env_names_list_matches_config_source():
    assert env_names_read_by_config() == set(ENV_NAMES)


@pytest.mark.parametrize("name", ENV_NAMES)
def test_docs_example_env_lists_every_variable(name):
    lines = (REPO / "config" / "example.env").read_text().splitlines()

    assert any(line.startswith(f"{name}=") for line in lines)


@pytest.mark.parametrize("name", ENV_NAMES)
def test_docs_settings_page_mentions_every_variable(name):
    assert name in (REPO / "docs" / "settings.md").read_text()


def _example_env() -> dict[str, str]:
    env = {}
    for line in (REPO / "config" / "example.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    return env


def _shipped_toml_with_real_ids(tmp_path: Path) -> Path:
    text = (REPO / "config" / "care.toml").read_text()
    for n, example in enumerate(sorted(config.EXAMPLE_IDS)):
        text = text.replace(f'"{example}"', f'"{example[0]}0REAL{n:02d}"')
    return write_toml(tmp_path, text)


def test_docs_example_env_values_are_refused_pointing_to_readme(monkeypatch, tmp_path):
    env = _example_env()
    env["CARE_CONFIG"] = str(_shipped_toml_with_real_ids(tmp_path))

    with pytest.raises(ConfigError) as caught:
        load_settings(env)

    assert sorted(caught.value.problems) == sorted(
        f"{name} is still the example value from config/example.env; replace it with your own "
        f"(see docs/settings.md)"
        for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    )
    assert "docs/settings.md" in str(caught.value)


def test_docs_example_env_with_real_values_is_a_working_configuration(tmp_path):
    env = _example_env()
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
               CARE_CONFIG=str(_shipped_toml_with_real_ids(tmp_path)))

    settings = load_settings(env)

    assert settings.socket_mode is False
    assert settings.port == 3000
    assert settings.api_url == DEFAULT_API_URL


def test_docs_shipped_care_toml_ids_are_all_refused_as_examples():
    path = REPO / "config" / "care.toml"
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "CARE_CONFIG": str(path)}

    problems = problems_for(env)

    document = tomllib.loads(path.read_text())
    shipped_ids = {value for _, value in config.strings_in(document, "")
                   if config.USER_ID.match(value) or config.CHANNEL_ID.match(value)}
    assert shipped_ids and shipped_ids <= config.EXAMPLE_IDS
    assert all("is an example ID from config/care.toml" in p for p in problems)
    assert "channels.supervisors = 'C0000000001' is an example ID" in problems[0]
    assert any(p.startswith("branches.main-street.rxm = 'U0000000003'") for p in problems)


def test_docs_example_env_values_match_the_example_file():
    shipped = _example_env()

    for name, example in config.EXAMPLE_ENV_VALUES.items():
        assert shipped.get(name) in (example, ""), name


def test_docs_default_care_toml_loads_and_sets_every_reminder(tmp_path):
    path = _shipped_toml_with_real_ids(tmp_path)
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "CARE_CONFIG": str(path)}

    settings = load_settings(env)

    reminders = tomllib.loads(path.read_text())["reminders"]
    assert set(REMINDER_DEFAULTS) | {"ack_repeat_max"} <= set(reminders)
    assert settings.reminders.ack_repeat_max == reminders["ack_repeat_max"]
    assert settings.branches["main-street"].business_hours is not None


def test_example_value_in_a_user_list_is_refused(tmp_path):
    toml_text = MINIMAL_TOML.replace(f'security = ["{USERS["sec"]}"]',
                                     'security = ["U0SEC", "U0000000002"]')

    problems = problems_for(env_for(tmp_path, toml_text))

    assert problems == ["roles.security = 'U0000000002' is an example ID from config/care.toml; "
                        'replace it with your own (see docs/settings.md)']


def test_signing_secret_is_optional_in_socket_mode(tmp_path):
    env = env_for(tmp_path, SLACK_APP_TOKEN=APP_TOKEN)
    del env["SLACK_SIGNING_SECRET"]

    settings = load_settings(env)

    assert settings.socket_mode and settings.signing_secret == ""


def test_signing_secret_is_required_over_http(tmp_path):
    env = env_for(tmp_path)
    del env["SLACK_SIGNING_SECRET"]

    assert problems_for(env) == ["SLACK_SIGNING_SECRET is not set"]


def test_config_error_says_which_file_fixes_each_problem(tmp_path):
    toml_text = MINIMAL_TOML.replace("[channels]", "[channelz]")
    env = env_for(tmp_path, toml_text, PORT="http")
    del env["SLACK_BOT_TOKEN"]

    with pytest.raises(ConfigError) as caught:
        load_settings(env)

    lines = str(caught.value).splitlines()
    env_at = lines.index("In .env (or the environment; config/example.env describes every "
                         "variable):")
    toml_at = lines.index(f"In {env['CARE_CONFIG']} (the file CARE_CONFIG names):")
    assert env_at < lines.index("  - SLACK_BOT_TOKEN is not set") < toml_at
    assert env_at < lines.index("  - PORT must be a number from 1 to 65535, not 'http'") < toml_at
    assert toml_at < lines.index("  - [channels] table is missing")
    assert lines[-1] == 'Each setting is explained in docs/settings.md.'
