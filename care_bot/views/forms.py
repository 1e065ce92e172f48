"""Read answers out of a submitted view's state, and check them for field-level errors."""

from __future__ import annotations

from typing import Any

from care_bot.config import USER_ID
from care_bot.ids import INPUT_ACTION, Block
from care_bot.views.fields import FieldSpec
from care_bot.views.text import clean_typed

FUTURE_TOLERANCE_SECONDS = 300


def read_answers(state_values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Turn ``view.state.values`` into plain answers keyed by block_id."""
    answers: dict[str, Any] = {}
    for block_id, actions in (state_values or {}).items():
        element = actions.get(INPUT_ACTION)
        if element is not None:
            answers[block_id] = _element_value(element)
    return answers


def _element_value(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind in ("plain_text_input", "number_input"):
        value = element.get("value")
        return clean_typed(value) if isinstance(value, str) else ""
    if kind in ("radio_buttons", "static_select"):
        option = element.get("selected_option")
        return option["value"] if option else None
    if kind in ("checkboxes", "multi_static_select"):
        return [option["value"] for option in element.get("selected_options") or []]
    if kind == "users_select":
        return slack_user_id(element.get("selected_user"))
    if kind == "multi_users_select":
        users = element.get("selected_users") or []
        return [user for user in users if slack_user_id(user)]
    if kind == "datetimepicker":
        return element.get("selected_date_time")
    if kind == "datepicker":
        value = element.get("selected_date")
        return value if isinstance(value, str) else None
    return None


def slack_user_id(value: Any) -> str | None:
    """A user-picker value if it is a Slack user id (U… or W…), else None: never saved."""
    ok = isinstance(value, str) and len(value) <= 32 and USER_ID.fullmatch(value)
    return value if ok else None


def field_errors(
    answers: dict[str, Any], blocks: tuple[FieldSpec, ...], now: float, reporter: str = ""
) -> dict[str, str]:
    """Return {block_id: message} for missing, over-long, or contradictory answers.

    The reporter may not name themselves as one of the people who act on the report.
    """
    errors: dict[str, str] = {}
    for spec in blocks:
        value = answers.get(spec.block.value)
        message = _field_error(spec, value, now)
        if not message and spec.kind == "user" and reporter and value == reporter:
            message = "Please name someone other than yourself."
        if message:
            errors[spec.block.value] = message
    present = {spec.block.value for spec in blocks}
    for block_id, message in _contradictions(answers).items():
        if block_id in present:
            errors.setdefault(block_id, message)
    return errors


def _field_error(spec: FieldSpec, value: Any, now: float) -> str | None:
    if spec.kind in ("text", "long_text"):
        text = value if isinstance(value, str) else ""
        if spec.required and not text.strip():
            return "Please fill this in."
        if len(text) > spec.max_length:
            return f"Please keep this under {spec.max_length} characters (now {len(text)})."
        return None
    if spec.kind == "checkboxes":
        chosen = value if isinstance(value, list) else []
        if spec.required and not chosen:
            return "Choose at least one."
        if any(item not in spec.options for item in chosen):
            return "Choose from the listed options."
        return None
    if spec.kind == "datetime":
        if not isinstance(value, int | float):
            return "Please pick a date and time." if spec.required else None
        if value > now + FUTURE_TOLERANCE_SECONDS:
            return "That time is in the future."
        return None
    if spec.required and not value:
        return "Please choose one." if spec.kind != "user" else "Please pick a person."
    if spec.options and value and value not in spec.options:
        return "Choose from the listed options."
    return None


def _contradictions(answers: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    action = answers.get(Block.ACTION_TAKEN.value)
    agency = (answers.get(Block.AGENCY.value) or "").strip()
    if action == "law_enforcement" and not agency:
        errors[Block.AGENCY.value] = "You said law enforcement was contacted: name the agency."
    kinds = answers.get(Block.THREAT_KINDS.value) or []
    other = answers.get(Block.THREAT_KIND_OTHER.value) or ""
    if "other" in kinds and not other.strip():
        errors[Block.THREAT_KIND_OTHER.value] = "You chose \"Other\": say what kind, briefly."
    if action == "supervisor_notified" and agency:
        errors[Block.ACTION_TAKEN.value] = (
            "You named a law enforcement agency. Choose \"Law enforcement contacted\", "
            "or clear the agency."
        )
    return errors
