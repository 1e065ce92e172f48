"""Schedule, cancel and send follow-ups: the acknowledgement ladder, deadlines, check-ins.

Every follow-up is a row written in the same transaction as the change that needs it. The
sweep turns a due row into outbox posts, marks it sent and schedules the next rung, all in one
transaction, so a crash either does all of it or none of it.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import sqlite_utils

from care_bot.domain import care, ladder
from care_bot.domain.care import SAFETY_PLAN, TASKS_BY_KEY, Task
from care_bot.domain.checklist import task_states, tasks_of
from care_bot.domain.masking import masked_answers
from care_bot.domain.models import Followup, Incident
from care_bot.flows import paging, urgent
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import followups, incidents, outbox
from care_bot.views import care_after as care_after_views
from care_bot.views import notices
from care_bot.views.summary import branch_label

logger = logging.getLogger(__name__)
ALERT_CHECK_AFTER = 5.0


def _schedule(db: sqlite_utils.Database, incident_id: int, planned: ladder.Planned,
              now: float) -> None:
    followups.schedule(
        db, incident_id=incident_id, kind=planned.kind, due_at=planned.due_at, now=now,
        task=planned.task, rung=planned.rung,
    )


def schedule(db: sqlite_utils.Database, incident_id: int, planned: ladder.Planned,
             now: float) -> None:
    """Schedule one planned follow-up (a task created later, such as the account tasks)."""
    _schedule(db, incident_id, planned, now)


def on_alert(db: sqlite_utils.Database, services: Services, incident: Incident,
             now: float) -> None:
    """Start the acknowledgement ladder when a danger alert creates the incident."""
    reminders = services.settings.reminders
    _schedule(db, incident.id, ladder.first_ack_followup(reminders, incident.danger, now), now)
    tell_rxm_of_danger(db, services, incident, now)
    if not incident.drill:  # a drill measures the paging of the responders, nothing after it
        # The safety consult cannot wait for the rest of the report.
        _schedule(db, incident.id, ladder.task_deadline(reminders, SAFETY_PLAN, now, True), now)
        # The associate may never finish the report; they still get the care after it.
        schedule_care_after(db, services, incident, now, now)
    # "Not delivered yet" once the security post is still waiting after a few seconds.
    _schedule(db, incident.id, ladder.Planned(ladder.ALERT_CHECK, now + ALERT_CHECK_AFTER),
              now)


def restart_paging(db: sqlite_utils.Database, services: Services, incident: Incident,
                   event_id: int, now: float) -> bool:
    """Page again from the first wave when nobody has the alert and no page is pending."""
    if incident.acknowledged_at or any(f.kind in ladder.ACK_KINDS
                                       for f in followups.pending_for(db, incident.id)):
        return False
    first = ladder.first_ack_followup(services.settings.reminders, True, now)
    _schedule(db, incident.id, replace(first, task=f"again:{event_id}"), now)
    return True


def on_submit(db: sqlite_utils.Database, services: Services, incident: Incident,
              now: float) -> None:
    """Schedule everything a submitted report needs: ladder, task deadlines, check-in."""
    reminders = services.settings.reminders
    start = incident.created_at if incident.danger else now
    _schedule(db, incident.id, ladder.first_ack_followup(
        reminders, incident.danger, start, urgent.is_urgent(db, incident, now)), now)
    if incident.drill:  # a drill: paging only; no task deadlines, no check-ins
        return
    owed = {task.key for task in care.tasks_for(incident)}
    for task in ladder.TASKS_AFTER_SUBMIT:
        if task not in owed:  # a non-client has no account work to chase
            continue
        begin = start if task == SAFETY_PLAN else now
        _schedule(db, incident.id,
                  ladder.task_deadline(reminders, task, begin, incident.danger), now)
    schedule_care_after(db, services, incident, start, now)
    if incident.danger:
        tell_rxm_of_danger(db, services, incident, now)


def schedule_care_after(db: sqlite_utils.Database, services: Services, incident: Incident,
                        start: float, now: float) -> None:
    """The care after an incident: the associate's check-ins, the debrief and the review.

    The debrief follows danger or urgent incidents, the review danger ones, each due its
    deadline after ``start`` (the alert, or the submission); so does naming an unknown RXM or
    ICS (issue 17), once the report says so. Scheduling twice changes nothing.
    """
    settings = services.settings
    for task in care.tasks_for(incident):
        if task.applies_to:
            _schedule(db, incident.id,
                      ladder.task_deadline(settings.reminders, task.key, start), now)
    branch = settings.branches.get(incident.branch or "")
    for checkin in ladder.checkins(settings.checkins, start, branch):
        _schedule(db, incident.id, checkin, now)


def tell_rxm_of_danger(db: sqlite_utils.Database, services: Services, incident: Incident,
                       now: float) -> None:
    """DM the Regional Experience Manager about a danger incident (once per person)."""
    settings = services.settings
    branch = settings.branches.get(incident.branch or "")
    where = branch_label(masked_answers(incident.answers), settings.branches)  # outside the rule
    for rxm in care.told(incident, "rxm", branch):
        posting.queue_dm(db, incident.id, rxm, f"incident:{incident.id}:rxm_danger",
                         notices.rxm_danger_dm(incident, where), now)


def on_acknowledge(db: sqlite_utils.Database, services: Services, incident_id: int,
                   now: float) -> None:
    """Stop the acknowledgement ladder and start the reporting deadlines."""
    followups.cancel(db, incident_id, now, kinds=ladder.ACK_KINDS)
    incidents.set_overdue(db, incident_id, False)
    incident = incidents.get_incident(db, incident_id)
    if incident is not None and incident.drill:
        return
    for task in ladder.TASKS_AFTER_ACK:
        _schedule(db, incident_id, ladder.task_deadline(services.settings.reminders, task, now),
                  now)


def on_task_done(db: sqlite_utils.Database, incident_id: int, task: str, now: float) -> None:
    """Stop a completed task's reminders."""
    followups.cancel(db, incident_id, now, task=task)


def on_close(db: sqlite_utils.Database, incident_id: int, now: float) -> None:
    """Stop every follow-up of a closed incident but the associate's check-ins.

    Closing the paperwork does not end the care: the check-ins go on until their last one or
    until the associate presses "Stop these check-ins".
    """
    followups.cancel(db, incident_id, now, keep=(ladder.WELLBEING,))


def send_due(services: Services, limit: int = 100) -> int:
    """Turn every due follow-up into outbox posts; return how many were handled."""
    now = services.clock()
    with services.store.reading() as db:
        due = followups.due_followups(db, now, limit)
    handled = 0
    for followup in due:
        try:
            with services.store.transaction() as db:
                handled += _handle(db, services, followup.id, now)
        except Exception:
            logger.exception("follow-up %s could not be handled; it stays due", followup.id)
    if handled:
        services.wake_sweep()
    return handled


def _handle(db: sqlite_utils.Database, services: Services, followup_id: int, now: float) -> int:
    followup = followups.get_followup(db, followup_id)
    if followup is None or followup.status != "pending":
        return 0
    incident = incidents.get_incident(db, followup.incident_id)
    if followup.kind == ladder.ALERT_CHECK:  # only the associate's view of the alert changes
        followups.finish(db, followup.id, "sent", now)
        if incident is not None and not _alert_delivered(db, incident):
            posting.queue_alert_views(db, incident, now)  # "Not delivered yet"
        return 1
    if _no_longer_needed(db, incident, followup) or _later_checkin_due(db, followup, now):
        followups.finish(db, followup.id, "skipped", now)
        return 1
    branch = services.settings.branches.get(incident.branch or "")
    # A check-in waits for opening time even after a danger incident: never at night. An urgent
    # report (issue 20: the person has an active order) does not wait, as danger does not.
    pressing = incident.danger or urgent.is_urgent(db, incident, now)
    opening = ladder.business_time(now, branch, pressing and followup.kind != ladder.WELLBEING)
    if opening > now:
        followups.postpone(db, followup.id, opening)
        posting.queue_refresh(db, incident.id, now)
        return 1
    _send(db, services, incident, followup, now)
    followups.finish(db, followup.id, "sent", now)
    nxt = _next(db, services, incident, followup, now)
    if nxt:
        _schedule(db, incident.id, nxt, now)
    incidents.append_event(
        db, incident.id, actor="care-bot", action="followup_sent", surface="scheduler",
        now=now, detail={"kind": followup.kind, "task": followup.task, "rung": followup.rung},
    )
    posting.queue_refresh(db, incident.id, now)
    return 1


def _alert_delivered(db, incident: Incident) -> bool:
    row = outbox.delivery_of(db, posting.parent_key(incident.id, "security"))
    return row is not None and row[0] == "sent"


def _no_longer_needed(db, incident: Incident | None, followup: Followup) -> bool:
    if incident is None:
        return True
    if followup.kind == ladder.WELLBEING:
        return False  # stopped check-ins are cancelled rows; closing does not end them
    if incident.status == "closed":
        return True
    if followup.kind in ladder.ACK_KINDS:
        return incident.acknowledged_at is not None
    if followup.kind in (ladder.TASK_DUE, ladder.TASK_OVERDUE):
        states = task_states(incidents.list_events(db, incident.id))
        owed = {task.key for task in tasks_of(incident, states)}
        return followup.task in states or followup.task not in owed
    return False


def _later_checkin_due(db, followup: Followup, now: float) -> bool:
    """After downtime, only the latest of several check-ins now due is sent."""
    return followup.kind == ladder.WELLBEING and any(
        other.kind == ladder.WELLBEING and other.rung > followup.rung and other.due_at <= now
        for other in followups.pending_for(db, followup.incident_id))


def _next(db, services: Services, incident: Incident, followup: Followup,
          now: float) -> ladder.Planned | None:
    reminders = services.settings.reminders
    if followup.kind in ladder.ACK_KINDS:
        start = incident.created_at if incident.danger else incident.submitted_at or now
        sent = ladder.Planned(followup.kind, followup.due_at, followup.rung, followup.task)
        nxt = ladder.next_ack_followup(reminders, incident.danger, start, sent, now,
                                       urgent.is_urgent(db, incident, now))
        # a restarted ladder ("pressed again") keeps its own rows: carry its tag
        return replace(nxt, task=followup.task) if nxt else None
    if followup.kind == ladder.TASK_DUE:
        return ladder.task_escalation(reminders, followup.task, now)
    return None


def _send(db, services: Services, incident: Incident, followup: Followup, now: float) -> None:
    settings = services.settings
    key = f"followup:{followup.id}"
    unless_ack = {"acknowledged": True}
    if incident.danger and followup.kind in ladder.ACK_KINDS:
        _page_danger(db, services, incident, followup, key, now)
    elif followup.kind == ladder.ACK_REMINDER:
        posting.queue_thread_reply(db, settings, incident.id, "supervisors", key,
                                   notices.ack_reminder(incident), now, unless_ack)
    elif followup.kind in (ladder.ACK_ESCALATION, ladder.ACK_REPEAT):
        _escalate_ack(db, services, incident, key, now)
    elif followup.kind == ladder.ACK_OVERDUE:
        incidents.set_overdue(db, incident.id, True)
        posting.queue_thread_reply(db, settings, incident.id, "security", key,
                                   notices.ack_overdue(incident), now, unless_ack)
    elif followup.kind == ladder.TASK_DUE:
        _remind_task_owner(db, services, incident, TASKS_BY_KEY[followup.task], key, now)
    elif followup.kind == ladder.TASK_OVERDUE:
        _escalate_task(db, services, incident, TASKS_BY_KEY[followup.task], key, now)
    elif followup.kind == ladder.WELLBEING:
        posting.queue_dm(db, incident.id, incident.reporter, f"{key}:wellbeing",
                         care_after_views.checkin(incident, settings.support_text,
                                                  followup.rung), now)


def _page_danger(db, services: Services, incident: Incident, followup: Followup, key: str,
                 now: float) -> None:
    """A danger alert nobody has taken: page again, wider each time, until someone takes it."""
    if followup.kind == ladder.ACK_REMINDER:
        paging.remind(db, services, incident, key, now)
        return
    paging.widen(db, services, incident, key, now)
    if followup.kind == ladder.ACK_OVERDUE or (
            followup.kind == ladder.ACK_REPEAT
            and followup.rung >= services.settings.reminders.ack_repeat_max):
        incidents.set_overdue(db, incident.id, True)  # flagged, and still paged


def _escalate_ack(db, services: Services, incident: Incident, key: str, now: float) -> None:
    settings = services.settings
    branch = settings.branches.get(incident.branch or "")
    unless_ack = {"acknowledged": True}
    posting.queue_thread_reply(db, settings, incident.id, "supervisors", key,
                               notices.ack_escalation(incident), now, unless_ack)
    posting.queue_thread_reply(db, settings, incident.id, "security", key,
                               notices.ack_escalation_for_security(incident), now, unless_ack)
    for supervisor in care.told(incident, "supervisor", branch):
        posting.queue_dm(db, incident.id, supervisor, key, notices.ack_needed_dm(incident), now,
                         unless_ack)
    for rxm in care.told(incident, "rxm", branch):  # really told: a DM, not only a mention
        posting.queue_dm(db, incident.id, rxm, f"{key}:rxm", notices.rxm_escalation_dm(incident),
                         now, unless_ack)


def task_owners(services: Services, incident: Incident, task: Task) -> list[str]:
    """Who can complete a task: the branch's person for its post, else its roles' members.

    Falls back to the person the reporter picked (told only) when nobody else is known. A
    person the supervisor named for an unknown post comes before the roles; the naming task
    itself goes to the supervisor the associate named.
    """
    branch = services.settings.branches.get(incident.branch or "")
    if task.owner == "reporter":
        return [incident.reporter]
    owner = care.branch_person(branch, task.owner) or care.named_person(incident, task.owner)
    if owner:
        return [owner]
    if task.key == care.NAME_PEOPLE and incident.person("supervisor"):
        return [incident.person("supervisor")]
    roles = services.roles.snapshot()
    members = sorted({m for role in task.permission.roles for m in roles.get(role, ())}
                     - {incident.reporter})
    return members or care.told(incident, task.owner, branch)


def _remind_task_owner(db, services: Services, incident: Incident, task: Task, key: str,
                       now: float) -> None:
    unless = {"task": task.key}
    owners = task_owners(services, incident, task)
    kind = "security" if task.key == SAFETY_PLAN else task.thread
    posting.queue_thread_reply(db, services.settings, incident.id, kind, key,
                               notices.task_due(incident, task, owners), now, unless)
    for owner in owners:
        posting.queue_dm(db, incident.id, owner, key,
                         notices.task_due(incident, task, owners, with_button=True), now, unless)


def _escalate_task(db, services: Services, incident: Incident, task: Task, key: str,
                   now: float) -> None:
    unless = {"task": task.key}
    branch = services.settings.branches.get(incident.branch or "")
    next_level = care.told(incident, task.next_level, branch)
    message = notices.task_overdue(incident, task, task_owners(services, incident, task),
                                   next_level)
    posting.reply_in_both_threads(db, services.settings, incident.id, key, message, now, unless)
    for person in next_level:
        posting.queue_dm(db, incident.id, person, key, message, now, unless)
