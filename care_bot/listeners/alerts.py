"""Danger alert buttons: "I'm on it" in the channel; 911 answers and "I'm safe now" in the modal."""

from __future__ import annotations

from care_bot.domain.care import POLICE_CALLED, POLICE_CANT_CALL
from care_bot.flows import danger, intake, view_owners
from care_bot.ids import Action, Callback
from care_bot.listeners.context import services_of
from care_bot.listeners.guard import guarded
from care_bot.listeners.payloads import (
    answer_in_channel,
    clicked_id,
    modal_ref,
    update_modal,
    user_of,
)
from care_bot.views import danger_modal
from care_bot.views.alerts import safe_phrase


def _replace(services, body: dict, view: dict | None) -> None:
    """views.update with no hash: CARE bot itself updates the danger screen as the alert's
    state changes, so the hash in a click's payload may be older than the screen shown."""
    update_modal(services, body, view, use_hash=False)  # and only the clicker's own modal


def claim(ack, body, context):
    services = services_of(context)
    # Save first, then ack: a claim Slack was told about is never lost.
    outcome = danger.claim(services, user_of(body), clicked_id(body))
    ack()
    answer_in_channel(services, body, outcome)


def _police(ack, body, context, answer: str) -> None:
    services = services_of(context)
    ref = modal_ref(body)
    incident = danger.record_police_call(services, user_of(body),
                                         clicked_id(body) or ref.incident_id, answer)
    ack()
    if incident is not None:
        _replace(services, body, danger.emergency_screen(services, incident, ref.draft_id,
                                                          with_names=True))


def police_called(ack, body, context):
    _police(ack, body, context, POLICE_CALLED)


def police_cant_call(ack, body, context):
    _police(ack, body, context, POLICE_CANT_CALL)


def finish_report(ack, body, context):
    ack()
    services = services_of(context)
    danger.forget_screen(services, view_owners.own_view_id(services, body))  # the report
    result = intake.continue_after_emergency(services, user_of(body), modal_ref(body))
    _replace(services, body, result.view)


def safe_now(ack, body, context):
    services = services_of(context)
    ref = modal_ref(body)
    incident = danger.report_safe(services, user_of(body), ref.incident_id)
    if incident is None or incident.safe_at is None:
        result = intake.continue_after_emergency(services, user_of(body), ref)
        ack(**result.response())
        return
    phrase = safe_phrase(incident, services.settings.branches)
    ack(response_action="update", view=danger_modal.safe_view(incident, ref.draft_id, phrase))


def safe_closed(ack):
    ack()


def register(app) -> None:
    """Attach the danger alert's listeners."""
    app.action(Action.CLAIM_ALERT.value)(guarded(claim))
    app.action(Action.POLICE_CALLED.value)(guarded(police_called))
    app.action(Action.POLICE_CANT_CALL.value)(guarded(police_cant_call))
    app.action(Action.FINISH_REPORT.value)(guarded(finish_report))
    app.view(Callback.EMERGENCY.value)(guarded(safe_now))
    app.view_closed(Callback.SAFE_NOW.value)(safe_closed)
