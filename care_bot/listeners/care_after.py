"""Care after an incident (issue 21): the check-in buttons and the post-incident review."""

from __future__ import annotations

from care_bot.flows import care_after
from care_bot.ids import Action, Callback, record_id
from care_bot.listeners.actions import _answer_in_channel
from care_bot.listeners.guard import after_ack_guard
from care_bot.listeners.home import _message_of
from care_bot.listeners.modals import _answer
from care_bot.services import Services
from care_bot.views.care_after import checkin_number
from care_bot.views.forms import read_answers
from care_bot.views.metadata import decode
from care_bot.views.tracking import notice_view

CHECKIN_ANSWERS = {Action.WELLBEING_OK.value: "ok", Action.WELLBEING_CONTACT.value: "talk",
                   Action.WELLBEING_STOP.value: "stop"}


def _clicked_id(body: dict) -> int:
    """The incident id in the clicked button's value; 0 (no such incident) when invalid."""
    try:
        return record_id(body["actions"][0].get("value")) or 0
    except (KeyError, IndexError, TypeError, AttributeError):
        return 0


def register(app, services: Services) -> None:
    """Attach the check-in and review listeners."""
    guard = after_ack_guard(services)

    @app.action(Action.WELLBEING_OK.value)
    @app.action(Action.WELLBEING_CONTACT.value)
    @app.action(Action.WELLBEING_STOP.value)
    @guard
    def checkin_answer(ack, body):
        ack()
        channel, ts = _message_of(body)
        clicked = body["actions"][0]
        care_after.answer_checkin(services, body["user"]["id"], _clicked_id(body),
                                  CHECKIN_ANSWERS[clicked["action_id"]],
                                  checkin_number(clicked.get("block_id")), channel, ts)

    @app.action(Action.OPEN_REVIEW.value)
    @guard
    def open_review(ack, body):
        ack()
        outcome = care_after.open_review(services, body["user"]["id"], _clicked_id(body))
        if body.get("view"):  # inside the checklist modal: a second view on its stack
            services.slack.push_view(body["trigger_id"], outcome.view
                                     or notice_view("CARE bot", outcome.message or ""))
        else:
            _answer_in_channel(services, body, outcome)

    @app.view(Callback.REVIEW.value)
    @guard
    def review(ack, body):
        values = body["view"].get("state", {}).get("values", {})
        outcome = care_after.save_review(
            services, body["user"]["id"], decode(body["view"].get("private_metadata")).incident_id,
            read_answers(values))
        _answer(ack, outcome)
