"""The danger alert's modal: the emergency screen, the unsaved-alert screen, "You are safe".

Pure builders. The title never says "sent": the status block says what really happened, and
the screen is updated in place (views.update) as the alert's state changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from care_bot.config import Branch
from care_bot.domain.care import POLICE_CALL_LABELS, POLICE_CALLED, POLICE_CANT_CALL, Step
from care_bot.domain.models import Incident
from care_bot.ids import Action, Callback
from care_bot.views.alert_status import PROMISE, SENDING, AlertStatus, status_text
from care_bot.views.drill import mark_view
from care_bot.views.home import HOME_DANGER_TEXT, danger_button
from care_bot.views.metadata import ModalRef, encode
from care_bot.views.text import escape, mention, mrkdwn, plain

EMERGENCY_TITLE = "Danger alert"


def emergency_view(incident: Incident, draft_id: str, supervisor: str | None = None,
                   security_phone: str | None = None, status: AlertStatus | None = None,
                   branches: Mapping[str, Branch] | None = None) -> dict[str, Any]:
    """The danger screen: where the alert stands, what happens next, the 911 answer, "safe".

    It never says the alert was sent before Slack accepted it: ``status`` (from the stored
    state) says "Sending your alert…", "Delivered … at …", who is on it, or "Not delivered
    yet"; the screen is updated in place as that changes.
    """
    if supervisor == incident.reporter:
        supervisor = None  # the supervisor is the one in danger: the supervisors role is told
    told = f"{mention(supervisor)} (your supervisor)" if supervisor else (
        "the supervisors on duty")
    dm = " Your supervisor also gets a direct message." if supervisor else ""
    if incident.police_call == POLICE_CALLED:
        police = ":white_check_mark: You said you have called 911. Security can see that."
    elif incident.police_call == POLICE_CANT_CALL:
        police = (":white_check_mark: *You asked security to call 911 for you.* "
                  "Stay where you are safest.")
    else:
        police = "Could you call 911? Tell security here, one tap:"
    desk = f"\nSecurity desk: *{escape(security_phone)}*" if security_phone else ""
    state = status_text(status or AlertStatus(SENDING), branches or {}, incident.branch,
                        security_phone)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain("Get to a safe place. Call 911 if you can.", 150)},
        {"type": "section", "block_id": "alert_status", "text": mrkdwn(state)},
        {"type": "section", "text": mrkdwn(
            f"Reference *{incident.ref}*.{desk}\n*What happens next:* your alert goes to "
            f"Corporate Security & Risk and {told}. {PROMISE}{dm} "
            "Do not confront the person."
        )},
        {"type": "section", "text": mrkdwn(police)},
    ]
    if incident.police_call is None:
        blocks.append({"type": "actions", "block_id": "police", "elements": [
            {"type": "button", "action_id": Action.POLICE_CALLED.value,
             "text": plain(POLICE_CALL_LABELS[POLICE_CALLED]), "value": str(incident.id)},
            {"type": "button", "action_id": Action.POLICE_CANT_CALL.value, "style": "danger",
             "text": plain(POLICE_CALL_LABELS[POLICE_CANT_CALL]), "value": str(incident.id)},
        ]})
    blocks.append(_finish_later_block(draft_id))
    view = {
        "type": "modal",
        "callback_id": Callback.EMERGENCY.value,
        "title": plain(EMERGENCY_TITLE, 24),
        "submit": plain("I'm safe now", 24),
        "close": plain("Close", 24),
        "notify_on_close": True,
        "private_metadata": encode(ModalRef(draft_id=draft_id, step=Step.SAFETY.value,
                                            incident_id=incident.id)),
        "blocks": blocks,
    }
    return mark_view(view) if incident.drill else view


def unsaved_alert_view(security_phone: str | None = None, status_line: str | None = None
                       ) -> dict[str, Any]:
    """The danger screen when saving failed: the alert is being sent to security directly.

    ``status_line`` is what the direct send achieved so far ("Sending your alert…" until
    Slack answered); the screen is updated in place when it changes.
    """
    desk = (f"\nSecurity desk: *{escape(security_phone)}*" if security_phone else "")
    return {
        "type": "modal",
        "callback_id": Callback.EMERGENCY.value,
        "title": plain(EMERGENCY_TITLE, 24),
        "close": plain("Close", 24),
        "blocks": [
            {"type": "header", "text": plain("Get to a safe place. Call 911 if you can.", 150)},
            {"type": "section", "block_id": "alert_status", "text": mrkdwn(
                status_line or ":hourglass_flowing_sand: *Sending your alert…*")},
            {"type": "section", "text": mrkdwn(
                "CARE bot could not save your report, so it is sending the alert straight to "
                f"Corporate Security &amp; Risk and the supervisors.{desk}\n"
                "Call 911 yourself if you can: this alert has no reference yet."
            )},
        ],
    }


def _finish_later_block(draft_id: str) -> dict[str, Any]:
    return {"type": "actions", "block_id": "finish", "elements": [
        {"type": "button", "action_id": Action.FINISH_REPORT.value,
         "text": plain("Finish the report"), "value": draft_id},
    ]}


def safe_view(incident: Incident, draft_id: str, safe_at_text: str) -> dict[str, Any]:
    """After "I'm safe now": what was recorded and posted, and the report for later."""
    view = {
        "type": "modal",
        "callback_id": Callback.SAFE_NOW.value,
        "title": plain("You are safe", 24),
        "close": plain("Done", 24),
        "private_metadata": encode(ModalRef(draft_id=draft_id, incident_id=incident.id)),
        "blocks": [
            {"type": "section", "text": mrkdwn(
                f"Thank you. Security and your supervisor are being told, in the alert's threads, "
                f"that you {safe_at_text} "
                f"({incident.ref})."
            )},
            {"type": "context", "elements": [mrkdwn(
                "Finish the report when you are ready: now, or later with `/threat`. "
                "Nothing you entered is lost."
            )]},
            _finish_later_block(draft_id),
        ],
    }
    return mark_view(view) if incident.drill else view


def could_not_open(security_phone: str | None = None) -> dict[str, Any]:
    """/threat's answer when Slack would not open the form: what to do, and the alert button."""
    desk = f" Security desk: *{escape(security_phone)}*." if security_phone else ""
    text = ("Could not open the form. In danger? Call 911, then press "
            f"*{HOME_DANGER_TEXT}* below: it alerts security with no form.{desk}\n"
            "Not in danger? Type `/threat` again in a moment to report.")
    return {"response_type": "ephemeral", "replace_original": False,
            "text": "Could not open the form. In danger? Call 911, then press the alert button.",
            "blocks": [{"type": "section", "text": mrkdwn(text)},
                       {"type": "actions", "block_id": "care_threat_fallback",
                        "elements": [danger_button()]}]}


def alert_without_screen(ref: str | None, security_phone: str | None = None) -> dict[str, Any]:
    """The answer to an alert tap when Slack would not show its screen."""
    desk = f" Security desk: *{escape(security_phone)}*." if security_phone else ""
    where = f" ({ref})" if ref else ""
    text = (f"*Your danger alert{where} is going out now.* Call 911 if you can.{desk} "
            "CARE bot's direct message to you shows when it is delivered and who takes it.")
    return {"response_type": "ephemeral", "replace_original": False, "text": text,
            "blocks": [{"type": "section", "text": mrkdwn(text)}]}
