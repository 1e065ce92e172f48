"""``python -m care_bot export --since YYYY-MM-DD --out FILE``: the records as CSV."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path

from dotenv import load_dotenv

from care_bot.config import DEFAULT_DB_PATH, ConfigError, Settings, load_settings
from care_bot.flows import records
from care_bot.storage import open_store

HELP = "write the records as CSV (the same columns as /threat export)"


def _settings() -> Settings:
    """The bot's settings when they load; otherwise only the database path."""
    try:
        return load_settings()
    except ConfigError:
        db_path = Path(os.environ.get("CARE_DB_PATH", "").strip() or DEFAULT_DB_PATH)
        return Settings(bot_token="", signing_secret="", db_path=db_path,
                        database_url=os.environ.get("DATABASE_URL", "").strip() or None)


def run(argv: list[str]) -> int:
    """Write the CSV; each exported incident gets an ``exported`` audit event."""
    parser = argparse.ArgumentParser(prog="python -m care_bot export", description=HELP)
    parser.add_argument("--since", default="", help="only incidents from this date (YYYY-MM-DD)")
    parser.add_argument("--out", required=True, help="the CSV file to write ('-' for stdout)")
    parser.add_argument("--with-client-details", action="store_true",
                        help="include the client's name and accounts (withheld by default)")
    parser.add_argument("--include-drills", action="store_true",
                        help="include drills (left out by default), marked DRILL")
    args = parser.parse_args(argv)
    load_dotenv()
    settings = _settings()
    try:
        since = records.parse_since(args.since, settings.bank_timezone)
    except ValueError:
        print(f"--since must be a date such as 2026-01-31, not {args.since!r}", file=sys.stderr)
        return 2
    if not settings.database_url and not Path(settings.db_path).exists():
        print(f"no database at {settings.db_path} (set CARE_DB_PATH)", file=sys.stderr)
        return 2
    store = open_store(settings, beside_bot=True)  # beside running bots: no lock is taken
    try:
        store.migrate()
        result = records.build(
            store, settings, actor=f"cli:{getpass.getuser()}", surface="cli", since=since,
            now=time.time(), details_for=lambda incident: args.with_client_details,
            include_drills=args.include_drills,
        )
    finally:
        store.close()
    if args.out == "-":
        sys.stdout.write(result.csv_text)
    else:
        out = Path(args.out)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # client data: private
        os.fchmod(fd, 0o600)  # also when the file was there before, readable by others
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(result.csv_text)
        print(f"wrote {result.count} incident(s) to {out}", file=sys.stderr)
    return 0
