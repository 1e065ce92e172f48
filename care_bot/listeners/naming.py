"""The supervisor names an unknown RXM / ICS (issue 17 §4): the button and the modal."""

from __future__ import annotations

from care_bot.flows import naming
from care_bot.ids import Action, Callback
from care_bot.listeners.context import services_of
from care_bot.listeners.guard import guarded
from care_bot.listeners.payloads import (
    answer_from_checklist,
    answer_submission,
    clicked_id,
    modal_ref,
    modal_values,
    user_of,
)
from care_bot.views.forms import read_answers


def open_naming(ack, body, context):
    ack()
    services = services_of(context)
    answer_from_checklist(services, body,
                          naming.open_naming(services, user_of(body), clicked_id(body)))


def name_people(ack, body, context):
    values = read_answers(modal_values(body))
    outcome = naming.name_people(services_of(context), user_of(body), modal_ref(body).incident_id,
                                 {post: values.get(post) for post in ("rxm", "ics")})
    answer_submission(ack, outcome)


def register(app) -> None:
    """Attach the naming button and modal."""
    app.action(Action.NAME_PEOPLE.value)(guarded(open_naming))
    app.view(Callback.NAME_PEOPLE.value)(guarded(name_people))
