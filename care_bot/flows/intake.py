"""The /threat report form: drafts saved at every step and the final submit.

The danger answer on the safety step is handed to ``flows.danger``, which owns the alert.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from care_bot.domain.care import LEGACY_STEPS, STEP_ORDER, Step, parse_step
from care_bot.domain.masking import masked_incident
from care_bot.domain.models import Draft, Incident
from care_bot.flows import danger, hr_report, identify, naming, renders
from care_bot.flows import followups as followup_flow
from care_bot.flows import home as home_flow
from care_bot.flows import people as people_flow
from care_bot.flows.drafting import PROFILE_ANSWERS, drafts_submitted
from care_bot.flows.drafting import branch_defaults as _branch_defaults
from care_bot.flows.drafting import ensure_draft as _ensure_draft
from care_bot.flows.drafting import initial_answers as _initial_answers
from care_bot.flows.drafting import owned_draft as _owned_draft
from care_bot.flows.drafting import retired as _retired
from care_bot.flows.drafting import revive_if_retired as _revive_if_retired
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import drafts, incidents, outbox
from care_bot.views import drill as drill_views
from care_bot.views import messages, report_modal
from care_bot.views.forms import field_errors, read_answers
from care_bot.views.metadata import ModalRef

logger = logging.getLogger(__name__)

KNOWN_STEPS = frozenset({*(s.value for s in Step), *LEGACY_STEPS})
REVIEW_SEEN = "_review_seen"  # after the review, each changed part returns to the review
SAVE_FAILED_FIELD_TEXT = "This step could not be saved. Please press the button again."
SAVE_FAILED_VIEW_TEXT = (
    "*Your report could not be saved.* Nothing was sent. Please try again in a moment; "
    "if anyone is in danger, call 911 now."
)


@dataclass
class StepResult:
    """What a view submission should answer: field errors, or the next view."""

    errors: dict[str, str] = field(default_factory=dict)
    view: dict[str, Any] | None = None

    def response(self) -> dict[str, Any]:
        """Return the body for ack(): response_action errors or update."""
        if self.errors:
            return {"response_action": "errors", "errors": self.errors}
        return {"response_action": "update", "view": self.view}


@dataclass(frozen=True)
class Start:
    """The first view of /threat and the draft it belongs to."""

    view: dict[str, Any]
    draft_id: str
    user_id: str
    new_answers: dict[str, Any] | None = None


def start_report(services: Services, user_id: str, prefill: dict[str, Any] | None = None
                 ) -> Start:
    """Choose the first view for /threat (resume offer or safety step) with one read only.

    Nothing is written here: the 3-second trigger is spent on nothing slower than an indexed
    read. A new draft row is written when the safety step is submitted or the modal closed.
    With ``prefill`` (a reported message), the answers are saved first, never overwriting.
    """
    if prefill:
        return _start_prefilled(services, user_id, prefill)
    draft = None
    if services.store.open_drafts.may_have(user_id):
        with services.store.reading() as db:
            draft = drafts.open_draft(db, user_id)
    if draft and _has_progress(draft):
        view = report_modal.resume_view(draft.id, draft.created_at, parse_step(draft.step))
        return Start(view, draft.id, user_id)
    if draft:
        return Start(_step_view(services, Step.SAFETY, draft), draft.id, user_id)
    draft_id = drafts.new_draft_id()
    answers = _initial_answers(services, user_id)
    view = report_modal.step_view(Step.SAFETY, answers, draft_id, services.settings.branches)
    return Start(view, draft_id, user_id, answers)


def _start_prefilled(services: Services, user_id: str, prefill: dict[str, Any]) -> Start:
    with services.store.reading() as db:
        draft = drafts.open_draft(db, user_id)
    if draft is None:
        draft_id = drafts.new_draft_id()
        _ensure_draft(services, user_id, draft_id, {**_initial_answers(services, user_id),
                                                    **prefill})
    else:
        draft_id = draft.id
        _fill_missing(services, draft_id, prefill, user_id)
    with services.store.reading() as db:
        draft = drafts.get_draft(db, draft_id)
    if _has_progress(draft):
        view = report_modal.resume_view(draft.id, draft.created_at, parse_step(draft.step))
        return Start(view, draft.id, user_id)
    return Start(_step_view(services, Step.SAFETY, draft), draft.id, user_id)


def prefill_profile(services: Services, draft_id: str, user_id: str) -> None:
    """Fill the associate's name and position from Slack, never overwriting an answer.

    Called after the safety step is acknowledged, so the users.info call is never on the
    path of a modal update; the answers are needed two steps later.
    """
    with services.store.reading() as db:
        existing = drafts.get_draft(db, draft_id)
    if existing is not None and existing.user_id != user_id:
        return  # someone else's draft (a forged private_metadata): never touch it
    profile = _profile_answers(services, user_id)
    _ensure_draft(services, user_id, draft_id, _initial_answers(services, user_id))
    _fill_missing(services, draft_id, profile, user_id)
    danger.add_profile_to_alert(services, draft_id)


def _has_progress(draft: Draft) -> bool:
    return draft.step != Step.SAFETY.value or draft.incident_id is not None


def _profile_answers(services: Services, user_id: str) -> dict[str, Any]:
    """The associate's name and position from Slack, as draft answers."""
    profile = services.slack.user_profile(user_id)
    answers = {"associate_name": profile.get("name"), "associate_position": profile.get("title")}
    return {key: value for key, value in answers.items() if value}


def _fill_missing(services: Services, draft_id: str, defaults: dict[str, Any],
                  user_id: str) -> None:
    if not defaults:
        return
    with services.store.transaction() as db:
        draft = drafts.get_draft(db, draft_id)
        if draft is None or draft.user_id != user_id:
            return
        missing = {k: v for k, v in defaults.items() if not draft.answers.get(k)}
        if missing:
            drafts.save_answers(db, draft.id, draft.step, missing, services.clock())


def resume(services: Services, user_id: str, draft_id: str) -> dict[str, Any]:
    """Return the view of the step where the associate's draft stopped."""
    with services.store.reading() as db:
        draft = drafts.get_draft(db, draft_id)
    stale = draft is None or drafts_submitted(services, draft_id) or _retired(services, draft_id)
    if stale or draft.user_id != user_id:
        start = start_report(services, user_id)
        if start.new_answers is not None:
            _ensure_draft(services, user_id, start.draft_id, start.new_answers)
        return start.view
    return _step_view(services, parse_step(draft.step), draft)


def start_over(services: Services, user_id: str, draft_id: str) -> dict[str, Any]:
    """Retire the old draft (kept for the record) and open a fresh safety step.

    A second click (a double click, or a stale modal) finds the old draft already retired and
    returns the associate's current draft instead of making yet another.
    """
    now = services.clock()
    with services.store.transaction() as db:
        old = drafts.get_draft(db, draft_id)
        mine = old is not None and old.user_id == user_id
        current = drafts.open_draft(db, user_id)
        if mine and current and current.id != old.id:
            return _step_view(services, parse_step(current.step), current)
        answers = _initial_answers(services, user_id)
        incident_id = None
        if mine and not drafts.is_submitted(db, old.id):
            answers.update({k: old.answers[k] for k in PROFILE_ANSWERS if old.answers.get(k)})
            incident_id = old.incident_id
        if incident_id:  # a danger alert already exists: keep its where and who
            answers.update({k: old.answers[k] for k in ("danger", "branch", "location_detail")
                            if k in old.answers})
        draft = drafts.create_draft(db, user_id, now, answers, incident_id=incident_id,
                                    hint=services.store.open_drafts)
    return _step_view(services, Step.SAFETY, draft)


def _step_view(services: Services, step: Step, draft: Draft) -> dict[str, Any]:
    view = report_modal.step_view(step, draft.answers, draft.id, services.settings.branches,
                                  services.clock())
    return drill_views.mark_view(view) if draft.drill else view


def submit_step(
    services: Services, user_id: str, ref: ModalRef, state_values: dict
) -> StepResult:
    """Validate and save one step; answer with field errors or the next view."""
    if ref.step == Step.SAFETY.value and danger.says_danger(state_values):
        return StepResult(view=danger.danger_answer(services, user_id, ref, state_values))
    draft = _owned_draft(services, user_id, ref)
    if draft is None or ref.step not in KNOWN_STEPS:
        return StepResult(view=report_modal.error_view(
            "This report could not be found. Type `/threat` to start again."
        ))
    existing = _incident_if_submitted(services, draft.id)
    if existing:
        return StepResult(view=_confirmation(existing, False))
    _revive_if_retired(services, draft)
    step = parse_step(ref.step)
    answers = read_answers(state_values)
    fields = _fields(services, step, {**draft.answers, **answers})
    errors = field_errors(answers, fields, services.clock(), draft.user_id)
    if errors:
        return StepResult(errors=errors)
    if step == Step.SAFETY:
        return _after_safety(services, draft, answers)
    if step == Step.REVIEW:
        if answers:  # the contradiction question's answer, recorded with the report
            draft = _save(services, draft, Step.REVIEW, answers)
        return _submit(services, draft)
    next_step = STEP_ORDER[STEP_ORDER.index(step) + 1]
    if draft.answers.get(REVIEW_SEEN):
        next_step = Step.REVIEW
    draft = _save(services, draft, next_step, answers)
    return StepResult(view=_step_view(services, next_step, draft))


def change_step(services: Services, user_id: str, ref: ModalRef, step_value: str
                ) -> dict[str, Any] | None:
    """From the review, open one part to change it; Next then returns to the review."""
    draft = _owned_draft(services, user_id, ref)
    if draft is None or step_value not in KNOWN_STEPS or drafts_submitted(services, draft.id):
        return None
    step = parse_step(step_value)
    if step == Step.SAFETY and draft.incident_id:
        step = Step.CLIENT_SERVICE  # the danger alert is already out; do not ask again
    draft = _save(services, draft, step, {REVIEW_SEEN: True})
    return _step_view(services, step, draft)


def _fields(services: Services, step: Step, answers: dict[str, Any]):
    return report_modal.visible_fields(step, services.settings.branches, answers)


def _save(services: Services, draft: Draft, step: Step, answers: dict[str, Any]) -> Draft:
    with services.store.transaction() as db:
        drafts.save_answers(db, draft.id, step.value, answers, services.clock())
        return drafts.get_draft(db, draft.id)


def _incident_if_submitted(services: Services, draft_id: str) -> Incident | None:
    with services.store.reading() as db:
        if not drafts.is_submitted(db, draft_id):
            return None
        return _incident_of(db, drafts.get_draft(db, draft_id))


def _incident_of(db: sqlite_utils.Database, draft: Draft) -> Incident | None:
    """The incident a draft became: the one made from it, or the danger alert it completed."""
    made = incidents.find_by_draft(db, draft.id)
    if made is None and draft.incident_id:
        return incidents.get_incident(db, draft.incident_id)
    return made


def _after_safety(services: Services, draft: Draft, answers: dict[str, Any]) -> StepResult:
    answers = {**answers, **_branch_defaults(services, draft, answers)}
    if answers.get("danger") != "yes":
        draft = _save(services, draft, Step.CLIENT_SERVICE, answers)
        return StepResult(view=_step_view(services, Step.CLIENT_SERVICE, draft))
    incident, draft_id = danger.raise_danger_alert(services, draft, answers)
    return StepResult(view=danger.emergency_screen(services, incident, draft_id))


def continue_after_emergency(services: Services, user_id: str, ref: ModalRef) -> StepResult:
    """Move from the emergency instructions to the first CARE step."""
    draft = _owned_draft(services, user_id, ref)
    if draft is None:
        return StepResult(view=report_modal.error_view("Type `/threat` to continue your report."))
    return StepResult(view=_step_view(services, Step.CLIENT_SERVICE, draft))


def go_back(services: Services, user_id: str, ref: ModalRef, state_values: dict) -> dict | None:
    """Keep what was typed on this step and return the previous step's view."""
    draft = _owned_draft(services, user_id, ref)
    if draft is None or ref.step not in KNOWN_STEPS:
        return None
    _revive_if_retired(services, draft)
    step = parse_step(ref.step)
    previous = STEP_ORDER[max(STEP_ORDER.index(step) - 1, 0)]
    if previous == Step.SAFETY and draft.incident_id:
        previous = Step.CLIENT_SERVICE  # the danger alert is already out; do not ask again
    draft = _save(services, draft, previous, read_answers(state_values))
    return _step_view(services, previous, draft)


def save_on_close(services: Services, user_id: str, ref: ModalRef, state_values: dict) -> None:
    """Keep what was typed when the associate closes the modal mid-step."""
    draft = _owned_draft(services, user_id, ref)
    if draft is None or drafts_submitted(services, draft.id):
        return
    _revive_if_retired(services, draft)
    answers = {k: v for k, v in read_answers(state_values).items() if v not in (None, "", [])}
    with services.store.transaction() as db:
        drafts.save_answers(db, draft.id, draft.step, answers, services.clock())


def _submit(services: Services, draft: Draft) -> StepResult:
    for step in STEP_ORDER[1:-1]:
        if field_errors(draft.answers, _fields(services, step, draft.answers), services.clock(),
                        draft.user_id):
            view = _step_view(services, step, draft)
            return StepResult(view=view)
    incident = submit_report(services, draft.id)
    with services.store.reading() as db:
        trouble = outbox.delivery_trouble(db)
    return StepResult(view=_confirmation(incident, trouble))


def _confirmation(incident: Incident, trouble: bool) -> dict[str, Any]:
    view = report_modal.confirmation_view(incident.ref, incident.danger, trouble)
    return drill_views.mark_view(view) if incident.drill else view


def submit_report(services: Services, draft_id: str) -> Incident:
    """Save the report, its first audit event and its posts in one transaction."""
    now = services.clock()
    with services.store.transaction() as db:
        incident = _save_incident(db, services, draft_id, now)
    services.wake_sweep()
    return incident


def _save_incident(db: sqlite_utils.Database, services: Services, draft_id: str,
                   now: float) -> Incident:
    draft = drafts.get_draft(db, draft_id)
    if drafts.is_submitted(db, draft_id):  # a retry or double click: same incident, no posts
        return _incident_of(db, draft)
    danger = draft.answers.get("danger") == "yes"
    branch = draft.answers.get("branch")
    answers = _with_directory_people(services, draft.answers, draft.user_id)
    alert = incidents.get_incident(db, draft.incident_id) if draft.incident_id else None
    if alert and alert.submitted_at is None:
        incident = incidents.complete_report(db, alert.id, answers, branch, now)
    else:
        incident = incidents.create_incident(
            db, draft_id=draft.id, reporter=draft.user_id, status="open", danger=danger,
            branch=branch, answers=answers, now=now, drill=draft.drill,
        )
    drafts.mark_submitted(db, draft.id, now)
    incidents.append_event(db, incident.id, actor=draft.user_id, action="submitted",
                           surface="modal", now=now)
    settings = services.settings
    if not posting.queue_parents(db, settings, incident, now):
        posting.queue_refresh(db, incident.id, now)
    for kind in posting.CHANNEL_KINDS:
        # the supervisors are outside the privacy rule: their copy names no client or account
        shown = masked_incident(incident) if kind == "supervisors" else incident
        posting.queue_thread_reply(db, settings, incident.id, kind, "details",
                                   messages.report_details(shown, settings.branches), now)
    if alert and alert.submitted_at is None:  # HR may have been told of the alert already
        hr_report.report_to_hr_after_submit(db, services, incident, now)
    people_flow.on_report(db, services, incident, now)  # issue 20: "Seen before:" after them
    outbox.enqueue_post(db, key=f"dm:{incident.reporter}:incident:{incident.id}:confirmation",
                        channel=incident.reporter, incident_id=incident.id,
                        render=renders.RENDER_CONFIRMATION, now=now)
    home_flow.queue_home(db, incident.reporter, now, incident.id)
    if incident.status == "closed":  # security closed the alert early: record, no follow-ups
        incidents.append_event(db, incident.id, actor=draft.user_id,
                               action="report_completed_after_close", surface="modal", now=now)
        return incident
    followup_flow.on_submit(db, services, incident, now)
    identify.ask_ics(db, services, incident, now)
    naming.ask_supervisor(db, services, incident, now)  # the RXM or ICS is still unknown
    logger.info("report %s saved", incident.ref)
    return incident


def _with_directory_people(services: Services, answers: dict[str, Any],
                           reporter: str = "") -> dict[str, Any]:
    """The answers to store: people left empty come from the branch directory (never the
    reporter themselves)."""
    known = report_modal.directory_people(services.settings.branches, answers.get("branch"))
    stored = {k: v for k, v in answers.items() if k != REVIEW_SEEN}
    stored.update({role: user for role, user in known.items()
                   if not stored.get(role) and user != reporter})
    return naming.stamp_missing(stored)
