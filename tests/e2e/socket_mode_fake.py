"""A local fake of Slack's Socket Mode side, for end-to-end tests of the real bot.

The emulator's proxy answers `apps.connections.open` with `ws://127.0.0.1:PORT/link/?ticket=N`
(see `SlackEmulator.use_socket_mode`); this server accepts those websockets, sends `hello`,
delivers envelopes, records the acks and can end a connection in the three ways Slack's does:
a close frame, a silent drop (the TCP connection ends without a close frame, or packets simply
stop arriving) and a `disconnect` message asking for a refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

HOST = "127.0.0.1"


@dataclass
class Link:
    """One websocket the bot opened, with what happened on it (times are time.monotonic())."""

    number: int
    ticket: str
    ws: ServerConnection
    opened_at: float
    hello_at: float | None = None
    ended_at: float | None = None
    ended_by: str | None = None  # "bot", "close", "drop", "blackhole", "refresh"
    received: list[dict] = field(default_factory=list)
    silenced: bool = False

    @property
    def open(self) -> bool:
        """Whether the link is still usable from the server's side."""
        return self.ended_at is None and not self.silenced


@dataclass
class Ack:
    """An envelope acknowledgement the bot sent back."""

    envelope_id: str
    payload: Any
    link: int
    at: float


class FakeSocketMode:
    """Runs the websocket server on its own asyncio loop in a background thread."""

    def __init__(self, hello_delay: float = 0.0, app_id: str = "A0CAREBOT"):
        """Prepare a server; call `start()` to listen."""
        self.hello_delay = hello_delay
        self.app_id = app_id
        self.links: list[Link] = []
        self.acks: dict[str, Ack] = {}
        self.sent_at: dict[str, float] = {}
        self.handshakes = 0
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSocketMode:
        """Listen on a free loopback port."""
        self._thread.start()
        async def listen():
            return await serve(self._handle, HOST, 0, ping_interval=None, compression=None)

        self._server = self._call(listen())
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        """The base websocket URL that apps.connections.open hands out."""
        return f"ws://{HOST}:{self.port}/link/"

    def close(self) -> None:
        """Stop the server, end every connection and task, and stop the loop."""

        async def shut_down():
            if self._server is not None:
                self._server.close()
            for link in self.links:
                link.ws.transport.abort()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            self._call(shut_down(), timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _call(self, coroutine, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    # ------------------------------------------------------------------ server side

    async def _handle(self, ws: ServerConnection) -> None:
        query = parse_qs(urlparse(ws.request.path).query)
        ticket = (query.get("ticket") or [""])[0]
        with self._changed:
            link = Link(len(self.links) + 1, ticket, ws, time.monotonic())
            self.links.append(link)
            self._changed.notify_all()
        if self.hello_delay:
            await asyncio.sleep(self.hello_delay)
        await ws.send(json.dumps(self._hello()))
        with self._changed:
            link.hello_at = time.monotonic()
            self._changed.notify_all()
        try:
            async for raw in ws:
                self._received(link, raw)
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                if link.ended_at is None:
                    link.ended_at = time.monotonic()
                    link.ended_by = link.ended_by or "bot"
                self._changed.notify_all()

    def _hello(self) -> dict:
        return {
            "type": "hello",
            "num_connections": sum(1 for link in self.links if link.open),
            "debug_info": {"host": "applink-fake-1", "build_number": 1,
                           "approximate_connection_time": 3600},
            "connection_info": {"app_id": self.app_id},
        }

    def _received(self, link: Link, raw: str | bytes) -> None:
        message = json.loads(raw)
        with self._changed:
            link.received.append(message)
            envelope_id = message.get("envelope_id")
            if envelope_id and envelope_id not in self.acks:
                self.acks[envelope_id] = Ack(envelope_id, message.get("payload"), link.number,
                                             time.monotonic())
            self._changed.notify_all()

    # ------------------------------------------------------------------ test side

    def wait_for(self, predicate, timeout: float = 15.0, what: str = "condition"):
        """Wait until `predicate()` (called under the lock) is truthy; return its value."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fake Socket Mode: timed out after {timeout}s "
                                         f"waiting for {what}; links: {self.describe()}")
                self._changed.wait(min(left, 0.2))

    def wait_link(self, number: int, timeout: float = 15.0) -> Link:
        """Wait for the bot's `number`-th websocket (1-based) to have received its hello."""
        return self.wait_for(
            lambda: len(self.links) >= number and self.links[number - 1].hello_at
            and self.links[number - 1], timeout, f"link {number} with hello")

    @property
    def current(self) -> Link:
        """The newest link that is still open."""
        with self._lock:
            live = [link for link in self.links if link.open]
        if not live:
            raise AssertionError(f"no open link: {self.describe()}")
        return live[-1]

    def send(self, envelope_type: str, payload: dict, link: Link | None = None,
             accepts_response_payload: bool = True) -> str:
        """Deliver one envelope on `link` (default: the newest open one); return its id."""
        target = link or self.current
        envelope_id = str(uuid.uuid4())
        envelope = {"envelope_id": envelope_id, "type": envelope_type, "payload": payload,
                    "accepts_response_payload": accepts_response_payload}
        with self._lock:
            self.sent_at[envelope_id] = time.monotonic()
        self._call(target.ws.send(json.dumps(envelope)))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack:
        """Wait for the bot to acknowledge an envelope."""
        return self.wait_for(lambda: self.acks.get(envelope_id), timeout,
                             f"the ack of envelope {envelope_id}")

    def ack_seconds(self, envelope_id: str) -> float:
        """Seconds between sending an envelope and receiving its ack."""
        return self.acks[envelope_id].at - self.sent_at[envelope_id]

    def close_link(self, link: Link, code: int = 1001, reason: str = "going away") -> float:
        """End `link` with a close frame; return when it was sent."""
        self._mark(link, "close")
        # Not waited for: the closing handshake may wait on a client that never answers.
        asyncio.run_coroutine_threadsafe(link.ws.close(code, reason), self._loop)
        return link.ended_at

    def drop_link(self, link: Link) -> float:
        """End the TCP connection under `link` without a close frame."""
        self._mark(link, "drop")
        self._loop.call_soon_threadsafe(link.ws.transport.abort)
        return link.ended_at

    def blackhole_link(self, link: Link) -> float:
        """Stop reading and answering on `link` while keeping the TCP connection open."""
        with self._changed:
            link.silenced = True
            link.ended_at = time.monotonic()
            link.ended_by = "blackhole"
            self._changed.notify_all()
        self._loop.call_soon_threadsafe(link.ws.transport.pause_reading)
        return link.ended_at

    def refresh_link(self, link: Link, grace: float = 10.0) -> float:
        """Send `disconnect` (refresh_requested) on `link` and close it after `grace` seconds."""
        sent = time.monotonic()
        message = {"type": "disconnect", "reason": "refresh_requested",
                   "debug_info": {"host": "applink-fake-1"}}
        self._call(link.ws.send(json.dumps(message)))

        async def later():
            await asyncio.sleep(grace)
            self._mark(link, "refresh")
            await link.ws.close(1000, "refresh")

        asyncio.run_coroutine_threadsafe(later(), self._loop)
        return sent

    def forget_silenced(self) -> None:
        """Abort the TCP connections of black-holed links (test cleanup)."""
        for link in self.links:
            if link.silenced:
                self._loop.call_soon_threadsafe(link.ws.transport.abort)

    def _mark(self, link: Link, how: str) -> None:
        with self._changed:
            if link.ended_at is None:
                link.ended_at = time.monotonic()
                link.ended_by = how
            self._changed.notify_all()

    def describe(self) -> list[dict]:
        """A short account of every link, for assertion messages."""
        return [{"n": link.number, "ticket": link.ticket, "hello": link.hello_at is not None,
                 "ended_by": link.ended_by, "received": len(link.received)}
                for link in self.links]
