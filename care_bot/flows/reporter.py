"""The associate's steps outside the modal: "ICS notified" and a reported message."""

from __future__ import annotations

from typing import Any

from care_bot.flows import tracking
from care_bot.flows.answers import replace_message, tell_by_dm
from care_bot.flows.gate import Outcome
from care_bot.services import Services
from care_bot.storage import incidents
from care_bot.views import messages
from care_bot.views.text import clean_typed, clip

WHAT_HAPPENED_LIMIT = 3000


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


def mark_ics_notified(services: Services, user_id: str, incident_id: int,
                      channel: str | None, ts: str | None) -> Outcome:
    """Mark the associate's own step "ICS notified" from the DM or Home button."""
    outcome = tracking.complete_tasks(services, user_id, incident_id, ["ics_notified"], "")
    if outcome.message:
        tell_by_dm(services, user_id, outcome.message)
        return outcome
    with services.store.reading() as db:
        incident = incidents.get_incident(db, incident_id)
    if incident is not None:
        replace_message(services, channel, ts, messages.ics_marked(incident))
    return outcome
