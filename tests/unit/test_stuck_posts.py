"""A post that keeps failing is reported to security once, and still delivered later."""

from care_bot.outbox import delivery
from tests.support.fake_slack import slack_error
from tests.support.report import file_report
from tests.support.world import SECURITY_CHANNEL, SUPERVISORS_CHANNEL, make_services


def _stuck_alerts(slack):
    return [p for p in slack.posts if p["channel"] == SECURITY_CHANNEL
            and "has been trying" in p["text"]]


def test_stuck_post_is_reported_once_after_ten_minutes_and_delivered_later(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    failing = {"on": True}
    real_post = slack.post

    def post(channel, message, thread_ts=None, key=None):
        if failing["on"] and channel == SUPERVISORS_CHANNEL:
            raise slack_error("internal_error", 503)
        return real_post(channel, message, thread_ts, key)

    slack.post = post
    for _ in range(12):  # twelve minutes of retries
        delivery.deliver_due(services)
        delivery.report_stuck(services)
        clock.advance(60)
    delivery.deliver_due(services)
    [alert] = _stuck_alerts(slack)
    assert "CARE-2026-0001" in alert["text"] and f"<#{SUPERVISORS_CHANNEL}>" in alert["text"]
    assert "internal_error" in alert["text"]
    failing["on"] = False
    clock.advance(60)
    delivery.deliver_due(services)
    assert len([p for p in slack.posts if p["channel"] == SUPERVISORS_CHANNEL]) == 2
    delivery.report_stuck(services)
    delivery.deliver_due(services)
    assert len(_stuck_alerts(slack)) == 1


def test_nothing_is_reported_while_posts_flow(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    file_report(services)
    delivery.deliver_due(services)
    clock.advance(3600)
    assert delivery.report_stuck(services) == 0
