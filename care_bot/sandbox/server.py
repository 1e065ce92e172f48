"""The sandbox's web server: the page, its JSON endpoints, and the bot's door to the stand-in.

Routes (127.0.0.1 only):
  GET  /, /static/<file>   the page (plain HTML, CSS and JavaScript from ./static)
  GET  /sandbox/info       people, commands, shortcuts, the timings notice, whether the bot is up
  GET  /sandbox/state      what one person sees (?user=U…&since=N waits up to 20 s for a change)
  POST /sandbox/do         one action by one person (a command, a click, a submit, …)
  *    /api/<method>       the bot's Web API calls: forwarded to emulate, and shown on the page
  POST /hooks/<token>      response_url answers from the bot
"""

from __future__ import annotations

import contextlib
import json
import logging
import mimetypes
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from care_bot.sandbox.client import SlackClient
from care_bot.sandbox.stand_in import StandIn
from care_bot.sandbox.world import World

logger = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
JSON_PARAMS = ("blocks", "attachments", "view", "metadata", "files")
MAX_BODY = 2 * 1024 * 1024


def parse_params(content_type: str, raw: bytes, query: str) -> dict:
    """Return a Web API call's parameters, from a JSON or form body plus the query string."""
    params = {k: v[-1] for k, v in parse_qs(query).items()}
    if not raw:
        return params
    if "application/json" in content_type:
        try:
            return {**params, **json.loads(raw)}
        except ValueError:
            return params
    params.update({k: v[-1] for k, v in parse_qs(raw.decode(errors="replace")).items()})
    for key in JSON_PARAMS:
        if isinstance(params.get(key), str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params


class Sandbox:
    """What the web server serves: the world, the client, and the page's fixed information."""

    def __init__(self, world: World, stand_in: StandIn, info: dict):
        """Serve `world`; forward Web API calls to `stand_in`; `info` feeds /sandbox/info."""
        self.world = world
        self.stand_in = stand_in
        self.info = info
        self.client: SlackClient | None = None
        self.ready = False

    def forward(self, method: str, http_method: str, headers: dict, raw: bytes,
                query: str) -> tuple[int, bytes]:
        """Forward one bot call to the stand-in, show its effect, and return status and body."""
        as_form = http_method == "GET"
        content_type = "application/x-www-form-urlencoded" if as_form else headers.get(
            "Content-Type", "application/x-www-form-urlencoded")
        body = query.encode() if as_form else raw
        forwarded = {"Content-Type": content_type}
        token = headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if token:
            forwarded["Authorization"] = f"Bearer {self.stand_in.forward_token(token)}"
        request = urllib.request.Request(f"{self.stand_in.url}/api/{method}", data=body,
                                         headers=forwarded, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        if status == 404:
            return 200, b'{"ok": false, "error": "unknown_method"}'
        try:
            parsed = json.loads(answer)
        except ValueError:
            return status, answer
        params = parse_params(content_type, body, "" if as_form else query)
        try:
            self.world.observe(method, params, parsed)
        except Exception:  # the page may miss one change; the bot must still get its answer
            logger.exception("could not show %s on the page", method)
        return status, answer

    def act(self, action: dict) -> None:
        """Run one person's action from the page through the Slack client."""
        client, user = self.client, action.get("user", "")
        if client is None or user not in self.world.people:
            raise ValueError("unknown person")
        kind = action.get("kind")
        values = action.get("values") or {}
        if kind == "command":
            client.command(user, action["channel"], action["command"], action.get("text", ""))
        elif kind == "message_action":
            client.message_action(user, action["channel"], action["ts"], action["action"], values)
        elif kind == "view_action":
            client.view_action(user, action["view_id"], action["action"], values)
        elif kind == "submit":
            client.submit(user, action["view_id"], values)
        elif kind == "close":
            client.close(user, action["view_id"])
        elif kind == "home":
            client.open_home(user)
        elif kind == "shortcut":
            client.shortcut(user, action["callback_id"], action.get("channel"), action.get("ts"))
        else:
            raise ValueError(f"unknown action {kind!r}")


class Handler(BaseHTTPRequestHandler):
    """One HTTP request to the sandbox."""

    server_version = "CARE-sandbox"

    @property
    def sandbox(self) -> Sandbox | None:
        """What this server serves; None while the sandbox is still starting."""
        return self.server.sandbox

    def log_message(self, format, *args):
        """Keep request lines out of the terminal."""

    def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value) -> None:
        self._reply(status, json.dumps(value).encode())

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request too large")
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        """Serve the page, its files, and the JSON endpoints."""
        url = urlparse(self.path)
        if self.sandbox is None and not url.path.startswith("/static/") and url.path != "/":
            return self._json(200 if url.path == "/sandbox/info" else 503, {"ready": False})
        if url.path.startswith("/api/"):
            return self._api(url, b"")
        if url.path == "/":
            return self._static("index.html")
        if url.path.startswith("/static/"):
            return self._static(url.path[len("/static/"):])
        if url.path == "/sandbox/info":
            return self._json(200, {**self.sandbox.info, "ready": self.sandbox.ready})
        if url.path == "/sandbox/state":
            return self._state(parse_qs(url.query))
        return self._json(404, {"error": "not found"})

    def do_POST(self):
        """Take the bot's API calls, response_url answers, and the page's actions."""
        url = urlparse(self.path)
        if self.sandbox is None:
            return self._json(503, {"ready": False})
        try:
            raw = self._body()
        except ValueError:
            return self._json(413, {"error": "too large"})
        if url.path.startswith("/api/"):
            return self._api(url, raw)
        if url.path.startswith("/hooks/"):
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"text": raw.decode(errors="replace")}
            known = self.sandbox.world.respond(url.path[len("/hooks/"):], body)
            return self._json(200 if known else 404, {"ok": known})
        if url.path == "/sandbox/do":
            try:
                self.sandbox.act(json.loads(raw or b"{}"))
            except (ValueError, KeyError, TypeError) as error:
                return self._json(400, {"ok": False, "error": str(error)})
            return self._json(200, {"ok": True})
        return self._json(404, {"error": "not found"})

    def _api(self, url, raw: bytes) -> None:
        method = url.path[len("/api/"):]
        status, body = self.sandbox.forward(method, self.command, dict(self.headers), raw,
                                            url.query)
        self._reply(status, body)

    def _state(self, query: dict) -> None:
        user = (query.get("user") or [""])[0]
        if user not in self.sandbox.world.people:
            return self._json(400, {"error": "unknown person"})
        since = int((query.get("since") or ["-1"])[0] or -1)
        self.sandbox.world.wait_for_change(since, timeout=20)
        self._json(200, self.sandbox.world.snapshot(user))

    def _static(self, name: str) -> None:
        path = (STATIC / name).resolve()
        if STATIC not in path.parents or not path.is_file():
            return self._json(404, {"error": "not found"})
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind == "application/javascript":
            kind += "; charset=utf-8"
        self._reply(200, path.read_bytes(), kind)


class SandboxServer(ThreadingHTTPServer):
    """The web server; `sandbox` is set once the stand-in is up."""

    daemon_threads = True
    sandbox: Sandbox | None = None

    def handle_error(self, request, client_address) -> None:
        """Log a failed request, except a tab that went away mid-answer (a closed tab, a
        reload, a long poll cut): that is how a browser ends a request, not a fault."""
        if isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipe, ConnectionReset, …
            logger.debug("the page closed a request before its answer", exc_info=True)
            return
        super().handle_error(request, client_address)


def serve(port: int) -> SandboxServer:
    """Bind the sandbox's web server on 127.0.0.1:`port` (OSError when it is taken)."""
    return SandboxServer(("127.0.0.1", port), Handler)
