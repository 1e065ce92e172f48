"""The emergency block every Home view begins with: in danger, or when CARE bot is down.

Slack keeps showing the last Home view it was given, so this help stays visible even while the
bot itself is not answering.
"""

from __future__ import annotations

from typing import Any

from care_bot.views.text import escape, mrkdwn

EMERGENCY_BLOCK_ID = "care_emergency_help"


def emergency_lines(security_phone: str | None) -> list[str]:
    """Return the emergency instructions as mrkdwn lines, the security desk only when known."""
    lines = ["*In danger? Call 911 first.*"]
    if security_phone:
        phone = escape(security_phone)
        lines.append(f"Security desk: *{phone}*")
        lines.append(f"If CARE bot does not respond, call the security desk at *{phone}*.")
    else:
        lines.append("If CARE bot does not respond, call your supervisor, or 911 if anyone is "
                     "at risk.")
    return lines


def emergency_blocks(settings: Any) -> list[dict[str, Any]]:
    """Return the Block Kit blocks that open every Home view (call 911, security desk, fallback)."""
    phone = getattr(settings, "security_phone", None)
    return [
        {"type": "section", "block_id": EMERGENCY_BLOCK_ID,
         "text": mrkdwn("\n".join(emergency_lines(phone)))},
        {"type": "divider"},
    ]
