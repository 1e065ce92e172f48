"""/healthz: one function that says whether the bot can do its job, and why not.

Served by the HTTP server and usable from Socket Mode alike. The body names each
component's state and never carries a secret or any incident data: only states, counts and
ages in seconds.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from care_bot.services import Services
from care_bot.storage import outbox


class SweepStatus(Protocol):
    """What the health check needs to know about the sweep."""

    running: bool
    last_completed: float | None  # time.monotonic() of the last finished sweep
    started_at: float  # time.monotonic() when the sweeper started


def check_health(services: Services, sweep: SweepStatus) -> tuple[bool, dict[str, Any]]:
    """Return (healthy, body): 503-worthy when writes fail, the sweep lags, or posts are stuck."""
    reasons: list[str] = []
    components = {
        "database": {**_database(services, reasons), "backend": services.lease.backend},
        "lease": services.lease.as_dict(),
        "sweep": _sweep(services, sweep, reasons),
        "outbox": _outbox(services, reasons),
    }
    ok = not reasons
    return ok, {"ok": ok, "status": "ok" if ok else "unhealthy", "reasons": reasons,
                "components": components}


def _database(services: Services, reasons: list[str]) -> dict[str, Any]:
    reason = services.storage_watch.probe(services)
    if reason is None:
        return {"state": "ok", "writable": True}
    reasons.append(f"database cannot be written: {reason}")
    return {"state": "failing", "writable": False, "error": reason}


def _sweep(services: Services, sweep: SweepStatus, reasons: list[str]) -> dict[str, Any]:
    limit = 3 * services.settings.sweep_every.total_seconds()
    now = time.monotonic()
    last = sweep.last_completed
    age = now - (last if last is not None else sweep.started_at)
    body: dict[str, Any] = {"limit_seconds": round(limit, 1)}
    if last is not None:
        body["last_completed_seconds_ago"] = round(now - last, 1)
    if not sweep.running:
        reasons.append("the sweep is not running")
        return {"state": "stopped", **body}
    if getattr(sweep, "standby", False):
        return {"state": "standby", **body}  # another process sweeps; this one takes over
    if age > limit:
        reasons.append(f"the sweep has not completed for {age:.0f}s (limit {limit:.0f}s)")
        return {"state": "late", **body}
    return {"state": "ok" if last is not None else "starting", **body}


def _outbox(services: Services, reasons: list[str]) -> dict[str, Any]:
    waited = services.settings.stuck_alert_after.total_seconds()
    now = services.clock()
    state = services.delivery
    unsaved = state.unsettled_count()
    body: dict[str, Any] = {"unsaved_outcomes": unsaved}
    try:
        with services.store.reading() as db:
            stuck = outbox.stuck_count(db, now - waited)
    except Exception as error:
        reasons.append("outbox cannot be read")
        return {"state": "unknown", "error": type(error).__name__, **body}
    since = state.unsettled_since()
    if since is not None and now - since >= waited:
        stuck = max(stuck, unsaved)
    body["stuck"] = stuck
    if stuck:
        reasons.append(f"{stuck} Slack post(s) waiting longer than {waited:.0f}s")
        return {"state": "stuck", **body}
    return {"state": "ok", **body}
