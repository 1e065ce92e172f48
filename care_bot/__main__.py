"""``python -m care_bot COMMAND``: the operator's commands."""

import sys

from care_bot.cli import main

sys.exit(main())
