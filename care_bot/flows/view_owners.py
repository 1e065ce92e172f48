"""A click may change only the clicker's own modal: views.update never takes a view id on trust.

A ``block_actions`` request names the modal it came from (``view.id``, ``container.view_id``).
Slack fills those in, but a forged request could name another person's modal, which the bot would
then fill from the sender's draft. So the bot remembers whom it opened each modal for: each
request's ``trigger_id`` is noted with its user (``TriggerOwners``), and when ``views.open`` or
``views.push`` with that trigger succeeds the new view id is stored with that user. Only a view
stored for the clicker is ever updated.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from slack_sdk.errors import SlackApiError

from care_bot.storage import views as view_rows

logger = logging.getLogger(__name__)

TRIGGER_SECONDS = 60.0  # Slack's trigger ids work for about 3 s; kept a little longer
KEEP_OWNERS_SECONDS = 7 * 24 * 3600.0  # a modal left open for a week is long gone
PRUNE_EVERY_SECONDS = 3600.0


class TriggerOwners:
    """Which user each recent trigger id came with; in memory, thread-safe, short-lived."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._owners: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self.last_prune = 0.0

    def expect(self, trigger_id: str, user_id: str) -> None:
        """Note that ``trigger_id`` came with a request from ``user_id``."""
        now = self._clock()
        with self._lock:
            if len(self._owners) > 1000:
                self._owners = {t: v for t, v in self._owners.items()
                                if now - v[1] < TRIGGER_SECONDS}
            self._owners[trigger_id] = (user_id, now)

    def owner(self, trigger_id: str) -> str | None:
        """The user a recent trigger id came with, if any."""
        with self._lock:
            found = self._owners.get(trigger_id)
        return found[0] if found and self._clock() - found[1] < TRIGGER_SECONDS else None


def note_request(services, body: dict[str, Any]) -> None:
    """Remember the user of a request's trigger id (called for every admitted request)."""
    trigger = body.get("trigger_id")
    user = body.get("user")
    user_id = (user.get("id") if isinstance(user, dict) else None) or body.get("user_id")
    if isinstance(trigger, str) and trigger and isinstance(user_id, str) and user_id:
        services.triggers.expect(trigger, user_id)


def note_opened(services, trigger_id: str, view: dict[str, Any]) -> None:
    """Store the owner of a view the bot just opened or pushed with ``trigger_id``."""
    owner = services.triggers.owner(trigger_id)
    view_id = view.get("id") if isinstance(view, dict) else None
    if not owner or not view_id:
        return
    now = services.clock()
    try:
        with services.store.transaction() as db:
            view_rows.record_owner(db, view_id, owner, now)
            if now - services.triggers.last_prune > PRUNE_EVERY_SECONDS:
                services.triggers.last_prune = now
                view_rows.forget_before(db, now - KEEP_OWNERS_SECONDS)
    except Exception:  # the modal is open either way; its updates will be refused, not lost
        logger.exception("could not record whose modal was opened")


def is_own(services, view_id: str | None, user_id: str | None) -> bool:
    """True when the bot opened view ``view_id`` for ``user_id``."""
    if not view_id or not user_id:
        return False
    try:
        with services.store.reading() as db:
            return view_rows.owner_of(db, view_id) == user_id
    except Exception:  # storage down: not known to be theirs (a danger tap opens a new modal)
        logger.exception("could not read whose modal this is")
        return False


def own_view_id(services, body: dict[str, Any]) -> str | None:
    """The id of the modal a request came from, if the bot opened it for this user; else None."""
    sent = body.get("view") if isinstance(body.get("view"), dict) else {}
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    view_id = sent.get("id")
    return view_id if is_own(services, view_id, user.get("id")) else None


def update_clickers_modal(services, body: dict[str, Any], view: dict[str, Any],
                          use_hash: bool = True) -> bool:
    """views.update the modal a click came from, if it is the clicker's own; False if refused.

    A ``hash_conflict`` (the modal changed meanwhile) is logged and the modal kept.
    """
    sent = body.get("view") if isinstance(body.get("view"), dict) else {}
    view_id = sent.get("id")
    if not is_own(services, view_id, (body.get("user") or {}).get("id")):
        logger.warning("refused to update a modal the bot did not open for the clicker")
        return False
    try:
        services.slack.update_view(view_id, view, sent.get("hash") if use_hash else None)
    except SlackApiError as error:
        logger.warning("views.update failed: %s", error.response.get("error"))
    return True
