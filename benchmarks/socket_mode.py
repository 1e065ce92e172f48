"""Benchmark: Socket Mode reconnect times and the first /threat ack after a refresh.

Starts the local Slack (emulate + proxy, needs Node.js and `npm ci`), the fake Socket Mode server
of the end-to-end tests and the real bot.py in Socket Mode, then, for each round: closes the
socket, drops its TCP connection, silences it (no close, no packets) and asks for a refresh.
Prints each figure and its median against issue 10's targets (5 s, 15 s, 1 s).
Usage: python benchmarks/socket_mode.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.harness import BotFactory, SlackEmulator
from tests.e2e.socket_mode_fake import FakeSocketMode
from tests.e2e.test_socket_mode import APP_TOKEN, cpu_seconds, threat


def reconnect(fake: FakeSocketMode, how: str) -> float:
    """End the current socket `how`; return seconds until the next one is greeted."""
    link = fake.current
    ended = {"close": fake.close_link, "drop": fake.drop_link,
             "silence": fake.blackhole_link}[how](link)
    return fake.wait_link(link.number + 1, timeout=30).hello_at - ended


def refresh(fake: FakeSocketMode, slack, user: str) -> tuple[float, float]:
    """Ask for a refresh; return (seconds to the new greeted socket, its first /threat ack)."""
    link = fake.current
    asked = fake.refresh_link(link, grace=2.0)
    new = fake.wait_link(link.number + 1, timeout=30)
    envelope, _ = threat(fake, slack, user, new)
    fake.wait_ack(envelope)
    return new.hello_at - asked, fake.ack_seconds(envelope)


def main() -> int:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[float]] = {k: [] for k in
                                       ("close", "drop", "silence", "refresh", "refresh ack")}
    cpu_share: list[float] = []
    with tempfile.TemporaryDirectory() as work:
        slack = SlackEmulator.start(Path(work))
        fake = FakeSocketMode().start()
        slack.use_socket_mode(fake.url)
        bots = BotFactory(slack, Path(work))
        try:
            bot = bots.start(env={"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": None})
            fake.wait_link(1)
            user = slack.users["alice"]
            for _ in range(args.rounds):
                figures["close"].append(reconnect(fake, "close"))
                figures["drop"].append(reconnect(fake, "drop"))
                time.sleep(1.0)
                before, started = cpu_seconds(bot.proc.pid), time.monotonic()
                figures["silence"].append(reconnect(fake, "silence"))
                cpu_share.append((cpu_seconds(bot.proc.pid) - before)
                                 / (time.monotonic() - started))
                took, ack = refresh(fake, slack, user)
                figures["refresh"].append(took)
                figures["refresh ack"].append(ack)
                time.sleep(2.5)  # let the old socket's grace end
        finally:
            bots.close_all()
            fake.forget_silenced()
            fake.close()
            slack.close()
    targets = {"close": 5.0, "drop": 5.0, "silence": 15.0, "refresh": 5.0, "refresh ack": 1.0}
    for name, values in figures.items():
        shown = ", ".join(f"{v * 1000:.0f}" for v in values)
        print(f"{name:12} median {statistics.median(values) * 1000:7.0f} ms  "
              f"(runs: {shown} ms; target < {targets[name]:.0f} s)")
    print(f"CPU while waiting out a silent drop: {max(cpu_share) * 100:.1f}% of one core at most")
    return 0


if __name__ == "__main__":
    sys.exit(main())
