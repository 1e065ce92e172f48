"""Short thread replies and DMs about an incident's progress, each {"text", "blocks"}.

User text is escaped here; the callers pass only domain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from care_bot.config import Branch
from care_bot.domain import glossary
from care_bot.domain.care import (
    ACCOUNT_DECISIONS,
    CLIENT_NOT_KNOWN,
    NOT_A_CLIENT,
    PERSON_LABELS,
    REVIEW,
    Task,
    client_answer,
)
from care_bot.domain.models import Incident
from care_bot.ids import Action
from care_bot.views.care_after import review_button
from care_bot.views.messages import thread_note, with_checklist_button
from care_bot.views.summary import report_sections
from care_bot.views.text import mention, mrkdwn, plain, safe, slack_date

# Channel buttons say whose they are (see glossary.whose).
IDENTIFY_LABEL = glossary.whose(glossary.ICS_ROLE, "identify the client")

NOTE_LIMIT = 1000

Message = dict[str, Any]


def ack_reminder(incident: Incident) -> Message:
    """First rung: remind the incident's supervisor in the supervisors thread."""
    return thread_note(
        f":bell: Reminder: *{incident.ref}* is waiting for acknowledgement. "
        f"{mention(incident.person('supervisor'))}, please acknowledge above."
    )


def ack_escalation(incident: Incident) -> Message:
    """Escalation in the supervisors thread, naming the next-level manager."""
    return thread_note(
        f":rotating_light: Escalation: *{incident.ref}* is still not acknowledged. "
        f"{mention(incident.person('rxm'))}, please make sure someone acknowledges it."
    )


def ack_escalation_for_security(incident: Incident) -> Message:
    """Escalation in the security thread."""
    return thread_note(
        f":rotating_light: *{incident.ref}* is still not acknowledged by its supervisor; "
        "the next-level manager has been told."
    )


def ack_needed_dm(incident: Incident) -> Message:
    """The DM to the supervisor when the report is still not acknowledged."""
    return thread_note(
        f"*{incident.ref}* needs your acknowledgement: a threat was reported at your branch. "
        "Open the supervisors channel to acknowledge it."
    )


def ack_overdue(incident: Incident) -> Message:
    """The last rung: the incident stays flagged as overdue in the security thread."""
    return thread_note(
        f":red_circle: *{incident.ref}* is overdue: still not acknowledged after every "
        "reminder. It stays flagged until someone acknowledges it."
    )


def alert_waiting(incident: Incident, where: str, waited: str) -> str:
    """ "Ava Associate (Harbor Street) has waited 2 min with no responder"."""
    name = safe(incident.answers.get("associate_name"), 150) or mention(incident.reporter)
    return f"{name} ({where}) has waited {waited} with no responder"


def danger_page(incident: Incident, waiting: str, mentions: list[str],
                broadcast: bool = True) -> Message:
    """A re-page in an alert's thread; shown in the channel too unless ``broadcast`` is off."""
    ping = " ".join(mentions)
    text = (f"{ping} :rotating_light: *{incident.ref}: {waiting}.* Press *I'm on it* (or "
            "*Acknowledge*) on the alert above to take it; paging stops only then.")
    message = thread_note(text.strip())
    return {**message, "reply_broadcast": True} if broadcast else message


def danger_page_dm(incident: Incident, waiting: str) -> Message:
    """A re-page by DM, which reaches a phone even when the channel is muted."""
    return thread_note(
        f":rotating_light: *{incident.ref}: someone may be in immediate danger. {waiting}.* "
        "Open the alert in the security or supervisors channel and press *I'm on it* to take "
        "it. Call 911 if nobody has."
    )


def pressed_again(incident: Incident, when: str, mentions: list[str]) -> Message:
    """The loud reply when the associate presses the danger button again on an open alert."""
    ping = " ".join(mentions)
    name = safe(incident.answers.get("associate_name"), 150) or mention(incident.reporter)
    text = (f"{ping} :rotating_light: *{name} pressed the danger button again at {when}* "
            f"({incident.ref}). They may still be in danger: contact them now.")
    return {**thread_note(text.strip()), "reply_broadcast": True}


def _mentions(users: list[str]) -> str:
    return ", ".join(mention(u) for u in users) or "—"


def task_due(incident: Incident, task: Task, owners: list[str],
             with_button: bool = False) -> Message:
    """A task's deadline has come: remind whoever can complete it."""
    how = "and record the decision " if task.note_required else ""
    where = "the *Post-incident review* form" if task.key == REVIEW else "*Update checklist*"
    message = thread_note(
        f":hourglass: Due now on *{incident.ref}*: {task.label}. "
        f"{_mentions(owners)}, please complete it {how}with {where}."
    )
    if not with_button:
        return message
    if task.key == REVIEW:
        button = {"type": "actions", "block_id": "incident",
                  "elements": [review_button(incident.id)]}
        return {**message, "blocks": [*message["blocks"], button]}
    return with_checklist_button(message, incident.id)


def task_overdue(incident: Incident, task: Task, owners: list[str],
                 next_level: list[str]) -> Message:
    """A task is past due: tell the next level."""
    return thread_note(
        f":warning: Past due on *{incident.ref}*: {task.label} "
        f"(owner: {_mentions(owners)}). "
        + (f"{_mentions(next_level)}, as {PERSON_LABELS[task.next_level]}, please follow up."
           if task.next_level else "Please follow up.")
    )


def rxm_escalation_dm(incident: Incident) -> Message:
    """The Regional Experience Manager's DM when a report is still not acknowledged."""
    return thread_note(
        f":rotating_light: *{incident.ref}* is still not acknowledged by a supervisor. As the "
        "Regional Experience Manager, please make sure someone acknowledges it in the "
        "supervisors channel."
    )


def rxm_danger_dm(incident: Incident, where: str) -> Message:
    """The Regional Experience Manager's DM when someone is in immediate danger."""
    return thread_note(
        f":rotating_light: *{incident.ref}*: an associate reported *immediate danger* at "
        f"{where}. They were told to call 911. The supervisors and Corporate Security & Risk "
        "have been alerted; please make sure someone is on it."
    )


def market_president_dm(incident: Incident, where: str, kinds: str, acknowledged_by: str,
                        ) -> Message:
    """The Market President's DM on acknowledgement: reference and summary, no private details."""
    danger = " Someone was in *immediate danger*." if incident.danger else ""
    return thread_note(
        f"For your information as Market President: *{incident.ref}*, a threat was reported "
        f"at {where} ({kinds}).{danger} {mention(acknowledged_by)} acknowledged it."
        + _account_part(incident)
    )


def _account_part(incident: Incident) -> str:
    answer = client_answer(incident.answers)
    if answer == NOT_A_CLIENT:
        return " The person is not a client: there is no account decision to make."
    if answer == CLIENT_NOT_KNOWN:
        return (" The Internal Control Specialist (ICS) is identifying whether the person is a "
                "client; if so, you will be asked for the account decision.")
    return (" Delivery / local management will decide on the client's account; you will be "
            "asked for that decision.")


def identify_request(incident: Incident) -> Message:
    """The ICS's DM when the associate did not know whether the person is a client."""
    message = thread_note(
        f"*{incident.ref}*: an associate reported a threat and did not know whether the person "
        "is a client. As the Internal Control Specialist (ICS), please *identify the client, "
        "if there is one*. If it is a client, the account tasks start then; if not, there is "
        "no account work."
    )
    button = {"type": "actions", "block_id": "incident", "elements": [{
        "type": "button", "action_id": Action.IDENTIFY_CLIENT.value, "style": "primary",
        "text": plain(IDENTIFY_LABEL), "value": str(incident.id)}]}
    return {**message, "blocks": [*message["blocks"], button]}


def client_identified(incident: Incident, user_id: str, client: bool) -> Message:
    """The thread reply when the ICS has identified the person (no name in the channel)."""
    if client:
        return thread_note(f"🔎 {mention(user_id)} identified the person on {incident.ref} as a "
                           "client. The account tasks are on the checklist now.")
    return thread_note(f"🔎 {mention(user_id)} found that the person on {incident.ref} is not "
                       "a client: there is no account work.")


def acknowledged(incident: Incident, user_id: str) -> Message:
    """The thread reply when someone acknowledges."""
    return thread_note(f"✅ {mention(user_id)} acknowledged {incident.ref}.")


def acknowledged_dm(incident: Incident, user_id: str) -> Message:
    """The reporter's DM when their report is acknowledged."""
    return thread_note(
        f"Your report *{incident.ref}* was acknowledged by {mention(user_id)}. "
        "They will follow up with you."
    )


def task_completed(task: Task, user_id: str, note: str) -> Message:
    """The thread reply when a checklist task is done, with the note escaped."""
    text = f"✅ {task.label} · {mention(user_id)}"
    if note.strip():
        text += f"\n>{safe(note.strip(), NOTE_LIMIT)}"
    return thread_note(text)


def account_decided(incident: Incident, decision: str, user_id: str) -> Message:
    """The thread reply for the account decision; the rationale stays in the record."""
    return thread_note(
        f"⚖️ Account decision on {incident.ref}: *{ACCOUNT_DECISIONS[decision]}* · "
        f"{mention(user_id)}. The rationale is recorded."
    )


def closed(incident: Incident, user_id: str, reason: str | None) -> Message:
    """The thread reply when an incident closes, by completion or early with a reason."""
    if reason is None:
        return thread_note(f"🏁 Every CARE step is done: {incident.ref} is closed.")
    return thread_note(
        f"🏁 {mention(user_id)} closed {incident.ref} early.\n>{safe(reason, NOTE_LIMIT)}"
    )


def closed_dm(incident: Incident) -> Message:
    """The reporter's DM when their report is closed."""
    return thread_note(
        f"Your report *{incident.ref}* is now closed. Thank you for reporting it."
    )


def delivery_failed(ref: str, where: str, reason: str) -> Message:
    """Security's warning that a post could not be made at all."""
    return thread_note(
        f":warning: CARE bot could not post {ref or 'a message'} to {where}: `{reason}`. "
        "Check that the channel exists and the bot is a member."
    )


def delivery_stuck(ref: str, where: str, reason: str, minutes: int) -> Message:
    """Security's warning that a post has been waiting a long time."""
    return thread_note(
        f":hourglass: CARE bot has been trying for over {minutes} min to post "
        f"{ref or 'a message'} to {where} (last error: `{reason}`). "
        "It keeps trying; check Slack's status and the bot's channels."
    )


def downtime(started_at: float, ended_at: float) -> Message:
    """Security's notice, once the bot is back, that /threat failed for a while."""
    return thread_note(
        f":rotating_light: CARE bot was unavailable from {slack_date(started_at)} to "
        f"{slack_date(ended_at)}. Anyone who tried /threat then saw an error: "
        "please check with your branches."
    )


def incident_threat_notification(incident: Incident, *, sender: str, rxm: list[str],
                                 market_president: list[str], where: str,
                                 supervisor: str | None = None) -> Message:
    """The guideline's Incident/Threat Notification for HR and CS&R; never client details.

    ``supervisor`` is the branch's supervisor; with none, whoever acknowledged is named and
    labelled as such. Law enforcement is what the associate said on the danger screen, then
    what the report says.
    """
    answers = incident.answers
    officer = _law_enforcement(answers, incident.police_call)
    if supervisor:
        boss = mention(supervisor)
    elif incident.acknowledged_by:
        boss = (f"{mention(incident.acknowledged_by)} (acknowledged the report; no branch "
                "supervisor on file)")
    else:
        boss = f"{mention(sender)} (sent this notification; no branch supervisor on file)"
    fields = [
        ("Associate reporting the threat",
         f"{safe(answers.get('associate_name'), 200) or mention(incident.reporter)} · "
         f"{safe(answers.get('associate_position'), 200) or 'position not given'} · "
         f"{safe(answers.get('associate_location'), 300) or where}"),
        ("Supervisor", boss),
        ("Regional Experience Manager (RXM) or next-level management", _mentions(rxm)),
        ("Market President", _mentions(market_president)),
        ("Local law enforcement / 911", officer),
        ("Reference", incident.ref),
    ]
    lines = [f"*{label}:* {value}" for label, value in fields]
    danger = " · :rotating_light: *immediate danger*" if incident.danger else ""
    text = (f":clipboard: *Incident/Threat Notification* · {incident.ref}{danger}\n"
            + "\n".join(lines)
            + f"\nSent by {mention(sender)} through CARE bot. Client details are not included.")
    return thread_note(text)


def for_hr(notification: Message, shown: Incident, branches: Mapping[str, Branch]) -> Message:
    """HR's copy of the notification: the report itself follows, as the privacy rule lets HR
    read it (``shown`` is already masked: no client name, accounts or their mentions).

    HR cannot open the security thread, so nothing here points there.
    """
    if shown.submitted_at is None:
        after = ("_The associate has not finished their report yet. HR gets it here when "
                 "they submit it._")
        return {**notification, "blocks": [*notification["blocks"],
                                           {"type": "context", "elements": [mrkdwn(after)]}]}
    return {**notification, "blocks": [*notification["blocks"], {"type": "divider"},
                                       *_report_blocks(shown, branches)][:50]}


def _report_blocks(shown: Incident, branches: Mapping[str, Branch]) -> list[dict[str, Any]]:
    sections = report_sections(shown.answers, branches, include_private=False)
    return [{"type": "section", "text": mrkdwn(
                f"*The report, {shown.ref}* (without the client's details)")},
            *({"type": "section", "text": mrkdwn(text)} for text in sections)]


def hr_report_follow_up(shown: Incident, branches: Mapping[str, Branch]) -> Message:
    """The report HR was promised: sent once the associate files it after the notification."""
    return {"text": f"The report for {shown.ref}, filed after the notification",
            "blocks": _report_blocks(shown, branches)[:50]}


POLICE_SAID = {
    "called": "the associate called 911 (said on the danger screen)",
    "cant_call": ("the associate could not call and asked security to call 911 for them "
                  "(said on the danger screen)"),
}


def _law_enforcement(answers: dict, police_call: str | None = None) -> str:
    said = POLICE_SAID.get(police_call or "")
    if answers.get("action_taken") != "law_enforcement":
        return said or "not contacted"
    parts = [said] if said else []
    parts.append(safe(answers.get("agency"), 200) or "agency not given")
    if answers.get("officer_name"):
        parts.append(f"name of officer: {safe(answers.get('officer_name'), 200)}")
    else:
        parts.append("name of officer not given")
    if answers.get("police_report"):
        parts.append(f"report no. {safe(answers.get('police_report'), 100)}")
    return ", ".join(parts)


def hr_reported(user_id: str, destination: str) -> Message:
    """The thread reply when the supervisor's notification has gone to HR and CS&R."""
    return thread_note(
        f"📨 {mention(user_id)} reported the incident to HR ({destination}) and to Corporate "
        "Security & Risk with the Incident/Threat Notification."
    )


def report_to_hr_prompt(incident: Incident, taker: str | None = None) -> Message:
    """The supervisor's DM once the alert or report is taken: the one step to report onwards.

    ``taker`` is someone else who took it (a security member's "I'm on it").
    """
    first = (f"{mention(taker)} took *{incident.ref}*." if taker
             else f"You acknowledged *{incident.ref}*.")
    return thread_note(
        f"{first} Next, as the guideline asks, report it to Human "
        "Resources and Corporate Security & Risk: one click sends the Incident/Threat "
        "Notification to both (no client details)."
    )
