"""Thin Bolt listeners, grouped by Slack surface; each group has ``register(app, services)``."""

from care_bot.listeners import actions, alerts, commands, home, modals


def register_all(app, services) -> None:
    """Attach every listener group to the Bolt app."""
    for group in (commands, actions, modals, alerts, home):
        group.register(app, services)
