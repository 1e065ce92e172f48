"""The dead-man's switch: GET ``[monitoring] heartbeat_url`` after a good sweep, once a minute.

An outside monitor alerts when the GETs stop. The request runs on its own short-lived thread,
so a slow or failing monitor never delays or breaks a sweep.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.request
from collections.abc import Callable

logger = logging.getLogger(__name__)
HEARTBEAT_EVERY_SECONDS = 60.0
HEARTBEAT_TIMEOUT_SECONDS = 10.0


class Heartbeat:
    """Fetches the URL at most once every ``every`` seconds; failures are only logged."""

    def __init__(self, url: str | None, clock: Callable[[], float] = time.monotonic,
                 every: float = HEARTBEAT_EVERY_SECONDS):
        self.url = url
        self.clock = clock
        self.every = every
        self._last: float | None = None
        self._lock = threading.Lock()
        self.sent = 0
        self.failed = 0

    def beat(self) -> bool:
        """Start one GET if a minute has passed since the last; True when one started."""
        if not self.url:
            return False
        now = self.clock()
        with self._lock:
            if self._last is not None and now - self._last < self.every:
                return False
            self._last = now
        threading.Thread(target=self._fetch, name="care-heartbeat", daemon=True).start()
        return True

    def _fetch(self) -> None:
        try:
            request = urllib.request.Request(self.url, method="GET",
                                             headers={"User-Agent": "care-bot-heartbeat"})
            with urllib.request.urlopen(request, timeout=HEARTBEAT_TIMEOUT_SECONDS) as answer:
                answer.read(1024)
            self.sent += 1
        except Exception as error:  # the monitor's trouble is never the sweep's
            self.failed += 1
            logger.warning("heartbeat GET failed: %s", type(error).__name__)
