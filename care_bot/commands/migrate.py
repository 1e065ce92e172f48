"""``python -m care_bot migrate --to URL``: move the pilot's SQLite database into PostgreSQL.

The target must be empty: the schema is made there, every row is copied with its id in one
transaction, and ``verify`` then runs on the target, whose chain head must equal the
source's. Stop the bot first, so nothing is written to SQLite after the copy.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys

import sqlite_utils

from care_bot.commands.records import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    database_path,
    has_chain,
    is_postgres_url,
    open_read_only,
)
from care_bot.commands.verify import verify_postgres
from care_bot.storage import Store, transfer
from care_bot.storage.chain import verify_chain

HELP = "copy the SQLite database into an empty PostgreSQL one (--to URL), then verify it"


def run(argv: list[str]) -> int:
    """Copy, verify; 0 when the target verifies with the source's chain head."""
    parser = argparse.ArgumentParser(prog="python -m care_bot migrate", description=HELP)
    parser.add_argument("--to", required=True, metavar="URL",
                        help='the empty PostgreSQL database, such as "$DATABASE_URL"')
    parser.add_argument("--from", dest="source", metavar="FILE",
                        help="the SQLite file (default: CARE_DB_PATH)")
    args = parser.parse_args(argv)
    if not is_postgres_url(args.to):
        print("migrate: --to must be a postgresql:// URL", file=sys.stderr)
        return EXIT_USAGE
    source = database_path(args.source)
    if source is None:
        return EXIT_USAGE
    if not source.is_file():
        print(f"migrate: no SQLite database at {source} (set CARE_DB_PATH or --from)",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        Store(source).migrate()  # the same schema version as the target gets
        copied, head = _copy(source, args.to)
    except transfer.TargetNotEmpty as refusal:
        print(f"migrate: refused: the target is not empty: {refusal}. Give an empty database "
              "(CREATE DATABASE care) so nothing there is overwritten or mixed.", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, sqlite3.Error) as error:
        print(f"migrate failed, nothing was copied: {error}", file=sys.stderr)
        return EXIT_FAILED
    total = sum(copied.values())
    print(f"migrate: copied {total} row(s) from {source}: "
          + ", ".join(f"{table} {n}" for table, n in copied.items() if n))
    code = verify_postgres(args.to)
    if code == EXIT_OK:
        print(f"migrate: done; the target's chain head is the source's ({head}). Set "
              "DATABASE_URL to it and start the bots.")
    return code


def _copy(source, url: str) -> tuple[dict[str, int], str]:
    from care_bot.storage.postgres import PgStore

    connection = open_read_only(source)
    target = PgStore(url, pool_size=1)
    try:
        if not has_chain(connection):
            raise sqlite3.DatabaseError("the source has no hash chain")
        connection.execute("BEGIN")  # one snapshot of the source for the whole copy
        reader = sqlite_utils.Database(connection)
        _problems, _count, head = verify_chain(reader)
        with target.transaction() as db:
            known = set(transfer.dialect.table_names(reader))
            transfer.refuse_unless_empty(db, known)
            target.migrate_in(db)
            copied = transfer.copy_all(connection, db)
            problems, _count, copied_head = verify_chain(db)
            if problems or copied_head != head:
                raise sqlite3.DatabaseError("the copied audit chain does not match the source's")
        return copied, head
    finally:
        connection.close()
        target.close()
