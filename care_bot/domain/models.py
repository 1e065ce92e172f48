"""Plain records that move between storage, flows and views. Stdlib only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Draft:
    """An unfinished report, saved at every step so a closed modal loses nothing."""

    id: str
    user_id: str
    step: str
    answers: dict[str, Any]
    incident_id: int | None
    created_at: float
    updated_at: float
    drill: bool = False  # issue 21: a /threat drill's draft, never the associate's real one


@dataclass(frozen=True)
class Incident:
    """A reported threat and its denormalised state; the audit events hold the history."""

    id: int
    ref: str
    reporter: str
    status: str  # "alerted" (danger alert only), "open", "closed"
    danger: bool
    branch: str | None
    answers: dict[str, Any]
    created_at: float
    submitted_at: float | None
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    closed_at: float | None = None
    closed_by: str | None = None
    close_reason: str | None = None
    overdue: bool = False
    claimed_by: str | None = None  # the security member who said "I'm on it"
    claimed_at: float | None = None
    safe_at: float | None = None  # when the associate pressed "I'm safe now"
    police_call: str | None = None  # "called" or "cant_call", from the danger screen
    # Issue 21: a practice alert from /threat drill. Kept out of metrics, the digest, exports,
    # people-of-concern links, HR and the Market President; every post of it says DRILL.
    drill: bool = False

    def person(self, role: str) -> str | None:
        """Return the Slack user named on the report for a role such as "supervisor"."""
        if role == "reporter":
            return self.reporter
        value = self.answers.get(role)
        return value or None


@dataclass(frozen=True)
class Event:
    """One append-only audit event on an incident."""

    id: int
    incident_id: int
    at: float
    actor: str
    action: str
    surface: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboxItem:
    """A Slack post or update waiting to be delivered by the sweep."""

    id: int
    incident_id: int | None
    key: str
    kind: str  # "post", "update", "home" or "screen" (an alert modal's views.update)
    channel: str
    thread_of: str | None
    render: str | None
    payload: dict[str, Any]
    status: str
    attempts: int
    not_before: float
    ts: str | None = None
    error: str | None = None
    unsure: bool = False  # the last attempt may have been posted; look before posting again
    uid: str = ""  # unique across databases; sent as message metadata to find the post again
    priority: int = 2  # 0 danger alerts, 1 escalations, 2 everything else (sent in that order)


@dataclass(frozen=True)
class Followup:
    """A scheduled reminder or escalation; the schedule lives in SQLite, not in memory."""

    id: int
    incident_id: int
    kind: str
    task: str
    rung: int
    due_at: float
    status: str
