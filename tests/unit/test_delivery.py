"""outbox.delivery: the outbox reaches Slack in order, waits out failures, and re-checks state."""

from __future__ import annotations

import json
from typing import Any

import pytest

from care_bot.flows import followups, tracking
from care_bot.ids import Action
from care_bot.outbox import delivery, posting
from care_bot.views import messages
from tests.support.fake_slack import FakeSlack, slack_error
from tests.support.report import file_report
from tests.support.world import SECURITY_CHANNEL, SUPERVISORS_CHANNEL, USERS, make_services

ALICE, SAM, SEC = USERS["alice"], USERS["sam"], USERS["sec"]
SUP_PARENT = "incident:1:supervisors:parent"
SEC_PARENT = "incident:1:security:parent"
SUP_DETAILS = "incident:1:supervisors:details"


class PickySlack(FakeSlack):
    """A FakeSlack that fails every post to, or update in, the named channels."""

    def __init__(self, post_failures: dict | None = None, update_failures: dict | None = None):
        super().__init__()
        self.post_failures = post_failures or {}
        self.update_failures = update_failures or {}

    def post(self, channel, message, thread_ts=None, key=None):
        if channel in self.post_failures:
            raise self.post_failures[channel]
        return super().post(channel, message, thread_ts, key)

    def update(self, channel, ts, message):
        if channel in self.update_failures:
            raise self.update_failures[channel]
        return super().update(channel, ts, message)


def query(services, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    with services.store.reading() as db:
        return [dict(row) for row in db.query(sql, params or [])]


def row(services, key: str) -> dict[str, Any]:
    [found] = query(services, "SELECT * FROM outbox WHERE key = ?", [key])
    return found


def posts_in(slack, channel: str, thread_ts: str | None = None) -> list[dict]:
    return [p for p in slack.posts if p["channel"] == channel and p["thread_ts"] == thread_ts]


def parent_ts(slack, channel: str) -> str:
    [parent] = posts_in(slack, channel)
    return parent["ts"]


def button_ids(message: dict) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions"
            for e in b["elements"]]


@pytest.fixture
def world(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    return services, slack, clock


# ------------------------------------------------------------------------------ order


def test_deliver_due_posts_parents_first_and_threads_replies_under_them(world):
    services, slack, _clock = world
    # 5 posts, the reporter's Home, and one row for the Homes of everyone it concerns
    assert delivery.deliver_due(services) == 7
    assert slack.homes[0]["user"] == ALICE
    assert {USERS["sam"], USERS["sec"], USERS["hana"], USERS["sue"]} <= {
        h["user"] for h in slack.homes[1:]}

    assert [(p["channel"], p["thread_ts"] is None) for p in slack.posts[:2]] == [
        (SUPERVISORS_CHANNEL, True), (SECURITY_CHANNEL, True)]
    for channel in (SUPERVISORS_CHANNEL, SECURITY_CHANNEL):
        [details] = posts_in(slack, channel, parent_ts(slack, channel))
        assert details["text"] == "Full CARE report for CARE-2026-0001"
        assert slack.posts.index(details) > 1
    [dm] = [p for p in slack.posts if p["channel"] == f"D{ALICE}"]
    assert dm["thread_ts"] is None
    parent = row(services, SUP_PARENT)
    assert (parent["status"], parent["ts"], parent["attempts"]) == (
        "sent", parent_ts(slack, SUPERVISORS_CHANNEL), 1)
    assert row(services, f"dm:{ALICE}:incident:1:confirmation")["channel"] == f"D{ALICE}"


def test_deliver_due_sends_each_row_once(world):
    services, slack, clock = world
    delivery.deliver_due(services)
    clock.advance(3600)
    assert delivery.deliver_due(services) == 0
    assert len(slack.posts) == 5


def test_parent_is_rendered_from_state_at_delivery(world):
    services, slack, _clock = world
    assert json.loads(row(services, SUP_PARENT)["payload"]) == {}
    delivery.deliver_due(services)
    parent = posts_in(slack, SUPERVISORS_CHANNEL)[0]
    assert button_ids(parent) == [Action.ACKNOWLEDGE.value]
    assert "⚠️ Urgent threat reported · CARE-2026-0001" in parent["text"]


# ------------------------------------------------------------------------------ failures


def test_rate_limit_waits_exactly_retry_after_then_delivers_in_order(world):
    services, slack, clock = world
    slack.failures.append(slack_error("ratelimited", 429, {"Retry-After": "7"}))
    assert delivery.deliver_due(services) == 5  # the security channel, the DM and Homes go on

    waiting = row(services, SUP_PARENT)
    assert (waiting["status"], waiting["not_before"], waiting["error"]) == (
        "pending", clock.now + 7, "ratelimited")
    assert posts_in(slack, SUPERVISORS_CHANNEL) == []
    assert row(services, SUP_DETAILS)["status"] == "pending"

    clock.advance(6.9)
    assert delivery.deliver_due(services) == 0
    assert [p for p in slack.posts if p["channel"] == SUPERVISORS_CHANNEL] == []

    clock.advance(0.1)
    homes = len(slack.homes)
    assert delivery.deliver_due(services) == 3  # the parent, its reply, and Home: "delivered"
    assert len(slack.homes) == homes + 1
    sup = [p for p in slack.posts if p["channel"] == SUPERVISORS_CHANNEL]
    assert [p["thread_ts"] for p in sup] == [None, sup[0]["ts"]]
    assert row(services, SUP_PARENT)["attempts"] == 2


def test_rate_limited_channel_holds_later_posts_of_other_incidents(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    clock.advance(10)
    file_report(services)
    slack.failures.append(slack_error("ratelimited", 429, {"Retry-After": "30"}))
    delivery.deliver_due(services)
    assert posts_in(slack, SUPERVISORS_CHANNEL) == []  # incident 2's parent waits too
    assert len(posts_in(slack, SECURITY_CHANNEL)) == 2
    clock.advance(30)
    delivery.deliver_due(services)
    sup_parents = posts_in(slack, SUPERVISORS_CHANNEL)
    assert [p["text"].split("·")[1].split()[0] for p in sup_parents] == [
        "CARE-2026-0001", "CARE-2026-0002"]


def test_server_error_backs_off_and_retries(world):
    services, slack, clock = world
    slack.failures.append(slack_error("service_unavailable", 503))  # Slack did not act on it
    delivery.deliver_due(services)
    first = row(services, SUP_PARENT)
    assert (first["status"], first["not_before"], first["error"], first["attempts"]) == (
        "pending", clock.now, "service_unavailable", 1)
    assert not first["unsure"]
    assert services.delivery.held(SUPERVISORS_CHANNEL, clock.now + 1.9)  # the channel waits 2 s

    clock.advance(2)
    slack.failures.append(slack_error("service_unavailable", 503))  # fails a second time
    delivery.deliver_due(services)
    second = row(services, SUP_PARENT)
    assert second["attempts"] == 2
    assert services.delivery.held(SUPERVISORS_CHANNEL, clock.now + 3.9)  # backoff doubled

    clock.advance(3)
    assert delivery.deliver_due(services) == 0
    clock.advance(1)
    assert delivery.deliver_due(services) == 3  # the parent, its reply, the reporter's Home
    done = row(services, SUP_PARENT)
    assert (done["status"], done["error"], done["attempts"]) == ("sent", None, 3)


def test_connection_reset_waits_the_unsure_period_then_looks_before_posting(world):
    services, slack, clock = world
    slack.failures.append(ConnectionResetError("reset by peer"))
    delivery.deliver_due(services)
    waiting = row(services, SUP_PARENT)
    assert (waiting["error"], waiting["unsure"]) == ("ConnectionResetError", 1)
    assert waiting["not_before"] == clock.now + 60  # unsure_recheck_after, from the send
    clock.advance(59)
    delivery.deliver_due(services)
    assert row(services, SUP_PARENT)["status"] == "pending" and slack.lookups == 0
    clock.advance(1)
    delivery.deliver_due(services)
    assert row(services, SUP_PARENT)["status"] == "sent" and slack.lookups == 1


def test_refused_connection_never_reached_slack_and_is_retried_after_backoff(world):
    services, slack, clock = world
    slack.failures.append(ConnectionRefusedError("refused"))
    delivery.deliver_due(services)
    assert row(services, SUP_PARENT)["unsure"] == 0
    clock.advance(2)
    delivery.deliver_due(services)
    assert row(services, SUP_PARENT)["status"] == "sent" and slack.lookups == 0


def test_channel_not_found_fails_the_row_records_it_and_alerts_security(world):
    services, slack, clock = world
    slack.failures.append(slack_error("channel_not_found"))
    delivery.deliver_due(services)

    failed = row(services, SUP_PARENT)
    assert (failed["status"], failed["error"]) == ("failed", "channel_not_found")
    events = query(services, "SELECT actor, action, detail FROM events "
                             "WHERE action = 'delivery_failed'")
    assert [(e["actor"], json.loads(e["detail"])) for e in events] == [
        ("care-bot", {"key": SUP_PARENT, "error": "channel_not_found"})]
    alert = row(services, f"alert:delivery:{failed['id']}")
    assert (alert["channel"], alert["thread_of"]) == (SECURITY_CHANNEL, None)
    text = json.loads(alert["payload"])["text"]
    assert "CARE-2026-0001" in text
    assert f"<#{SUPERVISORS_CHANNEL}>" in text
    assert "`channel_not_found`" in text

    clock.advance(3600)
    delivery.deliver_due(services)
    assert posts_in(slack, SUPERVISORS_CHANNEL) == []  # never retried
    assert [p["text"] for p in posts_in(slack, SECURITY_CHANNEL)][-1] == text
    details = row(services, SUP_DETAILS)
    assert (details["status"], details["error"]) == (
        "skipped", "parent message could not be posted")


def test_a_failing_security_channel_tells_its_members_directly_without_a_loop(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    services.slack = PickySlack(post_failures={SECURITY_CHANNEL: slack_error("not_in_channel")})
    file_report(services)
    delivery.deliver_due(services)
    clock.advance(60)
    delivery.deliver_due(services)
    assert row(services, SEC_PARENT)["status"] == "failed"
    alerts = query(services, "SELECT key, channel, status FROM outbox WHERE key LIKE 'alert:%'")
    assert [(a["channel"], a["status"]) for a in alerts] == [("DU0SEC", "sent")]
    assert len(query(services, "SELECT id FROM events WHERE action = 'delivery_failed'")) == 1


def test_a_failing_dm_is_reported_as_a_direct_message(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    services.slack = PickySlack(post_failures={f"D{ALICE}": slack_error("user_disabled")})
    file_report(services)
    delivery.deliver_due(services)
    [alert] = query(services, "SELECT payload FROM outbox WHERE key LIKE 'alert:%'")
    assert "to a direct message: `user_disabled`" in json.loads(alert["payload"])["text"]


def test_a_failed_update_alert_names_the_channel(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    picky = PickySlack()
    services.slack = picky
    file_report(services)
    delivery.deliver_due(services)
    picky.update_failures[SUPERVISORS_CHANNEL] = slack_error("message_not_found")
    tracking.acknowledge(services, SAM, 1, "channel")
    delivery.deliver_due(services)
    [alert] = query(services, "SELECT payload FROM outbox WHERE key LIKE 'alert:%'")
    text = json.loads(alert["payload"])["text"]
    assert "<#>" not in text
    assert f"<#{SUPERVISORS_CHANNEL}>" in text


# ------------------------------------------------------------------------------ conditions


def queue_ack_reminder(services, clock) -> str:
    """Let the first acknowledgement reminder fall due; return its outbox key."""
    clock.advance(15 * 60)
    assert followups.send_due(services) >= 1
    [reminder] = query(services, "SELECT key, payload FROM outbox WHERE payload LIKE '%unless%'")
    assert json.loads(reminder["payload"])["unless"] == {"acknowledged": True}
    return reminder["key"]


def test_reminder_is_posted_while_unacknowledged(world):
    services, slack, clock = world
    delivery.deliver_due(services)
    key = queue_ack_reminder(services, clock)
    delivery.deliver_due(services)
    assert row(services, key)["status"] == "sent"
    reminder = slack.posts[-1]
    assert reminder["text"].startswith(":bell: Reminder")
    assert "unless" not in reminder
    assert reminder["thread_ts"] == parent_ts(slack, SUPERVISORS_CHANNEL)


def test_reminder_unless_acknowledged_is_skipped_after_acknowledgement(world):
    services, slack, clock = world
    delivery.deliver_due(services)
    key = queue_ack_reminder(services, clock)
    tracking.acknowledge(services, SAM, 1, "channel")
    delivery.deliver_due(services)
    skipped = row(services, key)
    assert (skipped["status"], skipped["error"]) == ("skipped", "already acknowledged")
    assert not any(p["text"].startswith(":bell:") for p in slack.posts)


def test_closed_incident_skips_conditional_posts_but_not_the_close_notes(world):
    services, slack, clock = world
    delivery.deliver_due(services)
    key = queue_ack_reminder(services, clock)
    tracking.decide_account(services, USERS["mark"], 1, "keep", "No risk.")  # none owed
    tracking.close_early(services, SEC, 1, "Duplicate.")
    delivery.deliver_due(services)
    skipped = row(services, key)
    assert (skipped["status"], skipped["error"]) == ("skipped", "incident closed")
    assert not any(p["text"].startswith(":bell:") for p in slack.posts)
    assert any("closed CARE-2026-0001 early" in p["text"] for p in slack.posts)


def test_task_reminder_is_skipped_once_the_task_is_done(world):
    services, slack, clock = world
    delivery.deliver_due(services)
    with services.store.transaction() as db:
        posting.queue_thread_reply(db, services.settings, 1, "supervisors", "remind-hr",
                                   messages.thread_note("HR report due"), clock.now,
                                   {"task": "ics_notified"})
    tracking.complete_tasks(services, SAM, 1, ["ics_notified"], "")
    delivery.deliver_due(services)
    skipped = row(services, "incident:1:supervisors:remind-hr")
    assert (skipped["status"], skipped["error"]) == ("skipped", "task already done")
    assert not any(p["text"] == "HR report due" for p in slack.posts)


# ------------------------------------------------------------------------------ updates


def test_update_rerenders_the_parent_from_stored_state(world):
    services, slack, clock = world
    delivery.deliver_due(services)
    parents = {c: parent_ts(slack, c) for c in (SUPERVISORS_CHANNEL, SECURITY_CHANNEL)}
    clock.advance(60)
    tracking.acknowledge(services, SAM, 1, "channel")
    updates = query(services, "SELECT payload, render FROM outbox WHERE kind = 'update'")
    assert updates == [{"payload": "{}", "render": "parent"}] * 2

    delivery.deliver_due(services)
    assert {(u["channel"], u["ts"]) for u in slack.updates} == set(parents.items())
    for update in slack.updates:
        shown = json.dumps(update["blocks"], ensure_ascii=False)
        assert f"*Acknowledged* by <@{SAM}>" in shown
        assert "✅ Supervisor acknowledged" in shown
        assert button_ids(update) == [Action.REPORT_TO_HR.value, Action.UPDATE_CHECKLIST.value]
        assert Action.ACKNOWLEDGE.value not in shown


def test_update_of_a_parent_not_yet_posted_waits_for_it(world):
    services, slack, clock = world
    slack.failures.append(slack_error("ratelimited", 429, {"Retry-After": "5"}))
    delivery.deliver_due(services)
    tracking.acknowledge(services, SAM, 1, "channel")
    delivery.deliver_due(services)
    assert [u["channel"] for u in slack.updates] == [SECURITY_CHANNEL]
    clock.advance(5)
    delivery.deliver_due(services)
    sup_parent = posts_in(slack, SUPERVISORS_CHANNEL)[0]
    assert button_ids(sup_parent) == [  # rendered when sent
        Action.REPORT_TO_HR.value, Action.UPDATE_CHECKLIST.value]
    assert [(u["channel"], u["ts"]) for u in slack.updates][-1] == (
        SUPERVISORS_CHANNEL, sup_parent["ts"])


def test_closed_parent_loses_its_buttons(world):
    services, slack, _clock = world
    delivery.deliver_due(services)
    tracking.decide_account(services, USERS["mark"], 1, "keep", "No risk.")  # none owed
    tracking.close_early(services, SEC, 1, "Duplicate.")
    delivery.deliver_due(services)
    assert slack.updates
    for update in slack.updates:
        assert button_ids(update) == []
        assert f"*Closed* by <@{SEC}>" in json.dumps(update["blocks"])
