"""Channel and DM messages, built from stored state. Each returns {"text", "blocks"}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from care_bot.config import Branch
from care_bot.domain import glossary
from care_bot.domain.care import (
    ACCOUNT_DECISIONS,
    CLIENT,
    CLIENT_NOT_KNOWN,
    CLIENT_STATUS,
    IDENTIFY_CLIENT,
    NOT_A_CLIENT,
    NOTHING_YET,
    POLICE_CANT_CALL,
    ROLE_LABELS,
    TASK_OWNER_ROLES,
    Task,
    branch_person,
    client_answer,
    client_status,
)
from care_bot.domain.checklist import SECURITY_CLOSED, TaskDone, ended_early, identified, tasks_of
from care_bot.domain.durations import spoken_duration
from care_bot.domain.models import Incident
from care_bot.ids import Action
from care_bot.views import alerts
from care_bot.views.summary import branch_label, kinds_label, report_sections
from care_bot.views.text import escape, mention, mrkdwn, plain, safe, slack_date

SECTION_TITLES = {"R": "R · Report", "E": "E · Evaluate relationship"}


def _message(text: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"text": text, "blocks": blocks}


def _headline(incident: Incident, urgent: bool = False) -> str:
    if incident.danger:
        return f"🚨 Immediate danger · {incident.ref}"
    if urgent:
        return f"⚠️ Urgent threat reported · {incident.ref}"
    return f"⚠️ Threat reported · {incident.ref}"


def _urgent_block(urgent: list[str], ping: str) -> dict[str, Any]:
    """ "Urgent" and why, led by who it pings (so Slack notifies them)."""
    why = "; ".join(reason.removeprefix("Urgent: ") for reason in urgent)
    lead = f"{ping} " if ping else ""
    return {"type": "section", "text": mrkdwn(f"{lead}*Urgent:* {safe(why, 1500)}")}


def _status_line(incident: Incident, next_due: float | None) -> str:
    if incident.status == "closed":
        reason = f": {safe(incident.close_reason, 500)}" if incident.close_reason else ""
        return (
            f"*Closed* by {mention(incident.closed_by)} "
            f"{slack_date(incident.closed_at)}{reason}"
        )
    if incident.acknowledged_at:
        line = (
            f"*Acknowledged* by {mention(incident.acknowledged_by)} "
            f"{slack_date(incident.acknowledged_at)}"
        )
    else:
        line = "*Awaiting acknowledgement*"
        if incident.overdue:
            line += " · :red_circle: *overdue*"
    if next_due:
        line += f" · next reminder {slack_date(next_due, '{time}')}"
    return line


def _owner(task: Task, incident: Incident, branch: Branch | None) -> str:
    """Who can complete a task: the branch's person for its post, else its roles."""
    if task.owner == "reporter":
        return mention(incident.reporter)
    person = branch_person(branch, task.owner)
    if person:
        return mention(person)
    roles = TASK_OWNER_ROLES.get(task.key) or task.permission.roles
    return " or ".join(ROLE_LABELS[role] for role in roles) or "—"


NO_HR_DESTINATION = (
    ":warning: No HR destination is configured (`[channels] hr` or `[roles] hr`): HR cannot be "
    "told by CARE bot. Tell HR yourself."
)


def _task_line(task: Task, incident: Incident, done: TaskDone | None,
               branch: Branch | None) -> str:
    if done is None:
        return f"⬜ {task.label} · {_owner(task, incident, branch)}"
    note = ""
    if task.key == "account_decision" and done.note in ACCOUNT_DECISIONS:
        note = f": {ACCOUNT_DECISIONS[done.note]}"
    elif task.key == IDENTIFY_CLIENT and done.note in CLIENT_STATUS:
        note = f": {CLIENT_STATUS[done.note].lower()}"
    elif task.note_required and done.note:
        note = f": {safe(done.note, 300)}"
    label = task.label
    if task.key == "acknowledged" and incident.danger and incident.claimed_by:
        label = "Alert taken"  # "I'm on it" may be security's: never filed as the supervisor's
    return f"✅ {label}{note} · {mention(done.by)} {slack_date(done.at)}"


# What the associate did, as the checklist's A line says it ("Nothing yet" claims nothing).
DECISION_WORDS = {"law_enforcement": "law enforcement contacted",
                  "supervisor_notified": "not viable or imminent; supervisor told",
                  NOTHING_YET: "nothing yet; this report tells the supervisor"}


def checklist_text(incident: Incident, states: Mapping[str, TaskDone],
                   branches: Mapping[str, Branch] | None = None,
                   hr_destination: bool = True) -> str:
    """Return the CARE checklist as mrkdwn lines; owners come from the branch directory."""
    branch = (branches or {}).get(incident.branch or "")
    action = incident.answers.get("action_taken")
    decision = DECISION_WORDS.get(action or "", "supervisor notified") if action else "pending"
    c_done = "✅" if incident.submitted_at else "⬜"
    lines = [f"{c_done} C · report completed", f"{c_done} A · decision: {decision}"]
    owed = tasks_of(incident, states)
    for section in ("R", "E"):
        lines.append(f"*{SECTION_TITLES[section]}*")
        tasks = [task for task in owed if task.section == section]
        for task in tasks:
            lines.append(_task_line(task, incident, states.get(task.key), branch))
            if task.key == "reported_hr" and not hr_destination and task.key not in states:
                lines.append(NO_HR_DESTINATION)
        if section == "E" and client_status(incident.answers, identified(states)) == (
                NOT_A_CLIENT):
            lines.append("▫️ Not applicable: not a client")
    lines += _ended_early_lines(incident, states)
    return "\n".join(lines)


def _ended_early_lines(incident: Incident, states: Mapping[str, TaskDone]) -> list[str]:
    """After security closed its part early: who closed it, what it ended, what is owed."""
    closed = states.get(SECURITY_CLOSED)
    if closed is None:
        return []
    lines = [f"🏁 *Corporate Security & Risk's part closed early* by {mention(closed.by)} "
             f"{slack_date(closed.at)}"]
    ended = [task.label for task in ended_early(incident, states)]
    if ended:
        lines.append("▫️ Ended undone: " + "; ".join(ended))
    if "account_decision" not in states:
        lines.append("⏳ *Still owed:* the account decision (above); the incident closes when "
                     "it is recorded.")
    return lines


PICK_LABELS = {"supervisor": "Supervisor", "rxm": "RXM", "market_president": "Market President",
               "ics": "ICS", "account_officer": "Account officer"}


def named_by_reporter(incident: Incident) -> str:
    """The people the reporter picked: they are told; powers come from roles and the directory."""
    picked = [f"{label} {mention(incident.person(post))}"
              for post, label in PICK_LABELS.items() if incident.person(post)]
    return "Named by the reporter (told): " + " · ".join(picked) if picked else ""


def parent_message(
    incident: Incident,
    states: Mapping[str, TaskDone],
    next_due: float | None,
    branches: Mapping[str, Branch],
    audience: str = "",
    mentions: list[str] | None = None,
    hr_destination: bool = True,
    urgent: list[str] | None = None,
) -> dict[str, Any]:
    """The incident's parent message in a channel: summary, status, checklist, buttons.

    ``audience`` is "supervisors" or "security"; ``mentions`` are the people a danger alert
    (or an urgent report) pings there (they lead the text, so Slack notifies them);
    ``urgent`` the reasons the report is urgent, shown as "Urgent" and why.
    """
    ping = " ".join(mentions or [])
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(_headline(incident, bool(urgent)), 150)}]
    if urgent and not incident.danger:
        blocks.append(_urgent_block(urgent, ping))
    if incident.danger:
        blocks.append(_alert_block(incident, branches, audience, mentions or []))
    blocks.append({"type": "section", "fields": _summary_fields(incident, states, branches)})
    if incident.status == "alerted":
        blocks.append({"type": "context", "elements": [mrkdwn(
            "They were told to call 911 and get to safety. Their report is not finished yet: it "
            "is added to this thread when they submit it."
        )]})
    blocks.append({"type": "section", "text": mrkdwn(_status_line(incident, next_due))})
    if incident.status != "alerted":
        blocks.append({"type": "section", "text": mrkdwn(
            checklist_text(incident, states, branches, hr_destination))})
    # before the report is filed, the alert's people came from the directory, not the reporter
    picked = named_by_reporter(incident) if incident.submitted_at else ""
    if picked:
        blocks.append({"type": "context", "elements": [mrkdwn(picked)]})
    buttons = _parent_buttons(incident, audience, states)
    if buttons:
        blocks.append({"type": "actions", "block_id": "incident", "elements": buttons})
    text = _parent_text(incident, branches, bool(urgent))
    return _message(f"{ping} {text}" if ping else text, blocks)


def _summary_fields(incident: Incident, states: Mapping[str, TaskDone],
                    branches: Mapping[str, Branch]) -> list[dict[str, Any]]:
    """The parent message's fields: reference, danger, kinds, branch, people, the client."""
    answers = incident.answers
    fields = [
        mrkdwn(f"*Reference*\n{incident.ref}"),
        mrkdwn(f"*Immediate danger*\n{'*Yes*' if incident.danger else 'No'}"),
        mrkdwn(f"*Kinds*\n{kinds_label(answers)}"),
        mrkdwn(f"*Branch*\n{branch_label(answers, branches)}"),
        mrkdwn(f"*Reported by*\n{mention(incident.reporter)}"),
        mrkdwn(f"*Supervisor*\n{mention(answers.get('supervisor'))}"),
    ]
    if incident.submitted_at:
        found = client_status(answers, identified(states))
        fields.append(mrkdwn("*Client?*\n" + (
            "Not known yet: the ICS identifies" if found == CLIENT_NOT_KNOWN
            else CLIENT_STATUS[found])))
    if answers.get("supervisor_called"):
        fields.append(mrkdwn("*Supervisor called over*\nYes, while it happened"))
    return fields


def _alert_block(incident: Incident, branches: Mapping[str, Branch], audience: str,
                 mentions: list[str]) -> dict[str, Any]:
    """A danger alert's body, led by who it pings (the silent alarm's line first)."""
    body = alerts.alert_text(incident, branches, audience)
    ping = " ".join(mentions)
    lead = [ping] if ping else []
    if incident.police_call == POLICE_CANT_CALL:  # the silent alarm: that line first
        others = " ".join(m for m in mentions if m != alerts.HERE)
        lead = [alerts.cant_call_line(incident, branches), *([others] if others else [])]
    return {"type": "section", "text": mrkdwn("\n".join([*lead, body]))}


def _parent_text(incident: Incident, branches: Mapping[str, Branch], urgent: bool) -> str:
    """The parent message's notification text: what, which incident, where."""
    where = alerts.alert_where(incident, branches) if incident.danger else branch_label(
        incident.answers, branches)
    text = f"{_headline(incident, urgent)} at {where}"
    if incident.danger and incident.police_call == POLICE_CANT_CALL:
        text = f"CANNOT CALL 911: call law enforcement for them. {text}"
    return text


# Who presses Acknowledge in each channel (the supervisors' post, security's post).
ACK_ROLE = {"security": glossary.SECURITY}


def _parent_buttons(incident: Incident, audience: str = "",
                    states: Mapping[str, TaskDone] | None = None) -> list[dict[str, Any]]:
    """The parent's buttons; each role-specific one says whose it is (a channel sees all)."""
    if incident.status == "closed":
        return []
    if SECURITY_CLOSED in (states or {}):  # security closed early: the decision is left
        return checklist_button(incident.id)["elements"]
    value = str(incident.id)
    buttons: list[dict[str, Any]] = []
    if incident.danger and not incident.claimed_by and audience != "supervisors":
        buttons.append({
            "type": "button", "action_id": Action.CLAIM_ALERT.value, "style": "danger",
            "text": plain(glossary.whose(glossary.SECURITY, "I'm on it")), "value": value,
        })
    if not incident.acknowledged_at:
        role = ACK_ROLE.get(audience, glossary.SUPERVISOR)
        buttons.append({
            "type": "button", "action_id": Action.ACKNOWLEDGE.value, "style": "primary",
            "text": plain(glossary.whose(role, "acknowledge")), "value": value,
        })
        return buttons
    if not {"reported_hr", "reported_security"} <= set(states or {}):
        buttons.append(report_to_hr_button(incident.id))
    buttons.append({
        "type": "button", "action_id": Action.UPDATE_CHECKLIST.value,
        "text": plain("Update checklist"), "value": value,
    })
    return buttons


REPORT_TO_HR = glossary.whose(glossary.SUPERVISOR, "report to HR and CS&R")


def report_to_hr_button(incident_id: int) -> dict[str, Any]:
    """The supervisor's one action: send the Incident/Threat Notification to HR and CS&R."""
    return {
        "type": "button", "action_id": Action.REPORT_TO_HR.value, "style": "primary",
        "text": plain(REPORT_TO_HR), "value": str(incident_id),
        "confirm": {
            "title": plain("Report to HR and CS&R?", 100),
            "text": plain("CARE bot sends the guideline's Incident/Threat Notification to HR "
                          "and to Corporate Security & Risk, without client details.", 300),
            "confirm": plain("Send it", 30), "deny": plain("Not yet", 30),
        },
    }


def report_details(incident: Incident, branches: Mapping[str, Branch]) -> dict[str, Any]:
    """The thread reply with the full CARE answers, without the client's private details."""
    blocks = [{"type": "section", "text": mrkdwn(text)}
              for text in report_sections(incident.answers, branches, include_private=False)]
    return _message(f"Full CARE report for {incident.ref}", blocks)


def thread_note(text: str) -> dict[str, Any]:
    """A short thread reply; ``text`` must already be escaped mrkdwn."""
    return _message(text, [{"type": "section", "text": mrkdwn(text[:3000])}])


def checklist_button(incident_id: int) -> dict[str, Any]:
    """The "Update checklist" button, for DMs to people who are not in the channels."""
    return {"type": "actions", "block_id": "incident", "elements": [{
        "type": "button", "action_id": Action.UPDATE_CHECKLIST.value,
        "text": plain("Update checklist"), "value": str(incident_id),
    }]}


def with_checklist_button(message: dict[str, Any], incident_id: int) -> dict[str, Any]:
    """Add the "Update checklist" button under a message."""
    return {**message, "blocks": [*message["blocks"], checklist_button(incident_id)]}


def with_report_to_hr_button(message: dict[str, Any], incident_id: int) -> dict[str, Any]:
    """Add the "Report to HR and CS&R" and "Update checklist" buttons under a message."""
    actions = {"type": "actions", "block_id": "incident", "elements": [
        report_to_hr_button(incident_id), checklist_button(incident_id)["elements"][0]]}
    return {**message, "blocks": [*message["blocks"], actions]}


CSR_SPELLED = escape(glossary.spelled("CS&R"))  # "Corporate Security &amp; Risk (CS&amp;R)"


def reporter_confirmation(incident: Incident, settings: Any = None,
                          delivered: bool = True) -> dict[str, Any]:
    """The DM that thanks the associate, says who is told and what happens next and when.

    ``delivered`` is False while the channel posts are still on their way (Slack failing):
    then it says so instead of claiming that people have been notified.
    """
    answers = incident.answers
    supervisor, ics = answers.get("supervisor"), answers.get("ics")
    reminders = getattr(settings, "reminders", None)
    # No supervisor named (a supervisor reporting at their own branch): the supervisors'
    # channel has it, so say that rather than "your supervisor (—)".
    boss = (f"your supervisor ({mention(supervisor)})" if supervisor else
            "the supervisors (their channel)")
    told = (f"{boss[0].upper()}{boss[1:]} and {CSR_SPELLED} "
            "have been notified." if delivered else
            f"Your report is saved, and the notifications to {boss} "
            f"and {CSR_SPELLED} are on their way.")
    when = ""
    if reminders is not None:
        first = reminders.danger_ack_reminder if incident.danger else reminders.ack_reminder
        when = f" If nobody acknowledges it within {spoken_duration(first)}, we remind them."
        ics_when = f" within {spoken_duration(reminders.evaluate_deadline)}"
    else:
        ics_when = ""
    support = getattr(settings, "support_text", "") or ""
    answer = client_answer(answers)
    if answer == CLIENT:
        yours = (f"*Next for you:* tell your {glossary.spelled('ICS')}, {mention(ics)},"
                 f"{ics_when}, then press *{glossary.TOLD_ICS}* below. Client details you gave "
                 "stay private.")
    elif answer == CLIENT_NOT_KNOWN:
        yours = (f"*Next:* your {glossary.spelled('ICS')} is asked to identify the "
                 "client, if there is one. Nothing else is needed from you.")
    else:
        yours = "The person is not a client, so there is no account work for you."
    text = (
        f"Thank you for reporting *{incident.ref}*. {told}\n"
        f"*What happens next:* your supervisor acknowledges the report and reports it to HR "
        f"and {CSR_SPELLED}.{when} You will hear from us here when it is "
        f"acknowledged.\n{yours}"
    )
    if support:
        text += f"\n{safe(support, 2000)}"
    message = thread_note(text)
    if answer != CLIENT:
        return message
    button = {"type": "actions", "block_id": "incident", "elements": [{
        "type": "button", "action_id": Action.ICS_NOTIFIED.value, "style": "primary",
        "text": plain(glossary.TOLD_ICS), "value": str(incident.id),
    }]}
    return {**message, "blocks": [*message["blocks"], button]}


def ics_marked(incident: Incident) -> dict[str, Any]:
    """The confirmation DM after the associate pressed that they told their ICS."""
    return thread_note(f":white_check_mark: Thank you: telling your {glossary.spelled('ICS')} "
                       f"is marked done on {incident.ref}.")


def unsaved_alert(incident: Incident, branches: Mapping[str, Branch], audience: str,
                  mentions: list[str]) -> dict[str, Any]:
    """A danger alert posted directly because CARE bot could not save it (no buttons)."""
    ping = " ".join(mentions)
    body = alerts.alert_text(incident, branches, audience)
    text = (f"{ping}\n:rotating_light: *CARE bot could not save this alert* (its database "
            f"failed), so it has no reference or buttons. Treat it as live.\n{body}")
    return {"text": f"{ping} Immediate danger at {alerts.alert_where(incident, branches)}",
            "blocks": [{"type": "section", "text": mrkdwn(text[:3000])}]}
