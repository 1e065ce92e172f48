"""Export the records as CSV: to the requester's DM from /threat export, or to a file."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from care_bot.config import Settings
from care_bot.domain import visibility
from care_bot.services import Services
from care_bot.storage import Store, incidents, reports
from care_bot.views import export

logger = logging.getLogger(__name__)
SINCE = re.compile(r"^(?:since\s+)?(\d{4}-\d{2}-\d{2})$", re.IGNORECASE)
EXPORT_USAGE = "Use `/threat export` for everything, or `/threat export since 2026-01-31`."


@dataclass(frozen=True)
class Export:
    """A finished export: its CSV text, how many incidents it holds, and a file name."""

    csv_text: str
    count: int
    filename: str
    with_client_details: int  # rows whose client details were included


def parse_since(text: str, zone: str) -> float | None:
    """Read "since YYYY-MM-DD" (or just the date) as local midnight; empty means everything."""
    text = text.strip()
    if not text:
        return None
    match = SINCE.match(text)
    if not match:
        raise ValueError(EXPORT_USAGE)
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError as error:
        raise ValueError(f"{match.group(1)} is not a date. {EXPORT_USAGE}") from error
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).timestamp()


def split_drills(text: str) -> tuple[bool, str]:
    """Take ``--include-drills`` out of the command's words (Slack may turn "--" into "—")."""
    words = text.split()
    kept = [w for w in words if w.lower().lstrip("-\u2014\u2013") != "include-drills"]
    return len(kept) != len(words), " ".join(kept)


def build(store: Store, settings: Settings, *, actor: str, surface: str, since: float | None,
          now: float, details_for, include_drills: bool = False) -> Export:
    """Write the CSV and record an ``exported`` audit event on every incident in it.

    ``details_for(incident)`` says whether this requester may see the row's client details.
    Drills are left out unless ``include_drills`` (then they are marked).
    """
    export_id = uuid.uuid4().hex[:12]
    with store.transaction() as db:
        chosen = reports.incidents_since(db, since, include_drills=include_drills)
        events = reports.events_of(db, [incident.id for incident in chosen])
        allowed = {incident.id: bool(details_for(incident)) for incident in chosen}
        text = export.to_csv(chosen, events, settings.branches, lambda i: allowed[i.id],
                             include_drills)
        for incident in chosen:
            incidents.append_event(
                db, incident.id, actor=actor, action="exported", surface=surface, now=now,
                detail={"export": export_id, "with_client_details": allowed[incident.id]},
            )
    stamp = datetime.fromtimestamp(now, ZoneInfo(settings.bank_timezone)).strftime("%Y%m%d-%H%M")
    return Export(text, len(chosen), f"care-export-{stamp}.csv", sum(allowed.values()))


def refusal(services: Services, user_id: str, since_text: str) -> str | None:
    """Why this export cannot run (not allowed, or a bad date), or None when it can."""
    if not visibility.may_export(user_id, services.roles.snapshot()):
        logger.info("export refused")
        return ("Only Corporate Security & Risk and HR can export the records. "
                "Nothing was exported.")
    try:
        parse_since(split_drills(since_text)[1], services.settings.bank_timezone)
    except ValueError as error:
        return str(error)
    return None


def export_to_dm(services: Services, user_id: str, since_text: str) -> str:
    """Send the export to the requester's DM; return what to tell them (refusal or result)."""
    problem = refusal(services, user_id, since_text)
    if problem:
        return problem
    roles = services.roles.snapshot()
    include_drills, since_text = split_drills(since_text)
    since = parse_since(since_text, services.settings.bank_timezone)
    result = build(
        services.store, services.settings, actor=user_id, surface="command", since=since,
        now=services.clock(),
        details_for=lambda incident: visibility.sees_client_details(
            user_id, incident, roles, services.settings.branches),
        include_drills=include_drills,
    )
    scope = f"since {since_text.split()[-1]}" if since is not None else "of all time"
    scope += ", drills included (marked DRILL)" if include_drills else ""
    comment = (f"CARE export {scope}: {result.count} incident(s). Client details are included "
               f"on {result.with_client_details} row(s) you may see them on; elsewhere they are "
               "withheld. Keep this file inside the bank.")
    services.slack.upload_file(services.slack.open_dm(user_id), result.filename,
                               result.csv_text.encode("utf-8"), title=result.filename,
                               comment=comment)
    return f"Your export ({result.count} incident(s)) is in your direct messages with CARE bot."
