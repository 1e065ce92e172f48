"""The domain: the CARE guideline and its rules as data and pure functions.

Stdlib only: nothing here imports Slack, SQL or the process. The one import from outside is
``care_bot.config.types`` (the settings dataclasses, themselves stdlib only), so a rule can take
a ``Branch`` or ``Reminders``.
"""
