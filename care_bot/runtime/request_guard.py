"""Refuse hostile HTTP requests before Bolt sees them: too large (413), not signed (401), or
signed but not a body Slack could have sent (400).

Bolt reads and parses the whole body before verifying it, and a non-numeric timestamp makes its
check raise and hand the unverified body to the error handler; a body it cannot parse makes it
raise (HTTP 500). This WSGI layer checks first, so such a request reaches no listener, no error
handler, no Web API call and no row.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import time
from collections.abc import Callable, Iterable

from care_bot.runtime.request_shape import well_formed

MAX_BODY_BYTES = 1024 * 1024  # Slack's own payloads are far smaller
MAX_CLOCK_SKEW_SECONDS = 300


def signature_ok(secret: str, timestamp: str | None, signature: str | None, body: bytes,
                 now: float) -> bool:
    """True when Slack's v0 signature matches and the timestamp is numeric and recent."""
    if not timestamp or not signature or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if len(timestamp) > 12 or abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def guarded(app: Callable, secret: str, clock: Callable[[], float] = time.time,
            max_body: int = MAX_BODY_BYTES) -> Callable:
    """Wrap a WSGI app: 413 over ``max_body`` (never read), 401 unless signed by Slack, 400 when
    the signed body is not one of Slack's request shapes."""

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        length = _content_length(environ)
        if length is None:
            return _status(start_response, "400 Bad Request")
        if length > max_body:
            return _status(start_response, "413 Request Entity Too Large")
        body = environ["wsgi.input"].read(length) if length else b""
        if not signature_ok(secret, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
                            environ.get("HTTP_X_SLACK_SIGNATURE"), body, clock()):
            return _status(start_response, "401 Unauthorized")
        if not well_formed(body, environ.get("CONTENT_TYPE")):
            return _status(start_response, "400 Bad Request")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return app(environ, start_response)

    return wsgi


def _content_length(environ: dict) -> int | None:
    raw = (environ.get("CONTENT_LENGTH") or "0").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw)


def _status(start_response: Callable, status: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "0")])
    return [b""]
