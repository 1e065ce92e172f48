"""End-to-end: reminders and escalations in seconds, restarts, crashes and Slack failures."""

from __future__ import annotations

import time

import pytest

from tests.e2e.care_steps import (
    click_message_button,
    file_report,
    parent_post,
    posts,
    thread_texts,
)
from tests.e2e.harness import care_toml

FAST = {"ack_reminder": "2s", "ack_escalation": "4s", "ack_repeat": "3s", "ack_repeat_max": 1}


def _replies_mentioning(slack, channel: str, ts: str, needle: str) -> list[str]:
    return [text for text in thread_texts(slack, channel, ts) if needle in text]


def _outbox_settled(bot) -> bool:
    return bot.db().execute(
        "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0] == 0


def test_followups_reminder_and_escalation_arrive_then_stop_after_ack(slack, bot_factory):
    """Unacknowledged: a reminder, then an escalation in both threads and a DM; ack stops it."""
    bot = bot_factory.start(reminders=FAST)
    u, ch = slack.users, slack.channels
    file_report(bot, u["alice"])
    sup_parent = parent_post(slack, ch["care-supervisors"])
    sec_parent = parent_post(slack, ch["care-security"])
    sup_ts, sec_ts = sup_parent["response"]["ts"], sec_parent["response"]["ts"]
    slack.wait_for(lambda: _replies_mentioning(slack, ch["care-supervisors"], sup_ts,
                                               f"<@{u['sam']}>, please acknowledge"))
    slack.wait_for(lambda: _replies_mentioning(slack, ch["care-supervisors"], sup_ts,
                                               f"<@{u['rita']}>"))
    slack.wait_for(lambda: _replies_mentioning(slack, ch["care-security"], sec_ts,
                                               "still not acknowledged"))
    sam_dm = slack.dm_channel(u["sam"])
    slack.wait_for(lambda: any("needs your acknowledgement" in m.get("text", "")
                               for m in slack.history(sam_dm)))
    click_message_button(bot, u["sam"], sup_parent, "care_acknowledge")
    slack.wait_for(lambda: bot.db().execute(
        "SELECT acknowledged_by FROM incidents").fetchone()[0] == u["sam"])
    slack.wait_for(lambda: _outbox_settled(bot))
    before = len(posts(slack))
    time.sleep(5)  # longer than ack_repeat: nothing more may arrive
    after = [c["params"].get("text", "") for c in posts(slack)[before:]]
    assert after == []
    rows = bot.db().execute("SELECT kind, status FROM followups WHERE kind LIKE 'ack%'")
    assert {tuple(r) for r in rows} >= {("ack_reminder", "sent"), ("ack_escalation", "sent")}


def test_followups_due_during_a_crash_arrive_exactly_once_after_restart(slack, bot_factory):
    """SIGKILL after the report is saved; follow-ups due while down are sent once on restart."""
    bot = bot_factory.start(reminders={**FAST, "ack_repeat": "1h"})
    u, ch = slack.users, slack.channels
    file_report(bot, u["alice"])
    slack.wait_for(lambda: _outbox_settled(bot))
    bot.kill()
    time.sleep(5)  # both the reminder (2s) and the escalation (4s) fall due while down
    bot.spawn()
    bot.wait_healthy()
    sup_ts = parent_post(slack, ch["care-supervisors"])["response"]["ts"]
    slack.wait_for(lambda: _replies_mentioning(slack, ch["care-supervisors"], sup_ts,
                                               f"<@{u['rita']}>"), timeout=20)
    slack.wait_for(lambda: _outbox_settled(bot))
    time.sleep(2)
    supervisors_thread = thread_texts(slack, ch["care-supervisors"], sup_ts)
    reminders = [t for t in supervisors_thread if "Reminder:" in t]
    escalations = [t for t in supervisors_thread if "Escalation:" in t]
    assert len(reminders) == 1 and len(escalations) == 1, supervisors_thread
    parents = [p for p in posts(slack, ch["care-supervisors"]) if not p["params"].get("thread_ts")]
    assert len(parents) == 1


def test_followups_posts_saved_before_a_crash_are_delivered_after_restart(slack, bot_factory):
    """A report saved while Slack is failing is delivered once the bot restarts."""
    bot = bot_factory.start()
    slack.fault("chat.postMessage", status=503, count=50)
    file_report(bot, slack.users["alice"])
    bot.kill()
    slack.clear_faults()
    bot.spawn()
    bot.wait_healthy()
    slack.wait_for(lambda: _outbox_settled(bot), timeout=30)
    assert len(posts(slack)) == 5


def test_followups_rate_limits_delay_but_never_drop(slack, bot_factory):
    """A 429 with Retry-After delays the post; it still arrives exactly once."""
    bot = bot_factory.start()
    slack.fault("chat.postMessage", status=429, count=2, retry_after=1)
    file_report(bot, slack.users["alice"])
    slack.wait_for(lambda: _outbox_settled(bot), timeout=30)
    assert len(posts(slack)) == 5
    limited = [c for c in slack.calls("chat.postMessage") if c["http_status"] == 429]
    assert len(limited) == 2


def test_followups_permanent_errors_are_surfaced_in_security(slack, bot_factory):
    """A channel the bot cannot post to is recorded and reported in the security channel."""
    bot = bot_factory.start()
    slack.fault("chat.postMessage", error="channel_not_found", count=1)
    file_report(bot, slack.users["alice"])
    warning = slack.wait_for(lambda: next(
        (c for c in posts(slack, slack.channels["care-security"])
         if "could not post" in c["params"].get("text", "")), None))
    assert "channel_not_found" in warning["params"]["text"]
    failed = bot.db().execute("SELECT count(*) FROM events WHERE action = 'delivery_failed'")
    assert failed.fetchone()[0] == 1


def test_followups_second_instance_refuses_to_start(slack, bot_factory, backend):
    """Two bots on one SQLite file would run two schedulers: the second one refuses."""
    if backend == "postgresql":
        pytest.skip("on PostgreSQL any number of processes serve (tests/e2e/test_processes.py)")
    first = bot_factory.start()
    second = bot_factory.start(wait_healthy=False)
    assert second.wait_exit() == 3
    assert "already running" in second.logs()
    assert first.alive


def test_followups_sigterm_stops_cleanly(slack, bot_factory):
    """SIGTERM stops the scheduler and the server, and releases the database."""
    bot = bot_factory.start()
    assert bot.stop() == 0
    assert "CARE bot stopped" in bot.logs()
    again = bot_factory.start()
    assert again.alive


def test_followups_bad_settings_stop_the_start_with_every_problem(slack, bot_factory):
    """Missing secrets and a bad duration are all named at once; no secret is printed."""
    bot = bot_factory.start(
        env={"SLACK_SIGNING_SECRET": None, "PORT": "http"},
        reminders={"ack_reminder": "soon"},
        wait_healthy=False,
    )
    assert bot.wait_exit() == 2
    logs = bot.logs()
    for problem in ("SLACK_SIGNING_SECRET is not set", "PORT must be", "reminders.ack_reminder"):
        assert problem in logs
    assert slack.bot_token not in logs


def test_followups_lost_answer_from_slack_does_not_post_twice(slack, bot_factory):
    """Slack posts the message but the answer is lost (504): the retry finds it, posts nothing."""
    bot = bot_factory.start(care_toml(slack).replace(
        'sweep_every = "1s"', 'sweep_every = "1s"\nunsure_recheck_after = "3s"'))
    slack.fault("chat.postMessage", status=504, count=1, after_forwarding=True)
    file_report(bot, slack.users["alice"])
    slack.wait_for(lambda: _outbox_settled(bot), timeout=30)
    uids = {row[0] for row in bot.db().execute("SELECT uid FROM outbox WHERE kind = 'post'")}
    ours = [m for channel in (slack.channels["care-supervisors"], slack.channels["care-security"])
            for m in slack.history(channel)
            if ((m.get("metadata") or {}).get("event_payload") or {}).get("key") in uids]
    assert len(ours) == 2  # one parent per channel, although the first answer was lost
    assert slack.calls("conversations.history")
    for parent in ours:
        channel = next(c for c in slack.channels.values()
                       if any(m["ts"] == parent["ts"] for m in slack.history(c)))
        assert len(thread_texts(slack, channel, parent["ts"])) == 1
