"""Role membership from care.toml, with Slack user groups expanded and cached."""

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
            logger.warning("could not expand user group %s: %s", group_id, type(error).__name__)
            return
        with self._lock:
            self._cache[group_id] = (self._clock(), members)

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
            logger.warning("could not expand user group %s: %s", group_id, type(error).__name__)
            return cached[1] if cached else frozenset()
        with self._lock:
            self._cache[group_id] = (self._clock(), members)
        return members
