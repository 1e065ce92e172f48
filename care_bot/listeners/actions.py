"""Buttons: on the incident's parent message, and inside the report and checklist modals."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from care_bot.flows import hr_report, identify, intake, tracking, view_owners
from care_bot.ids import Action, record_id
from care_bot.listeners.guard import after_ack_guard
from care_bot.services import Services
from care_bot.views.metadata import decode

logger = logging.getLogger(__name__)


def _incident_id(body: dict) -> int:
    """The incident id in the clicked button's value; 0 (no such incident) when invalid."""
    try:
        return record_id(body["actions"][0].get("value")) or 0
    except (KeyError, IndexError, TypeError, AttributeError):
        return 0


def _channel(body: dict) -> str:
    return (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id")


def _surface(body: dict) -> str:
    return "dm" if str(_channel(body) or "").startswith("D") else "channel"


def _answer_in_channel(services: Services, body: dict, outcome: tracking.Outcome) -> None:
    """Show a refusal or notice only to the clicker, where they clicked."""
    if outcome.message:
        _tell_privately(services, _channel(body), body["user"]["id"], outcome.message)
    elif outcome.view:
        services.slack.open_view(body["trigger_id"], outcome.view)


def _tell_privately(services: Services, channel: str | None, user_id: str, text: str) -> None:
    """Ephemeral where the user clicked; a DM when Slack will not show it there."""
    try:
        if channel and not channel.startswith("D"):
            services.slack.post_ephemeral(channel, user_id, text)
            return
    except SlackApiError as error:
        logger.info("ephemeral refused (%s); sending a DM", error.response.get("error"))
    services.slack.post(services.slack.open_dm(user_id), {"text": text})


def _update_modal(services: Services, body: dict, view: dict | None) -> None:
    if view is not None:  # only the clicker's own modal; hash_conflict keeps it as it is
        view_owners.update_clickers_modal(services, body, view)


def register(app, services: Services) -> None:
    """Attach every button listener."""
    guard = after_ack_guard(services)

    @app.action(Action.ACKNOWLEDGE.value)
    @guard
    def acknowledge(ack, body):
        # Save first, then ack: an acknowledgement Slack was told about is never lost.
        outcome = tracking.acknowledge(services, body["user"]["id"], _incident_id(body), "channel")
        ack()
        _answer_in_channel(services, body, outcome)

    @app.action(Action.REPORT_TO_HR.value)
    @guard
    def report_to_hr(ack, body):
        # Save first, then ack: a report Slack was told about is never lost.
        outcome = hr_report.report(services, body["user"]["id"], _incident_id(body),
                                   _surface(body))
        ack()
        _answer_in_channel(services, body, outcome)

    @app.action(Action.UPDATE_CHECKLIST.value)
    @guard
    def update_checklist(ack, body):
        ack()
        outcome = tracking.open_checklist(services, body["user"]["id"], _incident_id(body))
        _answer_in_channel(services, body, outcome)

    @app.action(Action.DECIDE_ACCOUNT.value)
    @guard
    def decide_account(ack, body):
        ack()
        outcome = tracking.open_decision(services, body["user"]["id"], _incident_id(body))
        services.slack.push_view(body["trigger_id"], outcome.view)

    @app.action(Action.IDENTIFY_CLIENT.value)
    @guard
    def identify_client(ack, body):
        ack()
        outcome = identify.open_identify(services, body["user"]["id"], _incident_id(body))
        if outcome.view and body.get("view"):  # from the checklist modal: on top of it
            services.slack.push_view(body["trigger_id"], outcome.view)
        else:
            _answer_in_channel(services, body, outcome)

    @app.action(Action.CLOSE_EARLY.value)
    @guard
    def close_early(ack, body):
        ack()
        outcome = tracking.open_close_early(services, body["user"]["id"], _incident_id(body))
        services.slack.push_view(body["trigger_id"], outcome.view)

    _register_report_buttons(app, services, guard)


def _register_report_buttons(app, services: Services, guard) -> None:
    """The buttons inside the report modal: resume, start over, change a part, back."""

    @app.action(Action.RESUME_DRAFT.value)
    @guard
    def resume_draft(ack, body):
        ack()
        view = intake.resume(services, body["user"]["id"], body["actions"][0].get("value", ""))
        _update_modal(services, body, view)

    @app.action(Action.DISCARD_DRAFT.value)
    @guard
    def discard_draft(ack, body):
        ack()
        view = intake.start_over(services, body["user"]["id"], body["actions"][0].get("value", ""))
        _update_modal(services, body, view)

    @app.action(Action.CHANGE_STEP.value)
    @guard
    def change_step(ack, body):
        ack()
        view = intake.change_step(services, body["user"]["id"],
                                  decode(body["view"].get("private_metadata")),
                                  body["actions"][0].get("value", ""))
        _update_modal(services, body, view)

    @app.action(Action.BACK.value)
    @guard
    def back(ack, body):
        ack()
        view = body["view"]
        previous = intake.go_back(
            services, body["user"]["id"], decode(view.get("private_metadata")),
            view.get("state", {}).get("values", {}),
        )
        _update_modal(services, body, previous)
