"""What this process knows about the sweep lease: whether it leads, and under which epoch."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, field
from typing import Any


def process_name() -> str:
    """This process as a lease holder and outbox sender: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class LeaseState:
    """Shared by the lease thread (which writes it) and the sweep, delivery and /healthz."""

    holder: str = field(default_factory=process_name)
    backend: str = "sqlite"
    leader: bool = True  # SQLite: the one process; PostgreSQL starts it False
    epoch: int | None = None
    since: float | None = None  # wall-clock time this process became the leader
    error: str | None = None  # why the lease cannot be taken or kept, if it cannot
    changed: threading.Event = field(default_factory=threading.Event, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The state for /healthz: no secrets, only names and numbers."""
        state = "held" if self.leader else ("failing" if self.error else "standby")
        body: dict[str, Any] = {"state": state, "held": self.leader, "holder": self.holder,
                                "epoch": self.epoch}
        if self.error:
            body["error"] = self.error
        return body
