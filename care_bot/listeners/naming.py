"""The supervisor names an unknown RXM / ICS (issue 17 §4): the button and the modal."""

from __future__ import annotations

from care_bot.flows import naming
from care_bot.ids import Action, Callback, record_id
from care_bot.listeners.actions import _answer_in_channel
from care_bot.listeners.guard import after_ack_guard
from care_bot.listeners.modals import _answer
from care_bot.services import Services
from care_bot.views.forms import read_answers
from care_bot.views.metadata import decode
from care_bot.views.tracking import notice_view


def _clicked_id(body: dict) -> int:
    """The incident id in the clicked button's value; 0 (no such incident) when invalid."""
    try:
        return record_id(body["actions"][0].get("value")) or 0
    except (KeyError, IndexError, TypeError, AttributeError):
        return 0


def register(app, services: Services) -> None:
    """Attach the naming button and modal."""
    guard = after_ack_guard(services)

    @app.action(Action.NAME_PEOPLE.value)
    @guard
    def open_naming(ack, body):
        ack()
        outcome = naming.open_naming(services, body["user"]["id"], _clicked_id(body))
        if body.get("view"):  # inside the checklist modal: a second view on its stack
            services.slack.push_view(body["trigger_id"], outcome.view
                                     or notice_view("CARE bot", outcome.message or ""))
        else:
            _answer_in_channel(services, body, outcome)

    @app.view(Callback.NAME_PEOPLE.value)
    @guard
    def name_people(ack, body):
        values = read_answers(body["view"].get("state", {}).get("values", {}))
        outcome = naming.name_people(
            services, body["user"]["id"], decode(body["view"].get("private_metadata")).incident_id,
            {post: values.get(post) for post in ("rxm", "ics")})
        _answer(ack, outcome)
