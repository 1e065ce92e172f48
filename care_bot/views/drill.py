"""Drills (issue 21): the DRILL marking of every modal, post, DM and Home entry, and the
scorecard posted when a drill alert is resolved. Pure functions over Block Kit dicts.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from care_bot.domain.metrics import describe_duration
from care_bot.views.text import mention, mrkdwn, plain

PREFIX = "DRILL · "
LINE = (":construction: *DRILL* · practice only: nobody is in danger. Facing a real threat? "
        "Use the danger button on CARE bot's Home or `/threat`: that alert is real.")
CONTEXT_BLOCK_ID = "drill"
# A drill never broadcasts: <!here>, <!channel> and <!everyone> (with or without a label).
BROADCAST = re.compile(r"<!(?:here|channel|everyone)(?:\|[^>]*)?>")


def context_block() -> dict[str, Any]:
    """The context line that marks a drill on every surface."""
    return {"type": "context", "block_id": CONTEXT_BLOCK_ID, "elements": [mrkdwn(LINE)]}


def _unbroadcast(value: Any) -> Any:
    if isinstance(value, str):
        return BROADCAST.sub("(no @here in a drill)", value)
    if isinstance(value, list):
        return [_unbroadcast(item) for item in value]
    if isinstance(value, dict):
        return {key: _unbroadcast(item) for key, item in value.items()}
    return value


def mark_message(message: dict[str, Any]) -> dict[str, Any]:
    """A drill's post or DM: "DRILL · " first in the text, the context line first in the
    blocks, and no broadcast mention anywhere. Marking twice changes nothing."""
    marked = _unbroadcast(copy.deepcopy(message))
    text = marked.get("text") or ""
    if not text.startswith(PREFIX):
        marked["text"] = PREFIX + text
    blocks = marked.get("blocks")
    if blocks is not None and not (blocks and blocks[0].get("block_id") == CONTEXT_BLOCK_ID):
        marked["blocks"] = [context_block(), *blocks][:50]
    return marked


def mark_view(view: dict[str, Any]) -> dict[str, Any]:
    """A drill's modal: "DRILL · " in the title (24 characters at most) and the context line
    above everything else."""
    marked = dict(view)
    title = (view.get("title") or {}).get("text", "")
    if not title.startswith(PREFIX):
        marked["title"] = plain((PREFIX + title)[:24], 24)
    blocks = list(view.get("blocks") or [])
    if not (blocks and blocks[0].get("block_id") == CONTEXT_BLOCK_ID):
        marked["blocks"] = [context_block(), *blocks][:100]
    return marked


def entry_label(ref: str, drill: bool) -> str:
    """An incident's reference on Home and in lists, marked when it is a drill."""
    return f"{PREFIX}{ref}" if drill else ref


@dataclass(frozen=True)
class Scorecard:
    """How a drill went, measured from the alert."""

    ref: str
    alerted_at: float
    first_page_at: float | None
    taken_at: float | None
    taken_by: str | None
    safe_at: float | None
    steps: Sequence[tuple[str, bool]]  # (chain step, done)


def _after(start: float, at: float | None, missing: str) -> str:
    return describe_duration(at - start) if at is not None else missing


def scorecard_message(card: Scorecard) -> dict[str, Any]:
    """The scorecard posted in the drill's security thread when it is resolved."""
    taken = (f"{_after(card.alerted_at, card.taken_at, '')} by {mention(card.taken_by)}"
             if card.taken_at is not None else "nobody took it")
    steps = " · ".join(f"{'✅' if done else '⬜'} {label}" for label, done in card.steps)
    lines = [
        f":stopwatch: *Drill scorecard* · {card.ref}",
        f"*Time to the first page:* {_after(card.alerted_at, card.first_page_at, 'not paged')}",
        f"*Time until someone took it:* {taken}",
        f"*Time to \"I'm safe now\":* "
        f"{_after(card.alerted_at, card.safe_at, 'not pressed')}",
        f"*Chain steps:* {steps or 'none'}",
    ]
    text = "\n".join(lines)
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text[:3000])}]}
