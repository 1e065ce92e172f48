"""User groups Slack cannot expand: the security channel is told once, refused people are told why.

A role's user group that cannot be read fails closed (``care_bot.roles``). Nobody running the bot
would notice, and a real supervisor would be turned away with "only the supervisors group can…".
So the security channel gets one post per failure (queued in the outbox by the sweep, never from
inside a request), and a refusal that involves such a role says why.
"""

from __future__ import annotations

import logging

from care_bot.roles import failure_text
from care_bot.services import Services
from care_bot.storage import outbox
from care_bot.views.messages import thread_note

logger = logging.getLogger(__name__)


def alert_new_failures(services: Services) -> int:
    """Queue one security-channel post per user group that newly cannot be read; return how many."""
    new = services.roles.take_new_failures()
    if not new:
        return 0
    now = services.clock()
    try:
        with services.store.transaction() as db:
            for group_id, code in sorted(new.items()):
                text = failure_text(group_id, code, services.roles.roles_of(group_id))
                outbox.enqueue_post(
                    db, key=f"usergroup-failure:{group_id}:{code}:{now}", incident_id=None,
                    channel=services.settings.security_channel, now=now,
                    payload=thread_note(
                        f":warning: {text}. Check the group in Slack and `[roles]` in "
                        "config/care.toml, then run `python -m care_bot check`."),
                )
    except Exception:
        for group_id in new:
            services.roles.report_again(group_id)
        raise
    services.wake_sweep()
    return len(new)


def refusal_note(services: Services, roles: tuple[str, ...]) -> str:
    """Why a refusal may be wrong: the roles' user groups Slack cannot expand now ("" if none)."""
    failing = services.roles.failing(roles)
    if not failing:
        return ""
    notes = [failure_text(group_id, code, services.roles.roles_of(group_id))
             for group_id, code in sorted(failing.items())]
    return (" CARE bot cannot tell who is in that group right now. " + ". ".join(notes)
            + ". The security channel is being told.")
