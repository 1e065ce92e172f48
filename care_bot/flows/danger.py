"""The danger alert, from every entry point to its end: one module owns it.

Raising it (the report's safety step, Home's one-tap button), the fallback when the database
cannot take it, "I'm on it", the associate's 911 answers and "I'm safe now", and the emergency
screen the associate sees. Functions called by listeners return what to show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from care_bot import care
from care_bot.care import CLAIM_ALERT, POLICE_CALL_LABELS, POLICE_CANT_CALL, Step
from care_bot.checklist import EVENT_ACKNOWLEDGED
from care_bot.flows import drills, posting
from care_bot.flows import followups as followup_flow
from care_bot.flows import home as home_flow
from care_bot.flows.drafting import (
    PROFILE_ANSWERS,
    branch_defaults,
    drafts_submitted,
    ensure_draft,
    initial_answers,
    owned_draft,
    revive_if_retired,
)
from care_bot.flows.services import Services
from care_bot.flows.tracking import Outcome
from care_bot.models import Draft, Incident
from care_bot.storage import drafts, incidents
from care_bot.views import alerts, messages, notices, report_modal
from care_bot.views import drill as drill_views
from care_bot.views.forms import read_answers
from care_bot.views.messages import thread_note
from care_bot.views.metadata import ModalRef
from care_bot.views.text import clip, mention, slack_date

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Raised:
    """What a danger tap shows at once; ``draft_id`` is None when nothing could be saved."""

    screen: dict[str, Any]
    draft_id: str | None


def says_danger(state_values: dict) -> bool:
    """True when a submitted safety step answers "Yes, someone is in danger now"."""
    try:
        return read_answers(state_values).get("danger") == "yes"
    except Exception:
        return False


def danger_answer(services: Services, user_id: str, ref: ModalRef,
                  state_values: dict) -> dict[str, Any]:
    """The danger answer alone raises the alert: nothing else may block or delay it.

    Not even the modal's draft: when it is already a filed report (the same draft finished on
    another device) or not the associate's own, the alert goes out on their open draft or a
    new one. A retry finds that open draft's alert and posts nothing new. Returns the
    emergency screen.
    """
    draft = owned_draft(services, user_id, ref)
    if draft is None or drafts_submitted(services, draft.id):
        draft = _alert_draft(services, user_id)
    else:
        revive_if_retired(services, draft)
    answers = _usable(services, read_answers(state_values))
    answers = {**answers, **branch_defaults(services, draft, answers)}
    incident = raise_danger_alert(services, draft, answers)
    return emergency_screen(services, incident, draft.id)


def _alert_draft(services: Services, user_id: str) -> Draft:
    """The associate's open draft (it becomes the alert's report), or a new one."""
    with services.store.reading() as db:
        draft = drafts.open_draft(db, user_id)
    if draft is None:
        draft_id = drafts.new_draft_id()
        ensure_draft(services, user_id, draft_id, initial_answers(services, user_id))
        with services.store.reading() as db:
            draft = drafts.get_draft(db, draft_id)
    return draft


def _usable(services: Services, answers: dict[str, Any]) -> dict[str, Any]:
    """The safety answers that can go into an alert as they are; the rest is dropped."""
    usable = {"danger": "yes"}
    if answers.get("branch") in services.settings.branches:
        usable["branch"] = answers["branch"]
    detail = answers.get("location_detail")
    if isinstance(detail, str) and detail.strip():
        usable["location_detail"] = clip(detail.strip(), 150)
    return usable


def emergency_screen(services: Services, incident: Incident, draft_id: str) -> dict[str, Any]:
    """The emergency instructions, naming who was alerted."""
    supervisor = alerts.branch_supervisor(incident, services.settings.branches)
    view = report_modal.emergency_view(incident, draft_id, supervisor,
                                       services.settings.security_phone)
    return drill_views.mark_view(view) if incident.drill else view


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
                drill=current.drill,
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
        ensure_draft(services, user_id, draft_id, initial_answers(services, user_id))
        with services.store.reading() as db:
            draft = drafts.get_draft(db, draft_id)
    answers = {**draft.answers, "danger": "yes"}
    answers.update(branch_defaults(services, draft, answers))
    incident = raise_danger_alert(services, draft, answers, surface="home")
    return incident, draft.id


def tap_home(services: Services, user_id: str) -> Raised:
    """Home's danger button: the emergency screen, or the unsaved one when saving failed.

    Never raises: when the database fails, help wins over the record; the caller then shows
    the screen and calls ``alert_without_storage``.
    """
    try:
        incident, draft_id = one_tap_alert(services, user_id)
    except Exception:
        logger.exception("one-tap alert could not be saved")
        return Raised(unsaved_alert_screen(services), None)
    return Raised(emergency_screen(services, incident, draft_id), draft_id)


def unsaved_step_screen(services: Services, ref: ModalRef, state_values: dict
                        ) -> dict[str, Any] | None:
    """After a report step failed to save: the unsaved danger screen when it was a danger
    answer (the caller then calls ``alert_without_storage``); None otherwise."""
    if ref.step == Step.SAFETY.value and says_danger(state_values):
        return unsaved_alert_screen(services)
    return None


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


def _reply_both(db, services: Services, incident: Incident, key: str, message: dict,
                now: float) -> None:
    for kind in posting.CHANNEL_KINDS:
        posting.queue_thread_reply(db, services.settings, incident.id, kind, key, message, now)


def claim(services: Services, user_id: str, incident_id: int, surface: str = "channel") -> Outcome:
    """One security member takes the alert: recorded, shown in place, the ladder stopped.

    The claim also acknowledges the alert when nobody has, exactly as Acknowledge would.
    """
    roles = services.roles.snapshot()
    now = services.clock()
    with services.store.transaction() as db:
        incident = incidents.get_incident(db, incident_id)
        if incident is None or not incident.danger:
            return Outcome(message="That alert no longer exists.")
        if incident.status == "closed":
            return Outcome(message=f"{incident.ref} is already closed.")
        if not care.is_allowed(CLAIM_ALERT, user_id, incident, roles):
            incidents.append_event(db, incident.id, actor=user_id, action="refused",
                                   surface=surface, now=now, detail={"attempted": "claim"})
            return Outcome(message=(f"You can't take {incident.ref}. Only "
                                    f"{CLAIM_ALERT.describe()} can. Nothing was changed."))
        if not incidents.set_claimed(db, incident.id, user_id, now):
            current = incidents.get_incident(db, incident.id)
            return Outcome(message=(f"{incident.ref} is already taken by "
                                    f"{mention(current.claimed_by)} since "
                                    f"{slack_date(current.claimed_at)}."))
        event = incidents.append_event(db, incident.id, actor=user_id, action="claimed",
                                       surface=surface, now=now)
        _reply_both(db, services, incident, f"event:{event.id}", thread_note(
            f":raising_hand: {mention(user_id)} is on it ({incident.ref})."), now)
        if incidents.set_acknowledged(db, incident.id, user_id, now):
            incidents.append_event(db, incident.id, actor=user_id, action=EVENT_ACKNOWLEDGED,
                                   surface=surface, now=now, detail={"by_claim": True})
            followup_flow.on_acknowledge(db, services, incident.id, now)
            posting.queue_dm(db, incident.id, incident.reporter,
                             f"incident:{incident.id}:acked",
                             notices.acknowledged_dm(incident, user_id), now)
        posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()
    logger.info("danger alert %s claimed", incident.ref)
    return Outcome()


def record_police_call(services: Services, user_id: str, incident_id: int,
                       answer: str) -> Incident | None:
    """Record "I have called 911" or "I can't call"; "can't call" pings with @here at once."""
    if answer not in POLICE_CALL_LABELS:
        return None
    now = services.clock()
    settings = services.settings
    with services.store.transaction() as db:
        incident = incidents.get_incident(db, incident_id)
        if incident is None or incident.reporter != user_id:
            return None
        if incidents.set_police_call(db, incident.id, answer):
            event = incidents.append_event(db, incident.id, actor=user_id,
                                           action="police_call", surface="modal", now=now,
                                           detail={"answer": answer})
            incident = incidents.get_incident(db, incident.id)
            for kind in posting.CHANNEL_KINDS:
                if answer == POLICE_CANT_CALL:
                    note = alerts.cant_call_note(incident, settings.branches, alerts.alert_mentions(
                        kind, incident, settings.roles, settings.branches, True))
                else:
                    note = alerts.called_note(incident)
                posting.queue_thread_reply(db, settings, incident.id, kind, f"event:{event.id}",
                                           note, now)
            posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()
    return incident


def report_safe(services: Services, user_id: str, incident_id: int,
                surface: str = "modal") -> Incident | None:
    """Record "I'm safe now" and post "reported safe at HH:MM" in both alert threads.

    Idempotent: a second press (a double click, or Home after the modal) records nothing new.
    """
    now = services.clock()
    with services.store.transaction() as db:
        incident = incidents.get_incident(db, incident_id)
        if incident is None or incident.reporter != user_id:
            return None
        if incidents.set_safe(db, incident.id, now):
            incidents.append_event(db, incident.id, actor=user_id, action="reported_safe",
                                   surface=surface, now=now)
            incident = incidents.get_incident(db, incident.id)
            _reply_both(db, services, incident, "safe",
                        alerts.safe_note(incident, services.settings.branches), now)
            drills.on_resolved(db, services, incident, now)
            posting.queue_refresh(db, incident.id, now)
            home_flow.queue_home(db, incident.reporter, now, incident.id)
    services.wake_sweep()
    return incident
