"""Sign request bodies the way Slack does (v0 scheme) for tests."""

from __future__ import annotations

import hashlib
import hmac
import time

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def signature(secret: str, timestamp: str | int, body: bytes | str) -> str:
    """Return Slack's `v0=` signature of `body` sent at `timestamp`."""
    raw = body.encode() if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode() + b":" + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: bytes | str,
    secret: str,
    timestamp: str | int | None = None,
    content_type: str | None = FORM_CONTENT_TYPE,
) -> dict[str, str]:
    """Return the headers Slack would send with `body`, signed with `secret`."""
    ts = str(int(time.time())) if timestamp is None else str(timestamp)
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(secret, ts, body),
    }
    if content_type:
        headers["Content-Type"] = content_type
    return headers
