"""What the associate sees about their danger alert: one line per state, the same everywhere.

The emergency modal, Home's "My reports" and the associate's alert DM all show these words,
re-rendered from the stored state whenever it changes. Nothing here says "delivered" before
Slack accepted the security post.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from care_bot.config import Branch
from care_bot.views.text import escape, reader_clock

SENDING = "sending"
NOT_DELIVERED = "not_delivered"
DELIVERED = "delivered"
TAKEN = "taken"
RESOLVED = "resolved"

PROMISE = "The first responder who takes this alert is shown here."
SECURITY = "Corporate Security & Risk"


@dataclass(frozen=True)
class AlertStatus:
    """Where a danger alert stands, as the associate is told."""

    stage: str
    delivered_at: float | None = None
    by_dm: bool = False  # the security channel refused; its members got the alert by DM
    paged: tuple[str, ...] = field(default_factory=tuple)  # mentions of who was paged
    taker_name: str = ""
    taker_role: str = ""
    taken_at: float | None = None
    safe_at: float | None = None
    closed: bool = False


def clock(epoch: float | None, branches: Mapping[str, Branch], branch_code: str | None) -> str:
    """The time to the second in each reader's own zone (mrkdwn), the branch's as fallback."""
    if epoch is None:
        return "—"
    branch = branches.get(branch_code or "")
    return reader_clock(epoch, branch.timezone if branch else None, seconds=True)


def _and(names: tuple[str, ...]) -> str:
    if len(names) <= 1:
        return "".join(names) or "nobody yet"
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def status_lines(status: AlertStatus, branches: Mapping[str, Branch], branch_code: str | None,
                 security_phone: str | None = None) -> list[str]:
    """The state's words (mrkdwn lines), first line first."""
    def at(epoch: float | None) -> str:
        return clock(epoch, branches, branch_code)

    if status.stage == RESOLVED:
        if status.safe_at:
            return [f":white_check_mark: *You reported safe at {at(status.safe_at)}.*"]
        return [":white_check_mark: *This alert is closed.*"]
    if status.stage == TAKEN:
        name = status.taker_name
        return [f":raising_hand: *{name} is on it ({at(status.taken_at)}).*",
                f"{name} ({status.taker_role}) is on it and contacts you next."]
    if status.stage == DELIVERED:
        how = " by direct message" if status.by_dm else ""
        return [f":white_check_mark: *Delivered to {SECURITY}{how} at "
                f"{at(status.delivered_at)}.* Paged: {_and(status.paged)}.",
                f"Nobody has taken it yet. {PROMISE}"]
    if status.stage == NOT_DELIVERED:
        desk = (f"the security desk at *{escape(security_phone)}*" if security_phone
                else "the security desk")
        return [f":warning: *Not delivered yet: Slack is not answering. Call 911, or {desk}.*",
                "CARE bot keeps trying and this screen changes as soon as it is delivered."]
    return [":hourglass_flowing_sand: *Sending your alert…*", PROMISE]


def status_text(status: AlertStatus, branches: Mapping[str, Branch], branch_code: str | None,
                security_phone: str | None = None) -> str:
    """The state's words as one mrkdwn text."""
    return "\n".join(status_lines(status, branches, branch_code, security_phone))


def status_dm(ref: str, text: str) -> dict[str, Any]:
    """The associate's DM about their alert, updated in place (chat.update) as it changes."""
    body = f"*Your danger alert {ref}*\n{text}"
    return {"text": f"Your danger alert {ref}: " + text.split("\n")[0].replace("*", ""),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": body}}]}
