"""Schedule, cancel and send follow-ups: the acknowledgement ladder, deadlines, check-ins.

Every follow-up is a row written in the same transaction as the change that needs it. The
sweep turns a due row into outbox posts, marks it sent and schedules the next rung, all in one
transaction, so a crash either does all of it or none of it.
"""

from __future__ import annotations

import logging

import sqlite_utils

from care_bot import ladder
from care_bot.care import TASKS_BY_KEY, Task
from care_bot.checklist import task_states
from care_bot.flows import posting
from care_bot.flows.services import Services
from care_bot.models import Followup, Incident
from care_bot.storage import followups, incidents
from care_bot.views import messages, notices

logger = logging.getLogger(__name__)


def _schedule(db: sqlite_utils.Database, incident_id: int, planned: ladder.Planned,
              now: float) -> None:
    followups.schedule(
        db, incident_id=incident_id, kind=planned.kind, due_at=planned.due_at, now=now,
        task=planned.task, rung=planned.rung,
    )


def on_alert(db: sqlite_utils.Database, services: Services, incident: Incident,
             now: float) -> None:
    """Start the acknowledgement ladder when a danger alert creates the incident."""
    reminders = services.settings.reminders
    _schedule(db, incident.id, ladder.first_ack_followup(reminders, incident.danger, now), now)
    checkin = ladder.wellbeing_checkin(reminders, now)
    if checkin:  # the associate may never finish the report; they still get the check-in
        _schedule(db, incident.id, checkin, now)


def on_submit(db: sqlite_utils.Database, services: Services, incident: Incident,
              now: float) -> None:
    """Schedule everything a submitted report needs: ladder, task deadlines, check-in."""
    reminders = services.settings.reminders
    start = incident.created_at if incident.danger else now
    _schedule(db, incident.id, ladder.first_ack_followup(reminders, incident.danger, start), now)
    for task in ladder.TASKS_AFTER_SUBMIT:
        _schedule(db, incident.id, ladder.task_deadline(reminders, task, now), now)
    checkin = ladder.wellbeing_checkin(reminders, now)
    if checkin:
        _schedule(db, incident.id, checkin, now)


def on_acknowledge(db: sqlite_utils.Database, services: Services, incident_id: int,
                   now: float) -> None:
    """Stop the acknowledgement ladder and start the reporting deadlines."""
    followups.cancel(db, incident_id, now, kinds=ladder.ACK_KINDS)
    incidents.set_overdue(db, incident_id, False)
    for task in ladder.TASKS_AFTER_ACK:
        _schedule(db, incident_id, ladder.task_deadline(services.settings.reminders, task, now),
                  now)


def on_task_done(db: sqlite_utils.Database, incident_id: int, task: str, now: float) -> None:
    """Stop a completed task's reminders."""
    followups.cancel(db, incident_id, now, task=task)


def on_close(db: sqlite_utils.Database, incident_id: int, now: float) -> None:
    """Stop every follow-up of a closed incident."""
    followups.cancel(db, incident_id, now)


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
    if _no_longer_needed(db, incident, followup):
        followups.finish(db, followup.id, "skipped", now)
        return 1
    branch = services.settings.branches.get(incident.branch or "")
    opening = ladder.business_time(now, branch, incident.danger)
    if opening > now:
        followups.postpone(db, followup.id, opening)
        posting.queue_refresh(db, incident.id, now)
        return 1
    _send(db, services, incident, followup, now)
    followups.finish(db, followup.id, "sent", now)
    nxt = _next(services, incident, followup, now)
    if nxt:
        _schedule(db, incident.id, nxt, now)
    incidents.append_event(
        db, incident.id, actor="care-bot", action="followup_sent", surface="scheduler",
        now=now, detail={"kind": followup.kind, "task": followup.task, "rung": followup.rung},
    )
    posting.queue_refresh(db, incident.id, now)
    return 1


def _no_longer_needed(db, incident: Incident | None, followup: Followup) -> bool:
    if incident is None or incident.status == "closed":
        return True
    if followup.kind in ladder.ACK_KINDS:
        return incident.acknowledged_at is not None
    if followup.kind in (ladder.TASK_DUE, ladder.TASK_OVERDUE):
        return followup.task in task_states(incidents.list_events(db, incident.id))
    return False


def _next(services: Services, incident: Incident, followup: Followup,
          now: float) -> ladder.Planned | None:
    reminders = services.settings.reminders
    if followup.kind in ladder.ACK_KINDS:
        start = incident.created_at if incident.danger else incident.submitted_at or now
        sent = ladder.Planned(followup.kind, followup.due_at, followup.rung, followup.task)
        return ladder.next_ack_followup(reminders, incident.danger, start, sent, now)
    if followup.kind == ladder.TASK_DUE:
        return ladder.task_escalation(reminders, followup.task, now)
    return None


def _send(db, services: Services, incident: Incident, followup: Followup, now: float) -> None:
    settings = services.settings
    key = f"followup:{followup.id}"
    unless_ack = {"acknowledged": True}
    if followup.kind == ladder.ACK_REMINDER:
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
                         messages.wellbeing_checkin(incident, settings.support_text), now,
                         unless={"closed": True})


def _escalate_ack(db, services: Services, incident: Incident, key: str, now: float) -> None:
    settings = services.settings
    unless_ack = {"acknowledged": True}
    posting.queue_thread_reply(db, settings, incident.id, "supervisors", key,
                               notices.ack_escalation(incident), now, unless_ack)
    posting.queue_thread_reply(db, settings, incident.id, "security", key,
                               notices.ack_escalation_for_security(incident), now, unless_ack)
    supervisor = incident.person("supervisor")
    if supervisor:
        posting.queue_dm(db, incident.id, supervisor, key, notices.ack_needed_dm(incident), now,
                         unless_ack)


def _remind_task_owner(db, services: Services, incident: Incident, task: Task, key: str,
                       now: float) -> None:
    unless = {"task": task.key}
    posting.queue_thread_reply(db, services.settings, incident.id, "supervisors", key,
                               notices.task_due(incident, task), now, unless)
    owner = incident.person(task.owner)
    if owner:
        posting.queue_dm(db, incident.id, owner, key,
                         notices.task_due(incident, task, with_button=True), now, unless)


def _escalate_task(db, services: Services, incident: Incident, task: Task, key: str,
                   now: float) -> None:
    unless = {"task": task.key}
    message = notices.task_overdue(incident, task)
    for kind in posting.CHANNEL_KINDS:
        posting.queue_thread_reply(db, services.settings, incident.id, kind, key, message, now,
                                   unless)
    next_level = incident.person(task.next_level)
    if next_level:
        posting.queue_dm(db, incident.id, next_level, key, message, now, unless)
