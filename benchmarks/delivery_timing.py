"""Benchmark: per-channel throughput under a 1 post/s limit, and reminder lateness (p50/p99).

The real sweep thread, delivery and SlackGateway run against a local Web API that limits
chat.postMessage to one post per second per channel (429 with Retry-After, as Slack does).

Usage: python benchmarks/delivery_timing.py [--posts 30] [--reminders 40]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from care_bot.runtime.app import build_services
from care_bot.runtime.scheduler import Sweeper
from care_bot.storage import Store, outbox
from tests.support.report import file_report
from tests.support.world import USERS, care_toml, make_settings


class LimitedSlack:
    """A local Web API: chat.postMessage limited per channel; every answer instant."""

    def __init__(self, per_second: float | None):
        self.per_second = per_second
        self.accepted: list[tuple[str, float, str]] = []  # (channel, wall time, text)
        self.limited = 0
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if "json" in self.headers.get("Content-Type", ""):
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(raw).items()}
                status, body, headers = stub.answer(self.path.rsplit("/", 1)[-1], params)
                payload = json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, method: str, params: dict) -> tuple[int, dict, dict]:
        """Answer one Web API call."""
        now = time.time()
        if method == "conversations.open":
            return 200, {"ok": True, "channel": {"id": "D" + str(params.get("users"))}}, {}
        if method == "users.info":
            return 200, {"ok": True, "user": {"profile": {"real_name": "A", "title": "Teller"}}}, {}
        if method != "chat.postMessage":
            return 200, {"ok": True, "channel": params.get("channel"), "ts": f"{now:.6f}"}, {}
        channel = params.get("channel", "")
        with self._lock:
            last = self._last.get(channel)
            gap = 1.0 / self.per_second if self.per_second else 0.0
            if last is not None and now - last < gap:
                self.limited += 1
                wait = max(1, math.ceil(gap - (now - last)))
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}
            self._last[channel] = now
            self.accepted.append((channel, now, params.get("text", "")))
        return 200, {"ok": True, "channel": channel, "ts": f"{now:.6f}"}, {}

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()


def _services(workdir: Path, slack: LimitedSlack, reminders: dict | None = None):
    settings = make_settings(workdir, care_toml(reminders, extra='[scheduler]\nsweep_every = "5s"'))
    settings = dataclasses.replace(settings, api_url=slack.url, db_path=workdir / "care.db")
    store = Store.open(settings.db_path)
    return build_services(settings, store)


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def throughput(posts: int) -> None:
    """Queue ``posts`` posts to one channel at once; measure accepted posts per second."""
    slack = LimitedSlack(per_second=1.0)
    workdir = Path(tempfile.mkdtemp(prefix="care-bench-tp-"))
    services = _services(workdir, slack)
    channel = services.settings.supervisors_channel
    with services.store.transaction() as db:
        for number in range(posts):
            outbox.enqueue_post(db, key=f"bench:{number}", channel=channel,
                                payload={"text": f"post {number}", "blocks": []}, now=time.time())
    sweeper = Sweeper(services)
    services.wake_sweep = sweeper.wake
    sweeper.start()
    done = _wait(lambda: len(slack.accepted) >= posts, timeout=posts * 3 + 10)
    sweeper.stop()
    services.store.close()
    slack.close()
    times = [t for c, t, _ in slack.accepted if c == channel]
    texts = [text for c, _, text in slack.accepted if c == channel]
    in_order = texts == [f"post {n}" for n in range(len(texts))]
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    print(f"throughput: {len(times)}/{posts} posts to one channel under a 1 post/s limit in "
          f"{times[-1] - times[0]:.2f} s = {rate:.3f} posts/s (target >= 0.9); "
          f"{slack.limited} answered 429; oldest first: {in_order}; finished: {done}")


def lateness(reports: int) -> None:
    """File reports at random moments with a 2 s ack reminder; measure reminder lateness."""
    slack = LimitedSlack(per_second=None)
    workdir = Path(tempfile.mkdtemp(prefix="care-bench-late-"))
    long = "30d"
    reminders = {key: long for key in ("ack_escalation", "ack_repeat", "danger_ack_reminder",
                                       "danger_ack_escalation", "danger_ack_repeat",
                                       "report_deadline", "evaluate_deadline",
                                       "decision_deadline", "task_escalation",
                                       "wellbeing_checkin")}
    reminders["ack_reminder"] = "2s"
    services = _services(workdir, slack, reminders)
    sweeper = Sweeper(services)
    services.wake_sweep = sweeper.wake
    sweeper.start()
    rng = random.Random(9)
    for _ in range(reports):
        file_report(services, user_id=USERS["alice"])
        time.sleep(rng.uniform(0.05, 0.6))
    got = _wait(lambda: sum("Reminder:" in t for _, _, t in slack.accepted) >= reports,
                timeout=30)
    sweeper.stop()
    with services.store.reading() as db:
        rows = list(db.query(
            "SELECT i.ref, f.due_at, f.done_at FROM followups f "
            "JOIN incidents i ON i.id = f.incident_id WHERE f.kind = 'ack_reminder'"))
    due = {row["ref"]: row["due_at"] for row in rows}
    handled = sorted((row["done_at"] - row["due_at"]) * 1000 for row in rows if row["done_at"])
    services.store.close()
    slack.close()
    late = []
    for _channel, at, text in slack.accepted:
        if "Reminder:" in text:
            ref = text.split("*")[1]
            late.append((at - due[ref]) * 1000)
    late.sort()
    print(f"reminder lateness over {len(late)} reminders (due 2 s after each report), posted "
          f"in Slack: {_figures(late)}; of which the timer (follow-up handled): "
          f"{_figures(handled)} (target: within 500 ms); all arrived: {got}")


def _figures(values: list[float]) -> str:
    p99 = values[min(len(values) - 1, math.ceil(0.99 * len(values)) - 1)]
    return (f"p50 {statistics.median(values):.1f} ms, p99 {p99:.1f} ms, "
            f"max {values[-1]:.1f} ms")


def main() -> None:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--reminders", type=int, default=40)
    args = parser.parse_args()
    throughput(args.posts)
    lateness(args.reminders)


if __name__ == "__main__":
    main()
