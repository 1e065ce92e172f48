"""Buttons: on the incident's parent message, and inside the report and checklist modals."""

from __future__ import annotations

from care_bot.flows import hr_report, identify, intake, tracking
from care_bot.ids import Action
from care_bot.listeners.context import services_of
from care_bot.listeners.guard import guarded
from care_bot.listeners.payloads import (
    answer_in_channel,
    clicked_id,
    clicked_value,
    modal_ref,
    modal_values,
    surface_of,
    update_modal,
    user_of,
)


def acknowledge(ack, body, context):
    services = services_of(context)
    # Save first, then ack: an acknowledgement Slack was told about is never lost.
    outcome = tracking.acknowledge(services, user_of(body), clicked_id(body), "channel")
    ack()
    answer_in_channel(services, body, outcome)


def report_to_hr(ack, body, context):
    services = services_of(context)
    # Save first, then ack: a report Slack was told about is never lost.
    outcome = hr_report.report(services, user_of(body), clicked_id(body), surface_of(body))
    ack()
    answer_in_channel(services, body, outcome)


def update_checklist(ack, body, context):
    ack()
    services = services_of(context)
    answer_in_channel(services, body,
                      tracking.open_checklist(services, user_of(body), clicked_id(body)))


def _push_gated(body: dict, context, open_gated) -> None:
    """Push the modal a checklist button opens, or the notice saying why not, on the
    checklist modal the button is in."""
    services = services_of(context)
    outcome = open_gated(services, user_of(body), clicked_id(body))
    services.slack.push_view(body["trigger_id"], outcome.view)


def decide_account(ack, body, context):
    ack()
    _push_gated(body, context, tracking.open_decision)


def identify_client(ack, body, context):
    ack()
    services = services_of(context)
    outcome = identify.open_identify(services, user_of(body), clicked_id(body))
    if outcome.view and body.get("view"):  # from the checklist modal: on top of it
        services.slack.push_view(body["trigger_id"], outcome.view)
    else:  # a refusal from the checklist modal is pushed on top of it, too
        answer_in_channel(services, body, outcome)


def close_early(ack, body, context):
    ack()
    _push_gated(body, context, tracking.open_close_early)


def resume_draft(ack, body, context):
    ack()
    services = services_of(context)
    update_modal(services, body, intake.resume(services, user_of(body), clicked_value(body)))


def discard_draft(ack, body, context):
    ack()
    services = services_of(context)
    update_modal(services, body, intake.start_over(services, user_of(body), clicked_value(body)))


def change_step(ack, body, context):
    ack()
    services = services_of(context)
    update_modal(services, body, intake.change_step(services, user_of(body), modal_ref(body),
                                                    clicked_value(body)))


def back(ack, body, context):
    ack()
    services = services_of(context)
    update_modal(services, body, intake.go_back(services, user_of(body), modal_ref(body),
                                                modal_values(body)))


def register(app) -> None:
    """Attach the incident buttons and the report modal's buttons."""
    app.action(Action.ACKNOWLEDGE.value)(guarded(acknowledge))
    app.action(Action.REPORT_TO_HR.value)(guarded(report_to_hr))
    app.action(Action.UPDATE_CHECKLIST.value)(guarded(update_checklist))
    app.action(Action.DECIDE_ACCOUNT.value)(guarded(decide_account))
    app.action(Action.IDENTIFY_CLIENT.value)(guarded(identify_client))
    app.action(Action.CLOSE_EARLY.value)(guarded(close_early))
    app.action(Action.RESUME_DRAFT.value)(guarded(resume_draft))
    app.action(Action.DISCARD_DRAFT.value)(guarded(discard_draft))
    app.action(Action.CHANGE_STEP.value)(guarded(change_step))
    app.action(Action.BACK.value)(guarded(back))
