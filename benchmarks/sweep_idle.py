"""Benchmark: one sweep that finds nothing due, with 100,000 closed incidents and 10,000
pending follow-ups in the database (target: under 10 ms).

Usage: python benchmarks/sweep_idle.py [--incidents 100000] [--pending 10000] [--runs 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from care_bot.flows import followups, renders
from care_bot.roles import RoleDirectory
from care_bot.runtime.scheduler import sweep
from care_bot.services import Services
from care_bot.storage import Store
from tests.support.fake_slack import FakeSlack
from tests.support.world import make_settings

NOW = 1_790_000_000.0


def populate(store: Store, closed: int, pending: int) -> None:
    """Fill the database with closed incidents, their history, and future follow-ups."""
    answers = json.dumps({"what_happened": "x" * 400, "branch": "downtown"})
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO incidents (id, ref, draft_id, reporter, status, danger, branch, answers,"
            " created_at, submitted_at, closed_at) VALUES (?, ?, ?, 'U1', ?, 0, 'downtown', ?,"
            " ?, ?, ?)",
            ((i, f"CARE-2025-{i:06d}", f"d{i}", "closed" if i <= closed else "open", answers,
              NOW - 86400, NOW - 86400, NOW - 3600) for i in range(1, closed + pending + 1)),
        )
        db.conn.executemany(
            "INSERT INTO followups (incident_id, kind, task, rung, due_at, status, created_at)"
            " VALUES (?, 'ack_reminder', '', 0, ?, ?, ?)",
            ((i, NOW - 80000, "sent", NOW - 86400) for i in range(1, closed + 1)),
        )
        db.conn.executemany(
            "INSERT INTO followups (incident_id, kind, task, rung, due_at, status, created_at)"
            " VALUES (?, 'ack_reminder', '', 0, ?, 'pending', ?)",
            ((closed + i, NOW + 3600 + i, NOW) for i in range(1, pending + 1)),
        )
        db.conn.executemany(
            "INSERT INTO outbox (incident_id, key, kind, channel, payload, status, not_before,"
            " created_at, ts) VALUES (?, ?, 'post', 'C0SUPERVISE', '{}', 'sent', ?, ?, '1.1')",
            ((i, f"incident:{i}:supervisors:parent", NOW - 86400, NOW - 86400)
             for i in range(1, closed + 1)),
        )


def main() -> None:
    """Build the database, then time idle sweeps and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="care-sweep-"))
    settings = make_settings(workdir)
    store = Store(workdir / "care.db")
    store.migrate()
    populate(store, options.incidents, options.pending)
    slack = FakeSlack()
    services = Services(settings=settings, store=store, slack=slack,
                        roles=RoleDirectory(settings.roles, slack.usergroup_members),
                        clock=lambda: NOW,
                        hooks=renders.delivery_hooks())
    timings = []
    for _ in range(options.runs):
        begin = time.perf_counter()
        sweep(services)
        timings.append((time.perf_counter() - begin) * 1000)
    assert not slack.posts, "an idle sweep must send nothing"
    clock_after = NOW + 3601.5
    services.clock = lambda: clock_after
    handled = followups.send_due(services)
    assert handled == 1, f"the sweep must still find a due follow-up (found {handled})"
    timings.sort()
    print(f"idle sweep with {options.incidents:,} closed incidents and {options.pending:,} "
          f"pending follow-ups, {options.runs} runs")
    print(f"median {statistics.median(timings):.3f} ms, p99 {timings[int(len(timings)*0.99)-1]:.3f}"
          f" ms, max {timings[-1]:.3f} ms (target < 10 ms)")
    store.close()


if __name__ == "__main__":
    main()
