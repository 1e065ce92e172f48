"""Benchmark: the Socket Mode clients CARE bot could use, against the same local fake.

Compares slack_sdk's built-in client, slack_sdk's websocket-client adapter and CARE bot's own
runner (care_bot/runtime/socket_mode.py) in one process, each with a handler that acks at once, each
scenario on a fresh client: seconds until a new socket is greeted after a server close, a dropped
TCP connection (no close frame) and a silent drop (no packets; both capped), with the CPU this
process used meanwhile; and after a `disconnect`, the time to the new socket and the ack time of
the first envelope on it. Needs no Node.js.
Usage: python benchmarks/socket_clients.py [--silent-cap 70]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.socket_mode.response import SocketModeResponse

from care_bot.runtime.socket_mode import SocketModeRunner
from tests.e2e.socket_mode_fake import FakeSocketMode

COMMAND = {"command": "/threat", "text": "", "user_id": "U0BENCH", "team_id": "T0BENCH",
           "api_app_id": "A0BENCH", "channel_id": "C0BENCH", "trigger_id": "1.2.x"}


class UrlSource:
    """Stands in for the Web API client: apps.connections.open hands out the fake's URL."""

    def __init__(self, fake: FakeSocketMode):
        self.fake = fake
        self.tickets = 0
        self.ssl = None
        self.proxy = None

    def apps_connections_open(self, app_token: str) -> dict:
        """Return a fresh websocket URL."""
        self.tickets += 1
        return {"url": f"{self.fake.url}?ticket={self.tickets}"}


def sdk_client(kind: str, source: UrlSource):
    """A started slack_sdk client of `kind` whose listener acks every envelope at once."""
    if kind == "slack_sdk built-in":
        from slack_sdk.socket_mode.builtin import SocketModeClient
        client = SocketModeClient("xapp-bench", web_client=source, ping_interval=10)
    else:
        from slack_sdk.socket_mode.websocket_client import SocketModeClient
        client = SocketModeClient("xapp-bench", web_client=source, ping_interval=10)

    def ack(client_, request):
        client_.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))

    client.socket_mode_request_listeners.append(ack)
    client.connect()
    return client


def care_runner(source: UrlSource) -> SocketModeRunner:
    """CARE bot's runner with a Bolt app whose /threat listener acks at once."""
    identity = AuthorizeResult(enterprise_id=None, team_id="T0BENCH", bot_token="xoxb-bench",
                               bot_user_id="U0BOT", bot_id="B0BOT")
    app = App(signing_secret="bench", authorize=lambda **_: identity,
              request_verification_enabled=False)
    app.command("/threat")(lambda ack: ack())
    runner = SocketModeRunner(app, "xapp-bench", source)
    runner.start()
    return runner


def measure(kind: str, how: str, cap: float) -> str:
    """End a fresh client's first socket `how`; return the figure as text."""
    fake = FakeSocketMode().start()
    source = UrlSource(fake)
    client = care_runner(source) if kind == "CARE bot runner" else sdk_client(kind, source)
    try:
        link = fake.wait_link(1, timeout=15)
        time.sleep(1.0)  # a quiet but healthy socket: pings have gone back and forth
        cpu = time.process_time()
        if how == "refresh":
            asked = fake.refresh_link(link, grace=5.0)
            new = fake.wait_link(2, timeout=cap)
            envelope = fake.send("slash_commands", COMMAND, new)
            fake.wait_ack(envelope, timeout=10)
            return (f"{new.hello_at - asked:.2f} s; first ack on the new socket "
                    f"{fake.ack_seconds(envelope) * 1000:.0f} ms")
        ended = {"close": fake.close_link, "drop": fake.drop_link,
                 "silence": fake.blackhole_link}[how](link)
        try:
            took = f"{fake.wait_link(2, timeout=cap).hello_at - ended:.2f} s"
        except AssertionError:
            took = f"> {cap:.0f} s, not reconnected"
        return f"{took} (CPU {time.process_time() - cpu:.1f} s)"
    except AssertionError as error:
        return "failed: " + str(error).splitlines()[0][:70]
    finally:
        client.stop() if isinstance(client, SocketModeRunner) else client.close()
        fake.forget_silenced()
        fake.close()


def main() -> int:
    """Measure each client and print one block per client."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--silent-cap", type=float, default=70.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    for kind in ("slack_sdk built-in", "slack_sdk websocket-client adapter", "CARE bot runner"):
        print(kind, flush=True)
        for how in ("close", "drop", "silence", "refresh"):
            cap = args.silent_cap if how in ("drop", "silence") else 30.0
            print(f"  {how:8} {measure(kind, how, cap)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
