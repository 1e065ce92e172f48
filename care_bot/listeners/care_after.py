"""Care after an incident (issue 21): the check-in buttons and the post-incident review."""

from __future__ import annotations

from care_bot.flows import care_after
from care_bot.ids import Action, Callback
from care_bot.listeners.context import services_of
from care_bot.listeners.guard import guarded
from care_bot.listeners.payloads import (
    answer_from_checklist,
    answer_submission,
    clicked_id,
    message_of,
    modal_ref,
    modal_values,
    user_of,
)
from care_bot.views.care_after import checkin_number
from care_bot.views.forms import read_answers

CHECKIN_ANSWERS = {Action.WELLBEING_OK.value: "ok", Action.WELLBEING_CONTACT.value: "talk",
                   Action.WELLBEING_STOP.value: "stop"}


def checkin_answer(ack, body, context):
    ack()
    channel, ts = message_of(body)
    clicked = body["actions"][0]
    care_after.answer_checkin(services_of(context), user_of(body), clicked_id(body),
                              CHECKIN_ANSWERS[clicked["action_id"]],
                              checkin_number(clicked.get("block_id")), channel, ts)


def open_review(ack, body, context):
    ack()
    services = services_of(context)
    answer_from_checklist(services, body,
                          care_after.open_review(services, user_of(body), clicked_id(body)))


def review(ack, body, context):
    outcome = care_after.save_review(services_of(context), user_of(body),
                                     modal_ref(body).incident_id,
                                     read_answers(modal_values(body)))
    answer_submission(ack, outcome)


def register(app) -> None:
    """Attach the check-in and review listeners."""
    for answer in CHECKIN_ANSWERS:
        app.action(answer)(guarded(checkin_answer))
    app.action(Action.OPEN_REVIEW.value)(guarded(open_review))
    app.view(Callback.REVIEW.value)(guarded(review))
