"""``python -m care_bot verify [DATABASE]``: check the audit hash chain and incident states."""

from __future__ import annotations

import argparse
import sqlite3
import sys

import sqlite_utils

from care_bot.commands.records import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    database_target,
    has_chain,
    open_read_only,
)
from care_bot.storage import dialect
from care_bot.storage.audit import verify_all

HELP = "check the audit trail's hash chain and that every incident agrees with its events"
SHOWN = 20


def run(argv: list[str]) -> int:
    """Verify the database; 0 when all is well, 1 naming the first bad event."""
    parser = argparse.ArgumentParser(prog="python -m care_bot verify", description=HELP)
    parser.add_argument("database", nargs="?", help="a database file or a postgresql:// URL "
                        "(default: DATABASE_URL, else CARE_DB_PATH)")
    args = parser.parse_args(argv)
    target = database_target(args.database)
    if target is None:
        return EXIT_USAGE
    if isinstance(target, str):
        return verify_postgres(target)
    try:
        connection = open_read_only(target)
    except (FileNotFoundError, OSError) as error:
        print(f"verify: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if not has_chain(connection):
            print(f"verify: {target} has no hash chain yet; start the bot once to migrate it",
                  file=sys.stderr)
            return EXIT_FAILED
        problems, count, head = verify_all(sqlite_utils.Database(connection))
    finally:
        connection.close()
    return report(str(target), problems, count, head)


def verify_postgres(url: str) -> int:
    """Verify a PostgreSQL database in one consistent snapshot, beside running bots."""
    from care_bot.storage.postgres import PgStore, shown_url

    where = shown_url(url)
    store = PgStore(url, pool_size=1)
    try:
        with store.reading() as db:
            db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            columns = {name for name, _kind, _null in dialect.table_columns(db, "events")}
            if "content_hash" not in columns:
                print(f"verify: {where} has no hash chain yet; start the bot once to migrate it",
                      file=sys.stderr)
                return EXIT_FAILED
            problems, count, head = verify_all(db)
    except sqlite3.Error as error:
        print(f"verify: {where} cannot be read: {error}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        store.close()
    return report(where, problems, count, head)


def report(where: str, problems: list, count: int, head: str) -> int:
    """Print the verdict and return the exit code."""
    if not problems:
        print(f"OK: {where}: {count} audit event(s) chained, every incident agrees with its "
              f"events. Chain head {head}")
        return EXIT_OK
    first = next((p for p in problems if p.event_id is not None), problems[0])
    named = f"event {first.event_id}" if first.event_id is not None else "an incident"
    print(f"FAILED: {where}: {len(problems)} problem(s); the first bad one is {named}: "
          f"{first.what}")
    for problem in problems[:SHOWN]:
        print(f"  - {problem.what}")
    if len(problems) > SHOWN:
        print(f"  ... and {len(problems) - SHOWN} more")
    return EXIT_FAILED
