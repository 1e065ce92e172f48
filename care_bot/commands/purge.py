"""``python -m care_bot purge [--dry-run]``: apply the ``[retention]`` schedule now."""

from __future__ import annotations

import argparse
import sys
import time

from care_bot.commands.records import EXIT_OK, EXIT_USAGE, settings_or_none
from care_bot.flows import retention
from care_bot.storage import open_store

HELP = "apply the [retention] schedule now (--dry-run only lists what would go)"


def run(argv: list[str]) -> int:
    """Purge what the retention schedule says has expired; 0 when done."""
    parser = argparse.ArgumentParser(prog="python -m care_bot purge", description=HELP)
    parser.add_argument("--dry-run", action="store_true", help="list, change nothing")
    args = parser.parse_args(argv)
    settings = settings_or_none()
    if settings is None:
        return EXIT_USAGE
    if not settings.database_url and not settings.db_path.is_file():
        print(f"purge: no database at {settings.db_path}", file=sys.stderr)
        return EXIT_USAGE
    store = open_store(settings, beside_bot=True)  # no lock: the running bots may keep going
    try:
        store.migrate()
        now = time.time()
        rules = settings.retention
        total = retention.Plan()
        while True:  # in batches, so each transaction stays short beside a running bot
            step = (retention.plan(store, rules, now) if args.dry_run
                    else retention.apply(store, rules, now))
            total.drafts += step.drafts
            total.outbox += step.outbox
            total.incidents += step.incidents
            if args.dry_run or step.empty:
                break
    finally:
        store.close()
    verb = "would purge" if args.dry_run else "purged"
    print(f"{verb}: {total.summary()} (drafts {_rule(rules.drafts)}, incidents "
          f"{_rule(rules.incidents)} after closing, outbox {_rule(rules.outbox)} after sending; "
          "incidents on legal hold are kept)")
    return EXIT_OK


def _rule(lifetime) -> str:
    return "kept forever" if lifetime is None else f"{lifetime.days}d"
