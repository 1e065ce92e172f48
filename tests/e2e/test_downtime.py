"""End-to-end: an outage is reported once in the security channel when the bot is back."""

from __future__ import annotations

import re
import time

from tests.e2e.care_steps import posts
from tests.e2e.harness import care_toml

THRESHOLD_SECONDS = 3
DATE_TOKEN = re.compile(r"<!date\^(\d+)\^")


def _config(slack) -> str:
    return care_toml(slack) + f'\n[monitoring]\ndowntime_alert_after = "{THRESHOLD_SECONDS}s"\n'


def _downtime_posts(slack) -> list[dict]:
    return [call for call in posts(slack, slack.channels["care-security"])
            if "was unavailable" in call["params"].get("text", "")]


def _last_alive(bot) -> float:
    row = bot.db().execute("SELECT at FROM service_state WHERE name = 'last_alive'").fetchone()
    return row[0]


def test_downtime_after_a_crash_is_reported_once_with_its_times(slack, bot_factory):
    """SIGKILL, a gap past the threshold, restart: exactly one notice naming from and to."""
    bot = bot_factory.start(config_toml_text=_config(slack))
    slack.wait_for(lambda: bot.db().execute(
        "SELECT count(*) FROM service_state WHERE name = 'last_alive'").fetchone()[0] == 1)
    alive_at = _last_alive(bot)
    bot.kill()
    time.sleep(THRESHOLD_SECONDS + 1)
    restarted_at = time.time()
    bot.spawn()
    bot.wait_healthy()
    notice = slack.wait_for(lambda: _downtime_posts(slack) or None)
    text = notice[0]["params"]["text"]
    assert "Anyone who tried /threat then saw an error: please check with your branches." in text
    started, ended = (int(value) for value in DATE_TOKEN.findall(text))
    assert started == int(alive_at)
    assert abs(ended - restarted_at) < 5
    events = bot.db().execute(
        "SELECT action FROM service_events WHERE action = 'downtime_reported'").fetchall()
    assert len(events) == 1
    bot.stop()
    bot.spawn()  # a clean stop and a quick restart after the notice: nothing new
    bot.wait_healthy()
    time.sleep(1.5)
    assert len(_downtime_posts(slack)) == 1


def test_downtime_clean_stop_and_quick_restart_raise_no_alarm(slack, bot_factory):
    """A deploy (SIGTERM, restart at once) is not an outage, even after a longer run."""
    bot = bot_factory.start(config_toml_text=_config(slack))
    time.sleep(THRESHOLD_SECONDS + 1)  # longer than the threshold, but the bot was up
    bot.restart()
    time.sleep(1.5)
    assert _downtime_posts(slack) == []
    clean = bot.db().execute("SELECT count(*) FROM service_events").fetchone()[0]
    assert clean == 0
