"""Danger alert buttons: "I'm on it" in the channel; 911 answers and "I'm safe now" in the modal."""

from __future__ import annotations

import logging

from care_bot.domain.care import POLICE_CALLED, POLICE_CANT_CALL
from care_bot.flows import danger, intake, view_owners
from care_bot.ids import Action, Callback
from care_bot.listeners.actions import _answer_in_channel, _incident_id
from care_bot.listeners.guard import after_ack_guard
from care_bot.services import Services
from care_bot.views import danger_modal
from care_bot.views.alerts import safe_phrase
from care_bot.views.metadata import decode

logger = logging.getLogger(__name__)


def _ref(body: dict):
    return decode((body.get("view") or {}).get("private_metadata"))


def _replace(services: Services, body: dict, view: dict | None) -> None:
    """views.update with no hash: CARE bot itself updates the danger screen as the alert's
    state changes, so the hash in a click's payload may be older than the screen shown."""
    if view is not None:  # and only the clicker's own modal
        view_owners.update_clickers_modal(services, body, view, use_hash=False)


def register(app, services: Services) -> None:
    """Attach the danger alert's listeners."""
    guard = after_ack_guard(services)


    @app.action(Action.CLAIM_ALERT.value)
    @guard
    def claim(ack, body):
        # Save first, then ack: a claim Slack was told about is never lost.
        outcome = danger.claim(services, body["user"]["id"], _incident_id(body))
        ack()
        _answer_in_channel(services, body, outcome)

    def _police(ack, body, answer: str) -> None:
        ref = _ref(body)
        incident = danger.record_police_call(services, body["user"]["id"],
                                             _incident_id(body) or ref.incident_id, answer)
        ack()
        if incident is not None:
            _replace(services, body, danger.emergency_screen(services, incident, ref.draft_id,
                                                              with_names=True))

    @app.action(Action.POLICE_CALLED.value)
    @guard
    def police_called(ack, body):
        _police(ack, body, POLICE_CALLED)

    @app.action(Action.POLICE_CANT_CALL.value)
    @guard
    def police_cant_call(ack, body):
        _police(ack, body, POLICE_CANT_CALL)

    @app.action(Action.FINISH_REPORT.value)
    @guard
    def finish_report(ack, body):
        ack()
        ref = _ref(body)
        danger.forget_screen(services, view_owners.own_view_id(services, body))  # the report
        result = intake.continue_after_emergency(services, body["user"]["id"], ref)
        _replace(services, body, result.view)

    @app.view(Callback.EMERGENCY.value)
    @guard
    def safe_now(ack, body):
        ref = _ref(body)
        incident = danger.report_safe(services, body["user"]["id"], ref.incident_id)
        if incident is None or incident.safe_at is None:
            result = intake.continue_after_emergency(services, body["user"]["id"], ref)
            ack(**result.response())
            return
        phrase = safe_phrase(incident, services.settings.branches)
        ack(response_action="update", view=danger_modal.safe_view(incident, ref.draft_id,
                                                                     phrase))

    @app.view_closed(Callback.SAFE_NOW.value)
    def safe_closed(ack):
        ack()



