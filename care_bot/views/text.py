"""Text helpers for Block Kit: escaping user text, mentions, dates and length limits."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

KEPT_CONTROLS = frozenset("\n\t")


def clean_typed(text: str) -> str:
    """Remove control and invisible format characters (Unicode Cc, Cf) except newline and tab.

    Applied to typed text before it is saved: bidi overrides, zero-width characters and raw
    control bytes can disguise what a report says. Escaping happens later, when it is shown.
    """
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        ch for ch in text
        if ch in KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cf")
    )


def escape(text: str | None) -> str:
    """Escape &, < and > so user-typed text cannot ping, link or format as a control sequence."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Shorten text to at most ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def safe(text: str | None, limit: int) -> str:
    """Escape user text and fit it into ``limit`` characters without splitting an entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: max(limit - 1, 0)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def mention(user_id: str | None) -> str:
    """Return a user mention, or a dash when nobody is named."""
    return f"<@{user_id}>" if user_id else "—"


def slack_date(epoch: float | None, style: str = "{date_short_pretty} {time}",
               fallback: str | None = None) -> str:
    """Return a Slack date token that each reader sees in their own time zone.

    Only mrkdwn renders it; ``fallback`` (by default the UTC time) is what a client that cannot
    shows instead. Plain text (titles, buttons) needs ``clock_text`` instead.
    """
    if epoch is None:
        return "—"
    if fallback is None:
        fallback = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(epoch)}^{style}|{escape(fallback)}>"


def clock_text(epoch: float, timezone: str | None, seconds: bool = False) -> str:
    """ "14:32 EDT": the time in a branch's zone (UTC when unknown), for plain text and for the
    fallback of a date token."""
    moment = datetime.fromtimestamp(epoch, ZoneInfo(timezone or "UTC"))
    return f"{moment:%H:%M:%S} {moment.tzname()}" if seconds else (
        f"{moment:%H:%M} {moment.tzname()}")


def reader_clock(epoch: float, timezone: str | None, seconds: bool = False) -> str:
    """A time each reader sees in their own zone (mrkdwn), the branch's time as its fallback."""
    return slack_date(epoch, "{time_secs}" if seconds else "{time}",
                      clock_text(epoch, timezone, seconds))


def plain(text: str, limit: int = 75) -> dict:
    """Return a plain_text object clipped to ``limit``."""
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str) -> dict:
    """Return a mrkdwn text object."""
    return {"type": "mrkdwn", "text": text}
