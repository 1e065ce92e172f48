"""Benchmark: CARE bot as two processes on PostgreSQL, against one process on SQLite.

1. /threat ack p99: a bare Bolt app, CARE on SQLite, and CARE as two processes on one
   PostgreSQL (requests alternate between them), under the same load (the stub Web API of
   ack_latency.py). Goal: two-process PostgreSQL within 1.25x of SQLite.
2. Danger answer or Home tap -> the security post, sent through the process that does NOT
   hold the sweep lease (its NOTIFY wakes the leader), p50/p99. Goal: p99 < 150 ms.
3. Failover: kill -9 of the leader, then at once a danger alert through the other process;
   the time from the kill to that alert's post by the new leader. Goal: < 15 s.

Starts a throwaway PostgreSQL (tests/support/postgres.py) unless CARE_TEST_POSTGRES_URL names
a server. Usage: python benchmarks/postgres_processes.py [--requests 300] [--runs 50]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.ack_latency import CONFIG, SECRET, free_port, pct, send_threat, start
from benchmarks.danger_alert import PAGE_GOAL_MS, _home_run, _modal_run, _page_time, _seed, _summary
from benchmarks.stub_slack import StubSlack
from tests.e2e.harness import BotFactory, ModalSession, SlackEmulator, care_toml, wait_until
from tests.support import postgres


def _acks(ports: list[int], label: str, requests: int, concurrency: int) -> list[float]:
    for index in range(20):  # warm-up, each process
        send_threat(ports[index % len(ports)], index, label + "w")
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(
            lambda i: send_threat(ports[i % len(ports)], i, label), range(requests)))
    return [elapsed * 1000 for _, _, elapsed in results]


def ack_figures(admin_url: str, requests: int, concurrency: int, rounds: int) -> dict:
    """Ack latencies (ms) of the bare app, SQLite CARE and two-process PostgreSQL CARE."""
    stub = StubSlack()
    workdir = Path(tempfile.mkdtemp(prefix="care-bench-pg-"))
    (workdir / "care.toml").write_text(CONFIG)
    env = {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": stub.url, "CARE_CONFIG": str(workdir / "care.toml"),
           "CARE_DB_PATH": str(workdir / "care.db"), "DATABASE_URL": ""}
    url = postgres.fresh_database(admin_url)
    ports = {name: free_port() for name in ("bare", "sqlite", "pg1", "pg2")}
    processes = [
        start([sys.executable, "-m", "benchmarks.bare_app"], {**env, "PORT": str(ports["bare"])},
              ports["bare"]),
        start([sys.executable, "bot.py"], {**env, "PORT": str(ports["sqlite"])}, ports["sqlite"]),
    ]
    for name in ("pg1", "pg2"):
        processes.append(start([sys.executable, "bot.py"],
                               {**env, "DATABASE_URL": url, "PORT": str(ports[name])},
                               ports[name]))
    targets = {"bare": [ports["bare"]], "sqlite": [ports["sqlite"]],
               "postgresql x2": [ports["pg1"], ports["pg2"]]}
    found: dict[str, list[float]] = {name: [] for name in targets}
    try:
        for round_number in range(rounds):
            for name, chosen in targets.items():
                found[name] += _acks(chosen, f"{name[:2]}{round_number}", requests, concurrency)
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        stub.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return found


def _leader(bot) -> bool:
    return bot.get("/healthz").json()["components"]["lease"]["held"]


def danger_and_failover(admin_url: str, runs: int, failovers: int) -> tuple[list, list, list]:
    """Danger latencies through the non-leader (modal, Home) and failover times (s)."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        slack = SlackEmulator.start(workdir, _seed(2 * (runs + failovers)))
        factory = BotFactory(slack, workdir, database_url=postgres.fresh_database(admin_url))
        toml = care_toml(slack).replace('sweep_every = "1s"', 'sweep_every = "5s"')
        try:
            leader = factory.start(config_toml_text=toml)
            wait_until(lambda: _leader(leader), timeout=15)
            other = factory.start(config_toml_text=toml)
            users = [slack.users[f"assoc{i:03d}"] for i in range(2 * (runs + failovers))]
            modal = [_modal_run(other, slack, u)[0] for u in users[:runs]]
            home = [_home_run(other, slack, u)[0] for u in users[runs:2 * runs]]
            takeovers = []
            for user in users[2 * runs:2 * runs + failovers]:
                session = ModalSession.open(other, user)
                since = slack.last_seq()
                leader.kill()
                killed = time.time()
                session.submit({"danger": "yes"})
                takeovers.append(_page_time(slack, user, since) - killed)
                leader.spawn()  # back as the standby; the other one leads now
                leader.wait_healthy()
                leader, other = other, leader
        finally:
            factory.close_all()
            slack.close()
    return modal, home, takeovers


def _print_acks(acks: dict, args) -> None:
    print(f"/threat ack at {args.concurrency} concurrent, {args.rounds} rounds of "
          f"{args.requests} (ms)")
    for name, values in acks.items():
        print(f"  {name:14} p50 {pct(values, 50):7.1f}  p99 {pct(values, 99):7.1f}")
    ratio = pct(acks["postgresql x2"], 99) / pct(acks["sqlite"], 99)
    print(f"  ack p99 PostgreSQL x2 / SQLite: {ratio:.2f}x (goal <= 1.25x); SQLite / bare: "
          f"{pct(acks['sqlite'], 99) / pct(acks['bare'], 99):.2f}x", flush=True)


def main() -> int:
    """Run the three measurements and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--failovers", type=int, default=5)
    args = parser.parse_args()
    admin = os.environ.get(postgres.URL_VARIABLE)
    folder = None
    if not admin:
        folder = Path(tempfile.mkdtemp(prefix="care-pg-"))
        folder.chmod(0o755)
        admin = postgres.start(folder / "server")
    try:
        acks = ack_figures(admin, args.requests, args.concurrency, args.rounds)
        _print_acks(acks, args)
        modal, home, takeovers = danger_and_failover(admin, args.runs, args.failovers)
    finally:
        if folder is not None:
            postgres.stop(folder / "server")
            shutil.rmtree(folder, ignore_errors=True)
    print("danger -> security post, through the process without the lease:")
    print(_summary("  modal danger answer", modal, PAGE_GOAL_MS))
    print(_summary("  Home one-tap button", home, PAGE_GOAL_MS))
    print(_summary("  both", modal + home, PAGE_GOAL_MS))
    print("failover: kill -9 of the leader -> the new leader's first post (s): "
          + ", ".join(f"{t:.2f}" for t in takeovers)
          + f"; max {max(takeovers):.2f} s (goal < 15 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
