"""Notices about CARE bot itself (its database), posted straight to the security channel."""

from __future__ import annotations

from typing import Any

from care_bot.views.messages import thread_note
from care_bot.views.text import safe

Message = dict[str, Any]


def storage_failing(reason: str) -> Message:
    """Tell security the database refuses writes: reports cannot be saved right now."""
    return thread_note(
        ":rotating_light: *CARE bot cannot save to its database* "
        f"(`{safe(reason, 200)}`). New threat reports will answer \"could not be saved\" and "
        "queued Slack posts may be late until this is fixed. Anyone in danger must call "
        "911. Free disk space or make the database writable; CARE bot recovers by itself."
    )


def storage_recovered(minutes: int) -> Message:
    """Tell security the database takes writes again."""
    return thread_note(
        f":white_check_mark: CARE bot can save to its database again (after about "
        f"{max(minutes, 1)} min). Reports are being saved and queued posts are going out."
    )
