"""``python -m care_bot backup DEST``: an online, consistent copy made with SQLite's backup API."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

import sqlite_utils

from care_bot.commands.records import EXIT_FAILED, EXIT_USAGE, database_target, open_read_only
from care_bot.commands.verify import report
from care_bot.storage.audit import verify_all

HELP = "copy the database while the bot runs (SQLite backup API), then verify the copy"


def run(argv: list[str]) -> int:
    """Back up the bot's database to DEST and verify the copy; 0 when the copy verifies."""
    parser = argparse.ArgumentParser(prog="python -m care_bot backup", description=HELP)
    parser.add_argument("dest", help="the new file to write (must not exist, unless --force)")
    parser.add_argument("--database", help="the SQLite file to copy (default: CARE_DB_PATH)")
    parser.add_argument("--force", action="store_true", help="overwrite DEST if it exists")
    args = parser.parse_args(argv)
    target = database_target(args.database)
    if target is None:
        return EXIT_USAGE
    if isinstance(target, str):
        print("backup: the bot's database is PostgreSQL, which this command does not copy. Use "
              "the database's own backups: pg_dump (for example pg_dump --format=custom "
              "--file care.dump \"$DATABASE_URL\"), or your provider's snapshots and "
              "point-in-time recovery. See docs/deployment.md.", file=sys.stderr)
        return EXIT_USAGE
    source = target
    dest = Path(args.dest)
    if dest.exists() and not args.force:
        print(f"backup: {dest} exists; choose a new file or pass --force", file=sys.stderr)
        return EXIT_USAGE
    try:
        copy(source, dest)
    except (OSError, sqlite3.Error) as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    connection = open_read_only(dest)
    try:
        problems, count, head = verify_all(sqlite_utils.Database(connection))
    finally:
        connection.close()
    print(f"backup: {source} copied to {dest}")
    return report(str(dest), problems, count, head)


def copy(source: Path, dest: Path) -> None:
    """Copy ``source`` into ``dest`` in one step: one consistent snapshot beside the bot."""
    src = open_read_only(source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    target = sqlite3.connect(dest)
    try:
        src.backup(target, pages=-1)
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        target.close()
        src.close()
