"""A minimal local Web API for benchmarks: answers instantly and records when each call arrived."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class StubSlack:
    """Serve /api/<method> on 127.0.0.1 and keep (method, arrival time, params) for each call."""

    def __init__(self):
        self.calls: list[tuple[str, float, dict]] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                arrived = time.perf_counter()
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                params = _parse(raw, self.headers.get("Content-Type", ""))
                method = self.path.rsplit("/", 1)[-1]
                with stub._lock:
                    stub.calls.append((method, arrived, params))
                body = json.dumps(_answer(method, params)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                return

        class Server(ThreadingHTTPServer):
            # The default listen backlog of 5 drops SYNs under concurrent calls, and each
            # dropped SYN costs a 1 s TCP retransmit: that measured the stub, not the bot.
            request_queue_size = 128
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def arrivals(self, method: str) -> dict[str, float]:
        """Map trigger_id to arrival time for views.open calls."""
        with self._lock:
            return {p.get("trigger_id"): t for m, t, p in self.calls if m == method}

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()


def _parse(raw: str, content_type: str) -> dict:
    if "json" in content_type:
        return json.loads(raw or "{}")
    return {k: v[0] for k, v in parse_qs(raw).items()}


def _answer(method: str, params: dict) -> dict:
    if method == "auth.test":
        return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"}
    if method.startswith("views."):
        return {"ok": True, "view": {"id": "V1", "hash": "h"}}
    if method == "users.info":
        return {"ok": True, "user": {"id": params.get("user"), "profile": {"real_name": "A"}}}
    if method == "conversations.open":
        return {"ok": True, "channel": {"id": "D1"}}
    return {"ok": True, "channel": params.get("channel", "C1"), "ts": f"{time.time():.6f}"}
