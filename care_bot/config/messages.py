"""Settings' error messages: the one start-up report, and values shown without secrets."""

from __future__ import annotations

import re
from pathlib import Path

from care_bot.config.types import DEFAULT_CONFIG_PATH

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


def key_shown(name: object) -> str:
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
