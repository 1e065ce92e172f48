"""The associate's steps outside the modal: "ICS notified", wellbeing, a reported message."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from care_bot.flows import posting, tracking
from care_bot.flows.services import Services
from care_bot.storage import incidents
from care_bot.views import alerts, messages
from care_bot.views.text import clean_typed, clip

logger = logging.getLogger(__name__)

WHAT_HAPPENED_LIMIT = 3000
EVENT_WELLBEING_OK = "wellbeing_ok"
EVENT_WELLBEING_CONTACT = "wellbeing_contact_requested"


def permalink(team_domain: str, channel_id: str, ts: str, thread_ts: str | None = None) -> str:
    """Build a message's permalink without a Web API call (the trigger lasts 3 seconds).

    A thread reply's link names its thread, as Slack's own permalinks do, so it opens there.
    """
    link = f"https://{team_domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel_id}"
    return link


def from_message(shortcut: dict[str, Any]) -> dict[str, Any]:
    """The "what happened" answer pre-filled from a reported message: its text and permalink."""
    message = shortcut.get("message") or {}
    text = clean_typed(message.get("text") or "").strip()  # saved in the draft: cleaned first
    channel = (shortcut.get("channel") or {}).get("id") or ""
    domain = (shortcut.get("team") or {}).get("domain") or "app"
    ts = message.get("ts") or shortcut.get("message_ts") or ""
    link = permalink(domain, channel, ts, message.get("thread_ts")) if channel and ts else ""
    suffix = f"\n\nReported message: {link}" if link else ""
    body = clip(text, WHAT_HAPPENED_LIMIT - len(suffix)) if text else ""
    answer = (body + suffix).strip()
    return {"what_happened": answer} if answer else {}


def _replace(services: Services, channel: str | None, ts: str | None, message: dict) -> None:
    if not (channel and ts):
        return
    try:
        services.slack.update(channel, ts, message)
    except SlackApiError as error:
        logger.info("could not update the associate's DM: %s", error.response.get("error"))


def mark_ics_notified(services: Services, user_id: str, incident_id: int,
                      channel: str | None, ts: str | None) -> tracking.Outcome:
    """Mark the associate's own step "ICS notified" from the DM or Home button."""
    outcome = tracking.complete_tasks(services, user_id, incident_id, ["ics_notified"], "")
    if outcome.message:
        _tell(services, user_id, outcome.message)
        return outcome
    with services.store.reading() as db:
        incident = incidents.get_incident(db, incident_id)
    if incident is not None:
        _replace(services, channel, ts, messages.ics_marked(incident))
    return outcome


def _tell(services: Services, user_id: str, text: str) -> None:
    try:
        services.slack.post(services.slack.open_dm(user_id), {"text": text})
    except SlackApiError as error:
        logger.info("could not answer the associate: %s", error.response.get("error"))


def _contacts(services: Services, incident) -> list[str]:
    """HR's members, or the branch's supervisor when there is no HR role.

    With neither (no branch, no supervisor named), the ``supervisors`` role: a request to be
    contacted always reaches someone.
    """
    hr = sorted(services.roles.members("hr"))
    if hr:
        return hr
    supervisor = alerts.branch_supervisor(incident, services.settings.branches)
    supervisor = supervisor or incident.answers.get("supervisor")
    if supervisor and supervisor != incident.reporter:
        return [supervisor]
    return sorted(m for m in services.roles.members("supervisors") if m != incident.reporter)


def wellbeing_answer(services: Services, user_id: str, incident_id: int, contact: bool,
                     channel: str | None, ts: str | None) -> bool:
    """Record the check-in answer; "contact me" DMs HR (or the supervisor) the reference only."""
    now = services.clock()
    action = EVENT_WELLBEING_CONTACT if contact else EVENT_WELLBEING_OK
    with services.store.transaction() as db:
        incident = incidents.get_incident(db, incident_id)
        if incident is None:
            gone = True
        elif incident.reporter != user_id:
            return False
        else:
            gone = False
            already = any(e.action == action for e in incidents.list_events(db, incident.id))
            if not already:
                targets = _contacts(services, incident) if contact else []
                incidents.append_event(db, incident.id, actor=user_id, action=action,
                                       surface="dm", now=now, detail={"told": targets})
                for target in targets:
                    posting.queue_dm(db, incident.id, target,
                                     f"incident:{incident.id}:wellbeing_contact",
                                     messages.wellbeing_contact_request(incident), now)
    if gone:
        _tell(services, user_id, tracking.GONE)
        return False
    services.wake_sweep()
    _replace(services, channel, ts, messages.wellbeing_answered(incident, contact))
    return True
