"""What a click's payload says (which record, which message, which modal) and answering the
clicker where they clicked. Shared by every surface's listeners.

Where a refusal goes (issue 17, "buttons say whose they are"):
- clicked inside a modal: a notice pushed on top of it, so the modal they were in says it;
- clicked on a message in a channel: a reply in that message's thread that mentions them. A
  mention reaches a phone (a notification) and stays in the thread on every device, where an
  ephemeral message is shown only to a client that is active at that moment and is gone on
  reload;
- in a DM, or when Slack refuses the above: an ephemeral message where they clicked, else a DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from care_bot.flows import view_owners
from care_bot.flows.gate import Outcome
from care_bot.ids import record_id
from care_bot.services import Services
from care_bot.views.metadata import ModalRef, decode
from care_bot.views.text import mention
from care_bot.views.tracking import notice_view

logger = logging.getLogger(__name__)


def clicked_value(body: dict) -> str:
    """The clicked button's value, or the chosen option's; "" when there is none."""
    try:
        action = body["actions"][0]
    except (KeyError, IndexError, TypeError):
        return ""
    if not isinstance(action, dict):
        return ""
    return (action.get("selected_option") or {}).get("value") or action.get("value") or ""


def clicked_id(body: dict) -> int:
    """The record id in the clicked value; 0 (no such record) when missing or forged."""
    return record_id(clicked_value(body)) or 0


def user_of(body: dict) -> str:
    """The id of the person who clicked, typed or submitted."""
    return body["user"]["id"]


def channel_of(body: dict) -> str | None:
    """The conversation the clicked message is in (None inside a modal or Home)."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id")


def message_of(body: dict) -> tuple[str | None, str | None]:
    """The clicked message's channel and ts (to update it in place)."""
    container = body.get("container") or {}
    return container.get("channel_id") or (body.get("channel") or {}).get("id"), \
        container.get("message_ts") or (body.get("message") or {}).get("ts")


def thread_of(body: dict) -> str | None:
    """The thread the clicked message belongs to: its parent's ts, or its own for a parent."""
    message = body.get("message") or {}
    return message.get("thread_ts") or message_of(body)[1]


def surface_of(body: dict) -> str:
    """"dm" for a click in a direct message, else "channel" (for the audit trail)."""
    return "dm" if str(channel_of(body) or "").startswith("D") else "channel"


def modal_values(body: dict) -> dict:
    """The submitted or clicked modal's state values."""
    return ((body.get("view") or {}).get("state") or {}).get("values") or {}


def modal_ref(body: dict) -> ModalRef:
    """The modal's reference (draft, incident, step) from its private_metadata."""
    return decode((body.get("view") or {}).get("private_metadata"))


def in_modal(body: dict) -> bool:
    """True for a click inside a modal (not on a message or the Home tab)."""
    return (body.get("view") or {}).get("type") == "modal"


def answer_in_channel(services: Services, body: dict, outcome: Outcome) -> None:
    """Show the outcome of a message button: a view opened, or a message where they clicked."""
    if outcome.message:
        tell_where_clicked(services, body, outcome.message, refused=outcome.refused)
    elif outcome.view:
        services.slack.open_view(body["trigger_id"], outcome.view)


def answer_from_checklist(services: Services, body: dict, outcome: Outcome) -> None:
    """A button that is also in the checklist modal: there, its view or notice is a second
    view on the modal's stack; on a message, answered as a message button is."""
    if body.get("view"):
        services.slack.push_view(body["trigger_id"], outcome.view
                                 or notice_view("CARE bot", outcome.message or ""))
    else:
        answer_in_channel(services, body, outcome)


def tell_where_clicked(services: Services, body: dict, text: str, *,
                       refused: bool = False) -> None:
    """Tell only the clicker; a refusal goes where they clicked (see the module's docstring)."""
    if not text:
        return
    user = user_of(body)
    if refused and in_modal(body) and push_notice(services, body, text):
        return
    channel = channel_of(body)
    thread = thread_of(body)
    if refused and channel and not channel.startswith("D") and thread:
        try:
            services.slack.post(channel, {"text": f"{mention(user)} {text}"}, thread_ts=thread)
            return
        except SlackApiError as error:
            logger.info("thread reply refused (%s); telling privately",
                        error.response.get("error"))
    tell_privately(services, channel, user, text)


def push_notice(services: Services, body: dict, text: str, title: str = "CARE bot") -> bool:
    """Push a notice on top of the modal the click came from; False when Slack refused."""
    try:
        services.slack.push_view(body["trigger_id"], notice_view(title, text))
        return True
    except (SlackApiError, KeyError) as error:
        logger.info("could not push the notice: %s", type(error).__name__)
        return False


def tell_privately(services: Services, channel: str | None, user_id: str, text: str) -> None:
    """Ephemeral in the channel; a DM when there is none or Slack will not show it there."""
    try:
        if channel and not channel.startswith("D"):
            services.slack.post_ephemeral(channel, user_id, text)
            return
    except SlackApiError as error:
        logger.info("ephemeral refused (%s); sending a DM", error.response.get("error"))
    services.slack.post(services.slack.open_dm(user_id), {"text": text})


def answer_submission(ack, outcome: Outcome) -> None:
    """Answer a view_submission: field errors, a notice in the modal, or close it."""
    if outcome.errors:
        ack(response_action="errors", errors=outcome.errors)
    elif outcome.message:
        ack(response_action="update", view=notice_view("CARE bot", outcome.message))
    else:
        ack(response_action="clear")


def update_modal(services: Services, body: dict, view: dict[str, Any] | None,
                 use_hash: bool = True) -> None:
    """views.update the clicker's own modal (a hash_conflict keeps it as it is)."""
    if view is not None:
        view_owners.update_clickers_modal(services, body, view, use_hash=use_hash)
