"""The associate's open report draft: find it, make it, revive it, and the branch's defaults.

Shared by the report form (``intake``) and the danger alert (``danger``): an alert raised from
the form or from Home becomes the draft's report, so both need the same draft rules.
"""

from __future__ import annotations

from typing import Any

from care_bot.domain.care import BRANCH_POSTS, Step
from care_bot.domain.models import Draft
from care_bot.services import Services
from care_bot.storage import drafts
from care_bot.views.metadata import ModalRef

PROFILE_ANSWERS = ("associate_name", "associate_position")


def ensure_draft(services: Services, user_id: str, draft_id: str,
                 answers: dict[str, Any]) -> None:
    """Write the draft row if it does not exist yet (never overwriting one)."""
    with services.store.transaction() as db:
        drafts.create_draft(db, user_id, services.clock(), answers, draft_id=draft_id,
                            hint=services.store.open_drafts)


def initial_answers(services: Services, user_id: str) -> dict[str, Any]:
    """The answers a new draft starts with: the associate's branch from the directory."""
    branch = services.settings.branch_of(user_id)
    return {"branch": branch.code} if branch else {}


def owned_draft(services: Services, user_id: str, ref: ModalRef) -> Draft | None:
    """The modal's draft when it is the user's own; None otherwise."""
    with services.store.reading() as db:
        draft = drafts.get_draft(db, ref.draft_id)
    if draft is None and ref.draft_id and ref.step == Step.SAFETY.value:
        # The safety step was answered before its new draft row was written.
        ensure_draft(services, user_id, ref.draft_id, initial_answers(services, user_id))
        with services.store.reading() as db:
            draft = drafts.get_draft(db, ref.draft_id)
    return draft if draft and draft.user_id == user_id else None


def drafts_submitted(services: Services, draft_id: str) -> bool:
    """True when the draft already became a report."""
    with services.store.reading() as db:
        return drafts.is_submitted(db, draft_id)


def retired(services: Services, draft_id: str) -> bool:
    """True when the draft was set aside by "Start over"."""
    with services.store.reading() as db:
        return drafts.is_retired(db, draft_id)


def revive_if_retired(services: Services, draft: Draft) -> None:
    """The associate is typing in this draft's modal, so it is the one that counts."""
    if retired(services, draft.id):
        with services.store.transaction() as db:
            drafts.revive(db, draft.id, draft.user_id, services.clock())


def branch_defaults(services: Services, draft: Draft, answers: dict[str, Any]) -> dict:
    """The branch directory's people and the location, for answers not given yet."""
    branch = services.settings.branches.get(answers.get("branch") or "")
    defaults: dict[str, Any] = {}
    if branch:
        # never the associate themselves (a supervisor reporting at their own branch): a
        # pre-filled "name someone other than yourself" error they did not cause
        defaults.update({role: getattr(branch, role) for role in BRANCH_POSTS
                         if getattr(branch, role) not in (None, "", draft.user_id)
                         and not draft.answers.get(role)})
    location = " · ".join(p for p in (branch.name if branch else "",
                                      answers.get("location_detail") or "") if p)
    if location and not draft.answers.get("associate_location"):
        defaults["associate_location"] = location
    return defaults
