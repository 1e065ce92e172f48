"""Benchmark: a danger alert from the tap to the first page Slack accepted, and to the screen.

Starts the local Slack emulator (npm `emulate` behind the recording proxy of the e2e tests) and
the real bot.py. For each run a different associate either answers "Yes, someone is in danger
now" in the /threat modal or taps Home's danger button. The clock starts just before the
request leaves. Measured, p50 and p99:

- to the first page accepted: the proxy recorded Slack's answer to the alert's first
  chat.postMessage (the security post). Goal p99 < 150 ms.
- to the associate's screen showing "Delivered": the proxy recorded the views.update of the
  emergency modal that says "Delivered to Corporate Security & Risk". Goal p99 < 300 ms.
- under load (``--load``): 50 ordinary reports and their Home refreshes in flight while every
  Web API call takes 1.5 s; from the tap to the alert's security post accepted. Goal p99
  within Slack's own 1.5 s plus 100 ms.

Usage: python benchmarks/danger_alert.py [--runs 50] [--load-runs 8] [--no-load]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.care_steps import file_report, open_home, tap_home
from tests.e2e.harness import (
    DEFAULT_SEED,
    BotFactory,
    ModalSession,
    SlackEmulator,
    care_toml,
)

PAGE_GOAL_MS = 150.0
SCREEN_GOAL_MS = 300.0
SLOW_SLACK_S = 1.5
LOAD_GOAL_MS = SLOW_SLACK_S * 1000 + 100.0
LOAD_REPORTS = 50
DELIVERED = "Delivered to Corporate Security & Risk"


def _seed(users: int) -> dict:
    seed = copy.deepcopy(DEFAULT_SEED)
    seed["users"] += [{"name": f"assoc{i:03d}", "real_name": f"Associate {i}", "title": "Teller"}
                      for i in range(users)]
    return seed


def _first(slack: SlackEmulator, since: int, method: str, match, timeout: float = 30.0) -> float:
    """When the proxy recorded the first successful call to ``method`` that ``match``es."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in slack.calls(method, since=since):
            if call["response"].get("ok") and match(call):
                return call["time"]
        time.sleep(0.005)
    raise RuntimeError(f"no {method} matched")


def _page_time(slack, user_id: str, since: int) -> float:
    channel = slack.channels["care-security"]
    return _first(slack, since, "chat.postMessage", lambda c: c["params"].get("channel") == channel
                  and f"<@{user_id}>" in str(c["params"].get("blocks")))


def _screen_time(slack, view_id: str, since: int) -> float:
    return _first(slack, since, "views.update", lambda c: c["params"].get("view_id") == view_id
                  and DELIVERED in json.dumps(c["params"].get("view"), ensure_ascii=False))


def _modal_run(bot, slack, user_id: str) -> tuple[float, float]:
    session = ModalSession.open(bot, user_id)
    since = slack.last_seq()
    started = time.time()
    body = session.submit({"danger": "yes"})
    assert body["view"]["callback_id"] == "care_emergency", body
    page = _page_time(slack, user_id, since) - started
    return page, _screen_time(slack, session.view["id"], since) - started


def _home_run(bot, slack, user_id: str) -> tuple[float, float]:
    home = open_home(bot, user_id)
    since = slack.last_seq()
    started = time.time()
    response, trigger = tap_home(bot, user_id, home, "care_home_danger")
    assert response.status == 200, response
    page = _page_time(slack, user_id, since) - started
    opened = next(c for c in slack.calls("views.open", since=since)
                  if c["params"].get("trigger_id") == trigger)
    return page, _screen_time(slack, opened["response"]["view"]["id"], since) - started


def _summary(label: str, seconds: list[float], goal_ms: float) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p50 = statistics.median(ms)
    p99 = statistics.quantiles(ms, n=100, method="inclusive")[98] if len(ms) > 1 else ms[0]
    verdict = "meets" if p99 < goal_ms else "misses"
    return (f"{label:<34} n={len(ms):3d}  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
            f"max {ms[-1]:7.1f} ms  ({verdict} the {goal_ms:.0f} ms p99 goal)")


def _quick(slack, factory, runs: int) -> list[str]:
    toml = care_toml(slack).replace('sweep_every = "1s"', 'sweep_every = "5s"')
    bot = factory.start(config_toml_text=toml)
    users = [slack.users[f"assoc{i:03d}"] for i in range(2 * runs)]
    modal = [_modal_run(bot, slack, u) for u in users[:runs]]
    home = [_home_run(bot, slack, u) for u in users[runs:]]
    bot.stop()
    both = modal + home
    return [
        "danger alert at Slack's normal (local) pace: request sent -> Slack answered",
        _summary("first page accepted: modal", [p for p, _ in modal], PAGE_GOAL_MS),
        _summary("first page accepted: Home tap", [p for p, _ in home], PAGE_GOAL_MS),
        _summary("first page accepted: both", [p for p, _ in both], PAGE_GOAL_MS),
        _summary("screen shows Delivered: modal", [s for _, s in modal], SCREEN_GOAL_MS),
        _summary("screen shows Delivered: Home tap", [s for _, s in home], SCREEN_GOAL_MS),
        _summary("screen shows Delivered: both", [s for _, s in both], SCREEN_GOAL_MS),
    ]


def _file(bot, user_id: str) -> bool:
    try:
        file_report(bot, user_id)
        return True
    except Exception as error:  # a report the slow Slack timed out; the load is still there
        print(f"a load report was not filed: {error!r:.80}", file=sys.stderr)
        return False


def _under_load(slack, factory, runs: int, first_user: int) -> list[str]:
    """50 reports' posts and Home refreshes in flight, every call 1.5 s: the alert still first."""
    slack.reset()
    bot = factory.start()
    tappers = [slack.users[f"assoc{first_user + i:03d}"] for i in range(runs)]
    homes = {u: open_home(bot, u) for u in tappers}  # before Slack slows down
    reporters = [slack.users[f"assoc{first_user + runs + i:03d}"] for i in range(LOAD_REPORTS)]
    slack.fault("*", delay=SLOW_SLACK_S, count=10 ** 6)
    with ThreadPoolExecutor(max_workers=8) as pool:  # eight associates typing at once
        filed = sum(1 for ok in pool.map(lambda u: _file(bot, u), reporters) if ok)
    backlog = bot.db().execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    times = []
    for user in tappers:
        since = slack.last_seq()
        started = time.time()
        response, _trigger = tap_home(bot, user, homes[user], "care_home_danger")
        assert response.status == 200, response
        times.append(_page_time(slack, user, since) - started)
        time.sleep(12)  # let this alert's own pages (posts, DMs, screen) finish at 1.5 s each
    slack.clear_faults()
    bot.stop()
    return [f"under load: {filed} of {LOAD_REPORTS} reports filed, {backlog} rows queued at "
            f"the first tap, every Web API call {SLOW_SLACK_S} s",
            _summary("tap -> security post accepted", times, LOAD_GOAL_MS)]


def main() -> int:
    """Run the paths and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--load-runs", type=int, default=8)
    parser.add_argument("--no-load", action="store_true")
    args = parser.parse_args()
    users = 2 * args.runs + args.load_runs + LOAD_REPORTS
    with tempfile.TemporaryDirectory() as tmp:
        slack = SlackEmulator.start(Path(tmp), _seed(users))
        factory = BotFactory(slack, Path(tmp))
        try:
            lines = _quick(slack, factory, args.runs)
            if not args.no_load:
                lines += _under_load(slack, factory, args.load_runs, 2 * args.runs)
        finally:
            factory.close_all()
            slack.close()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
