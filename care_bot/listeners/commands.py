"""The /threat slash command: report (the default), help, and the subcommands."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from care_bot.flows import danger, drills, intake, lookup, person_page, records, retention
from care_bot.listeners.context import services_of
from care_bot.listeners.guard import guarded
from care_bot.services import Services
from care_bot.views.help import HELP_TEXT

logger = logging.getLogger(__name__)

START_WORDS = {"", "report", "new", "start"}
HOLD_WORDS = {"hold": True, "unhold": False}
RETRY_REPORT = ("Slack did not open the report in time. Please type `/threat` again. "
                "If anyone is in danger, call 911 now.")


def threat(ack, body, command, context):
    services = services_of(context)
    word = (command.get("text") or "").strip().lower()
    first, _, rest = " ".join(word.split()).partition(" ")  # tabs and newlines too
    if first in HOLD_WORDS:  # issue 9: hold REF reason, unhold REF reason
        _legal_hold(services, ack, command)
    elif first in SUBCOMMANDS:  # list, show REF, export [since …], person REF, drill
        SUBCOMMANDS[first](services, ack, command, rest.strip())
    elif word not in START_WORDS:
        ack(response_type="ephemeral", text=HELP_TEXT)
    else:
        ack()
        _start_report(services, command)


def _start_report(services: Services, command: dict) -> None:
    start = intake.start_report(services, command["user_id"])
    try:
        services.slack.open_view(command["trigger_id"], start.view)
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))
        # Never silent: the response_url needs no Web API call, and carries the alert
        if not danger.could_not_open(services, command.get("response_url")):
            _tell(services, command, RETRY_REPORT)


def _legal_hold(services: Services, ack, command: dict) -> None:
    """`/threat hold REF reason` and `/threat unhold REF reason` (security only)."""
    parts = (command.get("text") or "").strip().split(None, 2)
    ref = parts[1] if len(parts) > 1 else ""
    reason = parts[2] if len(parts) > 2 else ""
    answer = retention.change_hold(services, command["user_id"], ref, reason,
                                   HOLD_WORDS[parts[0].lower()])
    ack(response_type="ephemeral", text=answer.text)


def _tell(services: Services, command: dict, text: str) -> None:
    try:
        services.slack.post_ephemeral(command["channel_id"], command["user_id"], text)
    except SlackApiError:
        services.slack.post(services.slack.open_dm(command["user_id"]), {"text": text})


def _open_or_refuse(services: Services, ack, command: dict, view: dict | None,
                    refusal: str | None, not_opened: str) -> None:
    """A refusal answers the command itself; else ack, then open the view (it has 3 s)."""
    if refusal:
        ack(response_type="ephemeral", text=refusal)
        return
    ack()
    try:
        services.slack.open_view(command["trigger_id"], view)
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))
        _tell(services, command, not_opened)


def _list(services: Services, ack, command: dict, rest: str) -> None:
    message = lookup.my_list(services, command["user_id"])
    ack(response_type="ephemeral", text=message["text"], blocks=message["blocks"])


def _show(services: Services, ack, command: dict, rest: str) -> None:
    shown = lookup.show(services, command["user_id"], rest)
    _open_or_refuse(services, ack, command, shown.view, shown.message,
                    "Slack did not open the details in time. Please try again.")


def _person(services: Services, ack, command: dict, rest: str) -> None:
    """Issue 20: `/threat person REF`, the person's page for the privacy rule's people."""
    page = person_page.open_by_ref(services, command["user_id"], rest)
    _open_or_refuse(services, ack, command, page.view, page.message,
                    "Slack did not open the page in time. Please try again.")


def _drill(services: Services, ack, command: dict, rest: str) -> None:
    """`/threat drill` (issue 21): the danger path in drill mode, for supervisors and security."""
    view, refusal = drills.start(services, command["user_id"])
    _open_or_refuse(services, ack, command, view, refusal,
                    "Slack did not open the drill in time. Please type `/threat drill` again.")


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


SUBCOMMANDS = {"list": _list, "show": _show, "export": _export, "person": _person,
               "drill": _drill}


def register(app) -> None:
    """Attach the /threat command."""
    app.command("/threat")(guarded(threat))
