"""End-to-end: hostile requests cost nothing, files are private, Slack's identity is not needed.

Every test starts the real bot.py against the local Slack and checks what Slack saw (the
recorded Web API calls) and what the database holds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import select
import socket
import stat
import time

import pytest

from tests.e2e.care_steps import (
    click_message_button,
    ephemerals_to,
    file_report,
    open_from_button,
    parent_post,
    reference_of,
)
from tests.e2e.harness import TEST_SIGNING_SECRET, ModalSession
from tests.support import payloads
from tests.support.signing import FORM_CONTENT_TYPE, signature

ROW_TABLES = ("drafts", "incidents", "events", "outbox", "unchecked_requests")


def _rows(bot) -> dict[str, int]:
    db = bot.db()
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ROW_TABLES}


def _command_body(slack, user: str, workspace=None) -> str:
    fields = payloads.slash_command(user, "", slack.mint_trigger_id(user),
                                    workspace=workspace or slack.workspace)
    return payloads.form_body(fields)


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.parametrize("headers", [
    {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=" + "0" * 64},
    {"X-Slack-Signature": "v0=" + "0" * 64},
    {"X-Slack-Request-Timestamp": "SIGNED"},
    {"X-Slack-Request-Timestamp": "STALE"},
    {"X-Slack-Request-Timestamp": "1700000000²", "X-Slack-Signature": "v0=00"},
    {},
], ids=["non-numeric-ts", "no-ts", "bad-signature", "stale", "unicode-digits", "no-headers"])
def test_hostile_unverified_requests_get_401_no_call_no_row(slack, bot_factory, headers):
    """Unverified bodies reach no listener and no error handler: 401, no Web API call, no row."""
    bot = bot_factory.start()
    alice = slack.users["alice"]
    body = _command_body(slack, alice)
    before = slack.last_seq()
    if headers.get("X-Slack-Request-Timestamp") == "SIGNED":
        ts = str(int(time.time()))
        headers = {"X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": signature("wrong-secret", ts, body)}
    elif headers.get("X-Slack-Request-Timestamp") == "STALE":
        ts = str(int(time.time()) - 3600)
        headers = {"X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": signature("care-e2e-signing-secret-7d1f0c2b9a", ts, body)}
    response = bot.post_raw(body, {"Content-Type": FORM_CONTENT_TYPE, **headers})
    assert response.status == 401
    time.sleep(0.5)  # anything the request started would have called Slack by now
    assert slack.calls(since=before) == []
    assert _rows(bot) == dict.fromkeys(ROW_TABLES, 0)
    assert "legacy-verification-token" not in bot.logs()


def test_hostile_large_bodies_get_413_before_being_read(slack, bot_factory):
    """Over 1 MB: 413 without reading it; the process does not grow with the body."""
    bot = bot_factory.start()
    pid = bot.proc.pid
    rss_before = _rss_kb(pid)
    statuses = []
    for _ in range(3):
        statuses.append(_send_huge(bot.port, declared=200 * 1024 * 1024, send=32 * 1024 * 1024))
    statuses.append(_send_huge(bot.port, declared=None, send=24 * 1024 * 1024))  # chunked
    two_mb = "payload=" + "x" * (2 * 1024 * 1024)
    statuses.append(_send_signed(bot.port, two_mb))
    grown_mb = (_rss_kb(pid) - rss_before) / 1024
    print(f"RSS before {rss_before / 1024:.1f} MB, grew {grown_mb:.1f} MB over "
          f"{3 * 32 + 24 + 2} MB sent")
    assert statuses == [413] * 5
    assert grown_mb < 20
    assert bot.get("/healthz").status == 200
    assert _rows(bot) == dict.fromkeys(ROW_TABLES, 0)


def _send_signed(port: int, body: str) -> int:
    """Send a signed request; return its status. The body goes only if no early answer came.

    A server that refuses on the headers (413) answers and closes at once; sending the body then
    would race that close (urllib raises BrokenPipeError, and a reset can lose the answer).
    """
    ts = str(int(time.time()))
    headers = (f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Content-Length: {len(body)}\r\nContent-Type: {FORM_CONTENT_TYPE}\r\n"
               f"X-Slack-Request-Timestamp: {ts}\r\n"
               f"X-Slack-Signature: {signature(TEST_SIGNING_SECRET, ts, body)}\r\n\r\n")
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(headers.encode())
    early, _, _ = select.select([sock], [], [], 2.0)
    if not early:
        with contextlib.suppress(OSError):  # refused part-way: the answer is still read below
            sock.sendall(body.encode())
    return _status_line(sock)


def _status_line(sock: socket.socket) -> int:
    answer = b""
    try:
        while b"\r\n" not in answer:
            part = sock.recv(4096)
            if not part:
                break
            answer += part
    except OSError:
        pass
    sock.close()
    line = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    return int(line.split()[1]) if line.startswith("HTTP/") else 0


def _send_huge(port: int, declared: int | None, send: int) -> int:
    """Send headers for a huge body and as much of it as the server takes; return the status."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    length = f"Content-Length: {declared}\r\n" if declared else "Transfer-Encoding: chunked\r\n"
    sock.sendall((f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{length}"
                  f"Content-Type: {FORM_CONTENT_TYPE}\r\n\r\n").encode())
    chunk = b"x" * (1024 * 1024)
    try:
        for _ in range(send // len(chunk)):
            if declared:
                sock.sendall(chunk)
            else:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
    except OSError:
        pass  # the server closed the connection after refusing: expected
    return _status_line(sock)


def test_hostile_requests_from_another_workspace_or_app_are_refused(slack, bot_factory):
    """Signed but from another team or app: refused before any listener, nothing stored."""
    bot = bot_factory.start()
    alice = slack.users["alice"]
    for change in ({"team_id": "T0OTHER"}, {"api_app_id": "A0OTHER"}):
        workspace = dataclasses.replace(slack.workspace, **change)
        before = slack.last_seq()
        response = bot.post_signed(_command_body(slack, alice, workspace))
        assert response.status == 403
        assert [c["method"] for c in slack.calls(since=before)] == []
    assert _rows(bot) == dict.fromkeys(ROW_TABLES, 0)
    ModalSession.open(bot, alice)  # the real workspace still works


def test_hostile_ids_out_of_range_get_no_longer_exists(slack, bot_factory):
    """Button values and private_metadata ids outside 1..2^63-1 are answered plainly."""
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"])
    parent = parent_post(slack, slack.channels["care-supervisors"])
    sam = slack.users["sam"]
    for value in ("9223372036854775808", "-1", "0", "1.0", " 1", "1_0", "abc"):
        response = click_message_button(bot, sam, parent, "care_acknowledge", value=value)
        assert response.status == 200
    slack.wait_for(lambda: len(ephemerals_to(slack, sam)) == 7)
    assert set(ephemerals_to(slack, sam)) == {"That incident no longer exists."}
    assert bot.db().execute("SELECT acknowledged_at FROM incidents").fetchone()[0] is None


def test_hostile_failure_after_ack_keeps_the_answer(slack, bot_factory):
    """views.push failing in "Decide account" after ack: Slack still gets 200, user is told."""
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"])
    parent = parent_post(slack, slack.channels["care-supervisors"])
    sam, mark = slack.users["sam"], slack.users["mark"]
    click_message_button(bot, sam, parent, "care_acknowledge")
    parent = slack.wait_for(lambda: next(
        (c for c in slack.calls("chat.update") if "care_update_checklist" in str(c["params"])
         and c["params"]["channel"] == slack.channels["care-supervisors"]), None))
    parent = {"params": parent["params"], "response": {
        "channel": parent["params"]["channel"], "ts": parent["params"]["ts"]}}
    checklist = open_from_button(bot, mark, parent, "care_update_checklist")
    slack.fault("views.push", status=500, count=5)
    response = checklist.click("care_decide_account", expect=None)
    assert response.status == 200 and response.elapsed < 2.5
    slack.wait_for(lambda: any("could not finish" in str(c["params"])
                               for c in slack.calls("chat.postMessage")
                               + slack.calls("chat.postEphemeral")))


def test_hostile_files_are_private_and_old_modes_are_fixed(slack, bot_factory, tmp_path):
    """db, -wal, -shm and lock are 0600 and the data folder 0700, even if they were not."""
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    db_path = data / "care.db"
    db_path.touch()
    os.chmod(db_path, 0o644)
    bot = bot_factory.start(env={"CARE_DB_PATH": str(db_path)})
    file_report(bot, slack.users["alice"])
    for name in ("care.db", "care.db-wal", "care.db-shm", "care.db.lock"):
        mode = stat.S_IMODE((data / name).stat().st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


def test_identity_outage_at_start_still_saves_and_confirms(slack, bot_factory):
    """A restart while auth.test fails: the report is saved and confirmed, checked later."""
    bot = bot_factory.start()
    bot.stop()
    slack.fault("auth.test", status=503, count=100000)
    bot.spawn()
    bot.wait_healthy()
    alice = slack.users["alice"]
    confirmation = file_report(bot, alice)
    ref = reference_of(confirmation)
    row = bot.db().execute("SELECT ref, status FROM incidents").fetchone()
    assert (row["ref"], row["status"]) == (ref, "open")
    unchecked = bot.db().execute("SELECT count(*) FROM unchecked_requests").fetchone()[0]
    assert unchecked >= 6  # every step of the modal was served, and recorded as unchecked
    slack.wait_for(lambda: any(ref in m.get("text", "")
                               for m in slack.history(slack.dm_channel(alice))))
    slack.clear_faults()
    slack.wait_for(lambda: bot.db().execute(
        "SELECT count(*) FROM unchecked_requests WHERE verdict IS NULL").fetchone()[0] == 0,
        timeout=40)
    verdicts = {r[0] for r in bot.db().execute("SELECT verdict FROM unchecked_requests")}
    assert verdicts == {"ok"}
    # Once known, the identity is used for every request: no auth.test per request.
    calls = len(slack.calls("auth.test"))
    ModalSession.open(bot, alice)
    bot.command(alice, "help")
    assert len(slack.calls("auth.test")) == calls
    foreign = dataclasses.replace(slack.workspace, team_id="T0OTHER")
    assert bot.post_signed(_command_body(slack, alice, foreign)).status == 403


def test_identity_is_never_asked_per_request(slack, bot_factory):
    """After the start-up auth.test, requests never make Bolt call auth.test."""
    bot = bot_factory.start()
    start_calls = len(slack.calls("auth.test"))
    assert start_calls == 1
    for _ in range(3):
        bot.command(slack.users["alice"], "help")
    ModalSession.open(bot, slack.users["alice"])
    assert len(slack.calls("auth.test")) == start_calls
    assert "will be unused" not in bot.logs() and "will be ignored" not in bot.logs()
    assert json.loads(bot.get("/healthz").body)["ok"] is True
