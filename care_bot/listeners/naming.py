"""The supervisor names an unknown RXM / ICS (issue 17 §4): the button and the modal."""

from __future__ import annotations

from care_bot.flows import naming
from care_bot.ids import Action, Callback
from care_bot.listeners.context import services_of
from care_bot.listeners.guard import guarded
from care_bot.listeners.payloads import (
    answer_in_channel,
    answer_submission,
    clicked_id,
    modal_ref,
    modal_values,
    user_of,
)
from care_bot.views.forms import read_answers
from care_bot.views.tracking import notice_view


def open_naming(ack, body, context):
    ack()
    services = services_of(context)
    outcome = naming.open_naming(services, user_of(body), clicked_id(body))
    if body.get("view"):  # inside the checklist modal: a second view on its stack
        services.slack.push_view(body["trigger_id"], outcome.view
                                 or notice_view("CARE bot", outcome.message or ""))
    else:
        answer_in_channel(services, body, outcome)


def name_people(ack, body, context):
    values = read_answers(modal_values(body))
    outcome = naming.name_people(services_of(context), user_of(body), modal_ref(body).incident_id,
                                 {post: values.get(post) for post in ("rxm", "ics")})
    answer_submission(ack, outcome)


def register(app) -> None:
    """Attach the naming button and modal."""
    app.action(Action.NAME_PEOPLE.value)(guarded(open_naming))
    app.view(Callback.NAME_PEOPLE.value)(guarded(name_people))
