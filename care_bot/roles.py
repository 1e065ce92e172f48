"""Role membership from care.toml, with Slack user groups expanded and cached.

A user group Slack will not expand (usergroups.users.list fails, or the group does not exist)
fails closed: its role keeps the members last read, or none. That is never silent: the log says
once "Could not read user group S… (error): supervisors cannot act until it is fixed", and the
failure is kept (``failing``) for the refusal people see, the security channel's one alert and
``python -m care_bot check``, until a read succeeds again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

from care_bot.config import USERGROUP_ID

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 300.0


class RoleDirectory:
    """Answers "who is in role X", expanding user group ids through the Web API."""

    def __init__(
        self,
        roles: Mapping[str, tuple[str, ...]],
        fetch_group: Callable[[str], list[str]],
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._roles = roles
        self._fetch_group = fetch_group
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()
        self._failing: dict[str, str] = {}  # group id -> Slack's error, while it cannot be read
        self._alerted: set[str] = set()

    def members(self, role: str) -> frozenset[str]:
        """Return every user id in a role, groups expanded."""
        users: set[str] = set()
        for entry in self._roles.get(role, ()):
            if USERGROUP_ID.match(entry):
                users |= self._group(entry)
            else:
                users.add(entry)
        return frozenset(users)

    def refresh(self) -> None:
        """Fetch every configured user group now, replacing the cached members."""
        for entries in self._roles.values():
            for entry in entries:
                if USERGROUP_ID.match(entry):
                    self._fetch_into_cache(entry)

    def _fetch_into_cache(self, group_id: str) -> None:
        try:
            members = frozenset(self._fetch_group(group_id))
        except Exception as error:
            self._note_failure(group_id, error)
            return
        with self._lock:
            self._cache[group_id] = (self._clock(), members)
        self._note_read(group_id)

    def roles_of(self, group_id: str) -> tuple[str, ...]:
        """The roles a user group is configured for, in file order."""
        return tuple(role for role, entries in self._roles.items() if group_id in entries)

    def failing(self, roles: tuple[str, ...] | None = None) -> dict[str, str]:
        """User groups Slack cannot expand now (id -> error), of ``roles`` or of every role."""
        with self._lock:
            failing = dict(self._failing)
        if roles is None:
            return failing
        return {group: code for group, code in failing.items()
                if set(self.roles_of(group)) & set(roles)}

    def take_new_failures(self) -> dict[str, str]:
        """Failing groups not yet reported to the security channel; each is returned once."""
        with self._lock:
            new = {g: code for g, code in self._failing.items() if g not in self._alerted}
            self._alerted.update(new)
        return new

    def report_again(self, group_id: str) -> None:
        """Let ``take_new_failures`` return the group again (its alert could not be queued)."""
        with self._lock:
            self._alerted.discard(group_id)

    def _note_failure(self, group_id: str, error: Exception) -> None:
        code = error_code(error)
        with self._lock:
            new = self._failing.get(group_id) != code
            self._failing[group_id] = code
        if new:
            logger.error("%s", failure_text(group_id, code, self.roles_of(group_id)))

    def _note_read(self, group_id: str) -> None:
        with self._lock:
            was = self._failing.pop(group_id, None)
            self._alerted.discard(group_id)
        if was is not None:
            logger.warning("user group %s can be read again", group_id)

    def snapshot(self) -> dict[str, frozenset[str]]:
        """Return the members of every configured role."""
        return {role: self.members(role) for role in self._roles}

    def _group(self, group_id: str) -> frozenset[str]:
        with self._lock:
            cached = self._cache.get(group_id)
            if cached and self._clock() - cached[0] < self._ttl:
                return cached[1]
        try:
            members = frozenset(self._fetch_group(group_id))
        except Exception as error:  # a Slack outage must not lock everyone out
            self._note_failure(group_id, error)
            return cached[1] if cached else frozenset()
        with self._lock:
            self._cache[group_id] = (self._clock(), members)
        self._note_read(group_id)
        return members


def error_code(error: Exception) -> str:
    """Slack's error code for a failed call (``no_such_subteam``), else the exception's name."""
    response = getattr(error, "response", None)
    code = response.get("error") if hasattr(response, "get") else None
    return code or type(error).__name__


def failure_text(group_id: str, code: str, roles: tuple[str, ...]) -> str:
    """The one sentence the log, the security channel and `check` use for an unreadable group."""
    who = " and ".join(roles) or "nobody in it"
    return f"Could not read user group {group_id} ({code}): {who} cannot act until it is fixed"
