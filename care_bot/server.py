"""HTTP transport: Bolt's WSGI adapter behind waitress, plus a health check."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from care_bot.request_guard import MAX_BODY_BYTES, guarded

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def build_wsgi_app(app: App, healthy: Callable[[], bool], signing_secret: str) -> Callable:
    """Route /slack/events to Bolt (signed requests only) and /healthz; 404 for the rest."""
    bolt = guarded(SlackRequestHandler(app, path=EVENTS_PATH), signing_secret)

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            ok = healthy()
            return _json(start_response, 200 if ok else 503, {"ok": ok})
        if path == EVENTS_PATH:
            return bolt(environ, start_response)
        return _json(start_response, 404, {"error": "not found"})

    return wsgi


__all__ = ["EVENTS_PATH", "HEALTH_PATH", "MAX_BODY_BYTES", "build_wsgi_app"]


def _json(start_response: Callable, status: int, body: dict) -> list[bytes]:
    payload = json.dumps(body).encode()
    reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(payload)))])
    return [payload]
