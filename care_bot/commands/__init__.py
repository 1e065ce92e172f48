"""The operator's command line: ``python -m care_bot COMMAND [options]``.

One module per command, each with ``HELP`` and ``run(argv)``; ``main`` picks one by name.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "check": "care_bot.commands.check",
    "verify": "care_bot.commands.verify",
    "backup": "care_bot.commands.backup",
    "purge": "care_bot.commands.purge",
    "export": "care_bot.commands.export",
    "migrate": "care_bot.commands.migrate",
}
HELP_WORDS = ("-h", "--help", "help")


def usage() -> str:
    """The list of commands, one line each."""
    lines = ["usage: python -m care_bot COMMAND [options]", "", "commands:"]
    for name, module in COMMANDS.items():
        lines.append(f"  {name:10} {importlib.import_module(module).HELP}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code; with no command, list them."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in HELP_WORDS:
        print(usage())
        return 0
    if args[0] not in COMMANDS:
        print(f"unknown command {args[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    return importlib.import_module(COMMANDS[args[0]]).run(args[1:])
