"""The danger alert, from every entry point to its end: one module owns it.

Raising it (the report's safety step, Home's one-tap button, a later press by the same
person), taking it ("I'm on it", and Acknowledge through ``tracking``), the associate's 911
answers and "I'm safe now", the fallback when the database cannot take it, and the screens
that show the associate the truth. Its helpers: ``paging`` (the waves until someone takes
it), ``alert_status`` (the state the associate sees) and ``danger_fallback`` (no database).
Functions called by listeners never raise to them: they return what to show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from care_bot.domain.care import POLICE_CALL_LABELS, POLICE_CANT_CALL, TAKE_ALERT, Step
from care_bot.domain.checklist import EVENT_ACKNOWLEDGED
from care_bot.domain.masking import by_channel
from care_bot.domain.models import Draft, Incident
from care_bot.flows import alert_status, danger_fallback, drills, gate, paging, tracking
from care_bot.flows import followups as followup_flow
from care_bot.flows import home as home_flow
from care_bot.flows.danger_fallback import could_not_open as could_not_open
from care_bot.flows.danger_fallback import tell_without_screen as tell_without_screen
from care_bot.flows.drafting import (
    PROFILE_ANSWERS,
    branch_defaults,
    drafts_submitted,
    ensure_draft,
    initial_answers,
    owned_draft,
    revive_if_retired,
)
from care_bot.flows.gate import Outcome
from care_bot.ids import Callback
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import alerts as alert_rows
from care_bot.storage import drafts, incidents, outbox
from care_bot.views import alerts, danger_modal, notices
from care_bot.views.alert_status import RESOLVED
from care_bot.views.forms import read_answers
from care_bot.views.messages import thread_note
from care_bot.views.metadata import ModalRef, decode
from care_bot.views.text import clip, mention, slack_date

logger = logging.getLogger(__name__)

STILL_OPEN_FOR = 12 * 3600.0  # a later press joins an unresolved alert raised this recently
SAME_PRESS_WITHIN = 3.0  # the same surface this soon, nothing in between: a double click
PRESSES = ("danger_alerted", "danger_pressed_again")
BOT_ACTOR = "care-bot"


@dataclass(frozen=True)
class Raised:
    """What a danger tap shows at once; ``draft_id`` is None when nothing could be saved."""

    screen: dict[str, Any]
    draft_id: str | None
    ref: str | None = None


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
    incident, draft_id = raise_danger_alert(services, draft, answers)
    return emergency_screen(services, incident, draft_id)


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


def emergency_screen(services: Services, incident: Incident, draft_id: str,
                     with_names: bool = False) -> dict[str, Any]:
    """The emergency instructions with where the alert stands now (read from storage).

    ``with_names`` looks the responder's name up in Slack: only off the 3-second path.
    """
    status = None
    try:
        found = alert_status.current(services, incident.id, with_names)
        if found is not None:
            incident, status = found
    except Exception:  # the screen is still shown; it says "Sending your alert…"
        logger.warning("could not read the alert's state for its screen", exc_info=True)
    settings = services.settings
    if status is not None and status.stage == RESOLVED and incident.safe_at:
        view = danger_modal.safe_view(incident, draft_id,
                                      alerts.safe_phrase(incident, settings.branches))
    else:
        supervisor = alerts.branch_supervisor(incident, settings.branches)
        view = danger_modal.emergency_view(incident, draft_id, supervisor,
                                           settings.security_phone, status, settings.branches)
    return view


def raise_danger_alert(services: Services, draft: Draft, answers: dict[str, Any],
                       surface: str = "modal") -> tuple[Incident, str]:
    """Raise the alert now, before the rest of the form; a later press always pages.

    A new alert is one transaction: the incident, its event, both channel posts, the
    supervisor's DM, the follow-ups (paging waves) and the associate's status DM. When the
    associate already has an open alert (not resolved, not closed), this press is a loud
    reply in both of its threads instead. A resolved or closed alert is never reused: the
    press starts a new incident with a new reference, on a new draft (the old one is kept).
    Returns the alert and the draft its report is finished on.
    """
    now = services.clock()
    with services.store.transaction() as db:
        drafts.save_answers(db, draft.id, Step.CLIENT_SERVICE.value, answers, now)
        current = drafts.get_draft(db, draft.id)
        incident = _open_alert(db, current, now)
        if incident is None:
            current = _fresh_draft(db, services, current, now)
            incident = _new_alert(db, services, current, surface, now)
        elif not _same_press(db, incident, surface, now):
            _again(db, services, incident, surface, now)
    services.wake_sweep()
    logger.info("danger alert raised for %s", incident.ref)
    return incident, current.id


def _fresh_draft(db: sqlite_utils.Database, services: Services, draft: Draft,
                 now: float) -> Draft:
    """The draft itself, or, when it carries a resolved alert, a new one for the new alert."""
    if not draft.incident_id:
        return draft
    kept = {k: v for k, v in draft.answers.items()
            if k in (*PROFILE_ANSWERS, "danger", "branch", "location_detail",
                     "associate_location", "drill")}
    return drafts.create_draft(db, draft.user_id, now, kept, hint=services.store.open_drafts,
                               drill=draft.drill)


def _open_alert(db: sqlite_utils.Database, draft: Draft, now: float) -> Incident | None:
    """The associate's alert that is still open: the draft's own, or their latest one."""
    mine = incidents.get_incident(db, draft.incident_id) if draft.incident_id else None
    if mine is not None and not _resolved(mine):
        return mine
    return alert_rows.open_alert_of(db, draft.user_id, now - STILL_OPEN_FOR, draft.drill)


def _same_press(db: sqlite_utils.Database, incident: Incident, surface: str,
                now: float) -> bool:
    """A double click (or a retried request): the same surface within ``SAME_PRESS_WITHIN`` s,
    nobody did anything in between (the bot's own records, such as delivery, do not count)."""
    events = [e for e in incidents.list_events(db, incident.id) if e.actor != BOT_ACTOR]
    last = events[-1] if events else None
    return (last is not None and last.action in PRESSES and last.surface == surface
            and now - last.at < SAME_PRESS_WITHIN)


def _resolved(incident: Incident) -> bool:
    return incident.safe_at is not None or incident.status == "closed"


def _new_alert(db: sqlite_utils.Database, services: Services, draft: Draft, surface: str,
               now: float) -> Incident:
    incident = incidents.create_incident(
        db, draft_id=draft.id, reporter=draft.user_id, status="alerted", danger=True,
        branch=draft.answers.get("branch"), answers=draft.answers, now=now, drill=draft.drill,
    )
    drafts.link_incident(db, draft.id, incident.id)
    incidents.append_event(db, incident.id, actor=draft.user_id, action="danger_alerted",
                           surface=surface, now=now)
    posting.queue_parents(db, services.settings, incident, now)
    _queue_supervisor_dm(db, services, incident, now)
    followup_flow.on_alert(db, services, incident, now)
    outbox.enqueue_post(db, key=posting.status_dm_key(incident), channel=incident.reporter,
                        incident_id=incident.id, render=posting.RENDER_ALERT_DM, now=now)
    home_flow.queue_home(db, incident.reporter, now, incident.id)
    return incident


def _again(db: sqlite_utils.Database, services: Services, incident: Incident, surface: str,
           now: float) -> None:
    """The same person pressed again while their alert is open: never silent."""
    event = incidents.append_event(db, incident.id, actor=incident.reporter,
                                   action="danger_pressed_again", surface=surface, now=now)
    paging.pressed_again(db, services, incident, event.id, now)
    followup_flow.restart_paging(db, services, incident, event.id, now)
    posting.queue_refresh(db, incident.id, now)


def _queue_supervisor_dm(db: sqlite_utils.Database, services: Services, incident: Incident,
                         now: float) -> None:
    """A DM reaches the branch supervisor's phone even when the channel is muted."""
    supervisor = alerts.branch_supervisor(incident, services.settings.branches)
    if supervisor and supervisor != incident.reporter:
        posting.queue_dm(db, incident.id, supervisor, f"incident:{incident.id}:danger",
                         alerts.supervisor_dm(incident, services.settings.branches), now,
                         priority=posting.URGENT)


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
    return raise_danger_alert(services, draft, answers, surface="home")


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
    return Raised(emergency_screen(services, incident, draft_id), draft_id, incident.ref)


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
    return danger_modal.unsaved_alert_view(services.settings.security_phone)


def alert_without_storage(services: Services, user_id: str, state_values: dict,
                          view_id: str | None = None, wait: bool = False) -> int:
    """Send the alert straight to Slack when the database cannot take it, checking each post.

    Failures are retried in memory for a bounded time and the screen (``view_id``) shows what
    happened. Runs in the background unless ``wait``; returns the channels reached so far.
    """
    try:
        answers = _usable(services, read_answers(state_values)) if state_values else {}
    except Exception:
        answers = {}
    return danger_fallback.send(services, user_id, answers, view_id, wait)


def claim(services: Services, user_id: str, incident_id: int, surface: str = "channel") -> Outcome:
    """A named person takes the alert ("I'm on it"): recorded, shown everywhere, paging stopped.

    Members of ``security``, the branch's supervisor and the ``supervisors`` role may take it.
    Taking acknowledges the alert when nobody has, and starts the chain as Acknowledge does:
    the Market President's DM and the supervisor's "Report to HR and CS&R" prompt.
    """
    with services.store.transaction() as db:
        checked = gate.check(db, services, user_id, incident_id, TAKE_ALERT, "claim", surface,
                             closed="{ref} is already closed.",
                             gone="That alert no longer exists.",
                             found=lambda incident: incident.danger)
        if isinstance(checked, Outcome):
            return checked
        incident, now = checked.incident, checked.now
        if not incidents.set_claimed(db, incident.id, user_id, now):
            current = incidents.get_incident(db, incident.id)
            return Outcome(message=(f"{incident.ref} is already taken by "
                                    f"{mention(current.claimed_by)} since "
                                    f"{slack_date(current.claimed_at)}."))
        _taken(db, services, incident, user_id, surface, now)
    services.wake_sweep()
    logger.info("danger alert %s taken", incident.ref)
    return Outcome()


def _taken(db: sqlite_utils.Database, services: Services, incident: Incident, user_id: str,
           surface: str, now: float) -> None:
    event = incidents.append_event(db, incident.id, actor=user_id, action="claimed",
                                   surface=surface, now=now)
    posting.reply_in_both_threads(db, services.settings, incident.id, f"event:{event.id}",
                                  thread_note(f":raising_hand: {mention(user_id)} is on it "
                                              f"({incident.ref})."), now)
    if incidents.set_acknowledged(db, incident.id, user_id, now):
        incidents.append_event(db, incident.id, actor=user_id, action=EVENT_ACKNOWLEDGED,
                               surface=surface, now=now, detail={"by_claim": True})
        followup_flow.on_acknowledge(db, services, incident.id, now)
        posting.queue_dm(db, incident.id, incident.reporter, f"incident:{incident.id}:acked",
                         notices.acknowledged_dm(incident, user_id), now)
        tracking.start_chain(db, services, incident, user_id, now)
    posting.queue_refresh(db, incident.id, now)


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
            for kind, seen in by_channel(incident):  # "where" masked for the supervisors
                if answer == POLICE_CANT_CALL:
                    note = alerts.cant_call_note(seen, settings.branches, alerts.alert_mentions(
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
            posting.reply_in_both_threads(db, services.settings, incident.id, "safe",
                                          alerts.safe_note(incident, services.settings.branches),
                                          now)
            posting.queue_dm(db, incident.id, incident.reporter, f"incident:{incident.id}:safe",
                             alerts.safe_confirmation(incident, services.settings.branches), now)
            drills.on_resolved(db, services, incident, now)
            posting.queue_refresh(db, incident.id, now)
            home_flow.queue_home(db, incident.reporter, now, incident.id)
    services.wake_sweep()
    return incident


def show_screen(services: Services, view_id: str | None, view: dict[str, Any] | None,
                user_id: str) -> None:
    """Remember the modal (``view_id``) now showing the user's alert, to update it in place."""
    if not view_id or not view or view.get("callback_id") != Callback.EMERGENCY.value:
        return
    ref = decode(view.get("private_metadata"))
    if ref.incident_id:
        alert_status.record_screen(services, view_id, ref.incident_id, user_id, ref.draft_id)


def forget_screen(services: Services, view_id: str | None) -> None:
    """The associate left the emergency screen (closed it, or went on to the report)."""
    alert_status.forget_screen(services, view_id)
