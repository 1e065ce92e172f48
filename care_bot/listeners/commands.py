"""The /threat slash command."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from care_bot.flows import danger, drills, intake, lookup, person_page, records, retention
from care_bot.listeners.guard import after_ack_guard
from care_bot.services import Services
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
        first, _, rest = " ".join(word.split()).partition(" ")  # tabs and newlines too
        if first in HOLD_WORDS:  # issue 9: hold REF reason, unhold REF reason
            legal_hold(ack, command)
            return
        if first in LOOKUP_WORDS:  # issue 11: list, show REF, export [since YYYY-MM-DD]
            LOOKUP_WORDS[first](services, ack, command, rest.strip())
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
            # Never silent: the response_url needs no Web API call, and carries the alert
            if not danger.could_not_open(services, command.get("response_url")):
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


# ---- issue 11: /threat list, /threat show REF, /threat export [since YYYY-MM-DD]


def _list(services: Services, ack, command: dict, rest: str) -> None:
    message = lookup.my_list(services, command["user_id"])
    ack(response_type="ephemeral", text=message["text"], blocks=message["blocks"])


def _show(services: Services, ack, command: dict, rest: str) -> None:
    shown = lookup.show(services, command["user_id"], rest)
    if shown.message:
        ack(response_type="ephemeral", text=shown.message)
        return
    ack()
    try:
        services.slack.open_view(command["trigger_id"], shown.view)
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))
        _tell(services, command, "Slack did not open the details in time. Please try again.")


def _export(services: Services, ack, command: dict, rest: str) -> None:
    problem = records.refusal(services, command["user_id"], rest)
    if problem:  # refused or a bad date: said at once, nothing prepared
        ack(response_type="ephemeral", text=problem)
        return
    ack(response_type="ephemeral", text="Preparing the export…")
    try:
        answer = records.export_to_dm(services, command["user_id"], rest)
    except Exception:
        logger.exception("export failed")
        answer = "The export could not be sent. Nothing was lost; please try again."
    _tell(services, command, answer)


def _tell(services: Services, command: dict, text: str) -> None:
    try:
        services.slack.post_ephemeral(command["channel_id"], command["user_id"], text)
    except SlackApiError:
        services.slack.post(services.slack.open_dm(command["user_id"]), {"text": text})


def _person(services: Services, ack, command: dict, rest: str) -> None:
    """Issue 20: `/threat person REF`, the person's page for the privacy rule's people."""
    page = person_page.open_by_ref(services, command["user_id"], rest)
    if page.message:
        ack(response_type="ephemeral", text=page.message)
        return
    ack()
    try:
        services.slack.open_view(command["trigger_id"], page.view)
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))
        _tell(services, command, "Slack did not open the page in time. Please try again.")


def _drill(services: Services, ack, command: dict, rest: str) -> None:
    """`/threat drill` (issue 21): the danger path in drill mode, for supervisors and security."""
    view, refusal = drills.start(services, command["user_id"])
    if refusal:
        ack(response_type="ephemeral", text=refusal)
        return
    ack()
    try:
        services.slack.open_view(command["trigger_id"], view)
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))
        _tell(services, command, "Slack did not open the drill in time. Please type "
                                 "`/threat drill` again.")


LOOKUP_WORDS = {"list": _list, "show": _show, "export": _export, "person": _person,
                "drill": _drill}
