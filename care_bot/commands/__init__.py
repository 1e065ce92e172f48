"""One module per ``python -m care_bot`` command, each with ``HELP`` and ``run(argv)``."""
