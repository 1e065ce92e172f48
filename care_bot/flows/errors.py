"""Telling a user that their action did not complete, in the surface they used."""

from __future__ import annotations

import logging

from care_bot.services import Services

logger = logging.getLogger(__name__)

ERROR_TEXT = (
    "Sorry, CARE bot hit a problem and could not finish that. Nothing you saved was lost; "
    "please try again. If anyone is in danger, call 911 now."
)


def tell_user_about_error(services: Services, body: dict) -> None:
    """Tell the user, in the channel they used, that their action did not complete."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if not user:
        return
    try:
        if channel and not str(channel).startswith("D"):
            services.slack.post_ephemeral(channel, user, ERROR_TEXT)
        else:
            services.slack.post(services.slack.open_dm(user), {"text": ERROR_TEXT})
    except Exception:
        logger.warning("could not tell the user about an error")
