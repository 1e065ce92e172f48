"""End-to-end fault tests of the real process: slow Slack, locked and full disks, stops, locks."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.e2e.care_steps import answers_for, file_report, posts, walk_to
from tests.e2e.harness import ModalSession, care_toml, wait_until


def _settled(bot) -> bool:
    return bot.db().execute(
        "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0] == 0


def _toml(slack, **scheduler) -> str:
    extra = "".join(f'\n{key} = "{value}"' for key, value in scheduler.items())
    return care_toml(slack).replace('sweep_every = "1s"', 'sweep_every = "1s"' + extra)


def _our_messages(slack, bot) -> list[dict]:
    """Every message (top-level and replies) in both channels that carries one of our uids."""
    uids = {row[0] for row in bot.db().execute("SELECT uid FROM outbox WHERE kind = 'post'")}
    found = []
    for name in ("care-supervisors", "care-security"):
        channel = slack.channels[name]
        for message in slack.history(channel):
            found.append(message)
            if message.get("reply_count") or message.get("thread_ts"):
                found.extend(slack.replies(channel, message["ts"])[1:])
    return [m for m in found
            if ((m.get("metadata") or {}).get("event_payload") or {}).get("key") in uids]


def _assert_each_post_once(slack, bot) -> None:
    keys = [m["metadata"]["event_payload"]["key"] for m in _our_messages(slack, bot)]
    assert keys and len(keys) == len(set(keys)), f"duplicated posts: {sorted(keys)}"


def _health(bot) -> tuple[int, dict]:
    response = bot.get("/healthz")
    return response.status, response.json()


# ---------------------------------------------------------------------------- /healthz


def test_healthz_names_each_component_and_carries_no_secrets(slack, bot_factory):
    bot = bot_factory.start()
    status, body = _health(bot)
    assert status == 200
    assert body["ok"] is True and body["reasons"] == []
    assert {name: part["state"] for name, part in body["components"].items()} == {
        "database": "ok", "lease": "held", "sweep": "ok", "outbox": "ok"}
    assert body["components"]["database"]["backend"] == "sqlite"
    text = bot.get("/healthz").body
    assert slack.bot_token not in text and "xoxb" not in text


# ---------------------------------------------------------------------------- slow Slack


def test_a_post_answered_after_the_client_timeout_is_not_posted_twice(slack, bot_factory):
    """Slack takes 4 s on one post, the client gives up at 2 s: the look-up waits, then finds it."""
    bot = bot_factory.start(_toml(slack, post_timeout="2s", unsure_recheck_after="6s"))
    slack.fault("chat.postMessage", count=1, delay=4)
    file_report(bot, slack.users["alice"])
    wait_until(lambda: _settled(bot), timeout=40)
    _assert_each_post_once(slack, bot)
    assert len(_our_messages(slack, bot)) == 4  # 2 parents + 2 detail replies
    assert slack.calls("conversations.history") or slack.calls("conversations.replies")


def test_a_post_that_takes_twenty_seconds_is_posted_once(slack, bot_factory):
    """With the default settings chat.postMessage waits long enough for a 20 s Slack."""
    bot = bot_factory.start()
    slack.fault("chat.postMessage", count=1, delay=20)
    file_report(bot, slack.users["alice"])
    wait_until(lambda: _settled(bot), timeout=60)
    _assert_each_post_once(slack, bot)
    assert len(_our_messages(slack, bot)) == 4


def test_kill_while_a_slow_post_is_in_flight_does_not_post_twice(slack, bot_factory):
    """SIGKILL while Slack is still taking the post: after restart it is found, not re-sent."""
    bot = bot_factory.start()
    slack.fault("chat.postMessage", count=1, delay=3)
    file_report(bot, slack.users["alice"])
    wait_until(lambda: bot.db().execute(
        "SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()[0] == 1)
    bot.kill()
    time.sleep(3.5)  # the post lands in Slack after the bot died
    bot.spawn()
    bot.wait_healthy()
    wait_until(lambda: _settled(bot), timeout=40)
    _assert_each_post_once(slack, bot)
    assert len(_our_messages(slack, bot)) == 4


# ---------------------------------------------------------------------------- shutdown, lock


def test_sigterm_with_a_queue_finishes_the_post_in_flight_and_exits_quickly(slack, bot_factory):
    """30 posts under a 1 post/s limit: SIGTERM exits within 10 s; the rest go after restart."""
    bot = bot_factory.start()
    slack.rate_limit("chat.postMessage", 1)
    try:
        for _ in range(6):
            file_report(bot, slack.users["alice"])
        wait_until(lambda: len(posts(slack)) >= 3, timeout=20)
        started = time.monotonic()
        bot.signal(signal.SIGTERM)
        code = bot.wait_exit(timeout=12)
        took = time.monotonic() - started
        assert code == 0 and took < 10, (code, took)
        left = bot.db().execute(
            "SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
        assert left > 0  # the queue was left, not drained
        assert bot.db().execute(
            "SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()[0] == 0
        slack.rate_limit("chat.postMessage", None)
        bot.spawn()
        bot.wait_healthy()
        wait_until(lambda: _settled(bot), timeout=40)
        _assert_each_post_once(slack, bot)
    finally:
        slack.rate_limit("chat.postMessage", None)


def test_a_symlink_to_the_database_cannot_start_a_second_bot(slack, bot_factory, tmp_path):
    first = bot_factory.start()
    link = tmp_path / "elsewhere" / "alias.db"
    link.parent.mkdir()
    link.symlink_to(first.db_path)
    second = bot_factory.start(env={"CARE_DB_PATH": str(link)}, wait_healthy=False)
    assert second.wait_exit(timeout=20) == 3
    assert "already running" in second.logs()
    assert first.alive


# ---------------------------------------------------------------------------- a locked database


def _hold_write_lock(db_path: Path, seconds: float, ready: threading.Event) -> None:
    conn = sqlite3.connect(db_path, timeout=10, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    ready.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def test_a_database_locked_by_an_outside_writer_during_a_send_strands_nothing(
        slack, bot_factory):
    """Slack accepts the post while another process holds the write lock for 7 s."""
    bot = bot_factory.start()
    slack.fault("chat.postMessage", count=1, delay=1.5)
    file_report(bot, slack.users["alice"])
    wait_until(lambda: bot.db().execute(
        "SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()[0] == 1)
    ready = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(bot.db_path, 7, ready))
    holder.start()
    ready.wait(5)
    holder.join()
    wait_until(lambda: _settled(bot), timeout=40)
    _assert_each_post_once(slack, bot)
    assert len(_our_messages(slack, bot)) == 4  # the thread replies followed their parent
    assert bot.alive


# ---------------------------------------------------------------------------- full, read-only disk


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MiB tmpfs, when this machine lets us mount one (root, Linux)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path) -> Path:
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
    with open(filler, "ab", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 512)
    return filler


def _security_texts(slack) -> list[str]:
    channel = slack.channels["care-security"]
    return [c["params"].get("text", "") for c in posts(slack, channel)]


def _submit_fails_cleanly(bot, slack) -> None:
    with pytest.raises(AssertionError) as failure:
        file_report(bot, slack.users["alice"])
    assert "could not be saved" in str(failure.value)


def test_a_full_disk_never_kills_the_bot_and_it_recovers_by_itself(slack, bot_factory,
                                                                     small_disk):
    bot = bot_factory.start(env={"CARE_DB_PATH": str(small_disk / "care.db")})
    filler = _fill(small_disk)
    try:
        _status, body = wait_until(lambda: (lambda s, b: (s, b) if s == 503 else None)(
            *_health(bot)), timeout=15)
        assert body["components"]["database"]["state"] == "failing"
        assert any("database cannot be written" in reason for reason in body["reasons"])
        _submit_fails_cleanly(bot, slack)
        wait_until(lambda: any("cannot save" in t for t in _security_texts(slack)), timeout=20)
        assert bot.alive
    finally:
        filler.unlink()
    wait_until(lambda: _health(bot)[0] == 200, timeout=20)
    file_report(bot, slack.users["alice"])
    wait_until(lambda: _settled(bot), timeout=30)
    wait_until(lambda: any("again" in t for t in _security_texts(slack)), timeout=20)
    assert bot.alive


def _chattr(flag: str, *paths: Path) -> bool:
    existing = [str(p) for p in paths if p.exists()]
    done = subprocess.run(["chattr", flag, *existing], capture_output=True, check=False)
    return done.returncode == 0


def test_an_immutable_database_never_kills_the_bot(slack, bot_factory, tmp_path):
    if not shutil.which("chattr") or os.geteuid() != 0:
        pytest.skip("needs chattr and root")
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"])
    wait_until(lambda: _settled(bot), timeout=20)
    files = [bot.db_path, Path(f"{bot.db_path}-wal"), Path(f"{bot.db_path}-shm")]
    if not _chattr("+i", *files):
        pytest.skip("this file system has no immutable flag")
    try:
        wait_until(lambda: _health(bot)[0] == 503, timeout=15)
        _submit_fails_cleanly(bot, slack)
        time.sleep(2)  # several sweeps run against the immutable files
        assert bot.alive, bot.logs()
    finally:
        _chattr("-i", *files)
    wait_until(lambda: _health(bot)[0] == 200, timeout=20)
    file_report(bot, slack.users["alice"])
    wait_until(lambda: _settled(bot), timeout=30)
    assert bot.stop() == 0


def test_after_an_outage_each_channel_gets_its_posts_escalations_first_then_oldest_first(
        slack, bot_factory):
    """503 to every post while three reports come in; then each channel in order (issue 15:
    escalation posts before everything else, each kind oldest first)."""
    bot = bot_factory.start()
    slack.fault("chat.postMessage", status=503, count=1000)
    for user in ("alice", "olly", "hana"):
        file_report(bot, slack.users[user])
    time.sleep(3)  # a few failed probes, each channel held
    slack.clear_faults()
    wait_until(lambda: _settled(bot), timeout=40)
    _assert_each_post_once(slack, bot)
    order = {row[0]: (row[1], row[2])
             for row in bot.db().execute("SELECT uid, priority, id FROM outbox")}
    for name in ("care-supervisors", "care-security"):
        channel = slack.channels[name]
        delivered = posts(slack, channel)
        ids = [order[c["params"]["metadata"]["event_payload"]["key"]] for c in delivered
               if c["params"].get("metadata")]
        assert len(ids) >= 6 and ids == sorted(ids), (name, ids)  # 3 parents + 3 replies


def test_files_made_immutable_while_a_post_is_in_flight_never_kill_the_sweep(slack, bot_factory):
    """chattr +i as a post goes out: the sweep's next read survives, alerts, and recovers."""
    if not shutil.which("chattr") or os.geteuid() != 0:
        pytest.skip("needs chattr and root")
    bot = bot_factory.start()
    slack.fault("chat.postMessage", count=1, delay=8)  # the first post is slow: in flight
    file_report(bot, slack.users["alice"])
    wait_until(lambda: bot.db().execute(
        "SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()[0] == 1)
    files = [bot.db_path, Path(f"{bot.db_path}-wal"), Path(f"{bot.db_path}-shm")]
    with contextlib.closing(sqlite3.connect(bot.db_path, isolation_level=None)) as other:
        other.execute("INSERT OR REPLACE INTO health_probe (id, at) VALUES (2, 0)")  # a write
    os.sync()  # written back: the next write through the -shm map faults, as it would later
    if not _chattr("+i", *files):
        pytest.skip("this file system has no immutable flag")
    try:
        wait_until(lambda: _health(bot)[0] == 503, timeout=15)
        wait_until(lambda: any("cannot save to its database" in t
                               for t in _security_texts(slack)), timeout=20)
        time.sleep(6)  # the slow post returns; several sweeps read the immutable files
        assert bot.alive, bot.logs()
    finally:
        _chattr("-i", *files)
    wait_until(lambda: _health(bot)[0] == 200, timeout=20)
    wait_until(lambda: _settled(bot), timeout=30)
    _assert_each_post_once(slack, bot)
    assert bot.stop() == 0


def test_sigterm_during_a_submit_lets_it_answer_within_the_stop_budget(slack, bot_factory):
    """The report is saved and the associate sees its confirmation, then the bot stops."""
    bot = bot_factory.start()
    session = ModalSession.open(bot, slack.users["alice"])
    walk_to(session, "review", answers_for(slack))
    ready = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(bot.db_path, 2, ready))
    holder.start()
    ready.wait(5)
    answer: dict = {}
    submitter = threading.Thread(target=lambda: answer.update(body=session.submit({})))
    submitter.start()
    time.sleep(0.5)  # the submit waits for the write lock
    stopped_at = time.monotonic()
    bot.signal(signal.SIGTERM)
    submitter.join(10)
    holder.join()
    assert answer.get("body", {}).get("response_action") == "update", bot.logs()
    assert bot.wait_exit(10) == 0
    assert time.monotonic() - stopped_at < 10
    assert bot.db().execute("SELECT count(*) FROM incidents").fetchone()[0] == 1
