"""The supervisor's one action: report to HR and Corporate Security & Risk.

"Your supervisor … must report it to Human Resources (HR) and Corporate Security and Risk."
The bot sends the guideline's Incident/Threat Notification to HR (`[channels] hr`, or else a DM
to each `hr` role member) and to the security thread, then both tasks show done with who and
when. It never carries client details. With no HR destination configured, CS&R is still told,
and "Reported to HR" stays open for the supervisor to tick once they told HR themselves.
"""

from __future__ import annotations

from care_bot.domain import care
from care_bot.domain.masking import masked_incident
from care_bot.flows import closing, gate
from care_bot.flows import tracking as tracking_flow
from care_bot.flows.gate import Outcome
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import incidents
from care_bot.views import notices
from care_bot.views.summary import branch_label
from care_bot.views.text import mention, slack_date

EVENT_HR_NOTIFIED = "hr_notification_sent"


def hr_destination(services: Services) -> str | None:
    """"channel" with `[channels] hr`, "dm" with `hr` role members, else None."""
    if services.settings.hr_channel:
        return "channel"
    if services.roles.snapshot().get(care.ROLE_HR):
        return "dm"
    return None


def report(services: Services, user_id: str, incident_id: int, surface: str
           ) -> Outcome:
    """Send the Incident/Threat Notification to HR and CS&R; both tasks become done."""
    destination = hr_destination(services)
    settings = services.settings
    with services.store.transaction() as db:
        checked = gate.check(db, services, user_id, incident_id, care.REPORT_TO_HR_AND_SECURITY,
                             "report_to_hr", surface, closed="{ref} is already closed.",
                             settled=lambda i, s: closing.settled_by_early_close(services, i, s))
        if isinstance(checked, Outcome):
            return checked
        incident, branch, states, roles, now = (checked.incident, checked.branch, checked.states,
                                                checked.roles, checked.now)
        if incident.drill:
            destination = None  # issue 21: HR is never told about a drill
        if "reported_security" in states and ("reported_hr" in states or destination is None):
            done = states["reported_security"]
            return Outcome(message=(
                f"{incident.ref} was already reported to HR and CS&R by "
                f"{mention(done.by)} at {slack_date(done.at)}."))
        message, for_hr = (notices.incident_threat_notification(
            shown, sender=user_id, rxm=care.told(incident, "rxm", branch),
            market_president=care.told(incident, "market_president", branch),
            where=branch_label(shown.answers, settings.branches),
            supervisor=care.branch_person(branch, "supervisor"),
        ) for shown in (incident, masked_incident(incident)))  # HR is outside the privacy rule
        hr_copy = notices.for_hr(for_hr, masked_incident(incident), settings.branches)
        recipients = _send_to_hr(db, services, incident, destination, hr_copy, roles, now)
        posting.queue_thread_reply(db, settings, incident.id, "security", "hr_notification",
                                   message, now)
        incidents.append_event(db, incident.id, actor=user_id, action=EVENT_HR_NOTIFIED,
                               surface=surface, now=now,
                               detail={"destination": destination or "none",
                                       "recipients": recipients})
        note = "Incident/Threat Notification sent by CARE bot"
        tracking_flow.complete_quietly(db, services, incident, user_id, "reported_security",
                                       note, now, states)
        if destination:
            tracking_flow.complete_quietly(db, services, incident, user_id, "reported_hr",
                                           note, now, states)
        where = {"channel": "the HR channel", "dm": "by DM to HR"}.get(destination or "",
                                                                        "not configured")
        posting.reply_in_both_threads(db, settings, incident.id, f"hr_reported:{now}",
                                      notices.hr_reported(user_id, where), now)
        tracking_flow.close_if_done(db, services, incident, now)
        posting.queue_refresh(db, incident.id, now)
    services.wake_sweep()
    return _outcome(incident, destination)


def _outcome(incident, destination: str | None) -> Outcome:
    """What the supervisor is told where they clicked."""
    if incident.drill:
        return Outcome(message=(
            f"DRILL: the notification for {incident.ref} went to Corporate Security & Risk "
            "only. HR is never told about a drill."))
    if destination is None:
        return Outcome(message=(
            f"Corporate Security & Risk has the notification for {incident.ref}. No HR "
            "destination is configured, so HR was not told: tell HR yourself, then tick "
            "\"Reported to HR\" in the checklist."))
    return Outcome(message=(
        f"Sending the Incident/Threat Notification for {incident.ref} to HR and Corporate "
        "Security & Risk now. Both tasks are done."))


def report_to_hr_after_submit(db, services: Services, incident, now: float) -> None:
    """HR was notified while the danger alert's report was unfinished: now that it is filed,
    HR gets the report too, where the notification went (masked, as the privacy rule asks)."""
    sent = [e for e in incidents.list_events(db, incident.id) if e.action == EVENT_HR_NOTIFIED]
    destination = sent[-1].detail.get("destination") if sent else None
    if destination not in ("channel", "dm"):
        return
    report = notices.hr_report_follow_up(masked_incident(incident), services.settings.branches)
    _send_to_hr(db, services, incident, destination, report, services.roles.snapshot(), now,
                "hr_report")


def _send_to_hr(db, services: Services, incident, destination: str | None, message: dict,
                roles, now: float, what: str = "hr_notification") -> list[str]:
    key = f"incident:{incident.id}:{what}"
    if destination == "channel":
        posting.queue_channel_post(db, incident.id, services.settings.hr_channel, key, message,
                                   now)
        return [services.settings.hr_channel]
    if destination == "dm":
        members = sorted(roles.get(care.ROLE_HR, ()))
        for member in members:
            posting.queue_dm(db, incident.id, member, key, message, now)
        return members
    return []
