"""What ``verify``, ``backup`` and ``purge`` share: the bot's settings and its database file."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from dotenv import load_dotenv

from care_bot.config import DATABASE_URL_SCHEMES, ConfigError, Settings, load_settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def settings_or_none(quiet: bool = False) -> Settings | None:
    """Load the bot's settings (environment, .env, care.toml); print why not and return None."""
    load_dotenv()
    try:
        return load_settings()
    except ConfigError as error:
        if not quiet:
            print(error, file=sys.stderr)
        return None


def database_path(given: str | None) -> Path | None:
    """The database to use: the one given, or the bot's own from its settings."""
    if given:
        return Path(given)
    settings = settings_or_none()
    return settings.db_path if settings else None


def is_postgres_url(text: str | None) -> bool:
    """True for a ``postgresql://`` URL (a database named by URL rather than by file)."""
    return bool(text) and text.startswith(DATABASE_URL_SCHEMES)


def database_target(given: str | None) -> str | Path | None:
    """What a command works on: the file or URL given, else DATABASE_URL, else CARE_DB_PATH."""
    if given:
        return given if is_postgres_url(given) else Path(given)
    settings = settings_or_none()
    if settings is None:
        return None
    return settings.database_url or settings.db_path


def open_read_only(path: Path) -> sqlite3.Connection:
    """Open the database for reading only, beside a running bot (no lock is taken)."""
    if not path.is_file():
        raise FileNotFoundError(f"no database at {path}")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA query_only=ON")
    return connection


def has_chain(connection: sqlite3.Connection) -> bool:
    """True when the database has the hash-chain columns (the bot has migrated it)."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(events)")}
    return "content_hash" in columns
