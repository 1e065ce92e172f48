"""A first end-to-end pass through the flows on fakes."""

from care_bot.outbox import delivery
from tests.support.report import file_report
from tests.support.world import SECURITY_CHANNEL, SUPERVISORS_CHANNEL, make_services


def test_flow_report_reaches_both_channels(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    view = file_report(services)
    assert view["title"]["text"] == "Report submitted"
    delivery.deliver_due(services)
    channels = [p["channel"] for p in slack.posts]
    assert channels.count(SUPERVISORS_CHANNEL) == 2
    assert channels.count(SECURITY_CHANNEL) == 2
    assert any(c.startswith("D") for c in channels)
