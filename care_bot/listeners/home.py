"""App Home, shortcuts and the associate's own buttons (one-tap alert, ICS notified)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from care_bot.flows import danger, intake, reporter, view_owners
from care_bot.flows import home as home_flow
from care_bot.ids import Action, Callback, record_id
from care_bot.listeners.guard import after_ack_guard
from care_bot.services import Services

logger = logging.getLogger(__name__)


def _value_id(body: dict) -> int:
    """The incident id in the clicked button's value; 0 (no such incident) when invalid."""
    try:
        return record_id(body["actions"][0].get("value")) or 0
    except (KeyError, IndexError, TypeError, AttributeError):
        return 0


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


def _message_of(body: dict) -> tuple[str | None, str | None]:
    container = body.get("container") or {}
    return container.get("channel_id") or (body.get("channel") or {}).get("id"), \
        container.get("message_ts") or (body.get("message") or {}).get("ts")


def _danger_tap(services: Services, ack, body: dict) -> None:
    """Save and queue the alert first, then ack: the alert never depends on Slack's answer."""
    user_id = body["user"]["id"]
    raised = danger.tap_home(services, user_id)
    ack()
    in_modal = (body.get("view") or {}).get("type") == "modal"  # tapped inside the report
    if in_modal and view_owners.is_own(services, body["view"].get("id"), user_id):
        view_id = _replace_modal(services, body["view"]["id"], raised.screen)
    else:  # not in a modal, or one that is not the sender's: a modal of the sender's own
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


def register(app, services: Services) -> None:
    """Attach the Home tab, the shortcuts and the associate's DM buttons."""
    guard = after_ack_guard(services)


    @app.event("app_home_opened")
    def home_opened(event):
        if event.get("tab", "home") != "home":
            return
        try:
            home_flow.publish_home(services, event["user"])
        except SlackApiError as error:
            logger.warning("views.publish failed: %s", error.response.get("error"))

    @app.action(Action.HOME_DANGER.value)
    @guard
    def home_danger(ack, body):
        _danger_tap(services, ack, body)

    @app.action(Action.HOME_SAFE_NOW.value)
    @guard
    def home_safe_now(ack, body):
        # Save first, then ack: "reported safe" is queued for both threads and Home refreshed.
        danger.report_safe(services, body["user"]["id"], _value_id(body), surface="home")
        ack()

    @app.action(Action.HOME_REPORT.value)
    @guard
    def home_report(ack, body):
        ack()
        _open_report(services, body["user"]["id"], body.get("trigger_id"))

    @app.shortcut(Callback.REPORT_SHORTCUT.value)
    @guard
    def report_shortcut(ack, shortcut):
        ack()
        _open_report(services, shortcut["user"]["id"], shortcut.get("trigger_id"))

    @app.shortcut(Callback.MESSAGE_SHORTCUT.value)
    @guard
    def message_shortcut(ack, shortcut):
        ack()
        prefill = reporter.from_message(shortcut)
        _open_report(services, shortcut["user"]["id"], shortcut.get("trigger_id"), prefill,
                     shortcut.get("response_url"))

    @app.action(Action.ICS_NOTIFIED.value)
    @guard
    def ics_notified(ack, body):
        ack()
        channel, ts = _message_of(body)
        reporter.mark_ics_notified(services, body["user"]["id"], _value_id(body), channel, ts)
