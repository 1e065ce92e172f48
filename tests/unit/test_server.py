"""The WSGI routing: Slack events to Bolt, a health check, 404 for anything else."""

import io
import json

from slack_bolt import App

from care_bot.runtime.server import build_wsgi_app


def _call(wsgi, method: str, path: str) -> tuple[str, dict]:
    captured = {}

    def start_response(status, headers):
        captured["status"] = status

    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
        "CONTENT_LENGTH": "0", "wsgi.input": io.BytesIO(b""), "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000", "wsgi.url_scheme": "http",
    }
    body = b"".join(wsgi(environ, start_response))
    return captured["status"], json.loads(body or b"{}") if body.startswith(b"{") else {}


def _app() -> App:
    return App(token="xoxb-test", signing_secret="secret", token_verification_enabled=False)


def test_server_healthz_reports_ok_only_when_healthy():
    healthy = {"value": True}
    wsgi = build_wsgi_app(_app(), lambda: healthy["value"], signing_secret="secret")
    assert _call(wsgi, "GET", "/healthz") == ("200 OK", {"ok": True})
    healthy["value"] = False
    assert _call(wsgi, "GET", "/healthz") == ("503 Service Unavailable", {"ok": False})


def test_server_unknown_paths_get_404():
    wsgi = build_wsgi_app(_app(), lambda: True, signing_secret="secret")
    assert _call(wsgi, "GET", "/admin")[0] == "404 Not Found"


def test_server_unsigned_event_is_refused_before_bolt():
    wsgi = build_wsgi_app(_app(), lambda: True, signing_secret="secret")
    assert _call(wsgi, "POST", "/slack/events")[0] == "401 Unauthorized"


def test_server_without_bolt_serves_health_with_details_and_no_events():
    wsgi = build_wsgi_app(None, lambda: False, lambda: {"socket_mode": {"state": "reconnecting"}})

    assert _call(wsgi, "GET", "/healthz") == (
        "503 Service Unavailable", {"ok": False, "socket_mode": {"state": "reconnecting"}})
    assert _call(wsgi, "POST", "/slack/events")[0] == "404 Not Found"
