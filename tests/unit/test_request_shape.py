"""Which signed bodies are Slack's shapes: the fixtures are; broken or mistyped ones are not."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from care_bot.runtime.request_shape import well_formed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"
FORM, JSON = "application/x-www-form-urlencoded", "application/json"


def _as_sent(path: Path) -> tuple[bytes, str]:
    data = json.loads(path.read_text())
    if path.name.startswith("slash_command"):
        return urlencode(data).encode(), FORM
    if path.name.startswith("event_callback"):
        return json.dumps(data).encode(), f"{JSON}; charset=utf-8"
    return urlencode({"payload": json.dumps(data)}).encode(), FORM


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.name)
def test_every_fixture_as_slack_sends_it_is_well_formed(path):
    assert well_formed(*_as_sent(path))


def test_slacks_endpoint_checks_are_well_formed():
    assert well_formed(b"ssl_check=1&token=x", FORM)
    assert well_formed(b'{"token": "x", "challenge": "c", "type": "url_verification"}', JSON)


@pytest.mark.parametrize("body,content_type", [
    (b"payload=not-json", FORM),
    (b"payload=" + quote("[1]").encode(), FORM),
    (b"payload=" + quote('{"type": 5}').encode(), FORM),
    (b"payload=" + quote('{"type": "block_actions", "user": "U1"}').encode(), FORM),
    (b"payload=" + quote('{"type": "block_actions", "actions": [1]}').encode(), FORM),
    (b"payload=" + quote('{"type": "view_submission", "view": "V1"}').encode(), FORM),
    (b"payload=a&payload=b", FORM),
    (b"text=hi", FORM),
    (b"command=%2Fthreat&command=%2Fother", FORM),
    (b"\xff\xfe", FORM),
    (b"{", JSON),
    (b'{"type": "event_callback", "event": []}', JSON),
    (b'["event_callback"]', JSON),
])
def test_broken_or_mistyped_bodies_are_not_well_formed(body, content_type):
    assert not well_formed(body, content_type)
