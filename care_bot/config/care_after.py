"""The optional ``[care_after]`` table (issue 21): check-ins, debrief and review deadlines.

``checkins`` lists when the associate is checked on, as durations after the submission (or the
danger alert), or "off". Without it, ``[reminders] wellbeing_checkin`` stays the first check-in
and the usual later ones (3 and 14 days) follow it. ``debrief_deadline`` and ``review_deadline``
may be set here or in ``[reminders]`` beside the other task deadlines; here wins.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from typing import Any

from care_bot.config.types import DEFAULT_CHECKINS
from care_bot.domain.durations import parse_duration

LATER_CHECKINS = DEFAULT_CHECKINS[1:]  # after the first check-in, when only that one is set
MAX_CHECKINS = 10
OFF = ("off", False)
DEADLINES = ("debrief_deadline", "review_deadline")
KNOWN = ("checkins", *DEADLINES)
CHECKINS_SHAPE = 'care_after.checkins must be a list of durations such as ["1d", "3d", "14d"], ' \
                 'or "off"'


def care_after_settings(table: dict, reminders: Any, problems: list[str]) -> dict:
    """Return the ``reminders`` (with any deadline set here) and the check-in schedule."""
    for key in table:
        if key not in KNOWN:
            # Only a plain word is echoed: a pasted token must never reach the log.
            shown = key if re.fullmatch(r"[a-z_]{1,30}", str(key)) else "(a key)"
            problems.append(f"care_after.{shown} is not a known setting "
                            f"({', '.join(KNOWN)})")
    overrides = {}
    for key in DEADLINES:
        if key in table:
            delta = _duration(table[key], f"care_after.{key}", problems)
            if delta is not None:
                overrides[key] = delta
    if overrides:
        reminders = dataclasses.replace(reminders, **overrides)
    if "checkins" in table:
        checkins = parse_checkins(table["checkins"], problems)
    else:
        checkins = fallback_checkins(reminders.wellbeing_checkin)
    return {"reminders": reminders, "checkins": checkins}


def fallback_checkins(first: timedelta | None) -> tuple[timedelta, ...]:
    """Without ``[care_after] checkins``: ``wellbeing_checkin`` first, then the later defaults.

    ``wellbeing_checkin = "off"`` (None) turns every check-in off, as it always did.
    """
    if first is None:
        return ()
    return (first, *(later for later in LATER_CHECKINS if later > first))


def parse_checkins(raw: object, problems: list[str]) -> tuple[timedelta, ...]:
    """Read ``checkins``: a list of durations (kept in order of time, each once) or "off"."""
    if raw in OFF or raw == []:
        return ()
    if not isinstance(raw, list):
        problems.append(CHECKINS_SHAPE)
        return DEFAULT_CHECKINS
    if len(raw) > MAX_CHECKINS:
        problems.append(f"care_after.checkins has {len(raw)} check-ins; at most {MAX_CHECKINS}")
        return DEFAULT_CHECKINS
    found = []
    for item in raw:
        delta = _duration(item, "care_after.checkins", problems)
        if delta is None:
            return DEFAULT_CHECKINS
        found.append(delta)
    return tuple(sorted(set(found)))


def _duration(raw: object, where: str, problems: list[str]) -> timedelta | None:
    try:
        return parse_duration(raw)
    except ValueError:
        # A short value is echoed; anything longer could be a pasted secret.
        shown = repr(raw) if isinstance(raw, str) and len(raw) <= 12 else "a value"
        problems.append(f"{where}: {shown} is not a duration like \"90s\", \"15m\", \"4h\" "
                        "or \"3d\"")
        return None
