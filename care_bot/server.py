"""HTTP transport: Bolt's WSGI adapter behind waitress, plus a health check."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def build_wsgi_app(app: App, healthy: Callable[[], Any]) -> Callable:
    """Route /slack/events to Bolt and /healthz to the health check; 404 for the rest.

    ``healthy`` returns a bool, or ``(ok, body)`` as ``care_bot.health.check_health`` does.
    """
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            ok, body = health_answer(healthy)
            return _json(start_response, 200 if ok else 503, body)
        if path == EVENTS_PATH:
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


def _json(start_response: Callable, status: int, body: dict) -> list[bytes]:
    payload = json.dumps(body).encode()
    reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(payload))),
                                          ("Cache-Control", "no-store")])
    return [payload]
