"""Delivery lanes: a failing message holds back only its own thread, never other incidents."""

from care_bot.outbox import delivery, posting
from care_bot.storage import outbox
from tests.support.fake_slack import slack_error
from tests.support.report import file_report
from tests.support.world import SUPERVISORS_CHANNEL, USERS, make_services


def _parents(slack, channel):
    return [p for p in slack.posts if p["channel"] == channel and not p["thread_ts"]]


def test_delivery_a_retrying_parent_does_not_hold_other_incidents(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    clock.advance(5)
    file_report(services, user_id=USERS["olly"])
    slack.failures.append(slack_error("internal_error", 500))  # incident 1's first parent
    delivery.deliver_due(services)
    refs = [p["text"].split("·")[1].split()[0] for p in _parents(slack, SUPERVISORS_CHANNEL)]
    assert refs == ["CARE-2026-0002"]  # the 500 may have landed: only its own thread waits
    clock.advance(60)
    delivery.deliver_due(services)
    assert len(_parents(slack, SUPERVISORS_CHANNEL)) == 2


def test_delivery_waiting_replies_never_starve_other_posts(tmp_path):
    services, slack, clock = make_services(tmp_path)
    with services.store.transaction() as db:
        outbox.enqueue_post(db, key="stuck-parent", channel=SUPERVISORS_CHANNEL,
                            payload={"text": "p", "blocks": []}, now=clock.now + 3600)
        for number in range(120):
            outbox.enqueue_post(db, key=f"reply-{number}", channel=SUPERVISORS_CHANNEL,
                                thread_of="stuck-parent", payload={"text": "r", "blocks": []},
                                now=clock.now)
        posting.queue_dm(db, None, USERS["alice"], "hello", {"text": "hi", "blocks": []},
                         clock.now)
    delivery.deliver_due(services)
    assert [p["text"] for p in slack.posts] == ["hi"]


def test_delivery_a_rate_limit_holds_only_that_channel(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    file_report(services)
    slack.failures.append(slack_error("ratelimited", 429, {"Retry-After": "30"}))
    delivery.deliver_due(services)
    assert not [p for p in slack.posts if p["channel"] == SUPERVISORS_CHANNEL]
    assert any(p["channel"].startswith("D") for p in slack.posts)
