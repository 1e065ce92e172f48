"""The supervisor names the RXM and ICS a report left unknown (issue 17 §4): DMs and the modal.

An associate missing from the branch directory names only their supervisor; when the Regional
Experience Manager or the Internal Control Specialist is still unknown after submission, the
supervisor is asked to name them, and the named people are told what is theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from care_bot.domain import glossary
from care_bot.domain.models import Incident
from care_bot.ids import INPUT_ACTION, Action, Callback
from care_bot.views.messages import thread_note, with_checklist_button
from care_bot.views.metadata import ModalRef, encode
from care_bot.views.text import mention, mrkdwn, plain

POST_NAMES = {"rxm": glossary.RXM, "ics": glossary.ICS}
BUTTON_TEXT = glossary.whose(glossary.SUPERVISOR, "name the RXM and ICS")
Message = dict[str, Any]


def _posts_text(posts: Sequence[str]) -> str:
    return " and ".join(f"*{POST_NAMES[post]}*" for post in posts)


def name_button(incident_id: int, text: str = BUTTON_TEXT) -> dict[str, Any]:
    """The button that opens the naming modal."""
    return {"type": "button", "action_id": Action.NAME_PEOPLE.value, "style": "primary",
            "text": plain(text), "value": str(incident_id)}


def request(incident: Incident, posts: Sequence[str]) -> Message:
    """The supervisor's DM: the associate's RXM / ICS is unknown; please name them."""
    message = thread_note(
        f"*{incident.ref}*: {mention(incident.reporter)} reported a threat and is not in the "
        f"branch directory, so nobody knows their {_posts_text(posts)}. As their supervisor, "
        "please name them: what is theirs on this report (escalations, the ICS's tasks) "
        "reaches them once they are named."
    )
    actions = {"type": "actions", "block_id": "incident", "elements": [
        name_button(incident.id)]}
    return {**message, "blocks": [*message["blocks"], actions]}


def naming_view(incident: Incident, posts: Sequence[str]) -> dict[str, Any]:
    """The modal: one person picker per unknown post, each required."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(
        f"*{incident.ref}*: name the associate's {_posts_text(posts)}. They are told about "
        "this report and what is theirs on it.")}]
    for post in posts:
        blocks.append({
            "type": "input", "block_id": post, "label": plain(POST_NAMES[post]),
            "optional": False,
            "element": {"type": "users_select", "action_id": INPUT_ACTION,
                        "placeholder": plain("Choose a person")},
        })
    return {
        "type": "modal",
        "callback_id": Callback.NAME_PEOPLE.value,
        "title": plain("Name the people", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": encode(ModalRef(incident_id=incident.id)),
        "blocks": blocks,
    }


def named_note(incident: Incident, by: str, named: dict[str, str]) -> Message:
    """The thread reply: who named whom."""
    people = " and ".join(f"the {POST_NAMES[post]} {mention(user)}"
                          for post, user in named.items())
    return thread_note(f"👥 {mention(by)} named {people} for {incident.ref}.")


def named_dm(incident: Incident, by: str, post: str, power: bool = True) -> Message:
    """The DM to a person the supervisor named: what is theirs on this report.

    ``power`` is False when the supervisor the associate picked (not the directory's, nor in a
    role) named them: they are told, and the ICS group records the ICS's steps.
    """
    what = {
        "rxm": "Escalations of this report (and any danger alert on it) come to you.",
        "ics": "The associate tells you about it, and you contact the account officer; mark "
               "what is done on the checklist." if power else
               "The associate tells you about it; the ICS group records the ICS's steps.",
    }[post]
    message = thread_note(
        f"{mention(by)} named you the *{POST_NAMES[post]}* for *{incident.ref}*, a threat "
        f"reported by {mention(incident.reporter)}. {what}")
    return with_checklist_button(message, incident.id) if post == "ics" and power else message


def reporter_dm(incident: Incident, named: dict[str, str]) -> Message:
    """The associate's DM: whom their supervisor named."""
    people = " and ".join(f"your {POST_NAMES[post]} is {mention(user)}"
                          for post, user in named.items())
    return thread_note(f"For your report *{incident.ref}*: {people}.")
