"""Buttons in the role sections of Home: Acknowledge, the branch filter, Details."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from care_bot.flows import gate, lookup, role_home, tracking
from care_bot.flows import home as home_flow
from care_bot.ids import Action
from care_bot.listeners.context import services_of
from care_bot.listeners.guard import guarded
from care_bot.listeners.payloads import clicked_id, clicked_value, user_of

logger = logging.getLogger(__name__)


def home_acknowledge(ack, body, context):
    services = services_of(context)
    user_id = user_of(body)
    # Save first, then ack, as the channel button does; the channel posts are re-rendered.
    outcome = tracking.acknowledge(services, user_id, clicked_id(body), "home")
    ack()
    if outcome.message:  # Home shows no messages: the answer comes by DM
        _dm(services, user_id, outcome.message)
    home_flow.publish_now(services, user_id)


def home_branch(ack, body, context):
    ack()
    services = services_of(context)
    role_home.choose_branch(services, user_of(body), clicked_value(body))
    home_flow.publish_now(services, user_of(body))


def show_details(ack, body, context):
    ack()
    services = services_of(context)
    user_id = user_of(body)
    if not clicked_id(body):  # a forged or broken id: nothing to look up
        _dm(services, user_id, gate.GONE)
        return
    shown = lookup.show_by_id(services, user_id, clicked_id(body))
    if shown.message:
        _dm(services, user_id, shown.message)
        return
    try:
        services.slack.open_view(body["trigger_id"], shown.view)
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))


def _dm(services, user_id: str, text: str) -> None:
    services.slack.post(services.slack.open_dm(user_id), {"text": text})


def register(app) -> None:
    """Attach the role sections' buttons."""
    app.action(Action.HOME_ACKNOWLEDGE.value)(guarded(home_acknowledge))
    app.action(Action.HOME_BRANCH.value)(guarded(home_branch))
    app.action(Action.SHOW_DETAILS.value)(guarded(show_details))
