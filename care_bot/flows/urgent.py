"""Why a report is urgent for the reminder ladder: one place that other issues join.

Each reason is a function ``(db, incident, now) -> str | None`` giving a plain reason, such
as "Active trespass order (Harbor Street, until 2027-01-31)", or None. An urgent report's
reminders do not wait for business hours. Issue 17's own rules register here too.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from care_bot.domain import care
from care_bot.domain.models import Incident

Reason = Callable[[sqlite_utils.Database, Incident, float], "str | None"]
REASONS: list[Reason] = []


def register(reason: Reason) -> None:
    """Add a reason (once)."""
    if reason not in REASONS:
        REASONS.append(reason)


def reasons(db: sqlite_utils.Database, incident: Incident, now: float) -> list[str]:
    """Every reason this report is urgent now; empty when it is not."""
    found = []
    for reason in REASONS:
        text = reason(db, incident, now)
        if text:
            found.append(text)
    return found


def is_urgent(db: sqlite_utils.Database, incident: Incident, now: float) -> bool:
    """True when any reason applies."""
    return bool(reasons(db, incident, now))


def _answers_reason(_db: sqlite_utils.Database, incident: Incident, _now: float) -> str | None:
    """Issue 17: "Likely", a physical threat, or a "Did they…" sign (``care.urgent_reasons``)."""
    found = care.urgent_reasons(incident.answers)
    return ("Urgent: " + "; ".join(found)) if found else None


register(_answers_reason)
