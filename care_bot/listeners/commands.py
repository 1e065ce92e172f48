"""The /threat slash command."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from care_bot.flows import intake, retention
from care_bot.flows.services import Services
from care_bot.listeners.guard import after_ack_guard
from care_bot.views.help import HELP_TEXT

logger = logging.getLogger(__name__)

START_WORDS = {"", "report", "new", "start"}
HOLD_WORDS = {"hold": True, "unhold": False}


def register(app, services: Services) -> None:
    """Attach the /threat command."""
    guard = after_ack_guard(services)

    @app.command("/threat")
    @guard
    def threat(ack, body, command):
        word = (command.get("text") or "").strip().lower()
        if word.split(" ", 1)[0] in HOLD_WORDS:
            legal_hold(ack, command)
            return
        if word not in START_WORDS:
            ack(response_type="ephemeral", text=HELP_TEXT)
            return
        ack()
        start = intake.start_report(services, command["user_id"])
        try:
            services.slack.open_view(command["trigger_id"], start.view)
        except SlackApiError as error:
            logger.warning("views.open failed: %s", error.response.get("error"))
            _tell_retry(services, command)


    def legal_hold(ack, command):
        """`/threat hold REF reason` and `/threat unhold REF reason` (security only)."""
        parts = (command.get("text") or "").strip().split(None, 2)
        ref = parts[1] if len(parts) > 1 else ""
        reason = parts[2] if len(parts) > 2 else ""
        answer = retention.change_hold(services, command["user_id"], ref, reason,
                                       HOLD_WORDS[parts[0].lower()])
        ack(response_type="ephemeral", text=answer.text)


def _tell_retry(services: Services, command: dict) -> None:
    text = ("Slack did not open the report in time. Please type `/threat` again. "
            "If anyone is in danger, call 911 now.")
    try:
        services.slack.post_ephemeral(command["channel_id"], command["user_id"], text)
    except SlackApiError:
        services.slack.post(services.slack.open_dm(command["user_id"]), {"text": text})
