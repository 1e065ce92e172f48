"""End-to-end (issue 21): `/threat drill` through the danger answer to the scorecard, and a real
alert raised during a drill. The real bot.py against the Slack emulator."""

from __future__ import annotations

import json
import re

from tests.e2e.care_steps import (
    click_message_button,
    open_home,
    parent_post,
    posts,
    tap_home,
    thread_texts,
)
from tests.e2e.harness import ModalSession, care_toml

BROADCAST = re.compile(r"<!(here|channel|everyone)")


def _text(call: dict) -> str:
    blocks = call["params"].get("blocks") or []
    return call["params"].get("text", "") + (blocks if isinstance(blocks, str)
                                             else json.dumps(blocks))


def _broadcast_toml(slack) -> str:
    # [alerts] broadcast = true adds @here to every real danger alert: never to a drill's.
    return care_toml(slack).replace("[scheduler]", "[alerts]\nbroadcast = true\n\n[scheduler]")


def test_drill_from_command_to_scorecard_is_marked_everywhere_and_kept_out(slack, bot_factory):
    bot = bot_factory.start(_broadcast_toml(slack))
    sam, sec = slack.users["sam"], slack.users["sec"]
    session = ModalSession.open(bot, sam, "drill")
    assert session.view["title"]["text"].startswith("DRILL")
    assert session.view["blocks"][0]["block_id"] == "drill"
    body = session.submit({"danger": "yes"})
    assert body["view"]["callback_id"] == "care_emergency"
    assert body["view"]["title"]["text"].startswith("DRILL")
    session.click("care_police_cant_call")  # the silent alarm pings @here: not in a drill

    security = slack.channels["care-security"]
    parent = parent_post(slack, security)
    assert f"<@{sec}>" in parent["params"]["text"]  # the real responders are paged
    click_message_button(bot, sec, parent, "care_claim_alert")
    slack.wait_for(lambda: bot.db().execute("SELECT claimed_by FROM incidents").fetchone()[0])
    body = session.submit({})  # "I'm safe now"
    assert body["view"]["title"]["text"].startswith("DRILL")
    ts = parent["response"]["ts"]
    card = slack.wait_for(lambda: next(
        (t for t in thread_texts(slack, security, ts) if "Drill scorecard" in t), None))
    assert "Time to the first page:" in card and "not paged" not in card
    assert "Time until someone took it:* " in card and f"by <@{sec}>" in card
    assert "Time to \"I'm safe now\":* " in card and "not pressed" not in card
    assert "✅ Security took it" in card and "✅ Associate safe" in card

    sent = [c for c in slack.calls() if c["method"] in ("chat.postMessage", "chat.update")
            and c["response"].get("ok")]
    assert len(sent) >= 6
    for call in sent:  # every post, DM and update of the drill
        assert call["params"].get("text", "").startswith("DRILL · "), call["params"]
        assert not BROADCAST.search(_text(call)), call["params"]["text"]
    row = bot.db().execute("SELECT drill, ref FROM incidents").fetchone()
    assert row[0] == 1
    ref = row[1]

    out = bot_factory.run_cli(["export", "--out", "-"])
    assert out.returncode == 0 and ref not in out.stdout
    included = bot_factory.run_cli(["export", "--out", "-", "--include-drills"])
    header, line = included.stdout.splitlines()[:2]
    assert header.endswith(",drill") and line.startswith(ref) and line.endswith(",DRILL")
    home = json.dumps(open_home(bot, sec)["blocks"])
    assert "*Incidents:* 0" in home  # not in the metrics
    assert "*This quarter:* 1 drill(s)" in home and "(1 taken)" in home


def test_a_real_alert_during_a_drill_is_real(slack, bot_factory):
    bot = bot_factory.start()
    sam = slack.users["sam"]
    session = ModalSession.open(bot, sam, "drill")
    session.submit({"danger": "yes"})
    security = slack.channels["care-security"]
    slack.wait_for(lambda: parent_post(slack, security))
    # The same person now faces a real threat: the normal Home button raises a real alert.
    response, _trigger = tap_home(bot, sam, open_home(bot, sam), "care_home_danger")
    assert response.status == 200
    rows = slack.wait_for(lambda: (lambda r: r if len(r) == 2 else None)(
        bot.db().execute("SELECT ref, drill FROM incidents ORDER BY id").fetchall()))
    (drill_ref, drill), (real_ref, real) = rows
    assert (drill, real) == (1, 0) and drill_ref != real_ref
    real_parent = slack.wait_for(lambda: next(
        (c for c in posts(slack, security) if not c["params"].get("thread_ts")
         and real_ref in _text(c)), None))
    assert "DRILL" not in _text(real_parent)
    # and /threat is the real report, not the drill's draft
    again = ModalSession.open(bot, sam)
    assert not again.view["title"]["text"].startswith("DRILL")


def test_only_supervisors_and_security_can_run_a_drill(slack, bot_factory):
    bot = bot_factory.start()
    answer = bot.command(slack.users["alice"], "drill",
                         trigger_id=slack.mint_trigger_id(slack.users["alice"]))
    assert answer.status == 200
    assert "Only the supervisors group or Corporate Security & Risk can run a drill" in (
        answer.json()["text"])
    assert not slack.calls("views.open")
    assert bot.db().execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
