"""What the use cases hand the outbox: rendering at send time, and what a delivery changes.

Delivery knows how to claim, send and record a row; what a rendered row says (a parent message,
a Home tab, the associate's confirmation) and what a danger alert's delivery or refusal changes
belong to the flows. They come in through ``Services.hooks``, built by
``flows.renders.delivery_hooks()``, so the outbox never imports a flow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from care_bot.domain.models import Incident, OutboxItem

Db = Any  # an open sqlite_utils.Database (or the PostgreSQL stand-in) inside a transaction


@dataclass(frozen=True)
class DeliveryHooks:
    """The flows' part of delivering a row; every callable runs in the sweep's thread."""

    # The plan entries ("message", "view" or "home_for") of a row with a ``render``.
    render: Callable[[Db, Any, OutboxItem, Incident | None], dict[str, Any]]
    # Build and publish the Home of each user (one read of the open incidents for all).
    publish_homes: Callable[[Any, list[str]], None]
    # Bring one remembered alert screen up to date (views.update).
    update_screen: Callable[[Any, str], None]
    # In the write that records a sent row: (db, item, ts, now).
    sent: Callable[[Db, OutboxItem, str | None, float], None]
    # In the write that records a retry: (db, item, now).
    retrying: Callable[[Db, OutboxItem, float], None]
    # In the write that records a permanent failure: (db, services, item, now).
    failed: Callable[[Db, Any, OutboxItem, float], None]
