"""End-to-end on PostgreSQL: two bot processes, one sweep leader, failover after kill -9.

Every test here runs on PostgreSQL only (tests/e2e/conftest.py): a fresh database on the
throwaway server that scripts/test.sh (or the session fixture) starts.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.care_steps import file_report, parent_post, posts, thread_texts
from tests.e2e.harness import DEFAULT_SEED, BotFactory, SlackEmulator, care_toml, wait_until

REMIND = {"ack_reminder": "8s", "ack_escalation": "1h", "ack_repeat": "1h"}


def _lease(bot) -> dict:
    return bot.get("/healthz").json()["components"]["lease"]


def _settled(bot) -> bool:
    return bot.db().execute(
        "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0] == 0


def _post_keys(slack) -> Counter:
    """How many times each outbox row reached Slack (by the key in its metadata)."""
    keys = Counter()
    for call in posts(slack):
        payload = (call["params"].get("metadata") or {})
        if isinstance(payload, str):
            import json

            payload = json.loads(payload)
        key = (payload.get("event_payload") or {}).get("key")
        if key:
            keys[key] += 1
    return keys


def _two_bots(bot_factory, reminders=None):
    first = bot_factory.start(reminders=reminders)
    wait_until(lambda: _lease(first)["held"], timeout=10, message="the first bot leads")
    second = bot_factory.start(reminders=reminders)
    return first, second


def test_two_processes_serve_with_one_sweep_leader(slack, bot_factory):
    first, second = _two_bots(bot_factory)
    one, two = first.get("/healthz"), second.get("/healthz")
    assert one.status == 200 and two.status == 200  # a healthy non-leader answers 200 too
    assert one.json()["components"]["database"]["backend"] == "postgresql"
    assert one.json()["components"]["lease"]["state"] == "held"
    assert two.json()["components"]["lease"]["state"] == "standby"
    assert two.json()["components"]["sweep"]["state"] == "standby"
    assert "postgresql://" not in one.body and "care@" not in one.body


def test_failover_after_kill_9_sends_the_due_reminder_once(slack, bot_factory):
    """A report through the first; kill -9; the second serves at once and sends the reminder."""
    first, second = _two_bots(bot_factory, REMIND)
    u, ch = slack.users, slack.channels
    file_report(first, u["alice"])
    sup_ts = parent_post(slack, ch["care-supervisors"])["response"]["ts"]
    parent_post(slack, ch["care-security"])
    wait_until(lambda: _settled(first), timeout=15)
    first.kill()  # SIGKILL: no clean stop, the lease session dies with it
    answer = second.command(u["olly"])
    assert answer.status == 200 and answer.elapsed < 3
    wait_until(lambda: _lease(second)["held"], timeout=15, message="the second takes the lease")
    slack.wait_for(lambda: [t for t in thread_texts(slack, ch["care-supervisors"], sup_ts)
                            if "Reminder:" in t], timeout=20)
    wait_until(lambda: _settled(second), timeout=15)
    first.spawn()
    first.wait_healthy()
    assert _lease(first)["held"] is False
    time.sleep(3)
    reminders = [t for t in thread_texts(slack, ch["care-supervisors"], sup_ts)
                 if "Reminder:" in t]
    assert len(reminders) == 1
    for name in ("care-supervisors", "care-security"):
        parents = [p for p in posts(slack, ch[name]) if not p["params"].get("thread_ts")]
        assert len(parents) == 1, name
    sent = _post_keys(slack)
    assert sent and max(sent.values()) == 1, sent


def test_a_report_through_the_non_leader_is_posted_at_once(slack, bot_factory):
    """The non-leader's NOTIFY wakes the leader: no wait for its next poll."""
    text = care_toml(slack).replace('sweep_every = "1s"', 'sweep_every = "30s"')
    first = bot_factory.start(text)
    wait_until(lambda: _lease(first)["held"], timeout=10)
    second = bot_factory.start(text)
    time.sleep(1.5)  # the leader's first passes are over; its next tick is 30 s away
    file_report(second, slack.users["alice"])
    started = time.monotonic()
    parent_post(slack, slack.channels["care-security"])
    assert time.monotonic() - started < 5
    wait_until(lambda: _settled(second), timeout=10)


def test_fifty_associates_at_once_over_two_processes(tmp_path, postgres_url):
    """Every report is saved, with its own reference, and every post is sent exactly once."""
    names = [f"assoc{n:02d}" for n in range(50)]
    seed = {**DEFAULT_SEED, "users": [*DEFAULT_SEED["users"], *(
        {"name": name, "real_name": f"Associate {name}", "title": "Teller"} for name in names)]}
    (tmp_path / "slack50").mkdir()
    slack = SlackEmulator.start(tmp_path / "slack50", seed)
    factory = BotFactory(slack, tmp_path, database_url=postgres_url)
    try:
        bots = _two_bots(factory)
        failures: list[BaseException] = []
        lock = threading.Lock()

        def one(index: int) -> None:
            try:
                file_report(bots[index % 2], slack.users[names[index]])
            except BaseException as error:  # reported below, with the others
                with lock:
                    failures.append(error)

        with ThreadPoolExecutor(max_workers=50) as pool:
            list(pool.map(one, range(50)))
        assert failures == []
        refs = [r[0] for r in bots[0].db().execute("SELECT ref FROM incidents").fetchall()]
        assert len(refs) == 50 and len(set(refs)) == 50
        wait_until(lambda: _settled(bots[0]), timeout=120, interval=0.5)
        sent = _post_keys(slack)
        queued = bots[0].db().execute(
            "SELECT count(*) FROM outbox WHERE kind = 'post' AND status = 'sent'").fetchone()[0]
        assert max(sent.values()) == 1 and len(sent) == queued, sent.most_common(3)
        verified = factory.run_cli(["verify"])
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        factory.close_all()
        slack.close()


def test_commands_on_postgresql(slack, bot_factory, tmp_path):
    """verify, export and purge work on PostgreSQL; backup points to pg_dump and exits 2."""
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"])
    wait_until(lambda: _settled(bot), timeout=15)
    verified = bot_factory.run_cli(["verify"])
    assert verified.returncode == 0 and "1 incident" not in verified.stderr
    assert "OK:" in verified.stdout and "audit event(s) chained" in verified.stdout
    backup = bot_factory.run_cli(["backup", str(tmp_path / "copy.db")])
    assert backup.returncode == 2 and "pg_dump" in backup.stderr
    out = tmp_path / "export.csv"
    exported = bot_factory.run_cli(["export", "--out", str(out)])
    assert exported.returncode == 0, exported.stderr
    assert "CARE-" in out.read_text()
    purged = bot_factory.run_cli(["purge", "--dry-run"])
    assert purged.returncode == 0 and "would purge" in purged.stdout


def test_migrate_copies_sqlite_into_an_empty_postgresql(slack, tmp_path, postgres_url):
    """The pilot's SQLite, with its chain, moves into PostgreSQL; a non-empty target is refused."""
    pilot = BotFactory(slack, tmp_path / "pilot")
    (tmp_path / "pilot").mkdir()
    try:
        bot = pilot.start()
        file_report(bot, slack.users["alice"])
        wait_until(lambda: _settled(bot), timeout=15)
        bot.stop()
        source_count = sqlite3.connect(bot.db_path).execute(
            "SELECT count(*) FROM events").fetchone()[0]
        moved = pilot.run_cli(["migrate", "--to", postgres_url])
        assert moved.returncode == 0, moved.stdout + moved.stderr
        assert "OK:" in moved.stdout and f"{source_count} audit event(s)" in moved.stdout
        again = pilot.run_cli(["migrate", "--to", postgres_url])
        assert again.returncode == 2 and "not empty" in again.stderr
    finally:
        pilot.close_all()
    on_postgres = BotFactory(slack, tmp_path, database_url=postgres_url).start()
    try:
        refs = on_postgres.db().execute("SELECT ref FROM incidents").fetchall()
        assert len(refs) == 1
        file_report(on_postgres, slack.users["olly"])  # ids continue after the copied ones
        wait_until(lambda: _settled(on_postgres), timeout=15)
    finally:
        on_postgres.kill()


def test_check_names_the_backend_and_whether_it_answers(slack, bot_factory, database_url):
    done = bot_factory.run_cli(["check"])
    database = next(line for line in done.stdout.splitlines() if line.startswith("database "))
    assert " ok " in database and "PostgreSQL" in database and "reachable" in database
    closed_port = database_url.replace(database_url.split(":")[-1].split("/")[0], "9", 1)
    down = bot_factory.run_cli(["check"], env={"DATABASE_URL": closed_port})
    line = next(line for line in down.stdout.splitlines() if line.startswith("database "))
    assert down.returncode == 1 and "FAIL" in line and "cannot be reached" in line
