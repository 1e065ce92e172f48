"""The /threat modal: one view per CARE step, plus resume, emergency and confirmation views."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from care_bot.config import Branch
from care_bot.domain import glossary
from care_bot.domain.care import CLIENT_NOT_KNOWN, NOT_A_CLIENT, STEP_ORDER, Step
from care_bot.ids import INPUT_ACTION, Action, Block, Callback
from care_bot.views.fields import (
    CLIENT_PART,
    CLIENT_PART_STARTS_AT,
    DANGER_NOW_QUESTION,
    DIRECTORY_PEOPLE,
    STEP_FIELDS,
    UNKNOWN_POST_HINT,
    FieldSpec,
    contradicts,
)
from care_bot.views.home import danger_button
from care_bot.views.metadata import ModalRef, encode
from care_bot.views.summary import report_parts
from care_bot.views.text import clip, escape, mrkdwn, plain, slack_date

TITLE = "Report a threat"
MAX_SELECT_OPTIONS = 100
OTHER_BRANCH = "other"
STEP_TITLES = {
    Step.SAFETY: "Safety first",
    Step.CLIENT_SERVICE: "What happened",
    Step.ASSESS: "Your judgement",
    Step.REPORT: "Who will be told",
    Step.REVIEW: "Review and submit",
}
CLIENT_PART_TITLE = "The client relationship"
STEP_GUIDANCE = {
    Step.SAFETY: (
        "*If you are in danger, get to safety and call 911 first.* "
        "Answer the first question and press Next: that alone alerts security."
    ),
    Step.CLIENT_SERVICE: (
        "Tell us what happened. The guideline asks you to try to meet the person's needs "
        "first, and to call your supervisor over if that does not work."
    ),
    Step.ASSESS: (
        "Use your best judgement. If you or others are in danger, contact law enforcement "
        "immediately. If it is not viable or imminent, tell your supervisor: this report "
        "does that.\n_Examples: threats to harm, throwing or slamming things, name-calling, "
        "implied threats, erratic behaviour._"
    ),
    Step.REPORT: (
        f"Your supervisor reports this to HR and {escape(glossary.spelled('CS&R'))}. "
        "These people are told; we filled in what the branch directory knows. You never have "
        "to name the Market President or the account officer."
    ),
    Step.REVIEW: "Check your answers, then submit. Press *Change* to correct any part.",
}
CLIENT_PART_GUIDANCE = (
    "You tell your Internal Control Specialist (ICS), who contacts the account officer. "
    "Local management decides whether the account stays open. Everything here is optional."
)
UNKNOWN_CLIENT_GUIDANCE = (
    "You said you don't know whether they are a client. Your Internal Control Specialist "
    "(ICS) is asked to identify the client, if there is one. Anything you know helps; "
    "everything here is optional."
)


def _input_block(
    spec: FieldSpec, value: Any, branches: Mapping[str, Branch], now: float | None = None
) -> dict[str, Any] | None:
    if value is None and spec.default is not None:
        value = spec.default
    if value is None and spec.now_by_default and now is not None:
        value = int(now)
    element = _element(spec, value, branches)
    if element is None:
        return None
    block = {
        "type": "input",
        "block_id": spec.block.value,
        "label": plain(spec.label, 2000),
        "optional": not spec.required,
        "element": element,
    }
    if spec.hint:
        block["hint"] = plain(spec.hint, 2000)
    return block


def _options(choices: Mapping[str, str]) -> list[dict[str, Any]]:
    return [{"text": plain(label), "value": value} for value, label in choices.items()]


def _element(spec: FieldSpec, value: Any, branches: Mapping[str, Branch]) -> dict | None:
    element: dict[str, Any] = {"action_id": INPUT_ACTION}
    if spec.kind in ("text", "long_text"):
        element.update(type="plain_text_input", max_length=spec.max_length)
        element["multiline"] = spec.kind == "long_text"
        if value:
            element["initial_value"] = clip(str(value), spec.max_length)
        if spec.example:
            element["placeholder"] = plain(spec.example, 150)  # Block Kit's name for it
    elif spec.kind in ("radio", "select", "checkboxes"):
        choices = spec.options or _branch_choices(branches)
        if not choices:
            return None
        element["type"] = {
            "radio": "radio_buttons", "select": "static_select", "checkboxes": "checkboxes"
        }[spec.kind]
        element["options"] = _options(choices)
        _set_initial_options(element, spec.kind, value, choices)
    elif spec.kind == "user":
        element["type"] = "users_select"
        if value:
            element["initial_user"] = value
    elif spec.kind == "datetime":
        element["type"] = "datetimepicker"
        if isinstance(value, int | float):
            element["initial_date_time"] = int(value)
    return element


def _set_initial_options(element: dict, kind: str, value: Any, choices: Mapping) -> None:
    if kind == "checkboxes":
        chosen = [v for v in value or [] if v in choices]
        if chosen:
            element["initial_options"] = _options({v: choices[v] for v in chosen})
    elif value in choices:
        element["initial_option"] = _options({value: choices[value]})[0]


def _branch_choices(branches: Mapping[str, Branch]) -> dict[str, str]:
    if not branches:
        return {}
    choices = {code: branch.name for code, branch in branches.items()}
    if len(choices) < MAX_SELECT_OPTIONS:
        choices[OTHER_BRANCH] = "Another location"
    return choices


def visible_fields(step: Step, branches: Mapping[str, Branch],
                   answers: Mapping[str, Any] | None = None) -> tuple[FieldSpec, ...]:
    """The questions a step actually shows, and which of them must be answered.

    No branch picker without a branch directory. On "Who will be told", a person the
    directory names for the chosen branch is optional (it falls back to the directory); the
    Market President and the account officer are never required.
    """
    known = directory_people(branches, (answers or {}).get("branch"))
    not_client = (answers or {}).get("client_status") == NOT_A_CLIENT
    specs = []
    if step == Step.REVIEW and contradicts(answers or {}):
        specs.append(DANGER_NOW_QUESTION)
    for spec in STEP_FIELDS[step]:
        if spec.block == Block.BRANCH and not branches:
            continue
        if not_client and spec.block in CLIENT_PART:
            continue  # someone who is not a client has no relationship to evaluate
        role = spec.block.value
        if role in DIRECTORY_PEOPLE and role in known:  # pre-filled from the directory
            spec = replace(spec, required=False, hint="" if spec.hint == UNKNOWN_POST_HINT
                           else spec.hint)
        specs.append(spec)
    return tuple(specs)


def directory_people(branches: Mapping[str, Branch], code: str | None) -> dict[str, str]:
    """The people the branch directory names for a branch: {role: user id}."""
    branch = branches.get(code or "")
    if branch is None:
        return {}
    return {role: getattr(branch, role) for role in DIRECTORY_PEOPLE if getattr(branch, role)}


def _step_header(step: Step) -> list[dict[str, Any]]:
    number = STEP_ORDER.index(step) + 1
    return [
        {"type": "header", "text": plain(STEP_TITLES[step], 150)},
        {"type": "context", "elements": [mrkdwn(f"Step {number} of {len(STEP_ORDER)}")]},
        {"type": "section", "text": mrkdwn(STEP_GUIDANCE[step])},
    ]


def _client_part_header(answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    unknown = answers.get("client_status") == CLIENT_NOT_KNOWN
    return [
        {"type": "header", "text": plain(CLIENT_PART_TITLE, 150)},
        {"type": "section", "text": mrkdwn(
            UNKNOWN_CLIENT_GUIDANCE if unknown else CLIENT_PART_GUIDANCE)},
    ]


def _review_blocks(answers: Mapping[str, Any], branches: Mapping[str, Branch]
                   ) -> list[dict[str, Any]]:
    """Every answer, part by part; the first section of each part has a "Change" button."""
    blocks: list[dict[str, Any]] = []
    seen: set[str] = set()
    for step, texts in report_parts(answers, branches, include_private=True, tags=False):
        for text in texts:
            block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
            if step not in seen and not (step == Step.SAFETY.value and answers.get(
                    "danger") == "yes"):
                block["accessory"] = {"type": "button", "action_id": Action.CHANGE_STEP.value,
                                      "text": plain("Change"), "value": step}
            seen.add(step)
            blocks.append(block)
    return blocks


def _back_block() -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "navigation",
        "elements": [
            {"type": "button", "action_id": Action.BACK.value, "text": plain("Back")}
        ],
    }


def step_view(
    step: Step,
    answers: Mapping[str, Any],
    draft_id: str,
    branches: Mapping[str, Branch],
    now: float | None = None,
) -> dict[str, Any]:
    """Build the modal for one report step, pre-filled with the draft's answers.

    ``now`` pre-fills "When did it happen?" while it has no answer.
    """
    blocks = _step_header(step)
    for spec in visible_fields(step, branches, answers):
        if spec.block == CLIENT_PART_STARTS_AT:
            blocks.extend(_client_part_header(answers))
        block = _input_block(spec, answers.get(spec.block.value), branches, now)
        if block:
            blocks.append(block)
    if step == Step.REVIEW:
        if contradicts(answers):  # the danger answer, one tap away
            blocks.append({"type": "actions", "block_id": "danger_now_alert",
                           "elements": [danger_button()]})
        blocks.extend(_review_blocks(answers, branches))
    if step != Step.SAFETY:
        blocks.append(_back_block())
    submit = {Step.SAFETY: "Next", Step.REVIEW: "Submit report"}.get(step, "Next")
    return {
        "type": "modal",
        "callback_id": Callback.REPORT_STEP.value,
        "title": plain(TITLE, 24),
        "submit": plain(submit, 24),
        "close": plain("Save for later", 24),
        "notify_on_close": True,
        "private_metadata": encode(ModalRef(draft_id=draft_id, step=step.value)),
        "blocks": blocks,
    }


def resume_view(draft_id: str, started_at: float, step: Step) -> dict[str, Any]:
    """Offer to resume an unfinished report or start a new one."""
    return {
        "type": "modal",
        "callback_id": Callback.RESUME.value,
        "title": plain(TITLE, 24),
        "close": plain("Cancel", 24),
        "private_metadata": encode(ModalRef(draft_id=draft_id)),
        "blocks": [
            {
                "type": "section",
                "text": mrkdwn(
                    "*If anyone is in danger right now, call 911 first.*\n\n"
                    f"You have an unfinished report, started {slack_date(started_at)}, "
                    f"saved at _{STEP_TITLES.get(step, step)}_."
                ),
            },
            {
                "type": "actions",
                "block_id": "resume",
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.RESUME_DRAFT.value,
                        "text": plain("Resume that report"),
                        "style": "primary",
                        "value": draft_id,
                    },
                    {
                        "type": "button",
                        "action_id": Action.DISCARD_DRAFT.value,
                        "text": plain("Start a new report"),
                        "value": draft_id,
                    },
                ],
            },
            # The danger question must never hide behind the resume offer: one tap here too.
            {"type": "actions", "block_id": "danger_now", "elements": [danger_button()]},
        ],
    }


def confirmation_view(ref: str, danger: bool, delivery_trouble: bool = False) -> dict[str, Any]:
    """The last view: the report is saved, with its reference and what happens next.

    It never claims people "have been notified": the posts are queued when it is shown. While
    Slack is failing (``delivery_trouble``) it says the notifications are waiting for Slack.
    """
    if delivery_trouble:
        next_steps = (
            "Your report is saved. Slack is not answering CARE bot right now, so the "
            "notifications to your supervisor and Corporate Security &amp; Risk are queued and "
            "go out as soon as it does. Home shows when they are delivered."
        )
    else:
        next_steps = (
            "Your report is saved, and your supervisor and Corporate Security &amp; Risk are "
            "being notified now. You will get a direct message when it is acknowledged."
        )
    if danger:
        next_steps = "*If you are still in danger, call 911.* " + next_steps
    return {
        "type": "modal",
        "callback_id": Callback.CONFIRMATION.value,
        "title": plain("Report submitted", 24),
        "close": plain("Done", 24),
        "blocks": [
            {"type": "header", "text": plain(f"Saved as {ref}", 150)},
            {"type": "section", "text": mrkdwn(next_steps)},
            {
                "type": "context",
                "elements": [mrkdwn("Client details stay private: they are never posted.")],
            },
        ],
    }


def error_view(message: str) -> dict[str, Any]:
    """A modal that tells the associate something went wrong and what to do."""
    return {
        "type": "modal",
        "title": plain(TITLE, 24),
        "close": plain("Close", 24),
        "blocks": [{"type": "section", "text": mrkdwn(message)}],
    }
