"""Care after an incident (issue 21): the associate's check-ins and the post-incident review."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from care_bot.domain import glossary
from care_bot.domain.models import Incident
from care_bot.ids import INPUT_ACTION, Action, Block, Callback
from care_bot.views.metadata import ModalRef, encode
from care_bot.views.text import mention, mrkdwn, plain, safe

# Channel buttons say whose they are (see glossary.whose).
REVIEW_LABEL = glossary.whose(glossary.SECURITY, "post-incident review")

CHECKIN_BLOCK = "wellbeing"  # the buttons' block_id; "wellbeing_2" is the second check-in
REVIEW_TEXT_LIMIT = 1500
REVIEW_ACTIONS = 3  # follow-up action rows on the review form
ACTION_LIMIT = 300


def checkin_block(number: int) -> str:
    """The block_id of a check-in's buttons, which carries the check-in's number."""
    return f"{CHECKIN_BLOCK}_{number}" if number else CHECKIN_BLOCK


def checkin_number(block_id: object) -> int:
    """Read the check-in number back from a block_id; 0 for the single check-in of old."""
    text = str(block_id or "")
    prefix = f"{CHECKIN_BLOCK}_"
    if text.startswith(prefix) and text[len(prefix):].isascii() and text[len(prefix):].isdigit():
        return min(int(text[len(prefix):]), 1000)
    return 0


def _note(text: str, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text[:3000])},
                                      *(extra or [])]}


def _stop_button(incident_id: int) -> dict[str, Any]:
    return {"type": "button", "action_id": Action.WELLBEING_STOP.value,
            "text": plain("Stop these check-ins"), "value": str(incident_id)}


def checkin(incident: Incident, support_text: str, number: int = 0) -> dict[str, Any]:
    """The private check-in DM: the question, the support offered, and three buttons.

    Buttons, because the bot reads no typed replies. Nothing about the incident but its
    reference appears, so the DM is safe on a lock screen.
    """
    text = (f"How are you doing after {incident.ref}?\n{safe(support_text, 2000)}")
    value = str(incident.id)
    buttons = {"type": "actions", "block_id": checkin_block(number), "elements": [
        {"type": "button", "action_id": Action.WELLBEING_OK.value, "text": plain("I'm OK"),
         "value": value},
        {"type": "button", "action_id": Action.WELLBEING_CONTACT.value,
         "text": plain("I'd like someone to talk to"), "value": value},
        _stop_button(incident.id),
    ]}
    return _note(text, [buttons])


def checkin_answered(incident: Incident, answer: str, told: bool = True,
                     more_to_come: bool = False) -> dict[str, Any]:
    """What the check-in becomes once answered: "ok", "talk" or "stop".

    ``told`` is False when nobody could be asked to talk to them (no HR, no supervisor):
    the DM then says so instead of promising a call. ``more_to_come`` keeps the Stop button.
    """
    if answer == "stop":
        return _note(f"Understood: no more check-ins about {incident.ref}. If you would like "
                     "to talk to someone later, your supervisor and HR are there for you.")
    if answer == "talk" and told:
        text = (f"Thank you. Someone will reach out to talk with you about {incident.ref}; "
                "we are asking them now and gave them only the reference.")
    elif answer == "talk":
        text = ("Thank you. CARE bot has nobody to pass this to yet; please tell your "
                "supervisor or HR that you would like someone to talk to.")
    else:
        text = f"Thank you for letting us know you are OK ({incident.ref})."
    if not more_to_come:
        return _note(text)
    text += " We will check in again later."
    return _note(text, [{"type": "actions", "block_id": CHECKIN_BLOCK,
                         "elements": [_stop_button(incident.id)]}])


def talk_request(incident: Incident) -> dict[str, Any]:
    """The private DM to HR (or the supervisor): who asked, and the reference, nothing more."""
    return _note(f"{mention(incident.reporter)} would like someone to talk to after "
                 f"{incident.ref}. Please reach out to them privately.")


def review_button(incident_id: int) -> dict[str, Any]:
    """The "Post-incident review" button that opens the review form."""
    return {"type": "button", "action_id": Action.OPEN_REVIEW.value,
            "text": plain(REVIEW_LABEL), "value": str(incident_id)}


def action_block(number: int) -> str:
    """The block_id of follow-up action ``number`` (from 1) on the review form."""
    return f"review_action_{number}"


def owner_block(number: int) -> str:
    """The block_id of the owner of follow-up action ``number``."""
    return f"review_owner_{number}"


def _long_input(block: str, label: str, hint: str) -> dict[str, Any]:
    return {"type": "input", "block_id": block, "label": plain(label),
            "hint": plain(hint),
            "element": {"type": "plain_text_input", "action_id": INPUT_ACTION,
                        "multiline": True, "max_length": REVIEW_TEXT_LIMIT}}


def review_view(incident: Incident) -> dict[str, Any]:
    """Security's post-incident review: what worked, what to change, actions with owners."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": mrkdwn(
            f"*{incident.ref}*: the post-incident review. It is recorded on the incident and "
            "posted in the security thread. Do not include client names or accounts.")},
        _long_input(Block.WHAT_WORKED.value, "What worked",
                    "For example: the alert reached security in a minute."),
        _long_input(Block.WHAT_TO_CHANGE.value, "What to change",
                    "For example: the branch had no second exit plan."),
    ]
    for number in range(1, REVIEW_ACTIONS + 1):
        blocks.append({
            "type": "input", "block_id": action_block(number), "optional": True,
            "label": plain(f"Follow-up action {number}"),
            "element": {"type": "plain_text_input", "action_id": INPUT_ACTION,
                        "max_length": ACTION_LIMIT},
        })
        blocks.append({
            "type": "input", "block_id": owner_block(number), "optional": True,
            "label": plain(f"Owner of action {number}"),
            "element": {"type": "users_select", "action_id": INPUT_ACTION},
        })
    return {
        "type": "modal", "callback_id": Callback.REVIEW.value,
        "title": plain("Post-incident review"), "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": encode(ModalRef(incident_id=incident.id)),
        "blocks": blocks,
    }


def review_text(incident: Incident, by: str, review: Mapping[str, Any]) -> str:
    """The review as it is posted in the security thread (already escaped mrkdwn)."""
    lines = [f":clipboard: *Post-incident review* of *{incident.ref}* by {mention(by)}",
             f"*What worked:* {safe(review.get('what_worked'), 1200)}",
             f"*What to change:* {safe(review.get('what_to_change'), 1200)}"]
    actions = review.get("actions") or []
    if actions:
        lines.append("*Follow-up actions:*")
        lines += [f"• {safe(item.get('action'), ACTION_LIMIT)} · owner {mention(item.get('owner'))}"
                  for item in actions]
    else:
        lines.append("*Follow-up actions:* none")
    return "\n".join(lines)
