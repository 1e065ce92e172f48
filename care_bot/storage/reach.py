"""Which database the settings name, and whether it answers: for ``python -m care_bot check``."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def check_database(settings) -> tuple[bool, str]:
    """Return (reachable, what to say): the backend, where it is, and why it fails if it does."""
    if settings.database_url:
        from care_bot.storage.postgres import PgStore, shown_url

        where = shown_url(settings.database_url)
        store = PgStore(settings.database_url, pool_size=1)
        try:
            with store.reading() as db:
                version = db.execute("SHOW server_version").fetchone()[0]
            return True, f"PostgreSQL {version} at {where} (DATABASE_URL), reachable"
        except sqlite3.Error as error:
            return False, f"PostgreSQL at {where} (DATABASE_URL) cannot be reached: {error}"
        finally:
            store.close()
    path = Path(settings.db_path)
    if not path.exists():
        return True, f"SQLite file {path} (CARE_DB_PATH), made at the first start"
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        return False, f"SQLite file {path} (CARE_DB_PATH) cannot be read: {error}"
    return True, f"SQLite file {path} (CARE_DB_PATH), readable"
