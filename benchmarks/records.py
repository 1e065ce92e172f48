"""Benchmark issue 11's read side: a security member's Home, the digest's figures and chart,
and the CSV export, with a year of incidents in the database. Prints figures; asserts nothing.

Usage: python benchmarks/records.py [--incidents 10000] [--open 300] [--runs 5]
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

from care_bot.flows import digest, home, records, renders, worklist
from care_bot.roles import RoleDirectory
from care_bot.services import Services
from care_bot.storage import Store
from care_bot.views import chart
from tests.support.fake_slack import FakeSlack
from tests.support.world import USERS, Clock, make_settings

NOW = 1_790_000_000.0
YEAR = 365 * 86400.0


def populate(store: Store, count: int, still_open: int) -> None:
    """Incidents spread over a year, each with a submission, an acknowledgement and tasks."""
    answers = json.dumps({"what_happened": "x" * 400, "branch": "downtown",
                          "threat_kinds": ["physical"], "threat_channel": "in_person",
                          "client_name": "Client", "supervisor": USERS["sam"]})
    with store.transaction() as db:
        rows, events = [], []
        for i in range(1, count + 1):
            at = NOW - YEAR + YEAR * i / count
            status = "open" if i > count - still_open else "closed"
            rows.append((i, f"CARE-2026-{i:06d}", f"d{i}", USERS["alice"], status, i % 7 == 0,
                         answers, at, at, at + 600, USERS["sam"]))
            events += [(i, at, USERS["alice"], "submitted", "modal", "{}"),
                       (i, at + 600, USERS["sam"], "acknowledged", "channel", "{}"),
                       (i, at + 3600, USERS["sam"], "task_completed", "modal",
                        '{"task": "reported_hr", "note": ""}')]
        db.conn.executemany(
            "INSERT INTO incidents (id, ref, draft_id, reporter, status, danger, branch, answers,"
            " created_at, submitted_at, acknowledged_at, acknowledged_by) VALUES "
            "(?, ?, ?, ?, ?, ?, 'downtown', ?, ?, ?, ?, ?)", rows)
        db.conn.executemany(
            "INSERT INTO events (incident_id, at, actor, action, surface, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)", events)


def timed(fn, runs: int) -> tuple[float, float]:
    """Median and worst wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    """Build the database, then time each read and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--open", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp))
        store = Store(Path(tmp) / "bench.db")
        store.migrate()
        populate(store, args.incidents, args.open)
        slack = FakeSlack()
        services = Services(settings=settings, store=store, slack=slack,
                            roles=RoleDirectory(settings.roles, slack.usergroup_members),
                            clock=Clock(NOW + 60),
                        hooks=renders.delivery_hooks())

        def security_home():
            with store.reading() as db:
                home.home_view(db, services, USERS["sec"])

        people = [USERS[name] for name in ("sam", "sec", "hana", "sue", "ivy", "mark")]

        def concerned_homes():
            with worklist.one_read():
                for user in people:
                    with store.reading() as db:
                        home.home_view(db, services, user)

        def figures_and_chart():
            _, weeks = digest.figures(services, NOW - 7 * 86400, NOW)
            chart.render_chart(weeks)

        def export():
            records.build(store, settings, actor="bench", surface="cli", since=None, now=NOW,
                          details_for=lambda incident: True)

        print(f"{args.incidents} incidents over a year, {args.open} open; ms median / max")
        for name, fn, runs in (("security Home view", security_home, args.runs),
                               (f"Homes of {len(people)} people an incident concerns",
                                concerned_homes, args.runs),
                               ("digest figures + PNG chart", figures_and_chart, args.runs),
                               ("CSV export of everything (+ audit events)", export, 2)):
            p50, worst = timed(fn, runs)
            print(f"  {name:44} {p50:8.1f} / {worst:8.1f}")
        store.close()


if __name__ == "__main__":
    main()
