"""The ephemeral answers to `/threat hold` and `/threat unhold`."""

from __future__ import annotations

from care_bot.views.text import safe

NOT_SECURITY = ("Only Corporate Security & Risk (the `security` role) can set or lift a legal "
                "hold.")


def usage(hold: bool) -> str:
    """How to type the command."""
    verb = "hold" if hold else "unhold"
    return f"Usage: `/threat {verb} CARE-YYYY-NNNN reason`. A reason is required."


def not_found(ref: str) -> str:
    """No such incident."""
    return f"No incident {safe(ref, 40)} was found."


def unchanged(ref: str, hold: bool) -> str:
    """The hold was already as asked."""
    return f"{ref} is {'already on' if hold else 'not on'} legal hold."


def changed(ref: str, hold: bool) -> str:
    """The hold was set or lifted, and recorded."""
    if hold:
        return (f":lock: {ref} is on legal hold: retention will not purge it until the hold is "
                "lifted. This was recorded in its audit trail.")
    return (f"{ref} is no longer on legal hold; the retention schedule applies again. This was "
            "recorded in its audit trail.")
