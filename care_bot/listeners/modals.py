"""Modal submissions and closes.

A view_submission is answered through ack() itself (errors, update, or close), so these
listeners compute the answer first: the report is saved before Slack is told it worked.
"""

from __future__ import annotations

import logging

from care_bot.flows import danger, identify, intake, tracking, view_owners
from care_bot.ids import Callback
from care_bot.listeners.guard import after_ack_guard
from care_bot.services import Services
from care_bot.views.forms import read_answers
from care_bot.views.metadata import decode
from care_bot.views.report_modal import error_view
from care_bot.views.tracking import notice_view

logger = logging.getLogger(__name__)


def _values(body: dict) -> dict:
    return body["view"].get("state", {}).get("values", {})


def _ref(body: dict):
    return decode(body["view"].get("private_metadata"))


def _answer(ack, outcome: tracking.Outcome) -> None:
    if outcome.errors:
        ack(response_action="errors", errors=outcome.errors)
    elif outcome.message:
        ack(response_action="update", view=notice_view("CARE bot", outcome.message))
    else:
        ack(response_action="clear")


def _save_failed(ack, body: dict) -> None:
    """Keep the modal open with a field error where possible, so nothing typed is lost."""
    inputs = [b["block_id"] for b in body["view"].get("blocks", []) if b.get("type") == "input"]
    if inputs:
        ack(response_action="errors", errors={inputs[0]: intake.SAVE_FAILED_FIELD_TEXT})
    else:
        ack(response_action="update", view=error_view(intake.SAVE_FAILED_VIEW_TEXT))


def register(app, services: Services) -> None:
    """Attach every modal listener."""
    guard = after_ack_guard(services)

    @app.view(Callback.REPORT_STEP.value)
    @guard
    def report_step(ack, body):
        try:
            result = intake.submit_step(services, body["user"]["id"], _ref(body), _values(body))
        except Exception:
            logger.exception("report step could not be saved")
            screen = danger.unsaved_step_screen(services, _ref(body), _values(body))
            if screen is not None:
                # Help wins over the record: alert security straight through Slack.
                ack(response_action="update", view=screen)
                danger.alert_without_storage(services, body["user"]["id"], _values(body),
                                             view_owners.own_view_id(services, body))
                return
            _save_failed(ack, body)
            return
        ack(**result.response())
        danger.show_screen(services, view_owners.own_view_id(services, body), result.view,
                           body["user"]["id"])
        ref = _ref(body)
        if ref.step == "safety" and not result.errors:
            # The draft the answer went to (a danger alert may have needed a fresh one).
            draft_id = decode((result.view or {}).get("private_metadata")).draft_id
            try:
                intake.prefill_profile(services, draft_id or ref.draft_id, body["user"]["id"])
            except Exception:  # the step is saved; the R step is simply not pre-filled
                logger.warning("profile pre-fill failed", exc_info=True)

    @app.view_closed(Callback.REPORT_STEP.value)
    @guard
    def report_closed(ack, body):
        intake.save_on_close(services, body["user"]["id"], _ref(body), _values(body))
        ack()  # after saving: what was typed is kept before Slack hears "done"

    @app.view_closed(Callback.EMERGENCY.value)
    @guard
    def emergency_closed(ack, body):
        ack()
        danger.forget_screen(services, view_owners.own_view_id(services, body))

    _register_tracking_modals(app, services, guard)


def _register_tracking_modals(app, services: Services, guard) -> None:
    """The follow-through modals: checklist, account decision, identify the client, close."""

    @app.view(Callback.CHECKLIST.value)
    @guard
    def checklist(ack, body):
        answers = read_answers(_values(body))
        outcome = tracking.complete_tasks(
            services, body["user"]["id"], _ref(body).incident_id,
            answers.get("tasks") or [], answers.get("note") or "",
            {"safety_plan": answers.get("safety_plan_note") or "",
             "debrief": answers.get("debrief_note") or ""},
        )
        _answer(ack, outcome)

    @app.view(Callback.ACCOUNT_DECISION.value)
    @guard
    def account_decision(ack, body):
        answers = read_answers(_values(body))
        outcome = tracking.decide_account(
            services, body["user"]["id"], _ref(body).incident_id,
            answers.get("decision"), answers.get("rationale") or "",
        )
        _answer(ack, outcome)

    @app.view(Callback.IDENTIFY_CLIENT.value)
    @guard
    def identify_client(ack, body):
        answers = read_answers(_values(body))
        outcome = identify.identify_client(
            services, body["user"]["id"], _ref(body).incident_id, answers.get("client_status"),
            answers.get("client_name") or "", answers.get("accounts") or "",
        )
        _answer(ack, outcome)

    @app.view(Callback.CLOSE_EARLY.value)
    @guard
    def close_early(ack, body):
        answers = read_answers(_values(body))
        outcome = tracking.close_early(
            services, body["user"]["id"], _ref(body).incident_id, answers.get("reason") or "",
        )
        _answer(ack, outcome)
