"""Answers to one person, sent at once rather than through the outbox: a DM, or the DM they
clicked in replaced in place. Neither is a record: a failure is logged and the click's own
result stands.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from care_bot.services import Services

logger = logging.getLogger(__name__)


def tell_by_dm(services: Services, user_id: str, text: str) -> None:
    """DM ``text`` to the user; logged, not raised, when Slack refuses."""
    try:
        services.slack.post(services.slack.open_dm(user_id), {"text": text})
    except SlackApiError as error:
        logger.info("could not answer the user by DM: %s", error.response.get("error"))


def replace_message(services: Services, channel: str | None, ts: str | None,
                    message: dict) -> None:
    """chat.update the message the user clicked in (a DM's), when there is one."""
    if not (channel and ts):
        return
    try:
        services.slack.update(channel, ts, message)
    except SlackApiError as error:
        logger.info("could not update the DM: %s", error.response.get("error"))
