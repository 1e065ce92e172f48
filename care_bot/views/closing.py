"""What security and the threads read when security closes an incident early (issue 17).

Security's "close early" ends security's part. When Delivery / local management still owe the
account decision, the incident stays open for it, and every text here says so.
"""

from __future__ import annotations

from typing import Any

from care_bot.domain.models import Incident
from care_bot.ids import INPUT_ACTION, Block, Callback
from care_bot.views.messages import thread_note
from care_bot.views.metadata import ModalRef, encode
from care_bot.views.text import mention, mrkdwn, plain, safe

NOTE_LIMIT = 1000
MANAGEMENT = "Delivery / local management"
Message = dict[str, Any]


def decision_owner_text(owners: list[str]) -> str:
    """ "Delivery / local management (<@U1>)", or the bare words when nobody is named."""
    if not owners:
        return MANAGEMENT
    return f"{MANAGEMENT} ({', '.join(mention(o) for o in owners)})"


def close_early_view(incident: Incident, decision_owners: list[str] | None) -> dict[str, Any]:
    """Security's early close, with a required reason.

    ``decision_owners`` is None when no account decision is owed (a non-client, or already
    decided): the close then ends the incident. Otherwise it names who still owes it.
    """
    if decision_owners is None:
        intro = (f"Close *{incident.ref}* before every task is done. This closes the incident, "
                 "stops all its reminders and is recorded with your reason. The associate's "
                 "check-ins go on.")
    else:
        intro = (f"Close Corporate Security & Risk's part of *{incident.ref}* before every task "
                 "is done. This ends the other open tasks and their reminders, and is recorded "
                 "with your reason.\n*The account decision stays open* with "
                 f"{decision_owner_text(decision_owners)}: its reminders go on, and "
                 f"{incident.ref} closes when they record it.")
    blocks = [
        {"type": "section", "text": mrkdwn(intro)},
        {"type": "input", "block_id": Block.REASON.value, "label": plain("Reason", 2000),
         "optional": False,
         "element": {"type": "plain_text_input", "action_id": INPUT_ACTION, "multiline": True,
                     "max_length": NOTE_LIMIT}},
    ]
    title = "Close early" if decision_owners is None else "Close security's part"
    return {
        "type": "modal",
        "callback_id": Callback.CLOSE_EARLY.value,
        "title": plain(title, 24),
        "close": plain("Cancel", 24),
        "submit": plain("Close early", 24),
        "private_metadata": encode(ModalRef(incident_id=incident.id)),
        "blocks": blocks,
    }


def security_part_closed(incident: Incident, user_id: str, reason: str,
                         decision_owners: list[str]) -> Message:
    """The thread reply when security closes its part and the account decision is owed."""
    return thread_note(
        f"🏁 {mention(user_id)} closed Corporate Security & Risk's part of {incident.ref} "
        f"early.\n>{safe(reason, NOTE_LIMIT)}\n"
        f"*Still owed:* the account decision, by {decision_owner_text(decision_owners)}. "
        f"{incident.ref} stays open until it is recorded."
    )


def closed_after_decision(incident: Incident) -> Message:
    """The thread reply when the account decision, the last step owed after an early close,
    closes the incident."""
    return thread_note(
        f"🏁 The account decision was the last step owed: {incident.ref} is closed."
    )


def already_closed_part(incident: Incident, decision_owners: list[str]) -> str:
    """The answer to a second close: security's part is closed, the decision is not."""
    return (f"Corporate Security & Risk's part of {incident.ref} is already closed. The account "
            f"decision is still with {decision_owner_text(decision_owners)}.")


def only_decision_left(incident: Incident, decision_owners: list[str]) -> str:
    """The answer to any other step once security closed its part early."""
    return (f"Corporate Security & Risk closed {incident.ref} early; only the account decision "
            f"is left, with {decision_owner_text(decision_owners)}. Nothing was changed.")
