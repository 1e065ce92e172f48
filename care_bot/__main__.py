"""``python -m care_bot COMMAND``: the operator's commands."""

import sys

from care_bot.commands import main

sys.exit(main())
