"""Settings: read once from the environment and care.toml into a frozen object.

Every problem found is collected, so a bad start names all of them at once. Secrets are
kept out of ``repr`` and out of every error message.

The package's parts: ``types`` (``Settings`` and its parts, with their defaults), ``loading``
(the only code that reads the environment), ``validation`` (each care.toml table checked),
``care_after`` (the optional ``[care_after]`` table) and ``messages`` (the start-up error and
values shown without secrets). The names below are the package's public interface.
"""

from care_bot.config.loading import example_value_problems, load_settings, strings_in
from care_bot.config.messages import (
    DATABASE_URL_SCHEMES,
    ENV_VARIABLES,
    EXAMPLE_ENV_VALUES,
    EXAMPLE_IDS,
    SECRET_LIKE,
    SECRET_VARIABLES,
    SETTINGS_DOC,
    ConfigError,
    describe_problems,
    path_shown,
    shown,
)
from care_bot.config.types import (
    DEFAULT_ACK_REPEAT_MAX,
    DEFAULT_API_URL,
    DEFAULT_CHECKINS,
    DEFAULT_CONFIG_PATH,
    DEFAULT_DB_PATH,
    DEFAULT_DOWNTIME_ALERT_AFTER,
    DEFAULT_PORT,
    DEFAULT_POST_TIMEOUT,
    DEFAULT_STUCK_ALERT_AFTER,
    DEFAULT_SUPPORT_TEXT,
    DEFAULT_SWEEP_EVERY,
    DEFAULT_UNSURE_RECHECK_AFTER,
    KEEP_FOREVER,
    REMINDER_DEFAULTS,
    RETENTION_DEFAULTS,
    Branch,
    BusinessHours,
    Reminders,
    Retention,
    Settings,
    Weekly,
)
from care_bot.config.validation import (
    CHANNEL_ID,
    MAX_BRANCHES,
    ROLE_NAMES,
    USER_ID,
    USERGROUP_ID,
    WEEKDAYS,
)

__all__ = [
    "CHANNEL_ID", "DATABASE_URL_SCHEMES", "DEFAULT_ACK_REPEAT_MAX",
    "DEFAULT_API_URL", "DEFAULT_CHECKINS", "DEFAULT_CONFIG_PATH", "DEFAULT_DB_PATH",
    "DEFAULT_DOWNTIME_ALERT_AFTER", "DEFAULT_PORT", "DEFAULT_POST_TIMEOUT",
    "DEFAULT_STUCK_ALERT_AFTER", "DEFAULT_SUPPORT_TEXT", "DEFAULT_SWEEP_EVERY",
    "DEFAULT_UNSURE_RECHECK_AFTER", "ENV_VARIABLES", "EXAMPLE_ENV_VALUES", "EXAMPLE_IDS",
    "KEEP_FOREVER", "MAX_BRANCHES", "REMINDER_DEFAULTS", "RETENTION_DEFAULTS", "ROLE_NAMES",
    "SECRET_LIKE", "SECRET_VARIABLES", "SETTINGS_DOC", "USERGROUP_ID", "USER_ID", "WEEKDAYS",
    "Branch", "BusinessHours", "ConfigError", "Reminders", "Retention", "Settings", "Weekly",
    "describe_problems", "example_value_problems", "load_settings", "path_shown", "shown",
    "strings_in",
]
