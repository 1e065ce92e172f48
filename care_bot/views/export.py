"""The records export: one CSV row per incident, built from its events. Stdlib only.

Client details (name, accounts) and the decision's rationale are filled in only for rows the
requester may see them on; elsewhere the cell says "(withheld)". Cells that a spreadsheet would
run as a formula are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime

from care_bot.config import Branch
from care_bot.domain.care import (
    ACCOUNT_DECISIONS,
    CLIENT_STATUS,
    TASKS,
    THREAT_CHANNELS,
    THREAT_KINDS,
    client_status,
)
from care_bot.domain.checklist import (
    SECURITY_CLOSED,
    TaskDone,
    ended_early,
    identified,
    task_states,
    tasks_of,
)
from care_bot.domain.masking import mask_for
from care_bot.domain.metrics import facts_of
from care_bot.domain.models import Event, Incident

WITHHELD = "(withheld)"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHECKLIST_TASKS = tuple(task for task in TASKS if task.key not in ("acknowledged",
                                                                      "account_decision"))
BASE_COLUMNS = (
    "reference", "status", "danger", "alerted_or_reported_at", "submitted_at", "branch",
    "branch_name", "kinds", "channel", "client", "acknowledged_at", "acknowledged_by",
    "time_to_acknowledge_min", "hr_reported_at", "time_to_hr_report_min",
)
TAIL_COLUMNS = (
    "decision", "decision_by", "decision_at", "decision_rationale",
    "closed_at", "closed_by", "closed_early", "close_reason",
    "client_name", "accounts",
)


def columns(include_drills: bool = False) -> list[str]:
    """The CSV header: the base columns, three per task (state, by, at), then the tail.

    With drills included, a last ``drill`` column marks them ("DRILL").
    """
    per_task = [f"{task.key}_{part}" for task in CHECKLIST_TASKS for part in ("state", "by", "at")]
    return [*BASE_COLUMNS, *per_task, *TAIL_COLUMNS, *(["drill"] if include_drills else [])]


def iso(epoch: float | None) -> str:
    """An ISO 8601 UTC timestamp, or an empty cell."""
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"


def cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row(incident: Incident, events: Sequence[Event], branches: Mapping[str, Branch],
        with_client_details: bool) -> dict[str, str]:
    """One incident as a CSV row."""
    facts = facts_of(incident, events)
    states = task_states(events)
    answers = incident.answers
    closed = next((e for e in events if e.action == "closed"), None)
    decision = next((e for e in events if e.action == "account_decided"), None)
    values: dict[str, object] = {
        "reference": incident.ref,
        "status": incident.status,
        "danger": "yes" if incident.danger else "no",
        "alerted_or_reported_at": iso(facts.started_at),
        "submitted_at": iso(incident.submitted_at),
        "branch": incident.branch or "",
        "branch_name": branches[incident.branch].name if incident.branch in branches else "",
        "kinds": "; ".join(THREAT_KINDS.get(k, k) for k in answers.get("threat_kinds") or ()),
        "channel": THREAT_CHANNELS.get(answers.get("threat_channel") or "", ""),
        "client": CLIENT_STATUS[client_status(answers, identified(states))],
        "acknowledged_at": iso(facts.acknowledged_at),
        "acknowledged_by": states["acknowledged"].by if "acknowledged" in states else "",
        "time_to_acknowledge_min": _minutes(facts.time_to_ack),
        "hr_reported_at": iso(facts.hr_reported_at),
        "time_to_hr_report_min": _minutes(facts.time_to_hr),
    }
    owed = {task.key for task in tasks_of(incident, states)}
    ended = {task.key for task in ended_early(incident, states)}
    for task in CHECKLIST_TASKS:
        done = states.get(task.key)
        if done:
            state = "done"
        elif task.key in ended:
            state = "closed"  # security closed its part early; the task ended undone
        elif task.key not in owed:
            state = "n/a"  # no account work for a non-client; a debrief only after danger
        elif task.key in facts.overdue_tasks:
            state = "overdue"
        else:
            state = "closed" if incident.status == "closed" else "open"
        values[f"{task.key}_state"] = state
        values[f"{task.key}_by"] = done.by if done else ""
        values[f"{task.key}_at"] = iso(done.at) if done else ""
    detail = decision.detail if decision else {}
    part = states.get(SECURITY_CLOSED)  # security closed its part early (issue 17)
    reason = incident.close_reason or (part.note if part else "")
    values.update({
        "decision": ACCOUNT_DECISIONS.get(detail.get("decision", ""), ""),
        "decision_by": decision.actor if decision else "",
        "decision_at": iso(decision.at) if decision else "",
        "decision_rationale": (detail.get("rationale", "") if with_client_details
                               else (WITHHELD if decision else "")),
        "closed_at": iso(incident.closed_at),
        "closed_by": incident.closed_by or "",
        "closed_early": _closed_early(closed, states),
        "close_reason": reason if with_client_details else mask_for(incident, reason),
        "client_name": (answers.get("client_name") or "") if with_client_details else WITHHELD,
        "accounts": (answers.get("accounts") or "") if with_client_details else WITHHELD,
    })
    return {name: cell(values.get(name, "")) for name in columns()}


def _closed_early(closed: Event | None, states: Mapping[str, TaskDone]) -> str:
    """ "yes" when security closed early (all of it, or its part before the account decision)."""
    if SECURITY_CLOSED in states or (closed and closed.detail.get("early")):
        return "yes"
    return "no" if closed else ""


def to_csv(incidents: Iterable[Incident], events: Mapping[int, Sequence[Event]],
           branches: Mapping[str, Branch], may_see_details: Callable[[Incident], bool],
           include_drills: bool = False) -> str:
    """The whole export as CSV text, one row per incident in reference order.

    Drill incidents are left out unless ``include_drills``; then each row says whether it was
    a drill in its ``drill`` column.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(include_drills), lineterminator="\r\n")
    writer.writeheader()
    for incident in incidents:
        if incident.drill and not include_drills:
            continue
        values = row(incident, events.get(incident.id, ()), branches, may_see_details(incident))
        if include_drills:
            values["drill"] = "DRILL" if incident.drill else ""
        writer.writerow(values)
    return out.getvalue()
