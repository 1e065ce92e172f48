"""Buttons in the role sections of Home: Acknowledge, the branch filter, Details."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from care_bot.flows import home as home_flow
from care_bot.flows import lookup, role_home, tracking
from care_bot.ids import Action, record_id
from care_bot.listeners.guard import after_ack_guard
from care_bot.services import Services

logger = logging.getLogger(__name__)


def _value(body: dict) -> str:
    try:
        action = body["actions"][0]
    except (KeyError, IndexError):
        return ""
    return (action.get("selected_option") or {}).get("value") or action.get("value") or ""


def _incident_id(body: dict) -> int:
    """The incident id in the clicked button's value; 0 (no such incident) when invalid."""
    return record_id(_value(body)) or 0


def _dm(services: Services, user_id: str, text: str) -> None:
    services.slack.post(services.slack.open_dm(user_id), {"text": text})


def register(app, services: Services) -> None:
    """Attach the role sections' buttons."""
    guard = after_ack_guard(services)

    @app.action(Action.HOME_ACKNOWLEDGE.value)
    @guard
    def home_acknowledge(ack, body):
        user_id = body["user"]["id"]
        # Save first, then ack, as the channel button does; the channel posts are re-rendered.
        outcome = tracking.acknowledge(services, user_id, _incident_id(body), "home")
        ack()
        if outcome.message:
            _dm(services, user_id, outcome.message)
        home_flow.publish_now(services, user_id)

    @app.action(Action.HOME_BRANCH.value)
    @guard
    def home_branch(ack, body):
        ack()
        user_id = body["user"]["id"]
        role_home.choose_branch(services, user_id, _value(body))
        home_flow.publish_now(services, user_id)

    @app.action(Action.SHOW_DETAILS.value)
    @guard
    def show_details(ack, body):
        ack()
        user_id = body["user"]["id"]
        if not _incident_id(body):  # a forged or broken id: nothing to look up
            _dm(services, user_id, tracking.GONE)
            return
        shown = lookup.show_by_id(services, user_id, _incident_id(body))
        if shown.message:
            _dm(services, user_id, shown.message)
            return
        try:
            services.slack.open_view(body["trigger_id"], shown.view)
        except SlackApiError as error:
            logger.warning("views.open failed: %s", error.response.get("error"))
