"""End-to-end (issue 17 §2): the client's name and account ending never reach the supervisors.

A message reported with the shortcut names the client; security's notes and the close reason do
too. Nothing posted in the supervisors channel, nor any DM to the supervisor or the RXM, carries
the name or the account ending, while the security channel shows them in full.
"""

from __future__ import annotations

import json

from tests.e2e.care_steps import (
    answers_for,
    click_message_button,
    latest_parent,
    open_from_button,
    parent_post,
    posts,
    walk_to,
)
from tests.e2e.harness import ModalSession, wait_until
from tests.support import payloads
from tests.support.report import SKIP

TYPED = "Jordan Marlowe (acct ending 4417) said he would wait for me outside."
SECRETS = ("Jordan", "Marlowe", "4417")


def _report_the_message(bot, slack) -> None:
    """The associate reports Olly's message with the shortcut and walks the form."""
    alice = slack.users["alice"]
    session = ModalSession(bot, alice)
    trigger = slack.mint_trigger_id(alice)
    message = {"type": "message", "user": slack.users["olly"], "ts": "1790000000.000100",
               "text": TYPED}
    assert bot.interact(payloads.message_shortcut(
        alice, "care_report_message", trigger, slack.channels["general"], message,
        workspace=slack.workspace)).status == 200
    call = slack.wait_for_call("views.open", lambda c: c["params"].get("trigger_id") == trigger)
    session.stack = [call["response"]["view"]]
    answers = answers_for(slack, {
        "client_service": {"what_happened": SKIP},  # the message's text, pre-filled
        "report": {"client_name": "Jordan Marlowe", "accounts": "Checking ****4417"},
    })
    walk_to(session, "review", answers)
    review = json.dumps(session.view["blocks"])
    assert "Jordan Marlowe (acct ending 4417)" in review  # the reporter sees what they report
    assert session.submit({}).get("response_action") == "update"


def _settled(bot) -> bool:
    return bot.db().execute("SELECT count(*) FROM outbox WHERE status NOT IN "
                            "('sent', 'skipped', 'failed')").fetchone()[0] == 0


def test_name_and_account_stay_out_of_the_supervisors_channel_and_dms(slack, bot_factory):
    bot = bot_factory.start()
    u = slack.users
    _report_the_message(bot, slack)
    supervisors, security = slack.channels["care-supervisors"], slack.channels["care-security"]
    click_message_button(bot, u["sam"], parent_post(slack, supervisors), "care_acknowledge")
    parent = slack.wait_for(lambda: (lambda p: p if "care_update_checklist" in json.dumps(
        p["params"]) else None)(latest_parent(slack, security)))
    checklist = open_from_button(bot, u["sec"], parent, "care_update_checklist")
    assert checklist.submit({"tasks": ["safety_plan"], "note": "Marlowe's acct 4417 flagged.",
                             "safety_plan_note": "Jordan Marlowe barred from the branch."}
                            ) == {"response_action": "clear"}
    checklist = open_from_button(bot, u["sec"], latest_parent(slack, security),
                                 "care_update_checklist")
    checklist.click("care_close_early", expect="views.push")
    checklist.submit({"reason": "Marlowe moved away; acct 4417 closed by the branch."})
    wait_until(lambda: bot.db().execute(
        "SELECT count(*) FROM events WHERE action = 'security_part_closed'").fetchone()[0])
    wait_until(lambda: _settled(bot), timeout=20)

    outside = {supervisors, slack.dm_channel(u["sam"]), slack.dm_channel(u["rita"])}
    sent = [c for c in slack.calls("chat.postMessage") + slack.calls("chat.update")
            if c["params"].get("channel") in outside]
    assert any(c["params"].get("channel") == supervisors and c["params"].get("thread_ts")
               for c in sent)
    for call in sent:  # what people read (a random id elsewhere could hold "4417")
        text = json.dumps([call["params"].get("text"), call["params"].get("blocks")],
                          ensure_ascii=False)
        for secret in SECRETS:
            assert secret not in text, (secret, text[:300])
    masked = json.dumps([c["params"] for c in posts(slack, supervisors)], ensure_ascii=False)
    assert "[client] (acct ending [account]) said he would wait" in masked
    assert "[client] barred from the branch" in masked
    assert "[client] moved away; acct [account] closed" in masked
    full = json.dumps([c["params"] for c in posts(slack, security)], ensure_ascii=False)
    for said in (TYPED, "Jordan Marlowe barred from the branch",
                 "Marlowe moved away; acct 4417 closed"):
        assert said in full, said
    stored = json.loads(bot.db().execute("SELECT answers FROM incidents").fetchone()[0])
    assert stored["what_happened"].startswith(TYPED)  # the record keeps the full text
