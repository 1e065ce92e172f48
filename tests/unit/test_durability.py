"""Issue 9 §1 on fakes: unsaved outcomes, channel order, timers, health, lock, heartbeat."""

from __future__ import annotations

import http.server
import sqlite3
import threading
import time
from types import SimpleNamespace

import pytest

from care_bot.config import Retention
from care_bot.outbox import delivery
from care_bot.runtime import scheduler
from care_bot.runtime.health import check_health
from care_bot.runtime.heartbeat import Heartbeat
from care_bot.runtime.server import health_answer
from care_bot.storage import AlreadyRunning, Store, followups, outbox
from care_bot.storage.database import StorageUnavailable
from tests.support.fake_slack import slack_error
from tests.support.report import file_report
from tests.support.world import SUPERVISORS_CHANNEL, USERS, care_toml, make_services


def _rows(services, sql: str, params: list | None = None) -> list[dict]:
    with services.store.reading() as db:
        return [dict(row) for row in db.query(sql, params or [])]


def _status(services, key: str) -> str:
    return _rows(services, "SELECT status FROM outbox WHERE key = ?", [key])[0]["status"]


SUP_PARENT = "incident:1:supervisors:parent"


# ---------------------------------------------------------------------------- unsaved outcomes


class FlakyStore:
    """Wraps a Store so that the next ``fail_writes`` transactions raise 'disk is full'."""

    def __init__(self, store: Store):
        self._store = store
        self.fail_writes = 0

    def transaction(self):
        if self.fail_writes:
            self.fail_writes -= 1
            raise sqlite3.OperationalError("database or disk is full")
        return self._store.transaction()

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_a_sent_post_whose_write_fails_is_settled_by_the_next_sweep(tmp_path, monkeypatch):
    services, slack, _clock = make_services(tmp_path)
    file_report(services)
    flaky = FlakyStore(services.store)
    services.store = flaky
    monkeypatch.setattr(delivery.time, "sleep", lambda _s: None)
    real_send = delivery._send

    def send_then_break_the_disk(services_, item, plan):
        answer = real_send(services_, item, plan)
        if item.key == SUP_PARENT:
            flaky.fail_writes = delivery.UNSETTLED_WRITE_TRIES
        return answer

    monkeypatch.setattr(delivery, "_send", send_then_break_the_disk)
    delivery.deliver_due(services)
    assert services.delivery.unsettled_count() == 1
    assert _status(services, SUP_PARENT) == "sending"  # posted, but not yet saved as sent
    assert not slack.in_thread(SUPERVISORS_CHANNEL, slack.posts[0]["ts"])  # replies wait

    delivery.deliver_due(services)  # the disk works again: no restart needed
    assert services.delivery.unsettled_count() == 0
    assert _status(services, SUP_PARENT) == "sent"
    assert [p["key"] for p in slack.posts].count(slack.posts[0]["key"]) == 1
    assert slack.in_thread(SUPERVISORS_CHANNEL, slack.posts[0]["ts"])


def test_a_row_stranded_while_sending_is_released_without_a_restart(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    with services.store.transaction() as db:
        first = outbox.due_items(db, clock())[0]
        outbox.claim(db, first.id, clock())  # claimed, then the process lost track of it
    delivery.deliver_due(services)
    row = _rows(services, "SELECT * FROM outbox WHERE id = ?", [first.id])[0]
    assert (row["status"], row["unsure"]) == ("pending", 1)
    clock.advance(60)
    delivery.deliver_due(services)
    assert _status(services, first.key) == "sent" and slack.lookups == 1


def test_a_row_left_sending_is_reported_stuck(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    file_report(services)
    with services.store.transaction() as db:
        first = outbox.due_items(db, clock())[0]
        outbox.claim(db, first.id, clock())
    clock.advance(11 * 60)
    services.delivery.begin(first.id)  # still "in flight": not released, but old
    assert delivery.report_stuck(services) >= 1
    keys = [r["key"] for r in _rows(services, "SELECT key FROM outbox WHERE key LIKE 'alert:%'")]
    assert f"alert:stuck:{first.id}" in keys


# ---------------------------------------------------------------------------- channel order


def test_after_an_outage_each_channel_gets_its_posts_escalations_first_then_oldest_first(
        tmp_path):
    """Issue 15: in every channel, escalation posts go before the rest; each kind in order."""
    services, slack, clock = make_services(tmp_path)
    for user in ("alice", "olly", "hana"):
        file_report(services, user_id=USERS[user])
        clock.advance(1)
    down = {"yes": True}

    def outage():
        if down["yes"]:
            raise slack_error("service_unavailable", 503)

    slack._maybe_fail = outage
    for _ in range(5):  # five rounds of probes fail: one call per held channel each time
        delivery.deliver_due(services)
        clock.advance(20)
    calls_while_down = slack.lookups
    down["yes"] = False
    delivery.deliver_due(services)
    assert calls_while_down == 0
    kinds = set()
    for channel in {p["channel"] for p in slack.posts}:
        ids = [tuple(_rows(services, "SELECT priority, id FROM outbox WHERE uid = ?",
                           [p["key"]])[0].values())
               for p in slack.posts if p["channel"] == channel]
        assert ids == sorted(ids), channel
        kinds.add(len({priority for priority, _ in ids}))
    assert 2 in kinds  # a channel had both escalation parents and their thread replies
    assert _rows(services, "SELECT count(*) AS n FROM outbox WHERE status = 'pending'")[0]["n"] == 0


def test_a_rate_limit_holds_the_channel_until_retry_after_then_goes_oldest_first(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    slack.failures.append(slack_error("ratelimited", 429, {"Retry-After": "3"}))
    delivery.deliver_due(services)
    assert services.delivery.held(SUPERVISORS_CHANNEL, clock())
    assert scheduler.next_due(services) == pytest.approx(clock() + 3)
    clock.advance(3)
    delivery.deliver_due(services)
    keys = [p["key"] for p in slack.posts if p["channel"] == SUPERVISORS_CHANNEL]
    uids = [r["uid"] for r in _rows(services, "SELECT uid FROM outbox WHERE channel = ? "
                                              "ORDER BY id", [SUPERVISORS_CHANNEL])]
    assert keys == uids


def test_one_post_that_keeps_failing_does_not_hold_its_channel_forever(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    clock.advance(1)
    file_report(services, user_id=USERS["olly"])
    with services.store.transaction() as db:
        db.execute("UPDATE outbox SET attempts = 3 WHERE key = ?", [SUP_PARENT])
    slack.failures.append(slack_error("service_unavailable", 503))  # only incident 1's parent
    delivery.deliver_due(services)
    assert not [p for p in slack.posts if p["channel"] == SUPERVISORS_CHANNEL]  # held, in order
    assert slack.posts  # ...while Slack took the other channels' posts
    clock.advance(15)
    slack.failures.append(slack_error("service_unavailable", 503))  # it fails yet again
    delivery.deliver_due(services)
    supervisors = [p for p in slack.posts if p["channel"] == SUPERVISORS_CHANNEL]
    assert supervisors and "CARE-2026-0002" in supervisors[0]["text"]
    assert _status(services, SUP_PARENT) == "pending"  # it keeps its own backoff


# ---------------------------------------------------------------------------- timers


def test_next_due_is_the_earliest_pending_follow_up(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    file_report(services)
    delivery.deliver_due(services)
    with services.store.reading() as db:
        soonest = followups.next_due_any(db, clock())
    assert soonest is not None and soonest > clock()
    assert scheduler.next_due(services) == soonest


def test_a_wake_up_during_a_pass_is_never_lost(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    sweeper = scheduler.Sweeper(services)
    sweeper.wake()  # arrives while "a pass runs"
    started = time.monotonic()
    sweeper._sleep(None)  # would otherwise sleep sweep_every (5 s)
    assert time.monotonic() - started < 1


def test_the_sweep_thread_stops_within_its_budget(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    sweeper = scheduler.Sweeper(services)
    sweeper.start()
    assert sweeper.running
    assert sweeper.stop(timeout=3)
    assert not sweeper.running and services.delivery.stopping.is_set()


# ---------------------------------------------------------------------------- health


def _sweep_status(last_ago: float | None, running: bool = True):
    now = time.monotonic()
    return SimpleNamespace(running=running, started_at=now - 100,
                           last_completed=None if last_ago is None else now - last_ago)


def test_health_is_ok_with_each_component_named(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    ok, body = check_health(services, _sweep_status(0.5))
    assert ok and body["reasons"] == []
    assert {k: v["state"] for k, v in body["components"].items()} == {
        "database": "ok", "lease": "held", "sweep": "ok", "outbox": "ok"}
    assert body["components"]["database"]["backend"] == "sqlite"
    assert body["components"]["lease"]["held"] is True


def test_health_fails_when_the_sweep_is_late(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    ok, body = check_health(services, _sweep_status(16))  # 3 x 5 s
    assert not ok and body["components"]["sweep"]["state"] == "late"
    assert "sweep has not completed" in body["reasons"][0]


def test_health_fails_when_posts_are_stuck(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    file_report(services)
    clock.advance(11 * 60)
    ok, body = check_health(services, _sweep_status(0.1))
    assert not ok and body["components"]["outbox"]["state"] == "stuck"
    assert "CARE-" not in str(body) and "shouted" not in str(body)


def test_health_fails_when_the_database_cannot_be_written(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    services.store.probe_write = lambda now: "database or disk is full"
    ok, body = check_health(services, _sweep_status(0.1))
    assert not ok and body["components"]["database"] == {
        "state": "failing", "writable": False, "error": "database or disk is full",
        "backend": "sqlite"}


def test_health_answer_turns_an_exception_into_unhealthy():
    def broken():
        raise RuntimeError("boom")

    ok, body = health_answer(broken)
    assert not ok and body["reasons"] == ["health check failed: RuntimeError"]


# ---------------------------------------------------------------------------- storage guards


def test_the_lock_follows_symlinks_to_the_same_file(tmp_path):
    first = Store.open(tmp_path / "care.db")
    (tmp_path / "other").mkdir()
    link = tmp_path / "other" / "link.db"
    link.symlink_to(tmp_path / "care.db")
    try:
        with pytest.raises(AlreadyRunning):
            Store.open(link)
    finally:
        first.close()


def test_unwritable_files_refuse_writes_but_still_serve_reads(tmp_path, monkeypatch):
    store = Store.open(tmp_path / "care.db")
    with store.transaction() as db:
        db.execute("INSERT INTO counters (name, value) VALUES ('x', 1)")
    monkeypatch.setattr(store, "unwritable_reason", lambda: "database files are read-only")
    with pytest.raises(StorageUnavailable), store.transaction():
        pass
    with store.reading() as db:
        assert db.execute("SELECT value FROM counters").fetchone() == (1,)
    assert store.probe_write(1.0) == "database files are read-only"
    store.close()
    assert store.unsafe_to_close  # closing would checkpoint through the -shm map
    monkeypatch.undo()
    store.close()


def test_probe_write_succeeds_on_a_healthy_file(tmp_path):
    store = Store.open(tmp_path / "care.db")
    assert store.probe_write(1.0) is None
    store.close()


# ---------------------------------------------------------------------------- heartbeat


@pytest.fixture
def monitor():
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/ping", hits
    server.shutdown()


def test_heartbeat_gets_the_url_at_most_once_a_minute(monitor):
    url, hits = monitor
    now = [1000.0]
    beat = Heartbeat(url, clock=lambda: now[0])
    assert beat.beat()
    assert not beat.beat()
    now[0] += 59
    assert not beat.beat()
    now[0] += 1
    assert beat.beat()
    deadline = time.monotonic() + 5
    while len(hits) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert hits == ["/ping", "/ping"]


def test_heartbeat_failures_are_only_logged():
    beat = Heartbeat("http://127.0.0.1:9/unreachable")
    assert beat.beat()
    deadline = time.monotonic() + 5
    while not beat.failed and time.monotonic() < deadline:
        time.sleep(0.02)
    assert beat.failed == 1


# ---------------------------------------------------------------------------- settings


def test_issue9_settings_have_defaults_and_parse(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    settings = services.settings
    assert settings.post_timeout.total_seconds() == 45
    assert settings.unsure_recheck_after.total_seconds() == 60
    assert settings.retention == Retention()
    assert settings.heartbeat_url is None
    extra = ('[retention]\ndrafts = "7d"\nincidents = "365d"\noutbox = "forever"\n'
             '[monitoring]\nheartbeat_url = "https://hc.example.test/ping/abc"\n')
    tuned, _, _ = make_services(tmp_path, care_toml(extra=extra))
    assert tuned.settings.retention.drafts.days == 7
    assert tuned.settings.retention.incidents.days == 365
    assert tuned.settings.retention.outbox is None
    assert tuned.settings.heartbeat_url == "https://hc.example.test/ping/abc"


@pytest.mark.parametrize("name", ["post_timeout", "unsure_recheck_after", "stuck_alert_after"])
def test_docs_issue9_scheduler_settings_are_documented(name):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert f"`{name}`" in (root / "docs" / "settings.md").read_text()
    assert f"{name} = " in (root / "config" / "care.toml").read_text()


def test_a_hold_that_ended_brings_the_sweep_back_once_and_never_spins():
    from care_bot.outbox.state import DeliveryState

    state = DeliveryState()
    state.hold("C1", until=10.0, now=5.0)
    assert state.next_release(9.0) == 10.0
    assert state.next_release(10.5) == 10.5  # ended: one more pass now
    assert state.next_release(10.6) is None  # and not again


def test_holds_are_judged_at_the_batch_start_so_order_survives_a_hold_ending_mid_batch(
        tmp_path, monkeypatch):
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    clock.advance(1)
    file_report(services, user_id=USERS["olly"])
    from tests.support.world import SECURITY_CHANNEL

    services.delivery.hold(SECURITY_CHANNEL, until=clock() + 0.3, now=clock())
    real_post = slack.post

    def slow_post(channel, message, thread_ts=None, key=None):
        clock.advance(0.2)  # each post takes time: the security hold ends mid-batch
        return real_post(channel, message, thread_ts, key)

    monkeypatch.setattr(slack, "post", slow_post)
    delivery.deliver_due(services)
    clock.advance(1)
    delivery.deliver_due(services)
    parents = [p["text"] for p in slack.posts
               if p["channel"] == SECURITY_CHANNEL and not p["thread_ts"]]
    assert len(parents) == 2 and "CARE-2026-0001" in parents[0]
