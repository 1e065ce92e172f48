"""Modals for the follow-through: update the checklist, decide on the account (close early is
in ``views.closing``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from care_bot.domain import glossary
from care_bot.domain.care import (
    ACCOUNT_DECISIONS,
    CLIENT,
    DEBRIEF,
    NOT_A_CLIENT,
    RECOMMENDATIONS,
    Task,
)
from care_bot.domain.checklist import TaskDone
from care_bot.domain.models import Incident
from care_bot.ids import INPUT_ACTION, Action, Block, Callback
from care_bot.views.care_after import review_button
from care_bot.views.messages import checklist_text
from care_bot.views.metadata import ModalRef, encode
from care_bot.views.naming import name_button
from care_bot.views.text import mrkdwn, plain, safe

# Channel buttons say whose they are (see glossary.whose).
IDENTIFY_LABEL = glossary.whose(glossary.ICS_ROLE, "identify the client")
DECIDE_LABEL = glossary.whose(glossary.MANAGEMENT, "record account decision")
CLOSE_LABEL = glossary.whose(glossary.SECURITY, "close incident early")

NOTE_LIMIT = 1000
RATIONALE_LIMIT = 2000


def _modal(callback: Callback, title: str, incident: Incident, blocks: list) -> dict[str, Any]:
    view = {
        "type": "modal",
        "callback_id": callback.value,
        "title": plain(title, 24),
        "close": plain("Cancel", 24),
        "private_metadata": encode(ModalRef(incident_id=incident.id)),
        "blocks": blocks,
    }
    if any(block["type"] == "input" for block in blocks):
        view["submit"] = plain("Save", 24)
    return view


def _text_input(block: Block, label: str, limit: int, required: bool, hint: str = "") -> dict:
    element = {
        "type": "plain_text_input", "action_id": INPUT_ACTION, "multiline": True,
        "max_length": limit,
    }
    result = {
        "type": "input", "block_id": block.value, "label": plain(label, 2000),
        "optional": not required, "element": element,
    }
    if hint:
        result["hint"] = plain(hint, 2000)
    return result


NOTE_BLOCKS = {DEBRIEF: Block.DEBRIEF_NOTE.value}
NOTE_HINTS = {
    DEBRIEF: "A short note that the debrief took place and how the associate is doing. "
             "Shown on the incident; no client names, nothing the associate asked to keep "
             "private.",
}
SAFETY_PLAN_HINT = ("What was decided: for example escort to car, client barred from the "
                    "branch, police follow-up. Shown on the incident; no client names.")
NOTE_MISSING = {
    DEBRIEF: "Please add a short note of the debrief (for example: met with the associate, "
             "offered the EAP, they are back at work).",
}
SAFETY_PLAN_MISSING = ("Please note the safety plan decision (for example: escort to car, "
                       "client barred from the branch, police follow-up).")


def decision_block(task_key: str) -> str:
    """The block_id of a task's required note in the checklist modal (safety plan, debrief)."""
    return NOTE_BLOCKS.get(task_key, Block.SAFETY_PLAN_NOTE.value)


def note_missing(task_key: str) -> str:
    """The field error when a task's required note is left empty."""
    return NOTE_MISSING.get(task_key, SAFETY_PLAN_MISSING)


def checklist_view(
    incident: Incident,
    states: Mapping[str, TaskDone],
    tasks: Sequence[Task],
    can_decide: bool,
    can_close: bool,
    show_private: bool = False,
    branches: Mapping[str, Any] | None = None,
    hr_destination: bool = True,
    can_identify: bool = False,
    can_review: bool = False,
    can_name: bool = False,
) -> dict[str, Any]:
    """List only the tasks this person may complete, with a note field and extra actions.

    ``show_private`` adds the client's name and accounts: a modal is seen only by the person
    who opened it, so this is the one place those details are shown after submission.
    """
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain(f"Checklist · {incident.ref}", 150)},
        {"type": "section", "text": mrkdwn(
            checklist_text(incident, states, branches, hr_destination))},
    ]
    if show_private:
        blocks.append({"type": "context", "elements": [mrkdwn(
            f":lock: Client: {safe(incident.answers.get('client_name'), 150) or '—'} · "
            f"Account(s): {safe(incident.answers.get('accounts'), 300) or '—'} "
            "(only you see this; the view is recorded)"
        )]})
    if tasks:
        options = [{"text": plain(task.label), "value": task.key} for task in tasks[:10]]
        blocks.append({
            "type": "input", "block_id": Block.TASKS.value, "label": plain("Mark as done"),
            "element": {"type": "checkboxes", "action_id": INPUT_ACTION, "options": options},
        })
        for task in tasks:
            if task.note_required:
                blocks.append(_text_input(
                    Block(decision_block(task.key)), f"{task.note_required} (required if you "
                    f"tick \"{task.label}\")", NOTE_LIMIT, required=False,
                    hint=NOTE_HINTS.get(task.key, SAFETY_PLAN_HINT),
                ))
        blocks.append(_text_input(
            Block.NOTE, "Note (optional)", NOTE_LIMIT, required=False,
            hint="Posted in the incident thread. Do not include client names or accounts.",
        ))
    else:
        blocks.append({"type": "section", "text": mrkdwn(
            "_Nothing on this checklist is yours to complete right now._"
        )})
    buttons = [name_button(incident.id)] if can_name else []
    buttons += _more_buttons(incident.id, can_identify, can_decide, can_review, can_close)
    if buttons:
        blocks.append({"type": "actions", "block_id": "more", "elements": buttons})
    return _modal(Callback.CHECKLIST, "Update checklist", incident, blocks)


def _more_buttons(incident_id: int, can_identify: bool, can_decide: bool, can_review: bool,
                  can_close: bool) -> list[dict[str, Any]]:
    """The checklist's role actions beyond ticking tasks, each saying whose it is."""
    value = str(incident_id)
    buttons = []
    if can_identify:
        buttons.append({"type": "button", "action_id": Action.IDENTIFY_CLIENT.value,
                        "text": plain(IDENTIFY_LABEL), "value": value})
    if can_decide:
        buttons.append({"type": "button", "action_id": Action.DECIDE_ACCOUNT.value,
                        "text": plain(DECIDE_LABEL), "value": value})
    if can_review:
        buttons.append(review_button(incident_id))
    if can_close:
        buttons.append({"type": "button", "action_id": Action.CLOSE_EARLY.value,
                        "style": "danger", "text": plain(CLOSE_LABEL), "value": value})
    return buttons


def decision_view(incident: Incident) -> dict[str, Any]:
    """The account decision: keep, close or restrict, with a required rationale."""
    options = [{"text": plain(label), "value": key} for key, label in ACCOUNT_DECISIONS.items()]
    advice = RECOMMENDATIONS.get(incident.answers.get("recommendation") or "", "not given")
    reason = incident.answers.get("recommendation_note")
    blocks = [
        {"type": "section", "text": mrkdwn(
            f"*{incident.ref}*: Delivery / local management decides whether the client's "
            "account(s) remain open. The decision and rationale are recorded; the client's "
            "details are not posted in any channel."
        )},
        {"type": "context", "elements": [mrkdwn(
            f"*The associate's recommendation (advisory):* {advice}"
            + (f" · {safe(reason, 1500)}" if reason else "")
        )]},
        {"type": "input", "block_id": Block.DECISION.value, "label": plain("Decision"),
         "element": {"type": "radio_buttons", "action_id": INPUT_ACTION, "options": options}},
        _text_input(Block.RATIONALE, "Rationale", RATIONALE_LIMIT, required=True),
    ]
    return _modal(Callback.ACCOUNT_DECISION, "Account decision", incident, blocks)


def identify_view(incident: Incident) -> dict[str, Any]:
    """The ICS's answer: a client (named, if they can) or not a client."""
    answers = incident.answers
    options = [{"text": plain("Yes: a client of the bank"), "value": CLIENT},
               {"text": plain("No: not a client"), "value": NOT_A_CLIENT}]
    blocks = [
        {"type": "section", "text": mrkdwn(
            f"*{incident.ref}*: the associate did not know whether the person is a client. "
            "Identify the client, if there is one. If it is a client, the account tasks start "
            "now; if not, there is no account work.")},
        {"type": "input", "block_id": Block.CLIENT_STATUS.value,
         "label": plain("Is the person a client?"),
         "element": {"type": "radio_buttons", "action_id": INPUT_ACTION, "options": options}},
        _line_input(Block.CLIENT_NAME, "Client's name", 150, answers.get("client_name")),
        _line_input(Block.ACCOUNTS, "Account(s)", 300, answers.get("accounts")),
        {"type": "context", "elements": [mrkdwn(
            ":lock: Kept private: saved with the report, never posted in a channel.")]},
    ]
    return _modal(Callback.IDENTIFY_CLIENT, "Identify the client", incident, blocks)


def _line_input(block: Block, label: str, limit: int, value: str | None) -> dict[str, Any]:
    element = {"type": "plain_text_input", "action_id": INPUT_ACTION, "max_length": limit}
    if value:
        element["initial_value"] = str(value)[:limit]
    return {"type": "input", "block_id": block.value, "label": plain(label),
            "optional": True, "element": element}


def notice_view(title: str, message: str) -> dict[str, Any]:
    """A view with a single message, used to answer inside a modal."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("Close", 24),
        "blocks": [{"type": "section", "text": mrkdwn(message)}],
    }
