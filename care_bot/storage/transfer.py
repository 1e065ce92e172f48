"""Copy a SQLite database into an empty PostgreSQL one, row for row (``migrate --to``).

Every table the schema has is copied with its ids, so the audit events keep their hashes
and the chain verifies on the target. Values are converted to the target column's type
(SQLite lets a column hold any type). Identity sequences then start after the copied ids.
"""

from __future__ import annotations

from typing import Any

from care_bot.storage import dialect

FIRST = ("incidents",)  # rows others refer to by foreign key go first
BATCH = 500


class TargetNotEmpty(Exception):
    """Raised when the target already holds data (or tables that are not CARE bot's)."""


def refuse_unless_empty(target, known: set[str]) -> None:
    """Raise TargetNotEmpty when the target has rows, or tables CARE bot does not make."""
    for table in dialect.table_names(target):
        if table not in known:
            raise TargetNotEmpty(f"it has a table CARE bot does not make ({table})")
        if target.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            raise TargetNotEmpty(f"its table {table} has rows")


def _convert(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "TEXT":
        return value if isinstance(value, str) else str(value)
    if kind == "REAL":
        return float(value)
    if kind == "INTEGER" and not isinstance(value, int):
        return int(float(value))
    return value


def copy_all(source, target) -> dict[str, int]:
    """Copy every application table from ``source`` into ``target``; return rows per table."""
    tables = dialect.table_names(source)
    ordered = [t for t in FIRST if t in tables] + [t for t in tables if t not in FIRST]
    copied = {}
    for table in ordered:
        copied[table] = _copy_table(source, target, table)
    for table in ordered:
        _restart_identity(target, table)
    return copied


def _copy_table(source, target, table: str) -> int:
    kinds = {name: kind for name, kind, _null in dialect.table_columns(target, table)}
    names = [name for name, _kind, _null in dialect.table_columns(source, table)
             if name in kinds]
    marks = ", ".join("?" for _ in names)
    insert = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
    cursor = source.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY rowid")
    count = 0
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            return count
        rows = [tuple(_convert(value, kinds[name]) for name, value in zip(names, row,
                                                                          strict=True))
                for row in batch]
        target.execute_many(insert, rows)
        count += len(rows)


def _restart_identity(target, table: str) -> None:
    """Make the table's identity column continue after the highest copied id."""
    if "id" not in {name for name, _kind, _null in dialect.table_columns(target, table)}:
        return
    row = target.execute("SELECT pg_get_serial_sequence(?, 'id')", [table]).fetchone()
    if row and row[0]:
        target.execute(f"SELECT setval(?, (SELECT coalesce(max(id), 0) + 1 FROM {table}), "
                       "false)", [row[0]])


def counts(db, tables: list[str]) -> dict[str, int]:
    """Rows per table."""
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in tables}
