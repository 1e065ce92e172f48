"""App Home, shortcuts and the associate's own buttons (one-tap alert, ICS notified)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from care_bot.flows import danger, intake, reporter, view_owners
from care_bot.flows import home as home_flow
from care_bot.ids import Action, Callback
from care_bot.listeners.context import services_of
from care_bot.listeners.guard import guarded
from care_bot.listeners.payloads import clicked_id, in_modal, message_of, user_of
from care_bot.services import Services

logger = logging.getLogger(__name__)


def _open(services: Services, trigger_id: str | None, view: dict) -> str | None:
    """Open a modal; its view id, or None when Slack did not open it."""
    if not trigger_id:
        return None
    try:
        return services.slack.open_view(trigger_id, view).get("id")
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))
        return None


def _replace_modal(services: Services, view_id: str, view: dict) -> str | None:
    try:
        services.slack.update_view(view_id, view)
        return view_id
    except SlackApiError as error:
        logger.warning("views.update failed: %s", error.response.get("error"))
        return None


def _open_report(services: Services, user_id: str, trigger_id: str,
                 prefill: dict | None = None, response_url: str | None = None) -> None:
    start = intake.start_report(services, user_id, prefill)
    if _open(services, trigger_id, start.view) is None:
        danger.could_not_open(services, response_url)  # a message shortcut gives one


def home_opened(event, context):
    if event.get("tab", "home") != "home":
        return
    try:
        home_flow.publish_home(services_of(context), event["user"])
    except SlackApiError as error:
        logger.warning("views.publish failed: %s", error.response.get("error"))


def home_danger(ack, body, context):
    """Save and queue the alert first, then ack: the alert never depends on Slack's answer."""
    services = services_of(context)
    user_id = user_of(body)
    raised = danger.tap_home(services, user_id)
    ack()
    # tapped inside the report: that modal, if it is the sender's; else a modal of their own
    if in_modal(body) and view_owners.is_own(services, body["view"].get("id"), user_id):
        view_id = _replace_modal(services, body["view"]["id"], raised.screen)
    else:
        view_id = _open(services, body.get("trigger_id"), raised.screen)
    if view_id is None:  # no screen: answer where Slack lets us (a message's response_url)
        danger.tell_without_screen(services, body.get("response_url"), raised.ref)
    if raised.draft_id is None:  # the database failed: help wins over the record
        danger.alert_without_storage(services, user_id, {}, view_id)
        return
    danger.show_screen(services, view_id, raised.screen, user_id)
    try:
        intake.prefill_profile(services, raised.draft_id, user_id)
    except Exception:
        logger.warning("profile pre-fill failed", exc_info=True)


def home_safe_now(ack, body, context):
    # Save first, then ack: "reported safe" is queued for both threads and Home refreshed.
    danger.report_safe(services_of(context), user_of(body), clicked_id(body), surface="home")
    ack()


def home_report(ack, body, context):
    ack()
    _open_report(services_of(context), user_of(body), body.get("trigger_id"))


def report_shortcut(ack, shortcut, context):
    ack()
    _open_report(services_of(context), shortcut["user"]["id"], shortcut.get("trigger_id"))


def message_shortcut(ack, shortcut, context):
    ack()
    _open_report(services_of(context), shortcut["user"]["id"], shortcut.get("trigger_id"),
                 reporter.from_message(shortcut), shortcut.get("response_url"))


def ics_notified(ack, body, context):
    ack()
    channel, ts = message_of(body)
    reporter.mark_ics_notified(services_of(context), user_of(body), clicked_id(body), channel,
                               ts)


def register(app) -> None:
    """Attach the Home tab, the shortcuts and the associate's DM buttons."""
    app.event("app_home_opened")(home_opened)
    app.action(Action.HOME_DANGER.value)(guarded(home_danger))
    app.action(Action.HOME_SAFE_NOW.value)(guarded(home_safe_now))
    app.action(Action.HOME_REPORT.value)(guarded(home_report))
    app.shortcut(Callback.REPORT_SHORTCUT.value)(guarded(report_shortcut))
    app.shortcut(Callback.MESSAGE_SHORTCUT.value)(guarded(message_shortcut))
    app.action(Action.ICS_NOTIFIED.value)(guarded(ics_notified))
