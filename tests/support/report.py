"""Drive the /threat flow through its steps with realistic view state."""

from __future__ import annotations

from typing import Any

from care_bot.flows import intake
from care_bot.views.metadata import decode
from tests.support.payloads import state_values
from tests.support.world import START, USERS

STEP_ANSWERS: dict[str, dict[str, Any]] = {
    "safety": {"danger": "no", "branch": "downtown", "location_detail": "teller line"},
    "client_service": {
        "what_happened": "Client shouted that he would come back and hurt me.",
        "client_words": "You'll regret this.",
        "occurred_at": int(START - 600),
        "threat_channel": "in_person",
        "threat_kinds": ["physical", "abusive"],
        "client_status": "client",
        "accommodation": "Offered to call the branch manager and waive the fee.",
    },
    "assess": {"likelihood": "possible", "action_taken": "supervisor_notified"},
    "report": {
        "client_name": "John Q. Client",
        "accounts": "Checking ****1234",
        "recommendation": "restrict",
    },
    "review": {},
}


SKIP = object()  # an override that leaves a question unanswered (or not asked)
NOT_A_CLIENT = {  # a non-client's report: the relationship part is not asked
    "client_service": {"client_status": "not_client"},
    "report": {"client_name": SKIP, "accounts": SKIP, "recommendation": SKIP},
}


def step_of(view: dict) -> str:
    """Return the step a report view is at."""
    return decode(view.get("private_metadata")).step


def submit(services, user_id: str, view: dict, answers: dict[str, Any]):
    """Submit one step with answers filled over the view's initial values."""
    values = state_values(view, answers)
    return intake.submit_step(services, user_id, decode(view["private_metadata"]), values)


def file_report(services, user_id: str = USERS["alice"], overrides: dict | None = None,
                danger: bool = False):
    """Walk every step to submission; return the confirmation view."""
    overrides = overrides or {}
    start = intake.start_report(services, user_id)
    intake.prefill_profile(services, start.draft_id, user_id)
    view = start.view
    for step, answers in STEP_ANSWERS.items():
        assert step_of(view) == step, f"expected {step}, got {step_of(view)}"
        answers = {**answers, **overrides.get(step, {})}
        answers = {k: v for k, v in answers.items() if v is not SKIP}
        if step == "safety" and danger:
            answers["danger"] = "yes"
        result = submit(services, user_id, view, answers)
        assert not result.errors, result.errors
        view = result.view
        if step == "safety" and danger:
            result = intake.continue_after_emergency(
                services, user_id, decode(view["private_metadata"])
            )
            view = result.view
    return view
