"""Is a signed body something Slack could have sent? A body that is not is answered 400.

Bolt parses the body itself and raises on one it cannot read (bad JSON, a list where an object
belongs, bytes that are not UTF-8), which the server turns into HTTP 500. This check runs after
the signature check and before Bolt, so a malformed body reaches no listener, no Web API call and
no row. It checks the envelope only (what kind of request, and that the objects Bolt and the
listeners read are objects); what the fields mean is the listeners' business.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

# Fields of an interaction payload that must be objects (or absent / null) when present.
OBJECT_FIELDS = ("user", "team", "enterprise", "channel", "container", "view", "message",
                 "state")
LIST_OF_OBJECT_FIELDS = ("actions", "authorizations")


def well_formed(body: bytes, content_type: str | None) -> bool:
    """True when ``body`` parses as one of Slack's request kinds, with objects where expected."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if (content_type or "").split(";")[0].strip().lower() == "application/json":
        return _json_request(text)
    try:
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        return False
    if "payload" in form:
        return len(form["payload"]) == 1 and _interaction(form["payload"][0])
    if "ssl_check" in form:
        return True
    return bool(form.get("command")) and all(len(values) == 1 for values in form.values())


def _object(text: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _fields_are_objects(payload: dict[str, Any]) -> bool:
    for name in OBJECT_FIELDS:
        if payload.get(name) is not None and not isinstance(payload[name], dict | str):
            return False
    for name in LIST_OF_OBJECT_FIELDS:
        value = payload.get(name)
        if value is not None and not (
                isinstance(value, list) and all(isinstance(item, dict) for item in value)):
            return False
    return True


def _interaction(text: str) -> bool:
    payload = _object(text)
    if payload is None or not isinstance(payload.get("type"), str):
        return False
    if isinstance(payload.get("user"), str) or isinstance(payload.get("view"), str):
        return False  # an interaction's user and view are always objects
    return _fields_are_objects(payload)


def _json_request(text: str) -> bool:
    payload = _object(text)
    if payload is None or not isinstance(payload.get("type"), str):
        return False
    event = payload.get("event")
    if event is not None and not isinstance(event, dict):
        return False
    return _fields_are_objects(payload)
