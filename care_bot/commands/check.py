"""``python -m care_bot check``: the settings, then the channels and people they name, in Slack."""

from __future__ import annotations

import argparse

from dotenv import load_dotenv

from care_bot.config import ConfigError, load_settings
from care_bot.runtime.wiring import FAIL, OK, WARN, Check, run_checks
from care_bot.slack_api import SlackGateway, build_client
from care_bot.storage.reach import check_database

HELP = ("check the settings and the database, then both channels, the roles and the branch "
        "directory in Slack")


def run(argv: list[str]) -> int:
    """Print one table row per check; return 0 when none failed, 1 otherwise."""
    argparse.ArgumentParser(prog="python -m care_bot check", description=HELP).parse_args(argv)
    load_dotenv()
    try:
        settings = load_settings()
    except ConfigError as error:
        print(table([Check("settings", FAIL, "see below; nothing else was checked")]))
        print(f"\n{error}")
        return 1
    rows = [Check("settings", OK, f"loaded (.env and {settings.config_path})")]
    reachable, detail = check_database(settings)
    rows.append(Check("database", OK if reachable else FAIL, detail))
    rows += run_checks(settings, SlackGateway(build_client(settings.bot_token, settings.api_url)))
    print(table(rows))
    return 1 if any(row.result == FAIL for row in rows) else 0


def table(rows: list[Check]) -> str:
    """The rows as an aligned text table with a closing count."""
    width = max([len("CHECK"), *(len(row.what) for row in rows)])
    lines = [f"{'CHECK':<{width}}  RESULT  DETAIL"]
    lines += [f"{row.what:<{width}}  {row.result:<6}  {row.detail}" for row in rows]
    counts = {kind: sum(1 for row in rows if row.result == kind) for kind in (OK, WARN, FAIL)}
    lines.append(f"\n{len(rows)} checks: {counts[OK]} ok, {counts[WARN]} warning(s), "
                 f"{counts[FAIL]} failed.")
    return "\n".join(lines)
