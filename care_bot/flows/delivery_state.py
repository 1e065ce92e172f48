"""What delivery keeps in memory: channel holds, rows in flight, outcomes not yet saved."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class DeliveryState:
    """Shared by the sweep, /healthz and shutdown; every method is thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holds: dict[str, float] = {}
        self._in_flight: set[int] = set()
        self._unsettled: dict[int, tuple[Callable[[Any], None], float]] = {}
        self.stopping = threading.Event()
        self.backlog = False  # the last pass stopped with due rows left

    # -- channel holds (Retry-After, backoff after a failure)

    def hold(self, channel: str, until: float) -> None:
        """Keep the channel's posts back until ``until``, so they go oldest first."""
        with self._lock:
            self._holds[channel] = max(until, self._holds.get(channel, 0.0))

    def release(self, channel: str) -> None:
        """Let the channel's posts flow again."""
        with self._lock:
            self._holds.pop(channel, None)

    def held(self, channel: str, now: float) -> bool:
        """True while the channel is held."""
        with self._lock:
            until = self._holds.get(channel)
            if until is not None and until <= now:
                del self._holds[channel]
                return False
            return until is not None

    def next_release(self, now: float) -> float | None:
        """The earliest future end of a hold."""
        with self._lock:
            future = [until for until in self._holds.values() if until > now]
        return min(future) if future else None

    # -- rows being sent

    def begin(self, item_id: int) -> None:
        """Note that a row is being sent now."""
        with self._lock:
            self._in_flight.add(item_id)

    def end(self, item_id: int) -> None:
        """Note that a row's send is over."""
        with self._lock:
            self._in_flight.discard(item_id)

    def busy_ids(self) -> set[int]:
        """Rows in flight or with an outcome still to write: not stranded."""
        with self._lock:
            return set(self._in_flight) | set(self._unsettled)

    # -- outcomes the database refused

    def keep_unsettled(self, item_id: int, write: Callable[[Any], None], now: float) -> None:
        """Keep an outcome to write later, remembering since when it waits."""
        with self._lock:
            since = self._unsettled.get(item_id, (None, now))[1]
            self._unsettled[item_id] = (write, since)

    def unsettled_writes(self) -> list[tuple[int, Callable[[Any], None]]]:
        """The outcomes waiting to be written, oldest row first."""
        with self._lock:
            return [(item_id, write) for item_id, (write, _) in sorted(self._unsettled.items())]

    def drop_unsettled(self, item_id: int) -> None:
        """Forget an outcome once it is written."""
        with self._lock:
            self._unsettled.pop(item_id, None)

    def unsettled_since(self) -> float | None:
        """When the oldest unwritten outcome began waiting."""
        with self._lock:
            times = [since for _, since in self._unsettled.values()]
        return min(times) if times else None

    def unsettled_count(self) -> int:
        """How many outcomes wait to be written."""
        with self._lock:
            return len(self._unsettled)
