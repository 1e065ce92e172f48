"""Care after an incident (issue 21): the associate's answers to check-ins, and the review.

A check-in answer is recorded once per check-in; "someone to talk to" DMs the ``hr`` role (or
the branch's supervisor) with only the reference and who asked; "Stop these check-ins" cancels
the remaining ones. Security's post-incident review is a structured note saved as the task's
completion event and posted in the security thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from care_bot.domain import care, ladder
from care_bot.domain.checklist import EVENT_TASK_COMPLETED
from care_bot.domain.models import Incident
from care_bot.flows import followups as followup_flow
from care_bot.flows import gate, tracking
from care_bot.flows.answers import replace_message, tell_by_dm
from care_bot.flows.gate import Outcome
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import followups, incidents
from care_bot.views import alerts
from care_bot.views import care_after as views
from care_bot.views.messages import thread_note
from care_bot.views.text import clean_typed

EVENT_WELLBEING_OK = "wellbeing_ok"
EVENT_WELLBEING_CONTACT = "wellbeing_contact_requested"
EVENT_CHECKINS_STOPPED = "checkins_stopped"
ANSWER_EVENTS = {"ok": EVENT_WELLBEING_OK, "talk": EVENT_WELLBEING_CONTACT,
                 "stop": EVENT_CHECKINS_STOPPED}
REVIEW = care.TASKS_BY_KEY[care.REVIEW]


def contacts(services: Services, incident: Incident) -> list[str]:
    """HR's members, or the branch's supervisor when there is no HR role.

    With neither (no branch, no supervisor named), the ``supervisors`` role: a request for
    someone to talk to always reaches someone. Never the associate themselves.
    """
    hr = sorted(m for m in services.roles.members(care.ROLE_HR) if m != incident.reporter)
    if hr:
        return hr
    supervisor = alerts.branch_supervisor(incident, services.settings.branches)
    supervisor = supervisor or incident.answers.get("supervisor")
    if supervisor and supervisor != incident.reporter:
        return [supervisor]
    return sorted(m for m in services.roles.members(care.ROLE_SUPERVISORS)
                  if m != incident.reporter)


def answer_checkin(services: Services, user_id: str, incident_id: int, answer: str,
                   number: int, channel: str | None, ts: str | None) -> bool:
    """Record the associate's answer ("ok", "talk", "stop") to check-in ``number``.

    Only the associate may answer. Pressing twice records (and DMs) once. The check-in DM is
    replaced by a thank-you that says truthfully what happens next.
    """
    now = services.clock()
    action = ANSWER_EVENTS[answer]
    with services.store.transaction() as db:
        incident = incidents.get_incident(db, incident_id)
        if incident is None:
            tell_by_dm(services, user_id, gate.GONE)
            return False
        if incident.reporter != user_id:
            return False
        told = _record(db, services, incident, user_id, action, number, now)
        more = answer != "stop" and any(f.kind == ladder.WELLBEING
                                        for f in followups.pending_for(db, incident.id))
    services.wake_sweep()
    replace_message(services, channel, ts,
                    views.checkin_answered(incident, answer, bool(told), more))
    return True


def _record(db, services: Services, incident: Incident, user_id: str, action: str,
            number: int, now: float) -> list[str]:
    """Write the answer once per check-in; return who was asked to talk with the associate."""
    earlier = [e for e in incidents.list_events(db, incident.id)
               if e.action == action and e.detail.get("checkin", 0) == number]
    if earlier:
        return list(earlier[0].detail.get("told") or [])
    targets = contacts(services, incident) if action == EVENT_WELLBEING_CONTACT else []
    if action == EVENT_CHECKINS_STOPPED:
        followups.cancel(db, incident.id, now, kinds=(ladder.WELLBEING,))
    incidents.append_event(db, incident.id, actor=user_id, action=action, surface="dm",
                           now=now, detail={"told": targets, "checkin": number})
    suffix = f":{number}" if number else ""
    for target in targets:
        posting.queue_dm(db, incident.id, target,
                         f"incident:{incident.id}:wellbeing_contact{suffix}",
                         views.talk_request(incident), now)
    if targets or action == EVENT_CHECKINS_STOPPED:
        posting.queue_refresh(db, incident.id, now)
    return targets


def open_review(services: Services, user_id: str, incident_id: int) -> Outcome:
    """The review form for a member of ``security``, or a plain refusal."""
    with services.store.transaction() as db:
        checked = _check_review(db, services, user_id, incident_id)
        if isinstance(checked, Outcome):
            return checked
    return Outcome(view=views.review_view(checked.incident))


def _check_review(db, services: Services, user_id: str, incident_id: int
                  ) -> gate.Checked | Outcome:
    """The incident, when it has a review still to record and the clicker may record it."""
    checked = gate.check(db, services, user_id, incident_id, REVIEW.permission,
                         f"complete_{care.REVIEW}", "modal", closed=None, settled=_no_review)
    if isinstance(checked, gate.Checked) and care.REVIEW in checked.states:
        return Outcome(message=f"The post-incident review of {checked.incident.ref} is "
                               "already recorded.")
    return checked


def _no_review(incident: Incident, states) -> str | None:
    if care.applies(REVIEW, incident):
        return None
    return f"{incident.ref} needs no post-incident review: only danger incidents have one."


def read_review(answers: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The review from the form's answers, and field errors (``{block_id: message}``)."""
    errors: dict[str, str] = {}
    review: dict[str, Any] = {}
    for block, label in (("what_worked", "what worked"), ("what_to_change", "what to change")):
        text = clean_typed(str(answers.get(block) or "")).strip()
        if not text:
            errors[block] = f"Please say {label}."
        elif len(text) > views.REVIEW_TEXT_LIMIT:
            errors[block] = f"Please keep this under {views.REVIEW_TEXT_LIMIT} characters."
        review[block] = text
    actions = []
    for number in range(1, views.REVIEW_ACTIONS + 1):
        text = clean_typed(str(answers.get(views.action_block(number)) or "")).strip()
        owner = answers.get(views.owner_block(number))
        if text and not owner:
            errors[views.owner_block(number)] = "Each follow-up action needs an owner."
        elif owner and not text:
            errors[views.action_block(number)] = "Say what the owner is to do."
        elif len(text) > views.ACTION_LIMIT:
            errors[views.action_block(number)] = \
                f"Please keep this under {views.ACTION_LIMIT} characters."
        elif text:
            actions.append({"action": text, "owner": owner})
    review["actions"] = actions
    return review, errors


def save_review(services: Services, user_id: str, incident_id: int,
                answers: Mapping[str, Any]) -> Outcome:
    """Record the review (once), stop its reminders, post it in the security thread."""
    review, errors = read_review(answers)
    if errors:
        return Outcome(errors=errors)
    with services.store.transaction() as db:
        checked = _check_review(db, services, user_id, incident_id)
        if isinstance(checked, Outcome):
            return checked
        incident, now = checked.incident, checked.now
        summary = f"{len(review['actions'])} follow-up action(s)"
        event = incidents.append_event(
            db, incident.id, actor=user_id, action=EVENT_TASK_COMPLETED, surface="modal",
            now=now, detail={"task": care.REVIEW, "note": summary, "review": review},
        )
        followup_flow.on_task_done(db, incident.id, care.REVIEW, now)
        posting.queue_thread_reply(
            db, services.settings, incident.id, "security", f"event:{event.id}",
            thread_note(views.review_text(incident, user_id, review)), now)
        tracking.close_if_done(db, services, incident, now)
        posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()
    return Outcome()

