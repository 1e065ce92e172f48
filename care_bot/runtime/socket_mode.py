"""Socket Mode: one supervised websocket to Slack, replaced at once when it fails.

Why not slack_sdk's own clients (figures from benchmarks/socket_clients.py, in
docs/operations.md): the built-in one notices a server close only at its periodic check, spins
a core on a socket closed without a close frame, and after a refresh reads the new socket
behind the old one's read timeout; its websocket-client adapter pings without a timeout, so a
silent drop is never noticed, and it closes the old socket before the new one is open. This
module keeps websocket-client (a small, well-tested frame parser) and owns the rest: every
socket has its own reader thread, a close or a dropped TCP connection ends that reader at once,
a socket that hears nothing for ``silence_limit`` seconds (it pings every ``ping_interval``) is
given up, and on Slack's ``disconnect`` the new socket is opened and greeted before the old one
is closed.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import websocket
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)

PING_INTERVAL = 3.0  # seconds between our pings; Slack answers each with a pong
SILENCE_LIMIT = 9.0  # no frame at all for this long: the socket is dead (a silent drop)
READ_TICK = 0.5  # a blocked read wakes this often to ping and to notice silence
HELLO_TIMEOUT = 10.0
CONNECT_TIMEOUT = 10.0
REFRESH_GRACE = 10.0  # after a refresh, the old socket may still carry acks this long
ACK_WAIT = 2.0  # an ack whose socket closed waits this long for the next one
MAX_BACKOFF = 30.0
# Slack's answers to apps.connections.open that no retry can fix.
REFUSED = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
    "not_allowed_token_type", "missing_scope", "invalid_token",
})


class AppTokenRefused(Exception):
    """Slack refused SLACK_APP_TOKEN; retrying cannot help."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


@dataclass
class SocketState:
    """What /healthz reports about the socket."""

    state: str = "starting"  # starting, connecting, connected, reconnecting, stopped
    connected_since: float | None = None
    reconnects: int = 0
    last_problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The state as JSON-ready values."""
        since = (datetime.fromtimestamp(self.connected_since, UTC).isoformat(timespec="seconds")
                 if self.connected_since else None)
        return {"state": self.state, "connected_since": since, "reconnects": self.reconnects,
                "last_problem": self.last_problem}


class Link:
    """One websocket to Slack with its own reader thread."""

    def __init__(self, url: str, number: int, on_message: Callable[[Link, dict], None],
                 on_end: Callable[[Link, str], None], *, ping_interval: float = PING_INTERVAL,
                 silence_limit: float = SILENCE_LIMIT):
        self.url = url
        self.number = number
        self.on_message = on_message
        self.on_end = on_end
        self.ping_interval = ping_interval
        self.silence_limit = silence_limit
        self.hello = threading.Event()
        self.ended = threading.Event()
        self.closing = False
        self.refresh_requested = False
        self._ws: websocket.WebSocket | None = None
        self._thread: threading.Thread | None = None

    def open(self, timeout: float = CONNECT_TIMEOUT) -> None:
        """Open the websocket and start reading; raises on connection errors."""
        self._ws = websocket.create_connection(self.url, timeout=timeout, enable_multithread=True)
        self._ws.settimeout(READ_TICK)
        self._thread = threading.Thread(target=self._read, name=f"socket-{self.number}",
                                        daemon=True)
        self._thread.start()

    def send(self, text: str) -> None:
        """Send one text frame; raises when the socket is gone."""
        if self._ws is None or self.ended.is_set():
            raise ConnectionError("socket closed")
        self._ws.send(text)

    def close(self) -> None:
        """Close politely: send a close frame, and let the reader finish (at most ~2 s)."""
        self.closing = True
        if self._ws is not None and not self.ended.is_set():
            try:
                self._ws.send_close(websocket.STATUS_NORMAL, b"")
            except Exception:
                self._ws.abort()

    def _read(self) -> None:
        ws = self._ws
        reason = "closed"
        last_heard = last_ping = time.monotonic()
        closing_since = None
        while True:
            try:
                opcode, frame = ws.recv_data_frame(control_frame=True)
            except websocket.WebSocketTimeoutException:
                opcode = None
            except Exception as error:  # EOF without a close frame, reset, protocol error
                reason = "closing" if self.closing else f"dropped ({type(error).__name__})"
                break
            now = time.monotonic()
            if opcode is not None:
                last_heard = now
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    reason = "closing" if self.closing else "closed by Slack"
                    break
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    self._deliver(frame)
            if self.closing:
                closing_since = closing_since or now
                if now - closing_since > 2.0:
                    reason = "closing"
                    break
                continue
            if now - last_heard > self.silence_limit:
                reason = f"silent for {self.silence_limit:.0f}s"
                break
            if now - last_ping >= self.ping_interval:
                last_ping = now
                try:
                    ws.ping()
                except Exception as error:
                    reason = f"dropped ({type(error).__name__})"
                    break
        self.ended.set()
        ws.shutdown()
        self.on_end(self, reason)

    def _deliver(self, frame: Any) -> None:
        data = frame.data if hasattr(frame, "data") else frame
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else str(data)
        try:
            message = json.loads(text)
        except ValueError:
            logger.warning("Socket Mode: ignored a frame that is not JSON")
            return
        if message.get("type") == "hello":
            self.hello.set()
        self.on_message(self, message)


class SocketModeRunner:
    """Keeps one greeted socket to Slack, hands envelopes to Bolt and acks them."""

    def __init__(self, app: App, app_token: str, web_client: WebClient, *,
                 ping_interval: float = PING_INTERVAL, silence_limit: float = SILENCE_LIMIT,
                 workers: int = 16):
        self.app = app
        self.app_token = app_token
        self.web_client = web_client
        self.ping_interval = ping_interval
        self.silence_limit = silence_limit
        self.status = SocketState()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="envelope")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._current: Link | None = None
        self._previous: Link | None = None  # after a refresh, the old socket during its grace
        self._count = 0
        self._thread: threading.Thread | None = None
        self.first_connect = threading.Event()
        self._ever_connected = False
        self.refused: AppTokenRefused | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Connect in the background; `first_connect` is set on the first hello or refusal."""
        self._thread = threading.Thread(target=self._run, name="socket-mode", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the socket and stop reconnecting; waits for envelopes being handled."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            links = [link for link in (self._current, self._previous) if link]
        for link in links:
            link.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=True)
        self.status.state = "stopped"

    @property
    def connected(self) -> bool:
        """Whether a greeted socket is open now."""
        return self.status.state == "connected"

    # ------------------------------------------------------------------ supervision

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                link = self._connect_until_greeted()
            except AppTokenRefused as refused:
                self.refused = refused
                self.status.state = "stopped"
                self.status.last_problem = f"SLACK_APP_TOKEN refused ({refused.code})"
                self.first_connect.set()
                return
            if link is None:
                return
            self._adopt(link)
            while not (self._stop.is_set() or link.ended.is_set() or link.refresh_requested):
                self._wake.wait()
                self._wake.clear()

    def _adopt(self, link: Link) -> None:
        with self._lock:
            old, self._current = self._current, link
            self._previous = old
        if self._ever_connected:
            self.status.reconnects += 1
        self._ever_connected = True
        self.status.state = "connected"
        self.status.connected_since = time.time()
        logger.info("CARE bot connected over Socket Mode (socket %d)", link.number)
        self.first_connect.set()
        if old is not None and not old.ended.is_set():
            # Refresh: the new socket is up; the old one may still carry acks for a moment.
            timer = threading.Timer(REFRESH_GRACE, old.close)
            timer.daemon = True
            timer.start()

    def _connect_until_greeted(self) -> Link | None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                return self._connect_once()
            except AppTokenRefused as refused:
                if not self._ever_connected:
                    raise
                problem = f"SLACK_APP_TOKEN refused ({refused.code})"
            except SlackApiError as error:
                code = error.response.get("error") if hasattr(error.response, "get") else ""
                problem = f"apps.connections.open failed ({code or 'error'})"
            except Exception as error:
                problem = f"cannot reach Slack ({type(error).__name__})"
            self.status.last_problem = problem
            logger.warning("Socket Mode: %s; retrying in %.0fs", problem, delay)
            if self._stop.wait(delay):
                return None
            delay = min(delay * 2, MAX_BACKOFF)
        return None

    def _connect_once(self) -> Link:
        current = self._current
        if current is None or current.ended.is_set():  # during a refresh the old one still serves
            self.status.state = "reconnecting" if self._ever_connected else "connecting"
        try:
            url = self.web_client.apps_connections_open(app_token=self.app_token)["url"]
        except SlackApiError as error:
            code = error.response.get("error", "") if hasattr(error.response, "get") else ""
            if code in REFUSED:
                raise AppTokenRefused(code) from None
            raise
        self._count += 1
        link = Link(url, self._count, self._on_message, self._on_end,
                    ping_interval=self.ping_interval, silence_limit=self.silence_limit)
        link.open()
        if not link.hello.wait(HELLO_TIMEOUT) or link.ended.is_set():
            link.close()
            raise TimeoutError("no hello from Slack")
        return link

    def _on_end(self, link: Link, reason: str) -> None:
        with self._lock:
            current = link is self._current
        if not current or self._stop.is_set():
            return
        logger.warning("Socket Mode: socket %d %s; reconnecting", link.number, reason)
        self.status.state = "reconnecting"
        self.status.last_problem = f"socket {reason}"
        self._wake.set()

    # ------------------------------------------------------------------ envelopes

    def _on_message(self, link: Link, message: dict) -> None:
        kind = message.get("type")
        if kind == "hello":
            return
        if kind == "disconnect":
            logger.info("Socket Mode: Slack asked socket %d to reconnect (%s)", link.number,
                        message.get("reason", "no reason"))
            with self._lock:
                current = link is self._current
            if current:
                link.refresh_requested = True
                self._wake.set()  # open the new socket now; the old one closes after it
            return
        if message.get("envelope_id") and not self._stop.is_set():
            self._pool.submit(self._handle, link, message)

    def _handle(self, link: Link, envelope: dict) -> None:
        try:
            response = self.app.dispatch(BoltRequest(mode="socket_mode",
                                                     body=envelope.get("payload") or {}))
        except Exception:
            logger.exception("Socket Mode: envelope of type %s failed", envelope.get("type"))
            return
        if response.status != 200:
            logger.info("Socket Mode: envelope of type %s not acknowledged (%s)",
                        envelope.get("type"), response.status)
            return
        self._ack(link, ack_message(envelope["envelope_id"], response))

    def _ack(self, link: Link, text: str) -> None:
        # On the socket the envelope came on; if that one just closed, on the newest one, waiting
        # briefly for a replacement (Slack's 3 s limit counts from delivery).
        deadline = time.monotonic() + ACK_WAIT
        while True:
            for target in (link, self._current):
                if target is None:
                    continue
                try:
                    target.send(text)
                    return
                except Exception:
                    continue
            if time.monotonic() >= deadline or self._stop.is_set():
                break
            time.sleep(0.05)
        logger.warning("Socket Mode: an acknowledgement could not be sent (no open socket)")


def ack_message(envelope_id: str, response: BoltResponse) -> str:
    """The JSON text that acknowledges an envelope, with Bolt's answer as its payload."""
    message: dict[str, Any] = {"envelope_id": envelope_id}
    body = response.body
    if body:
        content_type = (response.headers.get("content-type") or [""])[0]
        message["payload"] = json.loads(body) if content_type.startswith("application/json") \
            else {"text": body}
    return json.dumps(message)
