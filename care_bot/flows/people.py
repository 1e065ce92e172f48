"""People of concern: link each new report to earlier ones about the same person.

On submit (inside the report's transaction) the report's match keys are stored as digests
and compared with earlier reports'. A sure match joins the earlier report's person and the
security thread gets "Seen before:"; a likely-same name becomes a suggestion that security
confirms or rejects there. Channels carry references only, never a name. Drills are skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlite_utils

from care_bot.domain import people as matching
from care_bot.domain.models import Incident
from care_bot.flows import urgent
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import incidents, lookout, outbox
from care_bot.storage import people as store
from care_bot.views import lookout as lookout_views
from care_bot.views import people as views
from care_bot.views.summary import kinds_label
from care_bot.views.text import safe

logger = logging.getLogger(__name__)
SUGGESTIONS_PER_REPORT = 3


def is_drill(incident: Incident) -> bool:
    """True for a drill (issue 21 marks them): drills are never linked to people."""
    return bool(getattr(incident, "drill", False) or incident.answers.get("drill"))


@dataclass(frozen=True)
class Match:
    """An earlier report that relates to the new one."""

    incident: Incident
    relation: str  # matching.SAME or matching.LIKELY
    why: str


def find_matches(db: sqlite_utils.Database, identity: matching.Identity, digests: dict,
                 exclude: int) -> list[Match]:
    """Earlier reports related to ``identity``, newest first (purged ones by their keys)."""
    found = []
    for incident_id, kinds in store.candidates(db, digests, exclude).items():
        earlier = incidents.get_incident(db, incident_id)
        if earlier is None or is_drill(earlier):
            continue
        if earlier.status == "purged":
            relation = matching.compare_keys(kinds)
        else:
            other = matching.identity_of(earlier.answers)
            relation = matching.compare(identity, other) if other else None
        if relation:
            found.append(Match(earlier, *relation))
    return found


def on_report(db: sqlite_utils.Database, services: Services, incident: Incident,
              now: float) -> None:
    """Link a submitted report to its person and queue what security should see."""
    identity = None if is_drill(incident) else matching.identity_of(incident.answers)
    if identity is None:
        return
    secret = services.settings.subject_key
    digests = {matching.digest(kind, value, secret): kind
               for kind, value in matching.match_keys(identity)}
    matches = find_matches(db, identity, digests, incident.id)
    store.save_keys(db, incident.id, digests, keyed=bool(secret))
    sure = [m for m in matches if m.relation == matching.SAME
            and store.person_of(db, m.incident.id) is not None]
    if sure:
        person = store.person_of(db, sure[0].incident.id)
        store.link(db, incident.id, person, "auto", now)
        incidents.append_event(db, incident.id, actor="care-bot", action="person_linked",
                               surface="matching", now=now,
                               detail={"with": sure[0].incident.ref, "why": sure[0].why})
        queue_seen_before(db, services, incident, person, sure[0].why, now)
    else:
        person = store.new_person(db, now)
        store.link(db, incident.id, person, "first", now)
    _suggest(db, services, incident, person, matches, now)


def _suggest(db: sqlite_utils.Database, services: Services, incident: Incident, person: int,
             matches: list[Match], now: float) -> None:
    """Offer security each other person a likely-same report belongs to (a few at most)."""
    offered: set[int | None] = {person}
    for match in matches:
        other = store.person_of(db, match.incident.id)
        if other in offered or len(offered) > SUGGESTIONS_PER_REPORT:
            continue
        offered.add(other)
        suggestion_id = store.add_suggestion(db, incident.id, match.incident.id, match.why, now)
        if suggestion_id is None:
            continue
        incidents.append_event(db, incident.id, actor="care-bot", action="link_suggested",
                               surface="matching", now=now,
                               detail={"with": match.incident.ref, "why": match.why})
        message = views.suggestion(suggestion_id, report_line(services, match.incident),
                                   match.why)
        posting.queue_thread_reply(db, services.settings, incident.id, "security",
                                   f"suggestion:{suggestion_id}", message, now)


def queue_seen_before(db: sqlite_utils.Database, services: Services, incident: Incident,
                      person: int, why: str, now: float) -> None:
    """Queue "Seen before:" in the report's security thread."""
    earlier = [report_line(services, i) for i in linked_reports(db, person)
               if i.id != incident.id]
    if not earlier:
        return
    banners = order_banners(db, services, person, now)
    notices = [lookout_views.notice_line(n, services.settings.branches,
                                         services.settings.bank_timezone)
               for n in lookout.active_notices(db, now, person)]
    message = views.seen_before(incident.ref, why, earlier, banners, notices)
    posting.queue_thread_reply(db, services.settings, incident.id, "security",
                               f"seen_before:{person}:{int(now * 1000)}", message, now)


def linked_reports(db: sqlite_utils.Database, person: int) -> list[Incident]:
    """A person's reports, oldest first."""
    found = (incidents.get_incident(db, i) for i in store.reports_of(db, person))
    return [i for i in found if i is not None]


def report_line(services: Services, incident: Incident) -> views.ReportLine:
    """A report as a channel may show it: reference, branch, date and kinds; no name."""
    zone = services.settings.bank_timezone
    if incident.status == "purged":
        month = lookout_views.local_date(incident.created_at, zone)[:7]
        return views.ReportLine(incident.ref, month, purged=True)
    branch = services.settings.branches.get(incident.branch or "")
    answers = incident.answers
    return views.ReportLine(
        incident.ref, lookout_views.local_date(incident.submitted_at or incident.created_at, zone),
        branch=branch.name if branch else "", kinds=kinds_label(answers),
        likelihood=answers.get("likelihood") or "", danger=incident.danger,
        outcome=views.outcome_of(incident.status, answers.get("account_decision")))


def order_banners(db: sqlite_utils.Database, services: Services, person: int | None,
                  now: float) -> list[str]:
    """"Active trespass order (Harbor Street, until 2027-01-31)" for each order in force."""
    if person is None:
        return []
    today = lookout_views.local_date(now, services.settings.bank_timezone)
    return [lookout_views.order_banner(order, services.settings.branches)
            for order in lookout.active_orders(db, now, person) if order["starts_on"] <= today]


def with_order_banners(db: sqlite_utils.Database, services: Services, incident: Incident,
                       message: dict) -> dict:
    """The security post with its person's active orders said first (no name)."""
    banners = order_banners(db, services, store.person_of(db, incident.id), services.clock())
    if not banners:
        return message
    lead = {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(
        f":no_entry: *{safe(b, 300)}*" for b in banners)}}
    return {**message, "text": f"{banners[0]}. {message.get('text', '')}",
            "blocks": [lead, *message.get("blocks", [])][:50]}


def _active_order_reason(db: sqlite_utils.Database, incident: Incident, now: float) -> str | None:
    person = store.person_of(db, incident.id)
    if person is None:
        return None
    today = lookout_views.local_date(now, "UTC")  # no settings here; a day's slack at most
    started = [o for o in lookout.active_orders(db, now, person) if o["starts_on"] <= today]
    return "an active order" if started else None


urgent.register(_active_order_reason)


# ---- security decides on suggestions


def decide(services: Services, user_id: str, suggestion_id: int, same: bool) -> str | None:
    """Confirm or reject a suggestion (security only); return a refusal to show, or None."""
    if user_id not in services.roles.members("security"):
        return "Only Corporate Security & Risk can decide whether two reports are the same person."
    now = services.clock()
    with services.store.transaction() as db:
        row = store.get_suggestion(db, suggestion_id)
        if row is None:
            return "That suggestion no longer exists."
        if not store.decide_suggestion(db, suggestion_id, "confirmed" if same else "rejected",
                                       user_id, now):
            return "Someone already decided on this suggestion."
        new, old = (incidents.get_incident(db, row["incident_id"]),
                    incidents.get_incident(db, row["candidate_id"]))
        action = "link_confirmed" if same else "link_rejected"
        for one, other in ((new, old), (old, new)):
            incidents.append_event(db, one.id, actor=user_id, action=action, surface="channel",
                                   now=now, detail={"with": other.ref, "why": row["why"]})
        if same:
            join(db, new.id, old.id, now)
            person = store.person_of(db, new.id)
            queue_seen_before(db, services, new, person, "confirmed by security", now)
        outbox.enqueue_update(db, target_key=f"incident:{new.id}:security:suggestion:"
                              f"{suggestion_id}", incident_id=new.id, now=now,
                              payload=views.suggestion_decided(report_line(services, old), same,
                                                               user_id))
    services.wake_sweep()
    return None


def join(db: sqlite_utils.Database, incident_id: int, other_id: int, now: float) -> int:
    """Put two reports under one person (merging their people); return that person."""
    keep = store.person_of(db, other_id)
    gone = store.person_of(db, incident_id)
    if keep is None:
        keep = gone if gone is not None else store.new_person(db, now)
        store.link(db, other_id, keep, "manual", now)
    if gone is None:
        store.link(db, incident_id, keep, "manual", now)
    else:
        store.merge(db, keep, gone, now)
    return keep
