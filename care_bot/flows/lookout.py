""""Be on the lookout" notices: issued by security, fanned out at Slack's pace, seen, expired.

A notice is rows: the notice, and one recipient per destination (a branch's channel when
``[branches.<code>] channel`` is set, else its supervisor by DM; a supervisor of several
branches gets one message). Recipients enter the outbox a few at a time (``FEED_WINDOW``),
oldest first, only as earlier ones are delivered: a notice to 5,000 branches never fills the
outbox, so a danger alert queued meanwhile waits behind at most a few posts.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import sqlite_utils

from care_bot.domain import ladder
from care_bot.domain.durations import spoken_duration
from care_bot.flows import person_page
from care_bot.services import Services
from care_bot.storage import incidents, lookout, outbox
from care_bot.views import lookout as views
from care_bot.views.alerts import role_mentions
from care_bot.views.forms import read_answers
from care_bot.views.people import answered
from care_bot.views.text import clean_typed

logger = logging.getLogger(__name__)
FEED_WINDOW = 4  # notice posts in the outbox at once
HOME_REFRESH_LIMIT = 200  # beyond this, Homes show the change when next opened
RENDER_NOTICE = "notice"
NOTICE_KEY = "notice:"


def security_key(notice_id: int) -> str:
    """Outbox key of a notice's post in the security channel."""
    return f"{NOTICE_KEY}{notice_id}:security"


def recipient_key(notice_id: int, destination: str) -> str:
    """Outbox key of a notice's message to one destination."""
    return f"{NOTICE_KEY}{notice_id}:to:{destination}"


def destinations(services: Services, codes: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """{destination: branch codes}, and the branches that have neither channel nor supervisor."""
    branches = services.settings.branches
    chosen = list(branches) if views.ALL in codes else codes
    found: dict[str, list[str]] = defaultdict(list)
    nobody = []
    for code in chosen:
        branch = branches.get(code)
        target = branch and (branch.channel or branch.supervisor)
        if target:
            found[target].append(code)
        else:
            nobody.append(code)
    return dict(found), nobody


def notice_form(services: Services, user_id: str, person: int) -> dict | None:
    """The "Be on the lookout" modal, for security only."""
    if not person_page.is_security(services, user_id):
        return None
    return views.notice_modal(person, services.settings.branches, services.clock())


def issue(services: Services, user_id: str, person: int, state_values: dict) -> dict:
    """Save a notice and start its fan-out; {"errors": …} or {"view": …}."""
    answers = read_answers(state_values)
    codes = [c for c in views.chosen_branches(answers)
             if c == views.ALL or c in services.settings.branches]
    description = " ".join(clean_typed(answers.get("notice_description") or "").split())
    todo = [k for k in answers.get("notice_todo") or [] if k in views.WHAT_TO_DO]
    expires = answers.get("notice_expires")
    now = services.clock()
    errors = {}
    if not person_page.is_security(services, user_id):
        errors["target_branches"] = "Only Corporate Security & Risk can issue a notice."
    elif not codes:
        errors["target_branches"] = "Choose at least one branch, or tick All branches."
    if not description:
        errors["notice_description"] = "Say what the branches should look out for."
    if not isinstance(expires, int | float) or expires <= now:
        errors["notice_expires"] = "Choose a time in the future."
    if errors:
        return {"errors": errors}
    found, nobody = destinations(services, codes)
    with services.store.transaction() as db:
        notice_id = _save(db, services, user_id, person, codes, description, todo, expires,
                          found, nobody)
    services.wake_sweep()
    where = views.branch_names(codes, services.settings.branches)
    missing = f" {len(nobody)} branch(es) have no supervisor or channel; security was told." \
        if nobody else ""
    logger.info("notice %s issued to %d destination(s)", notice_id, len(found))
    return {"view": answered(f"Sending the notice to {where}: {len(found)} message(s), at "
                             f"Slack's pace. Its post in the security channel shows who has "
                             f"seen it.{missing}")}


def _save(db: sqlite_utils.Database, services: Services, user_id: str, person: int,
          codes: list[str], description: str, todo: list[str], expires: float,
          found: dict[str, list[str]], nobody: list[str]) -> int:
    now = services.clock()
    anchor = person_page.anchor_of(db, person)
    first = services.settings.branches.get(next(iter(found.values()), [""])[0])
    seen_within = services.settings.reminders.bolo_seen_within.total_seconds()
    notice_id = lookout.add_notice(
        db, person_id=person, incident_id=anchor.id, branches=codes, description=description,
        todo=todo, expires_at=float(expires), created_by=user_id, created_at=now,
        seen_check_at=ladder.business_deadline(now, seen_within, first))
    lookout.add_recipients(db, notice_id, found)
    incidents.append_event(db, anchor.id, actor=user_id, action="notice_issued",
                           surface="person_page", now=now,
                           detail={"notice": notice_id, "branches": codes[:50],
                                   "destinations": len(found), "expires_at": expires})
    outbox.enqueue_post(db, key=security_key(notice_id), channel=services.settings.security_channel,
                        incident_id=anchor.id, render=RENDER_NOTICE, now=now)
    if nobody:
        names = views.branch_names(nobody, services.settings.branches, 20)
        _thread(db, services, notice_id, anchor.id, "nobody",
                f"No supervisor or branch channel is set for {names}: tell them another way.",
                now)
    _queue_homes(db, services, notice_id, now)
    return notice_id


def _thread(db: sqlite_utils.Database, services: Services, notice_id: int, incident_id: int,
            name: str, text: str, now: float) -> None:
    outbox.enqueue_post(db, key=f"{security_key(notice_id)}:{name}",
                        channel=services.settings.security_channel, incident_id=incident_id,
                        thread_of=security_key(notice_id), payload=views.thread_line(text),
                        now=now)


def _queue_homes(db: sqlite_utils.Database, services: Services, notice_id: int,
                 now: float) -> None:
    people = set(services.roles.members("security"))
    rows = lookout.recipients(db, notice_id)
    if len(rows) <= HOME_REFRESH_LIMIT:
        for row in rows:
            people |= {services.settings.branches[c].supervisor for c in row["branches"]
                       if c in services.settings.branches}
    for user in sorted(p for p in people if p):
        outbox.enqueue_home(db, user_id=user, now=now)


def feed(services: Services) -> int:
    """Move the next recipients into the outbox while fewer than FEED_WINDOW wait there."""
    now = services.clock()
    with services.store.transaction() as db:
        waiting = db.execute(
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending') AND key LIKE ?",
            [f"{NOTICE_KEY}%:to:%"]).fetchone()[0]
        room = FEED_WINDOW - waiting
        rows = lookout.waiting_recipients(db, room) if room > 0 else []
        for row in rows:
            notice = lookout.get_notice(db, row["notice_id"])
            where = views.branch_names(row["branches"], services.settings.branches)
            outbox.enqueue_post(db, key=recipient_key(notice["id"], row["destination"]),
                                channel=row["destination"], incident_id=notice["incident_id"],
                                payload=views.notice_message(notice, row["id"], where), now=now)
        lookout.mark_queued(db, [row["id"] for row in rows], now)
    return len(rows)


def render(db: sqlite_utils.Database, services: Services, key: str) -> dict[str, Any]:
    """The notice's security post, from the state at send time."""
    notice_id = int(key.split(":")[1])
    notice = lookout.get_notice(db, notice_id)
    anchor = incidents.get_incident(db, notice["incident_id"])
    return views.notice_status(notice, lookout.recipients(db, notice_id),
                               services.settings.branches, anchor.ref if anchor else "",
                               services.clock())


def seen(services: Services, user_id: str, recipient_id: int) -> str | None:
    """Record "Seen" on a branch's notice; return a message for the clicker, or None."""
    now = services.clock()
    with services.store.transaction() as db:
        row = lookout.get_recipient(db, recipient_id)
        if row is None:
            return "That notice no longer exists."
        notice = lookout.get_notice(db, row["notice_id"])
        if not lookout.mark_seen(db, recipient_id, user_id, now):
            return None  # a double click: already recorded
        incidents.append_event(db, notice["incident_id"], actor=user_id, action="notice_seen",
                               surface="notice", now=now,
                               detail={"notice": notice["id"], "branches": row["branches"]})
        where = views.branch_names(row["branches"], services.settings.branches)
        outbox.enqueue_update(db, target_key=recipient_key(notice["id"], row["destination"]),
                              incident_id=notice["incident_id"], now=now,
                              payload=views.notice_message(notice, recipient_id, where,
                                                           user_id, now))
        _refresh(db, notice, now)
    services.wake_sweep()
    return None


def _refresh(db: sqlite_utils.Database, notice: dict, now: float) -> None:
    outbox.enqueue_refresh(db, parent_key=security_key(notice["id"]),
                           incident_id=notice["incident_id"], render=RENDER_NOTICE, now=now)


def end_early(services: Services, user_id: str, notice_id: int) -> str | None:
    """Security ends a notice before its expiry; return a refusal, or None."""
    if not person_page.is_security(services, user_id):
        return "Only Corporate Security & Risk can end a notice."
    now = services.clock()
    with services.store.transaction() as db:
        notice = lookout.get_notice(db, notice_id)
        if notice is None or not lookout.end_notice(db, notice_id, user_id, now):
            return "That notice has already ended."
        incidents.append_event(db, notice["incident_id"], actor=user_id, action="notice_ended",
                               surface="channel", now=now, detail={"notice": notice_id})
    close_due(services)
    services.wake_sweep()
    return None


def sweep_due(services: Services, find_due: Callable, claim: Callable,
              handle: Callable[[sqlite_utils.Database, dict, float], None]) -> int:
    """Handle each due row once, each in its own transaction; return how many were due.

    ``find_due(db, now)`` lists the rows; ``claim(db, row_id, now)`` marks one taken and is
    False when another sweep took it first.
    """
    now = services.clock()
    with services.store.reading() as db:
        due = find_due(db, now)
    for row in due:
        with services.store.transaction() as db:
            if claim(db, row["id"], now):
                handle(db, row, now)
    return len(due)


def security_ping(services: Services) -> str:
    """The mentions that reach Corporate Security & Risk in their channel."""
    return " ".join(role_mentions(services.settings.roles.get("security", ())))


def close_due(services: Services) -> int:
    """Post each expired (or ended) notice's end in its thread; update the messages and Homes."""
    return sweep_due(services, lookout.notices_to_close, lookout.mark_end_posted,
                     lambda db, notice, now: _post_end(db, services, notice, now))


def _post_end(db: sqlite_utils.Database, services: Services, notice: dict, now: float) -> None:
    ended = notice.get("ended_at")
    text = (f"This notice was ended early by <@{notice['ended_by']}>." if ended else
            "This notice has expired. Branches no longer see it on Home.")
    _thread(db, services, notice["id"], notice["incident_id"], "end", text, now)
    if not ended:
        incidents.append_event(db, notice["incident_id"], actor="care-bot",
                               action="notice_expired", surface="scheduler", now=now,
                               detail={"notice": notice["id"]})
    _close_messages(db, services, notice, text, now)
    _refresh(db, notice, now)
    _queue_homes(db, services, notice["id"], now)


def _close_messages(db: sqlite_utils.Database, services: Services, notice: dict, text: str,
                    now: float) -> None:
    rows = lookout.recipients(db, notice["id"])
    if len(rows) > HOME_REFRESH_LIMIT:
        return  # thousands of updates would crowd Slack; the Homes and the thread say it
    for row in rows:
        if row["queued_at"] is None:
            continue
        where = views.branch_names(row["branches"], services.settings.branches)
        outbox.enqueue_update(db, target_key=recipient_key(notice["id"], row["destination"]),
                              incident_id=notice["incident_id"], now=now,
                              payload=views.notice_message(notice, row["id"], where,
                                                           ended=text))


def check_seen(services: Services) -> int:
    """Tell security which branches have not seen a notice within ``bolo_seen_within``."""
    return sweep_due(services, lookout.due_seen_checks, lookout.mark_seen_checked,
                     lambda db, notice, now: _tell_unseen(db, services, notice, now))


def _tell_unseen(db: sqlite_utils.Database, services: Services, notice: dict,
                 now: float) -> None:
    unseen = [r for r in lookout.recipients(db, notice["id"]) if not r["seen_at"]]
    if not unseen:
        return
    codes = [c for r in unseen for c in r["branches"]]
    names = views.branch_names(codes, services.settings.branches, 20)
    within = spoken_duration(services.settings.reminders.bolo_seen_within)
    _thread(db, services, notice["id"], notice["incident_id"], "unseen",
            f"{security_ping(services)} Not seen within {within} (business hours): {names}.",
            now)
    incidents.append_event(db, notice["incident_id"], actor="care-bot",
                           action="notice_not_seen", surface="scheduler", now=now,
                           detail={"notice": notice["id"], "branches": codes[:50]})

