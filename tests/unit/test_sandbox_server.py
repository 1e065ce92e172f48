"""The sandbox's web server: a tab that closes mid-request leaves no traceback in its log."""

from __future__ import annotations

import socket
import struct
import threading
import time

from care_bot.sandbox.server import SandboxServer, serve


class SlowWorld:
    """A world whose long poll answers after the tab has already gone."""

    def __init__(self, fault: Exception | None = None):
        self.people = {"U1": {"name": "Alice"}}
        self.fault = fault

    def wait_for_change(self, since: int, timeout: float) -> None:
        time.sleep(0.3)

    def snapshot(self, user: str) -> dict:
        if self.fault:
            raise self.fault
        return {"version": 1, "conversations": [], "filler": "x" * 200_000}


class FakeSandbox:
    def __init__(self, world: SlowWorld):
        self.world, self.ready, self.info = world, True, {}


def _close_mid_poll(port: int) -> None:
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"GET /sandbox/state?user=U1&since=1 HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.05)
    # The tab closes: a reset, as a browser does when the page goes away mid-request.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


def _serve_and_close_tabs(world: SlowWorld) -> None:
    server: SandboxServer = serve(0)
    server.sandbox = FakeSandbox(world)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for _ in range(3):
            _close_mid_poll(server.server_address[1])
        time.sleep(0.8)  # every poll has answered into a closed socket
    finally:
        server.shutdown()
        server.server_close()


def test_sandbox_server_a_closed_tab_leaves_no_traceback(capfd):
    _serve_and_close_tabs(SlowWorld())

    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_sandbox_server_a_real_fault_is_still_logged(capfd):
    _serve_and_close_tabs(SlowWorld(fault=RuntimeError("the world broke")))

    assert "RuntimeError: the world broke" in capfd.readouterr().err
