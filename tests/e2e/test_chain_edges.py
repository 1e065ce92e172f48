"""End-to-end: the guideline's people really told (RXM at escalation, Market President at ack),
and /threat keeping its answer when every fallback message fails during an outage.
"""

from __future__ import annotations

import json

from tests.e2e.care_steps import click_message_button, file_report, parent_post, posts, reference_of

CLIENT_DETAILS = ("John Q. Client", "****1234")
FAST = {"ack_reminder": "1s", "ack_escalation": "2s", "ack_repeat": "1h", "ack_repeat_max": 1}


def _dms_to(slack, user_id: str) -> list[dict]:
    channel = slack.dm_channel(user_id)
    return [c["params"] for c in posts(slack) if c["response"].get("channel") == channel]


def test_the_rxm_gets_a_dm_at_the_acknowledgement_escalation(slack, bot_factory):
    """Not only a mention in a thread they may not be in: a DM, without client details."""
    bot = bot_factory.start(reminders=FAST)
    rita = slack.users["rita"]
    ref = reference_of(file_report(bot, slack.users["alice"]))
    dm = slack.wait_for(lambda: next(
        (p for p in _dms_to(slack, rita) if "still not acknowledged" in p["text"]), None),
        timeout=20)
    assert ref in dm["text"]
    assert not any(detail in json.dumps(dm) for detail in CLIENT_DETAILS)


def test_the_directory_market_president_gets_a_dm_when_acknowledged(slack, bot_factory):
    """The branch's Market President hears at acknowledgement, not at the decision deadline."""
    bot = bot_factory.start()
    mark = slack.users["mark"]
    ref = reference_of(file_report(bot, slack.users["alice"]))
    assert not [p for p in _dms_to(slack, mark) if ref in p["text"]]
    parent = parent_post(slack, slack.channels["care-supervisors"])
    click_message_button(bot, slack.users["sam"], parent, "care_acknowledge")
    dm = slack.wait_for(lambda: next(
        (p for p in _dms_to(slack, mark) if ref in p["text"]), None))
    assert "Market President" in dm["text"]
    assert not any(detail in json.dumps(dm) for detail in CLIENT_DETAILS)


def test_threat_keeps_its_answer_when_every_fallback_fails(slack, bot_factory):
    """views.open, the ephemeral and the DM all fail after ack: Slack still gets the 200."""
    bot = bot_factory.start()
    for method in ("views.open", "response_url", "chat.postEphemeral", "conversations.open",
                   "chat.postMessage"):
        slack.fault(method, status=503, count=1000)
    response = bot.command(slack.users["alice"], "")
    assert response.status == 200 and response.elapsed < 2.5
    slack.wait_for(lambda: "failed after ack" in bot.logs())
    slack.clear_faults()
    assert bot.command(slack.users["alice"], "help").status == 200
