"""HTTP transport: Bolt's WSGI adapter behind waitress, plus a health check.

In Socket Mode the same server runs with no Bolt app: it serves only ``GET /healthz``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from care_bot.runtime.request_guard import MAX_BODY_BYTES, guarded

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def build_wsgi_app(
    app: App | None,
    healthy: Callable[[], Any],
    details: Callable[[], dict] | None = None,
    *,
    signing_secret: str | None = None,
) -> Callable:
    """Route /slack/events to Bolt (none when ``app`` is None) and /healthz to the health check.

    Slack's requests reach Bolt only through the signature and size guard, which needs the
    ``signing_secret``. ``details`` adds fields to the health answer (Socket Mode adds the
    socket's state). ``healthy`` returns a bool, or ``(ok, body)`` as
    ``care_bot.runtime.health.check_health`` does. Anything else gets 404.
    """
    bolt = None
    if app is not None:
        if not signing_secret:
            raise ValueError("serving Slack's requests over HTTP needs the signing secret")
        bolt = guarded(SlackRequestHandler(app, path=EVENTS_PATH), signing_secret)

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            ok, body = health_answer(healthy)
            body = {**body, **(details() if details else {})}
            return _json(start_response, 200 if ok else 503, body)
        if path == EVENTS_PATH and bolt is not None:
            return bolt(environ, start_response)
        return _json(start_response, 404, {"error": "not found"})

    return wsgi


def health_answer(healthy: Callable[[], Any]) -> tuple[bool, dict]:
    """Run a health check and return (ok, JSON body); a check that raises is unhealthy."""
    try:
        result = healthy()
    except Exception as error:
        return False, {"ok": False, "status": "unhealthy",
                       "reasons": [f"health check failed: {type(error).__name__}"]}
    if isinstance(result, tuple):
        return bool(result[0]), result[1]
    return bool(result), {"ok": bool(result)}


def serve_until_stopped(server, stop: threading.Event, drain_seconds: float) -> None:
    """Run a waitress server until ``stop`` is set; then drain it and close it.

    Draining: the listening socket closes first (no new connections), and requests already
    received get up to ``drain_seconds`` to write their answers, so a report submitted just
    as the process is told to stop is both saved and confirmed. Waitress's own ``close``
    drops every connection at once, answers not yet written included.
    """
    from waitress import wasyncore

    poll = server.adj.asyncore_use_poll
    while not stop.is_set():
        wasyncore.loop(timeout=0.5, map=server._map, use_poll=poll, count=1)
    wasyncore.dispatcher.close(server)  # the listening socket only; the trigger stays
    deadline = time.monotonic() + drain_seconds
    while _busy(server) and time.monotonic() < deadline:
        wasyncore.loop(timeout=0.05, map=server._map, use_poll=poll, count=1)
    server.task_dispatcher.shutdown(timeout=max(deadline - time.monotonic(), 0.1))
    server.trigger.close()
    wasyncore.close_all(server._map)


def _busy(server) -> bool:
    """True while some connection has a request being handled or an answer left to write."""
    return any(channel.requests or channel.total_outbufs_len
               for channel in list(server.active_channels.values()))


__all__ = ["EVENTS_PATH", "HEALTH_PATH", "MAX_BODY_BYTES", "build_wsgi_app", "health_answer",
           "serve_until_stopped"]


def _json(start_response: Callable, status: int, body: dict) -> list[bytes]:
    payload = json.dumps(body).encode()
    reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(payload))),
                                          ("Cache-Control", "no-store")])
    return [payload]
