"""The ephemeral help for /threat."""

HELP_TEXT = (
    "*CARE bot* helps you report a threatening client, step by step.\n"
    "• `/threat` starts a report (or offers to resume an unfinished one).\n"
    "• `/threat list` shows your reports and your open tasks.\n"
    "• `/threat show CARE-2026-0042` opens an incident's details: status, checklist, people "
    "and its audit timeline (if you may see it).\n"
    "• `/threat export` or `/threat export since 2026-01-31` sends the records as a CSV to "
    "your direct messages (Corporate Security & Risk and HR).\n"
    "• `/threat hold CARE-YYYY-NNNN reason` puts an incident on legal hold, so retention never "
    "purges it; `/threat unhold CARE-YYYY-NNNN reason` lifts it (Corporate Security & Risk "
    "only; both are recorded in the audit trail).\n"
    "• `/threat help` shows this message.\n\n"
    "*If you or anyone else is in danger, call 911 or local law enforcement first.*\n"
    "The report follows the CARE guideline: Client Service Excellence, Assess and Action, "
    "Report, Evaluate the relationship. Your answers are saved at every step, and client "
    "details are never posted in channels."
)
