"""``verify``'s second half: every incident's stored state must agree with its audit events."""

from __future__ import annotations

from collections import defaultdict

import sqlite_utils

from care_bot.storage.chain import TOMBSTONE, Problem, verify_chain

CREATED = ("danger_alerted", "submitted")
HOLD_EVENTS = ("legal_hold_set", "legal_hold_released")


def verify_all(db: sqlite_utils.Database) -> tuple[list[Problem], int, str]:
    """Check the chain, then each incident; return (problems, events checked, head hash)."""
    problems, count, head = verify_chain(db)
    problems += verify_incidents(db)
    return problems, count, head


def verify_incidents(db: sqlite_utils.Database) -> list[Problem]:
    """Compare each incident row with its events; a row edited behind the bot's back shows."""
    events: dict[int, list[dict]] = defaultdict(list)
    for row in db.query("SELECT id, incident_id, actor, action, purged_at FROM events "
                        "ORDER BY id"):
        events[row["incident_id"]].append(row)
    holds = {row[0] for row in db.execute("SELECT incident_id FROM legal_holds")}
    problems: list[Problem] = []
    known: set[int] = set()
    for incident in db.query("SELECT * FROM incidents ORDER BY id"):
        known.add(incident["id"])
        problems += _incident_problems(incident, events.get(incident["id"], []),
                                       incident["id"] in holds)
    for incident_id, rows in events.items():
        if incident_id not in known:
            problems.append(Problem(f"event {rows[0]['id']} belongs to incident {incident_id}, "
                                    "which does not exist", rows[0]["id"], incident_id))
    return problems


def _incident_problems(incident: dict, rows: list[dict], held: bool) -> list[Problem]:
    ident = incident["id"]
    ref = incident["ref"]

    def problem(what: str, event_id: int | None = None) -> Problem:
        return Problem(f"{ref}: {what}", event_id, ident)

    if not rows:
        return [problem("has no audit events")]
    if incident["status"] == "purged":
        live = [r for r in rows if r["purged_at"] is None and r["action"] != TOMBSTONE]
        if not any(r["action"] == TOMBSTONE for r in rows):
            return [problem("is marked purged but has no purge tombstone")]
        return [problem("is purged but has unredacted events", live[0]["id"])] if live else []
    found: list[Problem] = []
    actions = [r["action"] for r in rows]
    if rows[0]["action"] not in CREATED:
        found.append(problem(f"first event is {rows[0]['action']!r}, not a report or an alert",
                             rows[0]["id"]))
    if incident["status"] == "open" and "submitted" not in actions:
        found.append(problem("is open but no 'submitted' event exists"))
    if incident["status"] == "alerted" and "danger_alerted" not in actions:
        found.append(problem("is an alert but no 'danger_alerted' event exists"))
    closes = [r for r in rows if r["action"] == "closed"]
    if incident["status"] == "closed" and not closes:
        found.append(problem("is closed but no 'closed' event exists"))
    if incident["status"] != "closed" and closes:
        found.append(problem(f"has a 'closed' event but its status is {incident['status']!r}",
                             closes[0]["id"]))
    if closes and incident["status"] == "closed" and incident["closed_by"] != closes[0]["actor"]:
        found.append(problem("closed_by does not match its 'closed' event", closes[0]["id"]))
    acks = [r for r in rows if r["action"] == "acknowledged"]
    if incident["acknowledged_by"] and not acks:
        found.append(problem("is acknowledged but no 'acknowledged' event exists"))
    if acks and incident["acknowledged_by"] != acks[0]["actor"]:
        found.append(problem("acknowledged_by does not match its 'acknowledged' event",
                             acks[0]["id"]))
    claims = [r for r in rows if r["action"] == "claimed"]
    if incident.get("claimed_by") and (not claims or claims[0]["actor"] != incident["claimed_by"]):
        found.append(problem("claimed_by does not match a 'claimed' event"))
    hold_rows = [r for r in rows if r["action"] in HOLD_EVENTS]
    on_hold = bool(hold_rows) and hold_rows[-1]["action"] == "legal_hold_set"
    if held != on_hold:
        state = "is on legal hold" if held else "is not on legal hold"
        found.append(problem(f"{state}, but its audit events say otherwise"))
    return found
