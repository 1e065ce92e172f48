"""Run the schema migrations (written for SQLite in ``migrations.py``) on PostgreSQL.

The same migration functions run on both backends, in order, each once: PostgreSQL records
them in ``_care_migrations``, inside the one transaction that applies them (its DDL is
transactional), so a failed start leaves no half-made schema and a second run does nothing.
"""

from __future__ import annotations

import time
from typing import Any

from care_bot.storage import dialect
from care_bot.storage.migrations import migrations

RECORD_TABLE = "_care_migrations"


class _SchemaDb:
    """What a migration function is handed on PostgreSQL: DDL rewritten, the rest as is."""

    backend = dialect.POSTGRESQL

    def __init__(self, db):
        self._db = db

    def execute(self, sql: str, params: Any = None):
        if params is not None:
            return self._db.execute(sql, params)
        result = None
        for statement in dialect.postgres_ddl(sql):
            result = self._db.execute(statement)
        return result

    def query(self, sql: str, params: Any = None):
        return self._db.query(sql, params)


def applied(db) -> set[str]:
    """The names of the migrations already applied."""
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {RECORD_TABLE} (migration_set TEXT NOT NULL, "
        "name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL, "
        "PRIMARY KEY (migration_set, name))"
    )
    return {row[0] for row in db.execute(
        f"SELECT name FROM {RECORD_TABLE} WHERE migration_set = ?", [migrations.name])}


def apply(db, stop_before: str | None = None) -> list[str]:
    """Apply every pending migration (those before ``stop_before``) in the caller's transaction.

    Returns the names applied.
    """
    done = applied(db)
    ran = []
    schema_db = _SchemaDb(db)
    for migration in migrations._migrations:
        if migration.name == stop_before:
            break
        if migration.name in done:
            continue
        migration.fn(schema_db)
        db.execute(f"INSERT INTO {RECORD_TABLE} (migration_set, name, applied_at) "
                   "VALUES (?, ?, ?)", [migrations.name, migration.name, time.time()])
        ran.append(migration.name)
    return ran
