"""The ephemeral help for /threat."""

HELP_TEXT = (
    "*CARE bot* helps you report a threatening client, step by step.\n"
    "• `/threat` starts a report (or offers to resume an unfinished one).\n"
    "• `/threat help` shows this message.\n\n"
    "*If you or anyone else is in danger, call 911 or local law enforcement first.*\n"
    "The report follows the CARE guideline: Client Service Excellence, Assess and Action, "
    "Report, Evaluate the relationship. Your answers are saved at every step, and client "
    "details are never posted in channels."
)
