"""Thin Bolt listeners, grouped by Slack surface; each group has ``register(app, services)``."""

from care_bot.listeners import (
    actions,
    alerts,
    care_after,
    commands,
    home,
    modals,
    naming,
    people,
    role_home,
)


def register_all(app, services) -> None:
    """Attach every listener group to the Bolt app."""
    for group in (commands, actions, modals, alerts, home, role_home, care_after, people,
                  naming):
        group.register(app, services)
