"""The /threat report: drafts saved at every step, the danger alert, and the final submit."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from care_bot.care import LEGACY_STEPS, STEP_ORDER, Step, parse_step
from care_bot.flows import followups as followup_flow
from care_bot.flows import home as home_flow
from care_bot.flows import people as people_flow
from care_bot.flows import posting, renders
from care_bot.flows.services import Services
from care_bot.models import Draft, Incident
from care_bot.storage import drafts, incidents, outbox
from care_bot.views import alerts, messages, report_modal
from care_bot.views.forms import field_errors, read_answers
from care_bot.views.metadata import ModalRef
from care_bot.views.text import clip

logger = logging.getLogger(__name__)

PROFILE_ANSWERS = ("associate_name", "associate_position")
KNOWN_STEPS = frozenset({*(s.value for s in Step), *LEGACY_STEPS})
REVIEW_SEEN = "_review_seen"  # after the review, each changed part returns to the review
BRANCH_PEOPLE = ("supervisor", "rxm", "market_president", "ics", "account_officer")
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
    add_profile_to_alert(services, draft_id)


def _ensure_draft(services: Services, user_id: str, draft_id: str,
                  answers: dict[str, Any]) -> None:
    with services.store.transaction() as db:
        drafts.create_draft(db, user_id, services.clock(), answers, draft_id=draft_id,
                            hint=services.store.open_drafts)


def _has_progress(draft: Draft) -> bool:
    return draft.step != Step.SAFETY.value or draft.incident_id is not None


def _initial_answers(services: Services, user_id: str) -> dict[str, Any]:
    branch = services.settings.branch_of(user_id)
    return {"branch": branch.code} if branch else {}


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


def drafts_submitted(services: Services, draft_id: str) -> bool:
    """True when the draft already became a report."""
    with services.store.reading() as db:
        return drafts.is_submitted(db, draft_id)


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
    return report_modal.step_view(step, draft.answers, draft.id, services.settings.branches)


def _owned_draft(services: Services, user_id: str, ref: ModalRef) -> Draft | None:
    with services.store.reading() as db:
        draft = drafts.get_draft(db, ref.draft_id)
    if draft is None and ref.draft_id and ref.step == Step.SAFETY.value:
        # The safety step was answered before its new draft row was written.
        _ensure_draft(services, user_id, ref.draft_id, _initial_answers(services, user_id))
        with services.store.reading() as db:
            draft = drafts.get_draft(db, ref.draft_id)
    return draft if draft and draft.user_id == user_id else None


def submit_step(
    services: Services, user_id: str, ref: ModalRef, state_values: dict
) -> StepResult:
    """Validate and save one step; answer with field errors or the next view."""
    if ref.step == Step.SAFETY.value and says_danger(state_values):
        return _danger_answer(services, user_id, ref, state_values)
    draft = _owned_draft(services, user_id, ref)
    if draft is None or ref.step not in KNOWN_STEPS:
        return StepResult(view=report_modal.error_view(
            "This report could not be found. Type `/threat` to start again."
        ))
    existing = _incident_if_submitted(services, draft.id)
    if existing:
        return StepResult(view=report_modal.confirmation_view(existing.ref, existing.danger))
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
        return _submit(services, draft)
    next_step = STEP_ORDER[STEP_ORDER.index(step) + 1]
    if draft.answers.get(REVIEW_SEEN):
        next_step = Step.REVIEW
    draft = _save(services, draft, next_step, answers)
    return StepResult(view=_step_view(services, next_step, draft))


def _danger_answer(services: Services, user_id: str, ref: ModalRef,
                   state_values: dict) -> StepResult:
    """The danger answer alone raises the alert: nothing else may block or delay it.

    Not even the modal's draft: when it is already a filed report (the same draft finished on
    another device) or not the associate's own, the alert goes out on their open draft or a
    new one. A retry finds that open draft's alert and posts nothing new.
    """
    draft = _owned_draft(services, user_id, ref)
    if draft is None or drafts_submitted(services, draft.id):
        draft = _alert_draft(services, user_id)
    else:
        _revive_if_retired(services, draft)
    return _after_safety(services, draft, _usable(services, read_answers(state_values)))


def _alert_draft(services: Services, user_id: str) -> Draft:
    """The associate's open draft (it becomes the alert's report), or a new one."""
    with services.store.reading() as db:
        draft = drafts.open_draft(db, user_id)
    if draft is None:
        draft_id = drafts.new_draft_id()
        _ensure_draft(services, user_id, draft_id, _initial_answers(services, user_id))
        with services.store.reading() as db:
            draft = drafts.get_draft(db, draft_id)
    return draft


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


def _usable(services: Services, answers: dict[str, Any]) -> dict[str, Any]:
    """The safety answers that can go into an alert as they are; the rest is dropped."""
    usable = {"danger": "yes"}
    if answers.get("branch") in services.settings.branches:
        usable["branch"] = answers["branch"]
    detail = answers.get("location_detail")
    if isinstance(detail, str) and detail.strip():
        usable["location_detail"] = clip(detail.strip(), 150)
    return usable


def _fields(services: Services, step: Step, answers: dict[str, Any]):
    return report_modal.visible_fields(step, services.settings.branches, answers)


def _save(services: Services, draft: Draft, step: Step, answers: dict[str, Any]) -> Draft:
    with services.store.transaction() as db:
        drafts.save_answers(db, draft.id, step.value, answers, services.clock())
        return drafts.get_draft(db, draft.id)


def _retired(services: Services, draft_id: str) -> bool:
    with services.store.reading() as db:
        return drafts.is_retired(db, draft_id)


def _revive_if_retired(services: Services, draft: Draft) -> None:
    """The associate is typing in this draft's modal, so it is the one that counts."""
    if _retired(services, draft.id):
        with services.store.transaction() as db:
            drafts.revive(db, draft.id, draft.user_id, services.clock())


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
    incident = raise_danger_alert(services, draft, answers)
    return StepResult(view=emergency_screen(services, incident, draft.id))


def emergency_screen(services: Services, incident: Incident, draft_id: str) -> dict[str, Any]:
    """The emergency instructions, naming who was alerted."""
    supervisor = alerts.branch_supervisor(incident, services.settings.branches)
    return report_modal.emergency_view(incident, draft_id, supervisor,
                                       services.settings.security_phone)


def _branch_defaults(services: Services, draft: Draft, answers: dict[str, Any]) -> dict:
    branch = services.settings.branches.get(answers.get("branch") or "")
    defaults: dict[str, Any] = {}
    if branch:
        # never the associate themselves (a supervisor reporting at their own branch): a
        # pre-filled "name someone other than yourself" error they did not cause
        defaults.update({role: getattr(branch, role) for role in BRANCH_PEOPLE
                         if getattr(branch, role) not in (None, "", draft.user_id)
                         and not draft.answers.get(role)})
    location = " · ".join(p for p in (branch.name if branch else "",
                                      answers.get("location_detail") or "") if p)
    if location and not draft.answers.get("associate_location"):
        defaults["associate_location"] = location
    return defaults


def raise_danger_alert(services: Services, draft: Draft, answers: dict[str, Any],
                       surface: str = "modal") -> Incident:
    """Create the incident now and alert both channels, before the rest of the form.

    The incident, its event, both channel posts, the supervisor's DM and the follow-ups are
    one transaction: an alert that was answered with the emergency screen is never lost.
    """
    now = services.clock()
    with services.store.transaction() as db:
        drafts.save_answers(db, draft.id, Step.CLIENT_SERVICE.value, answers, now)
        current = drafts.get_draft(db, draft.id)
        incident = incidents.get_incident(db, current.incident_id) if current.incident_id else None
        if incident is None:
            incident = incidents.create_incident(
                db, draft_id=draft.id, reporter=draft.user_id, status="alerted", danger=True,
                branch=current.answers.get("branch"), answers=current.answers, now=now,
            )
            drafts.link_incident(db, draft.id, incident.id)
            incidents.append_event(db, incident.id, actor=draft.user_id, action="danger_alerted",
                                   surface=surface, now=now)
            posting.queue_parents(db, services.settings, incident, now)
            _queue_supervisor_dm(db, services, incident, now)
            followup_flow.on_alert(db, services, incident, now)
            home_flow.queue_home(db, incident.reporter, now, incident.id)
    services.wake_sweep()
    logger.info("danger alert raised for %s", incident.ref)
    return incident


def _queue_supervisor_dm(db: sqlite_utils.Database, services: Services, incident: Incident,
                         now: float) -> None:
    """A DM reaches the branch supervisor's phone even when the channel is muted."""
    supervisor = alerts.branch_supervisor(incident, services.settings.branches)
    if supervisor and supervisor != incident.reporter:
        posting.queue_dm(db, incident.id, supervisor, f"incident:{incident.id}:danger",
                         alerts.supervisor_dm(incident, services.settings.branches), now)


def one_tap_alert(services: Services, user_id: str) -> tuple[Incident, str]:
    """Raise the danger alert from Home's button: no form; the branch comes from the directory.

    Returns the incident and the draft the associate can finish later. A second tap while
    the first alert's report is unfinished returns that same alert, without new posts.
    """
    with services.store.reading() as db:
        draft = drafts.open_draft(db, user_id) if services.store.open_drafts.may_have(
            user_id) else None
    if draft is None:  # an unfinished report becomes this alert's report
        draft_id = drafts.new_draft_id()
        _ensure_draft(services, user_id, draft_id, _initial_answers(services, user_id))
        with services.store.reading() as db:
            draft = drafts.get_draft(db, draft_id)
    answers = {**draft.answers, "danger": "yes"}
    answers.update(_branch_defaults(services, draft, answers))
    incident = raise_danger_alert(services, draft, answers, surface="home")
    return incident, draft.id


def add_profile_to_alert(services: Services, draft_id: str) -> None:
    """Put the associate's name and position on an unfinished alert, and re-render it."""
    now = services.clock()
    with services.store.transaction() as db:
        draft = drafts.get_draft(db, draft_id)
        if draft is None or not draft.incident_id:
            return
        incident = incidents.get_incident(db, draft.incident_id)
        if incident is None or incident.submitted_at is not None:
            return
        missing = {k: draft.answers[k] for k in PROFILE_ANSWERS
                   if draft.answers.get(k) and not incident.answers.get(k)}
        if not missing:
            return
        incidents.merge_answers(db, incident.id, missing)
        posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()


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
    return StepResult(view=report_modal.confirmation_view(incident.ref, incident.danger,
                                                          trouble))


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
            branch=branch, answers=answers, now=now,
        )
    drafts.mark_submitted(db, draft.id, now)
    incidents.append_event(db, incident.id, actor=draft.user_id, action="submitted",
                           surface="modal", now=now)
    settings = services.settings
    if not posting.queue_parents(db, settings, incident, now):
        posting.queue_refresh(db, incident.id, now)
    details = messages.report_details(incident, settings.branches)
    for kind in posting.CHANNEL_KINDS:
        posting.queue_thread_reply(db, settings, incident.id, kind, "details", details, now)
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
    return stored


def says_danger(state_values: dict) -> bool:
    """True when a submitted safety step answers "Yes, someone is in danger now"."""
    try:
        return read_answers(state_values).get("danger") == "yes"
    except Exception:
        return False


def unsaved_alert_screen(services: Services) -> dict[str, Any]:
    """The danger screen when the report could not be saved: the alert goes out directly."""
    return report_modal.unsaved_alert_view(services.settings.security_phone)


def alert_without_storage(services: Services, user_id: str, state_values: dict) -> int:
    """Post the danger alert straight to both channels when the database cannot take it.

    Used only when saving failed: there is no outbox row to retry, so each channel gets one
    direct attempt. Returns how many channels took the post.
    """
    try:
        answers = _usable(services, read_answers(state_values)) if state_values else {}
    except Exception:
        answers = {}
    answers = {"danger": "yes", **answers}
    branch = services.settings.branch_of(user_id)
    if branch and "branch" not in answers:
        answers["branch"] = branch.code
    incident = Incident(0, "not saved", user_id, "alerted", True, answers.get("branch"),
                        answers, services.clock(), None)
    settings = services.settings
    delivered = 0
    for kind in posting.CHANNEL_KINDS:
        mentions = alerts.alert_mentions(kind, incident, settings.roles, settings.branches,
                                         settings.alert_broadcast)
        try:
            services.slack.post(posting.channel_id(settings, kind),
                                messages.unsaved_alert(incident, settings.branches, kind,
                                                       mentions))
            delivered += 1
        except Exception:
            logger.exception("direct danger alert to the %s channel failed", kind)
    return delivered
