"""Parse and format the human durations used in care.toml ("90s", "15m", "4h", "3d")."""

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """Return the timedelta for "90s", "15m", "4h" or "3d"; raise ValueError otherwise."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a duration like \"90s\", \"15m\", \"4h\" or \"3d\"")
    amount, unit = int(match.group(1)), match.group(2)
    if amount <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    return timedelta(seconds=amount * _UNIT_SECONDS[unit])


def format_duration(delta: timedelta) -> str:
    """Return the shortest exact form of a duration, such as "15m" or "3d"."""
    seconds = int(delta.total_seconds())
    for unit in ("d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


_WORDS = {"d": "day", "h": "hour", "m": "minute", "s": "second"}


def spoken_duration(delta: timedelta) -> str:
    """Return a duration in words, such as "15 minutes" or "3 days"."""
    short = format_duration(delta)
    amount, unit = int(short[:-1]), short[-1]
    return f"{amount} {_WORDS[unit]}{'' if amount == 1 else 's'}"
