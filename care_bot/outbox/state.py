"""What delivery keeps in memory: channel holds, rows in flight, outcomes not yet saved."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any


class DeliveryState:
    """Shared by the sweep, /healthz and shutdown; every method is thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holds: dict[str, float] = {}
        self._held_since: dict[str, float] = {}  # channel -> first failure of this outage
        self._last_success = float("-inf")
        self._in_flight: Counter[int] = Counter()  # two lanes may look at one row at once
        self._unsettled: dict[int, tuple[Callable[[Any], None], float]] = {}
        self.stopping = threading.Event()
        self.backlog = False  # the last pass stopped with due rows left

    # -- channel holds (Retry-After, backoff after a failure)

    def hold(self, channel: str, until: float, now: float | None = None) -> None:
        """Keep the channel's posts back until ``until``, so they go oldest first."""
        with self._lock:
            self._holds[channel] = max(until, self._holds.get(channel, 0.0))
            self._held_since.setdefault(channel, until if now is None else now)

    def release(self, channel: str) -> None:
        """Let the channel's posts flow again."""
        with self._lock:
            self._holds.pop(channel, None)
            self._held_since.pop(channel, None)

    def note_success(self, channel: str, now: float, proves: bool = True) -> None:
        """A row went out in the channel: it flows again; ``proves`` that Slack takes posts."""
        if proves:
            with self._lock:
                self._last_success = max(self._last_success, now)
        self.release(channel)

    def others_succeeded_while_held(self, channel: str) -> bool:
        """True when some post went out since the channel's current trouble began."""
        with self._lock:
            since = self._held_since.get(channel)
            return since is not None and self._last_success >= since

    def held(self, channel: str, now: float) -> bool:
        """True while the channel is held."""
        with self._lock:
            until = self._holds.get(channel)
            if until is not None and until <= now:
                del self._holds[channel]
                return False
            return until is not None

    def next_release(self, now: float) -> float | None:
        """The earliest end of a hold; ``now`` once when holds ended since the last look.

        Ended holds are dropped here, so the sweep runs one more pass for their channels and
        never spins on a hold whose channel has nothing left to send.
        """
        with self._lock:
            ended = [channel for channel, until in self._holds.items() if until <= now]
            for channel in ended:
                del self._holds[channel]
            future = [until for until in self._holds.values() if until > now]
        if ended:
            return now
        return min(future) if future else None

    # -- rows being sent

    def begin(self, item_id: int) -> None:
        """Note that a row is being sent now."""
        with self._lock:
            self._in_flight[item_id] += 1

    def end(self, item_id: int) -> None:
        """Note that a row's send is over."""
        with self._lock:
            self._in_flight[item_id] -= 1
            if self._in_flight[item_id] <= 0:
                del self._in_flight[item_id]

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
