"""A post Slack accepted but whose answer was lost is found again, not posted twice."""

from care_bot.domain.models import OutboxItem
from care_bot.outbox import delivery
from care_bot.storage import outbox
from tests.support.fake_slack import slack_error
from tests.support.report import file_report
from tests.support.world import make_services


def _keys(slack):
    return [p["key"] for p in slack.posts]


def test_lost_answer_is_recovered_from_history_without_a_second_post(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    slack.lose_answers = 1  # the first post lands in Slack, but the bot hears a timeout
    delivery.deliver_due(services)
    clock.advance(59)  # a late landing gets a minute to show up before anyone looks
    delivery.deliver_due(services)
    assert slack.lookups == 0
    clock.advance(1)
    delivery.deliver_due(services)
    assert len(_keys(slack)) == len(set(_keys(slack))) == 5
    assert slack.lookups == 1
    with services.store.reading() as db:
        assert outbox.pending_count(db) == 0


def test_rate_limited_posts_are_retried_without_looking(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    slack.failures.append(slack_error("ratelimited", 429, {"Retry-After": "1"}))
    delivery.deliver_due(services)
    clock.advance(2)
    delivery.deliver_due(services)
    assert slack.lookups == 0 and len(_keys(slack)) == 5


def _crash_mid_send(services, slack, marker_of) -> OutboxItem:
    """Claim the first post, let a message with ``marker_of(item)`` land, then "restart"."""
    with services.store.transaction() as db:
        first = outbox.due_items(db, services.clock())[0]
        outbox.claim(db, first.id)
    slack.post(first.channel, {"text": "posted before the crash", "blocks": []},
               key=marker_of(first))
    with services.store.transaction() as db:
        assert outbox.release_in_flight(db) == 1
    return first


def test_posts_in_flight_at_a_crash_are_looked_up_after_restart(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    file_report(services)
    first = _crash_mid_send(services, slack, lambda item: item.uid)
    delivery.deliver_due(services)
    assert _keys(slack).count(first.uid) == 1 and slack.lookups == 1


def test_a_post_from_an_earlier_database_is_never_taken_for_this_one(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    file_report(services)
    first = _crash_mid_send(services, slack, lambda item: item.key)  # same key, other uid
    delivery.deliver_due(services)
    assert slack.lookups == 1  # it looked, found nothing with this uid...
    assert _keys(slack).count(first.uid) == 1  # ...and posted once
