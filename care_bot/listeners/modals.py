"""Modal submissions and closes.

A view_submission is answered through ack() itself (errors, update, or close), so these
listeners compute the answer first: the report is saved before Slack is told it worked.
"""

from __future__ import annotations

import logging

from care_bot.flows import danger, identify, intake, tracking, view_owners
from care_bot.ids import Callback
from care_bot.listeners.context import services_of
from care_bot.listeners.guard import guarded
from care_bot.listeners.payloads import answer_submission, modal_ref, modal_values, user_of
from care_bot.views.forms import read_answers
from care_bot.views.metadata import decode
from care_bot.views.report_modal import error_view

logger = logging.getLogger(__name__)


def _save_failed(ack, body: dict) -> None:
    """Keep the modal open with a field error where possible, so nothing typed is lost."""
    inputs = [b["block_id"] for b in body["view"].get("blocks", []) if b.get("type") == "input"]
    if inputs:
        ack(response_action="errors", errors={inputs[0]: intake.SAVE_FAILED_FIELD_TEXT})
    else:
        ack(response_action="update", view=error_view(intake.SAVE_FAILED_VIEW_TEXT))


def _step_not_saved(services, ack, body: dict) -> None:
    """The step could not be saved: help wins over the record when someone is in danger."""
    logger.exception("report step could not be saved")
    screen = danger.unsaved_step_screen(services, modal_ref(body), modal_values(body))
    if screen is None:
        _save_failed(ack, body)
        return
    # Help wins over the record: alert security straight through Slack.
    ack(response_action="update", view=screen)
    danger.alert_without_storage(services, user_of(body), modal_values(body),
                                 view_owners.own_view_id(services, body))


def report_step(ack, body, context):
    services = services_of(context)
    ref = modal_ref(body)
    try:
        result = intake.submit_step(services, user_of(body), ref, modal_values(body))
    except Exception:
        _step_not_saved(services, ack, body)
        return
    ack(**result.response())
    danger.show_screen(services, view_owners.own_view_id(services, body), result.view,
                       user_of(body))
    if ref.step == "safety" and not result.errors:
        # The draft the answer went to (a danger alert may have needed a fresh one).
        draft_id = decode((result.view or {}).get("private_metadata")).draft_id
        try:
            intake.prefill_profile(services, draft_id or ref.draft_id, user_of(body))
        except Exception:  # the step is saved; the R step is simply not pre-filled
            logger.warning("profile pre-fill failed", exc_info=True)


def report_closed(ack, body, context):
    intake.save_on_close(services_of(context), user_of(body), modal_ref(body),
                         modal_values(body))
    ack()  # after saving: what was typed is kept before Slack hears "done"


def emergency_closed(ack, body, context):
    ack()
    services = services_of(context)
    danger.forget_screen(services, view_owners.own_view_id(services, body))


def checklist(ack, body, context):
    answers = read_answers(modal_values(body))
    answer_submission(ack, tracking.complete_tasks(
        services_of(context), user_of(body), modal_ref(body).incident_id,
        answers.get("tasks") or [], answers.get("note") or "",
        {"safety_plan": answers.get("safety_plan_note") or "",
         "debrief": answers.get("debrief_note") or ""},
    ))


def account_decision(ack, body, context):
    answers = read_answers(modal_values(body))
    answer_submission(ack, tracking.decide_account(
        services_of(context), user_of(body), modal_ref(body).incident_id,
        answers.get("decision"), answers.get("rationale") or "",
    ))


def identify_client(ack, body, context):
    answers = read_answers(modal_values(body))
    answer_submission(ack, identify.identify_client(
        services_of(context), user_of(body), modal_ref(body).incident_id,
        answers.get("client_status"), answers.get("client_name") or "",
        answers.get("accounts") or "",
    ))


def close_early(ack, body, context):
    answers = read_answers(modal_values(body))
    answer_submission(ack, tracking.close_early(
        services_of(context), user_of(body), modal_ref(body).incident_id,
        answers.get("reason") or "",
    ))


def register(app) -> None:
    """Attach every modal listener."""
    app.view(Callback.REPORT_STEP.value)(guarded(report_step))
    app.view_closed(Callback.REPORT_STEP.value)(guarded(report_closed))
    app.view_closed(Callback.EMERGENCY.value)(guarded(emergency_closed))
    app.view(Callback.CHECKLIST.value)(guarded(checklist))
    app.view(Callback.ACCOUNT_DECISION.value)(guarded(account_decision))
    app.view(Callback.IDENTIFY_CLIENT.value)(guarded(identify_client))
    app.view(Callback.CLOSE_EARLY.value)(guarded(close_early))
