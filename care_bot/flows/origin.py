"""Requests from another workspace or app are refused; unchecked ones are checked later.

Every request carries the workspace (``team_id``) and app (``api_app_id``) it came from. Once
the bot knows its own installation they must match it. While the identity is unknown (Slack was
unreachable at start) the request is served and recorded, and checked when the identity arrives.
"""

from __future__ import annotations

import logging
from typing import Any

from care_bot.flows.services import Services
from care_bot.identity import Installation
from care_bot.storage import origins, outbox
from care_bot.views.messages import thread_note

logger = logging.getLogger(__name__)


def origin_of(body: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """Return (team_id, enterprise_id, api_app_id) named by a request body."""
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    enterprise = body.get("enterprise_id") or (body.get("enterprise") or {}).get("id")
    if isinstance(body.get("team"), str):  # some payloads name the team as a string
        team = team or body["team"]
    return team, enterprise, body.get("api_app_id")


def matches(known: Installation, team: str | None, enterprise: str | None,
            app: str | None) -> bool:
    """True when a request's workspace and app are this bot's installation."""
    if known.app_id and app != known.app_id:
        return False
    if team:
        return team == known.team_id
    return bool(enterprise) and enterprise == known.enterprise_id


def admit(services: Services, body: dict[str, Any], kind: str, user_id: str | None) -> bool:
    """Decide whether to serve a verified request: refuse another workspace or app."""
    team, enterprise, app = origin_of(body)
    known = services.identity.installation
    if known is None:
        _record(services, team, app, user_id, kind)
        return True
    if matches(known, team, enterprise, app):
        return True
    logger.warning("refused a %s request from team %s, app %s", kind, team, app)
    return False


def _record(services: Services, team, app, user_id, kind: str) -> None:
    try:
        with services.store.transaction() as db:
            origins.record_unchecked(db, team_id=team, app_id=app, user_id=user_id, kind=kind,
                                     now=services.clock())
    except Exception:  # never refuse a report because the note could not be written
        logger.exception("could not record an unchecked request; serving it anyway")


def check_recorded(services: Services, known: Installation) -> int:
    """Check every request served while the identity was unknown; return how many were foreign."""
    now = services.clock()
    foreign = 0
    with services.store.transaction() as db:
        for row in origins.pending(db):
            ok = matches(known, row["team_id"] or None, None, row["app_id"] or None)
            origins.set_verdict(db, row["id"], "ok" if ok else "foreign", now)
            foreign += 0 if ok else 1
        if foreign:
            outbox.enqueue_post(
                db, key=f"origin-check:{now}", channel=services.settings.security_channel,
                incident_id=None, payload=thread_note(
                    f":warning: While Slack could not confirm CARE bot's identity at start, "
                    f"{foreign} request(s) came from another workspace or app. They were "
                    "served and are recorded in the `unchecked_requests` table."
                ), now=now,
            )
    if foreign:
        logger.warning("%d request(s) served during the identity outage were foreign", foreign)
        services.wake_sweep()
    return foreign
