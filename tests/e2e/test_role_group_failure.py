"""End-to-end: a supervisors user group Slack will not expand fails closed, and says so.

The refused person is told why, the security channel gets one alert, the log says it once, and
`python -m care_bot check` shows the same sentence.
"""

from __future__ import annotations

import json

from tests.e2e.care_steps import click_message_button, parent_post, posts, refusals_in_thread
from tests.e2e.harness import ModalSession, care_toml

SENTENCE = ("Could not read user group S0SUPS (fatal_error): supervisors cannot act until it is "
            "fixed")


def _toml(slack) -> str:
    text = care_toml(slack)
    start = text.index("supervisors = [", text.index("[roles]"))
    return text[:start] + 'supervisors = ["S0SUPS"]' + text[text.index("\n", start):]


def test_unreadable_supervisors_group_says_why_alerts_once_and_logs(slack, bot_factory):
    """usergroups.users.list failing: refusal says why; one security post; one log line."""
    slack.set_usergroup("S0SUPS", [slack.users["manny"]])
    slack.fault("usergroups.users.list", error="fatal_error", count=1000)
    bot = bot_factory.start(config_toml_text=_toml(slack))
    security = slack.channels["care-security"]
    alert = slack.wait_for(lambda: [c for c in posts(slack, security)
                                    if SENTENCE in json.dumps(c["params"])])
    assert len(alert) == 1

    session = ModalSession.open(bot, slack.users["alice"])
    session.submit({"danger": "yes"})
    parent = parent_post(slack, slack.channels["care-supervisors"])
    manny = slack.users["manny"]  # in the group, as far as Slack knows; the bot cannot tell
    for _ in range(2):
        assert click_message_button(bot, manny, parent, "care_acknowledge").status == 200
    refusals = slack.wait_for(lambda: len(refusals_in_thread(slack, manny)) >= 2
                              and refusals_in_thread(slack, manny))
    assert all("Only" in text and SENTENCE in text for text in refusals)
    assert bot.db().execute("SELECT acknowledged_by FROM incidents").fetchone()[0] is None
    assert len([c for c in posts(slack, security) if SENTENCE in json.dumps(c["params"])]) == 1
    assert bot.logs().count(SENTENCE) == 1

    done = bot_factory.run_cli(["check"], config_toml_text=_toml(slack))
    assert done.returncode == 1 and SENTENCE in done.stdout
