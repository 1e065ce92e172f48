"""Storage: the only package that speaks SQL (SQLite by default, PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

from care_bot.storage.database import AlreadyRunning, Store


def open_store(settings, *, beside_bot: bool = False):
    """Open the database the settings name: PostgreSQL when DATABASE_URL is set, else SQLite.

    The bot itself (``beside_bot=False``) migrates, and on SQLite claims the one-instance lock
    (``AlreadyRunning``). Commands run beside a running bot take no lock and do not migrate.
    Failures raise ``sqlite3.Error`` (either backend) or ``OSError``.
    """
    if settings.database_url:
        from care_bot.storage.postgres import PgStore

        if beside_bot:
            return PgStore(settings.database_url, settings.db_pool_size)
        return PgStore.open(settings.database_url, settings.db_pool_size)
    return Store(settings.db_path) if beside_bot else Store.open(settings.db_path)


def backend_name(store) -> str:
    """``postgresql`` or ``sqlite``."""
    return getattr(store, "backend", "sqlite")


__all__ = ["AlreadyRunning", "Store", "backend_name", "open_store"]
