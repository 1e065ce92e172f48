"""``/threat list`` and ``/threat show REF``: my reports and tasks, and the details modal with
the audit timeline. Pure builders; client details are never shown here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from care_bot.config import Branch
from care_bot.domain import glossary
from care_bot.domain.care import (
    ACCOUNT_DECISIONS,
    BRANCH_POSTS,
    PERSON_LABELS,
    TASKS_BY_KEY,
    THREAT_CHANNELS,
)
from care_bot.domain.checklist import TaskDone
from care_bot.domain.models import Event, Incident
from care_bot.ids import Action, Callback
from care_bot.views.drill import entry_label
from care_bot.views.messages import checklist_text
from care_bot.views.summary import branch_label, kinds_label
from care_bot.views.text import mention, mrkdwn, plain, safe, slack_date

TIMELINE_CHUNK = 2800
MAX_TIMELINE_BLOCKS = 60
STATUS_WORDS = {"alerted": "Danger alert (report not finished)", "open": "Open",
                "closed": "Closed"}
ATTEMPT_WORDS = {
    "acknowledge": "acknowledge", "update_checklist": "open the checklist",
    "decide_account": "record the account decision", "close_incident": "close it early",
    "show": "open its details",
}
FOLLOWUP_WORDS = {
    "ack_reminder": "acknowledgement reminder", "ack_escalation": "acknowledgement escalation",
    "ack_repeat": "repeated escalation", "ack_overdue": "acknowledgement overdue notice",
    "task_due": "task deadline reminder", "task_overdue": "task overdue escalation",
    "wellbeing": "wellbeing check-in",
}


PEOPLE_PHRASES = {
    "person_page_viewed": "*opened the person's page*",
    "person_linked": "linked it to a person of concern",
    "person_unlinked": "unlinked a report from the person",
    "link_suggested": "suggested a likely-same person",
    "link_confirmed": "confirmed the same person",
    "link_rejected": "said it is not the same person",
    "notice_issued": "issued a \"Be on the lookout\" notice",
    "notice_seen": "marked the notice seen",
    "notice_not_seen": "reported branches that had not seen the notice",
    "notice_ended": "ended the notice early",
    "notice_expired": "recorded that the notice expired",
    "order_recorded": "recorded an order",
    "order_review_reminded": "reminded security to review an order",
}


def _people_detail(d: dict) -> str:
    parts = [safe(str(d[k]), 60) for k in ("with", "report") if d.get(k)]
    reason = f": “{safe(d.get('reason'), 300)}”" if d.get("reason") else ""
    return (f" ({', '.join(parts)})" if parts else "") + reason


def actor_label(actor: str) -> str:
    """A person as a mention; the bot and the command line in words."""
    if actor == "care-bot":
        return "CARE bot"
    if actor.startswith("cli:"):
        return f"operator {safe(actor[4:], 60)} (command line)"
    return mention(actor)


def _attempt(action: str) -> str:
    if action.startswith("complete_") and action[9:] in TASKS_BY_KEY:
        return f"mark \"{TASKS_BY_KEY[action[9:]].label}\" done"
    return ATTEMPT_WORDS.get(action, action.replace("_", " "))


def event_phrase(event: Event) -> str:
    """What happened in one audit event, in plain words (free text escaped and clipped)."""
    d = event.detail
    note = f": “{safe(d.get('note'), 300)}”" if d.get("note") else ""
    match event.action:
        case "danger_alerted":
            return "raised an immediate-danger alert"
        case "submitted":
            return "submitted the report"
        case "acknowledged":
            return f"acknowledged ({safe(event.surface, 20)})"
        case "claimed":
            return "claimed the alert (I'm on it)"
        case "task_completed":
            task = TASKS_BY_KEY.get(d.get("task", ""))
            return f"marked “{task.label if task else d.get('task')}” done{note}"
        case "account_decided":
            return f"recorded the account decision: {ACCOUNT_DECISIONS.get(d.get('decision'), '—')}"
        case "closed":
            if d.get("early"):
                return f"closed it early: “{safe(d.get('reason'), 300)}”"
            return "closed it (every task done)"
        case "refused":
            return f"*was refused*: tried to {_attempt(d.get('attempted', ''))}"
        case "viewed_private":
            return "*viewed the client details*"
        case "hr_notification_sent":
            return f"sent the Incident/Threat Notification to HR and {glossary.spelled('CS&R')}"
        case "reported_safe":
            return "reported being safe"
        case "police_call":
            return "said what they did about calling law enforcement"
        case "wellbeing_ok":
            return "answered the wellbeing check-in: OK"
        case "wellbeing_contact_requested":
            return "asked for someone to talk to"
        case "checkins_stopped":
            return "stopped the wellbeing check-ins"
        case "legal_hold_set":
            return f"put it on legal hold: “{safe(d.get('reason'), 300)}”"
        case "legal_hold_released":
            return f"released the legal hold: “{safe(d.get('reason'), 300)}”"
        case "report_completed_after_close":
            return "finished the report after the alert was closed"
        case "viewed_details":
            return "opened these details"
        case "exported":
            extra = "with client details" if d.get("with_client_details") else \
                "client details withheld"
            return f"exported it to CSV ({extra})"
        case "followup_sent":
            return f"sent a {FOLLOWUP_WORDS.get(d.get('kind'), 'follow-up')}"
        case "delivery_failed":
            return f"could not deliver a Slack post ({safe(d.get('error'), 60)})"
        case "delivery_delayed":
            return f"reported a delayed Slack post ({safe(d.get('error'), 60)})"
        case _ if event.action in PEOPLE_PHRASES:  # issue 20
            return PEOPLE_PHRASES[event.action] + _people_detail(d)
        case _:
            return safe(event.action.replace("_", " "), 80)


def timeline_lines(events: Sequence[Event]) -> list[str]:
    """One line per audit event, oldest first: when, who, what."""
    return [f"{slack_date(e.at)} · {actor_label(e.actor)} {event_phrase(e)}" for e in events]


def _chunks(lines: Sequence[str]) -> list[str]:
    chunks, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > TIMELINE_CHUNK:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*chunks, current] if current else chunks


def _status(incident: Incident) -> str:
    text = STATUS_WORDS.get(incident.status, incident.status)
    if incident.status != "closed":
        if incident.acknowledged_at:
            text += (f" · acknowledged by {mention(incident.acknowledged_by)} "
                     f"{slack_date(incident.acknowledged_at)}")
        else:
            text += " · *not acknowledged*"
        if incident.overdue:
            text += " · :red_circle: *overdue*"
    else:
        text += f" by {actor_label(incident.closed_by or '')} {slack_date(incident.closed_at)}"
    return text


def people_text(incident: Incident) -> str:
    """The people on the incident, one per line."""
    lines = [f"{PERSON_LABELS['reporter'].capitalize()}: {mention(incident.reporter)}"]
    for role in BRANCH_POSTS:
        lines.append(f"{PERSON_LABELS[role].capitalize()}: {mention(incident.person(role))}")
    return "\n".join(lines)


def details_view(incident: Incident, states: Mapping[str, TaskDone], events: Sequence[Event],
                 branches: Mapping[str, Branch], person_button: bool = False) -> dict[str, Any]:
    """The details modal: status, checklist, the people, and the whole audit timeline."""
    answers = incident.answers
    fields = [
        mrkdwn(f"*Status*\n{_status(incident)}"),
        mrkdwn(f"*Immediate danger*\n{'*Yes*' if incident.danger else 'No'}"),
        mrkdwn(f"*Branch*\n{branch_label(answers, branches)}"),
        mrkdwn(f"*Kinds*\n{kinds_label(answers)}"),
        mrkdwn(f"*How it came*\n{THREAT_CHANNELS.get(answers.get('threat_channel'), '—')}"),
        mrkdwn(f"*Reported*\n{slack_date(incident.created_at)}"),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(incident.ref, 150)},
        {"type": "section", "fields": fields},
        {"type": "header", "text": plain("Checklist", 150)},
        {"type": "section", "text": mrkdwn(checklist_text(incident, states))},
        {"type": "header", "text": plain("People", 150)},
        {"type": "section", "text": mrkdwn(people_text(incident))},
        {"type": "header", "text": plain("Timeline", 150)},
    ]
    chunks = _chunks(timeline_lines(events))
    room = MAX_TIMELINE_BLOCKS - 1
    if len(chunks) > room:  # keep the newest; say how much is left out
        left_out = sum(chunk.count("\n") + 1 for chunk in chunks[:-room])
        blocks.append({"type": "context", "elements": [mrkdwn(
            f"{left_out} earlier events are not shown here; they stay in the audit trail.")]})
        chunks = chunks[-room:]
    blocks += [{"type": "section", "text": mrkdwn(chunk)} for chunk in chunks]
    if person_button:  # issue 20: the privacy rule's people open the person's page
        blocks.append({"type": "actions", "block_id": "person", "elements": [
            {"type": "button", "action_id": Action.OPEN_PERSON.value,
             "text": plain("Person's page"), "value": str(incident.id)}]})
    blocks.append({"type": "context", "elements": [mrkdwn(
        ":lock: Client details are not shown here. Opening these details is recorded.")]})
    return {
        "type": "modal",
        "callback_id": Callback.DETAILS.value,
        "title": plain(incident.ref, 24),
        "close": plain("Close", 24),
        "blocks": blocks,
    }


def refusal_text(ref: str | None) -> str:
    """The same answer whether the incident does not exist or the person may not see it."""
    what = f"incident {safe(ref, 40)}" if ref else "such incident"
    return (f"There is no {what} that you can open. If you think you should see it, ask "
            "Corporate Security & Risk.")


def list_message(reports: Sequence[Incident], tasks: Sequence, more_reports: bool = False
                 ) -> dict[str, Any]:
    """``/threat list``: my reports and my open tasks, ephemeral."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain("My reports", 150)}]
    if not reports:
        blocks.append({"type": "context", "elements": [mrkdwn("You have no reports.")]})
    lines = []
    for incident in reports:
        status = STATUS_WORDS.get(incident.status, incident.status)
        if incident.status == "open":
            status = "Acknowledged" if incident.acknowledged_at else "Waiting for acknowledgement"
        lines.append(f"*{entry_label(incident.ref, incident.drill)}* · {status} · "
                     f"reported {slack_date(incident.created_at)}")
    if lines:
        blocks.append({"type": "section", "text": mrkdwn("\n".join(lines)[:3000])})
    blocks.append({"type": "header", "text": plain("My open tasks", 150)})
    if not tasks:
        blocks.append({"type": "context", "elements": [mrkdwn("You have no open tasks.")]})
    task_lines = []
    for item in tasks[:40]:
        due = f"due {slack_date(item.due_at)}" if item.due_at is not None else "no deadline yet"
        late = " · :red_circle: *Overdue*" if item.overdue else ""
        task_lines.append(f"*{item.item.incident.ref}* · {item.task.label} · {due}{late}")
    if task_lines:
        blocks.append({"type": "section", "text": mrkdwn("\n".join(task_lines)[:3000])})
    blocks.append({"type": "context", "elements": [mrkdwn(
        "Type `/threat show CARE-YYYY-NNNN` for an incident's details and timeline.")]})
    text = f"My reports: {len(reports)} · my open tasks: {len(tasks)}"
    return {"text": text, "blocks": blocks}
