"""Requests from another workspace, organisation or app are refused; unchecked ones checked later.

What a request can be checked against depends on its kind, because Slack does not send the same
fields with every kind (tests/fixtures/slack shows each):

- slash commands, ``block_actions``, ``view_submission``, ``view_closed``, ``block_suggestion``
  and events carry this app's ``api_app_id``: it must be the bot's own;
- shortcuts (``shortcut``, ``message_action``) carry no app id of this bot (a message shortcut on
  a message another app posted carries *that* app's id): they are checked by workspace and
  organisation alone.

The workspace is checked against the installation: a stand-alone install serves its own
workspace; an Enterprise Grid org-wide install serves every workspace of its organisation and
nothing else. While the identity is unknown (Slack was unreachable at start) the request is
served and recorded, and checked when the identity arrives.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from care_bot.runtime.identity import Installation
from care_bot.services import Services
from care_bot.storage import origins, outbox
from care_bot.views.messages import thread_note

logger = logging.getLogger(__name__)

# Kinds that carry this app's own id, which must match the bot's.
APP_ID_KINDS = frozenset({"command", "block_actions", "view_submission", "view_closed",
                          "block_suggestion", "event_callback"})
# Kinds checked by workspace and organisation alone: Slack sends no id of this app with them.
SHORTCUT_KINDS = frozenset({"shortcut", "message_action"})


@dataclass(frozen=True)
class Origin:
    """Where a request says it comes from."""

    kind: str
    team_id: str | None
    enterprise_id: str | None
    app_id: str | None


def kind_of(body: dict[str, Any]) -> str:
    """The request's kind: its ``type``, or "command" for a slash command."""
    kind = body.get("type")
    if isinstance(kind, str) and kind:
        return kind
    return "command" if body.get("command") else "request"


def _id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def origin_of(body: dict[str, Any]) -> Origin:
    """Read the workspace, organisation and app a request names, whatever its kind."""
    team_obj = body.get("team") if isinstance(body.get("team"), dict) else {}
    user_obj = body.get("user") if isinstance(body.get("user"), dict) else {}
    enterprise_obj = body.get("enterprise") if isinstance(body.get("enterprise"), dict) else {}
    team = (_id(body.get("team_id")) or _id(team_obj.get("id")) or _id(body.get("team"))
            or _id(body.get("context_team_id")) or _id(user_obj.get("team_id")))
    enterprise = (_id(body.get("enterprise_id")) or _id(enterprise_obj.get("id"))
                  or _id(team_obj.get("enterprise_id")) or _id(body.get("context_enterprise_id")))
    return Origin(kind_of(body), team, enterprise, _id(body.get("api_app_id")))


def app_matches(known: Installation, origin: Origin) -> bool:
    """True when the request's app id is acceptable for its kind."""
    if not known.app_id or origin.kind in SHORTCUT_KINDS:
        return True
    if origin.kind in APP_ID_KINDS:
        return origin.app_id == known.app_id
    return origin.app_id in (None, known.app_id)  # an unknown kind: compared where sent


def workspace_matches(known: Installation, team: str | None, enterprise: str | None) -> bool:
    """True when the workspace (or organisation) is this installation's."""
    if known.is_enterprise_install:  # every workspace of the organisation, and no other
        return bool(enterprise) and enterprise == known.enterprise_id
    if team:
        return team == known.team_id
    return bool(enterprise) and enterprise == known.enterprise_id


def matches(known: Installation, origin: Origin) -> bool:
    """True when a request's workspace, organisation and app are this bot's installation."""
    return app_matches(known, origin) and workspace_matches(
        known, origin.team_id, origin.enterprise_id)


def admit(services: Services, body: dict[str, Any], user_id: str | None) -> bool:
    """Decide whether to serve a verified request: refuse another workspace, org or app."""
    origin = origin_of(body)
    known = services.identity.installation
    if known is None:
        _record(services, origin, user_id)
        return True
    if matches(known, origin):
        return True
    logger.warning("refused a %s request from team %s, enterprise %s, app %s", origin.kind,
                   origin.team_id, origin.enterprise_id, origin.app_id)
    return False


def _record(services: Services, origin: Origin, user_id: str | None) -> None:
    try:
        with services.store.transaction() as db:
            origins.record_unchecked(db, team_id=origin.team_id, app_id=origin.app_id,
                                     user_id=user_id, kind=origin.kind, now=services.clock())
    except Exception:  # never refuse a report because the note could not be written
        logger.exception("could not record an unchecked request; serving it anyway")


def _recorded_ok(known: Installation, row: dict) -> bool:
    origin = Origin(row["kind"], row["team_id"] or None, None, row["app_id"] or None)
    if not app_matches(known, origin):
        return False
    if known.is_enterprise_install:  # the row names a workspace: one of the organisation's?
        return origin.team_id in known.workspaces
    return workspace_matches(known, origin.team_id, None)


def check_recorded(services: Services, known: Installation) -> int:
    """Check every request served while the identity was unknown; return how many were foreign."""
    now = services.clock()
    foreign = 0
    with services.store.transaction() as db:
        for row in origins.pending(db):
            ok = _recorded_ok(known, row)
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
