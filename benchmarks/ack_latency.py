"""Benchmark: /threat acknowledgement latency and time to views.open, CARE bot vs a bare app.

Starts a local stub Web API, the real bot.py and a bare Bolt app (same waitress server), sends
signed /threat commands from 10 concurrent clients to each, and prints p50/p99 and the ratios.
Usage: python benchmarks/ack_latency.py [--requests 300] [--concurrency 10]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.stub_slack import StubSlack

ROOT = Path(__file__).resolve().parent.parent
SECRET = "benchmark-signing-secret"
CONFIG = """
[channels]
supervisors = "C0SUPERVISE"
security = "C0SECURITY"
[roles]
supervisors = ["U0SUPER"]
security = ["U0SEC"]
[scheduler]
sweep_every = "5s"
[branches.downtown]
name = "Downtown"
supervisor = "U0SUPER"
"""


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    """Start a server process and wait until /healthz answers."""
    process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{args} did not become healthy")


def send_threat(port: int, index: int, label: str) -> tuple[str, float, float]:
    """Send one signed /threat; return (trigger_id, start, ack latency)."""
    trigger = f"{label}.{index}.{time.time_ns()}"
    body = urlencode({
        "token": "x", "team_id": "T1", "team_domain": "bank", "channel_id": "C0GENERAL",
        "channel_name": "general", "user_id": f"U{label.upper()}{index:05d}",
        "user_name": "associate", "command": "/threat", "text": "",
        "api_app_id": "A1", "response_url": "http://127.0.0.1:9/unused", "trigger_id": trigger,
    }).encode()
    stamp = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + body,
                                 hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body, method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature},
    )
    begin = time.perf_counter()
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
        status = response.status
    elapsed = time.perf_counter() - begin
    if status != 200:
        raise RuntimeError(f"/threat answered {status}")
    return trigger, begin, elapsed


def measure(port: int, stub: StubSlack, label: str, requests: int, concurrency: int) -> dict:
    """Run the load against one server; return ack and views.open latencies in ms."""
    for index in range(20):  # warm-up
        send_threat(port, index, label + "w")
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda i: send_threat(port, i, label), range(requests)))
    deadline = time.time() + 10
    while time.time() < deadline:
        arrivals = stub.arrivals("views.open")
        if all(trigger in arrivals for trigger, _, _ in results):
            break
        time.sleep(0.05)
    acks = [elapsed * 1000 for _, _, elapsed in results]
    opens = [(arrivals[t] - begin) * 1000 for t, begin, _ in results if t in arrivals]
    return {"ack": acks, "open": opens, "missing": requests - len(opens)}


def pct(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) of values."""
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    """Run both servers under the same load and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate bare and CARE this many times, pooling the samples")
    options = parser.parse_args()
    stub = StubSlack()
    workdir = Path(tempfile.mkdtemp(prefix="care-bench-"))
    (workdir / "care.toml").write_text(CONFIG)
    env = {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": stub.url, "CARE_CONFIG": str(workdir / "care.toml"),
           "CARE_DB_PATH": str(workdir / "care.db")}
    care_port, bare_port = free_port(), free_port()
    care = start([sys.executable, "bot.py"], {**env, "PORT": str(care_port)}, care_port)
    try:
        bare = start([sys.executable, "-m", "benchmarks.bare_app"],
                      {**env, "PORT": str(bare_port)}, bare_port)
    except RuntimeError:
        care.kill()
        raise
    results: dict[str, dict] = {"bare": {"ack": [], "open": [], "missing": 0},
                                "care": {"ack": [], "open": [], "missing": 0}}
    try:
        for round_number in range(options.rounds):
            for name, port in (("bare", bare_port), ("care", care_port)):
                data = measure(port, stub, f"{name}{round_number}", options.requests,
                               options.concurrency)
                for key in ("ack", "open"):
                    results[name][key] += data[key]
                results[name]["missing"] += data["missing"]
    finally:
        for process in (care, bare):
            process.terminate()
            process.wait(10)
        stub.close()
    print(f"/threat at {options.concurrency} concurrent, {options.rounds} alternating rounds of "
          f"{options.requests} requests each")
    print(f"{'':6} {'ack p50':>9} {'ack p99':>9} {'open p50':>9} {'open p99':>9}  (ms)")
    for name, data in results.items():
        print(f"{name:6} {pct(data['ack'], 50):9.1f} {pct(data['ack'], 99):9.1f} "
              f"{pct(data['open'], 50):9.1f} {pct(data['open'], 99):9.1f}"
              + (f"  missing views.open: {data['missing']}" if data["missing"] else ""))
    for kind in ("ack", "open"):
        ratio = pct(results["care"][kind], 99) / pct(results["bare"][kind], 99)
        print(f"{kind} p99 ratio care/bare: {ratio:.2f}x (target <= 1.25x)")


if __name__ == "__main__":
    main()
