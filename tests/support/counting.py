"""Count what a report asks of the associate: question screens and answers nothing pre-filled."""

from __future__ import annotations

from typing import Any

INITIAL_KEYS = ("initial_value", "initial_option", "initial_options", "initial_user",
                "initial_users", "initial_date_time", "initial_date", "initial_time")


def answers_to_give(view: dict[str, Any]) -> list[str]:
    """The required inputs of a view that nothing pre-filled (block ids)."""
    return [
        block["block_id"] for block in view.get("blocks", [])
        if block.get("type") == "input" and not block.get("optional")
        and not any(block["element"].get(key) for key in INITIAL_KEYS)
    ]


def is_question_screen(view: dict[str, Any]) -> bool:
    """A view that asks something: it has at least one input block."""
    return any(block.get("type") == "input" for block in view.get("blocks", []))
