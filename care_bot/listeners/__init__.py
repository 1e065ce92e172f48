"""Thin Bolt listeners, grouped by Slack surface; each group has ``register(app)``.

Handlers are module-level functions; the Services reach them through Bolt's context, put
there by one middleware (``listeners.context``).
"""

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
from care_bot.listeners.context import services_middleware


def register_all(app, services) -> None:
    """Put the Services in every request's context, then attach every listener group."""
    app.use(services_middleware(services))
    for group in (commands, actions, modals, alerts, home, role_home, care_after, people,
                  naming):
        group.register(app)
