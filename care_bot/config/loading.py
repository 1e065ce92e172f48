"""Loading: read the environment and care.toml once into ``Settings``; raise ``ConfigError``.

Every environment variable the bot reads is read in this module and nowhere else.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

from care_bot.config import validation as check
from care_bot.config.care_after import care_after_settings
from care_bot.config.messages import (
    DATABASE_URL_SCHEMES,
    EXAMPLE_ENV_VALUES,
    EXAMPLE_IDS,
    SETTINGS_DOC,
    ConfigError,
    key_shown,
    path_shown,
    shown,
)
from care_bot.config.types import (
    DEFAULT_API_URL,
    DEFAULT_CONFIG_PATH,
    DEFAULT_DB_PATH,
    DEFAULT_DOWNTIME_ALERT_AFTER,
    DEFAULT_PORT,
    DEFAULT_POST_TIMEOUT,
    DEFAULT_STUCK_ALERT_AFTER,
    DEFAULT_SUPPORT_TEXT,
    DEFAULT_SWEEP_EVERY,
    DEFAULT_UNSURE_RECHECK_AFTER,
    KEEP_FOREVER,
    RETENTION_DEFAULTS,
    Retention,
    Settings,
)


def example_value_problems(env: Mapping[str, str], document: Mapping | None) -> list[str]:
    """Name every setting still holding an example value from config/example.env or care.toml."""
    hint = f"replace it with your own (see {SETTINGS_DOC})"
    problems = [
        f"{name} is still the example value from config/example.env; {hint}"
        for name, example in EXAMPLE_ENV_VALUES.items()
        if env.get(name, "").strip() == example
    ]
    for where, value in strings_in(document or {}, ""):
        if value in EXAMPLE_IDS:
            problems.append(f"{where} = {value!r} is an example ID from config/care.toml; {hint}")
    return problems


def strings_in(node, where: str):
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from strings_in(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item, where)

def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from environment variables and the TOML file; raise ConfigError."""
    env = os.environ if environ is None else environ
    problems = check.Problems()
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


def _from_document(document: dict, problems: check.Problems) -> dict:
    channels = check.table(document, "channels", problems)
    roles_table = check.table(document, "roles", problems)
    reminders_table = check.table(document, "reminders", problems, required=False)
    scheduler_table = check.table(document, "scheduler", problems, required=False)
    support_table = check.table(document, "support", problems, required=False)
    monitoring_table = check.table(document, "monitoring", problems, required=False)
    support_text = support_table.get("text", DEFAULT_SUPPORT_TEXT)
    if not isinstance(support_text, str) or not support_text.strip():
        problems.append("support.text must be a non-empty string")
        support_text = DEFAULT_SUPPORT_TEXT
    alerts_table = check.table(document, "alerts", problems, required=False)
    return {
        "alert_broadcast": check.broadcast(alerts_table, problems),
        "security_phone": check.security_phone(support_table, problems),
        "supervisors_channel": problems.text(channels, "supervisors", "channels", check.CHANNEL_ID),
        "security_channel": problems.text(channels, "security", "channels", check.CHANNEL_ID),
        "hr_channel": (problems.text(channels, "hr", "channels", check.CHANNEL_ID) or ""
                       if "hr" in channels else ""),
        "roles": check.roles(roles_table, problems),
        **care_after_settings(check.table(document, "care_after", problems, required=False),
                              check.reminders(reminders_table, problems), problems),
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
        "branches": check.branches(document.get("branches", {}), problems),
        **_durability_settings(document, scheduler_table, problems),
        **check.digest(check.table(document, "digest", problems, required=False), document,
                       problems),
    }


def _durability_settings(document: dict, scheduler: dict, problems: check.Problems) -> dict:
    """Issue 9's optional settings: Slack timeouts, [retention], [monitoring] heartbeat_url."""
    retention_table = check.table(document, "retention", problems, required=False)
    retention = {}
    for key, default in RETENTION_DEFAULTS.items():
        raw = retention_table.get(key, default)
        if isinstance(raw, str) and raw.strip().lower() in KEEP_FOREVER:
            retention[key] = None
        else:
            retention[key] = check.forever_or_duration(raw, key, problems)
    for key in retention_table:
        if key not in RETENTION_DEFAULTS:
            problems.append(f"retention.{key_shown(key)} is not a known setting "
                            f"({', '.join(RETENTION_DEFAULTS)})")
    monitoring = check.table(document, "monitoring", problems, required=False)
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
