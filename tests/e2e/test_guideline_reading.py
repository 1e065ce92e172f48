"""End-to-end (issue 17): the guideline read closely, against the real bot.py and local Slack."""

from __future__ import annotations

import json

from tests.e2e.care_steps import file_report, parent_post, posts
from tests.support.report import NOT_A_CLIENT

ACCOUNT_WORDS = ("account officer", "courtesy notice", "decided on the account",
                 "Associate notified the Internal Control Specialist")


def test_non_client_report_has_no_account_tasks_anywhere(slack, bot_factory):
    """Not a client: no account work on the parent message, its checklist, or the reminders."""
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"], NOT_A_CLIENT)
    for name in ("care-supervisors", "care-security"):
        channel = slack.channels[name]
        parent = parent_post(slack, channel)
        blocks = json.dumps(parent["params"]["blocks"])
        assert "Not applicable: not a client" in blocks
        for words in ACCOUNT_WORDS:
            assert words not in blocks, (name, words)
        assert "Reported to HR" in blocks
    db = bot.db()
    tasks = {row[0] for row in db.execute("SELECT task FROM followups WHERE task != ''")}
    # HR and CS&R deadlines start at acknowledgement; a physical threat is urgent: a debrief
    assert tasks == {"safety_plan", "debrief"}
    answers = json.loads(db.execute("SELECT answers FROM incidents").fetchone()[0])
    assert answers["client_status"] == "not_client" and "client_name" not in answers
    dm = slack.dm_channel(slack.users["alice"])
    slack.wait_for(lambda: any("not a client" in c["params"].get("text", "")
                               for c in posts(slack, dm)))
    assert not any("care_ics_notified" in json.dumps(c["params"]) for c in posts(slack, dm))


NAMED_IN_TEXT = {
    "client_service": {
        "what_happened": "Jordan Marlowe (acct ending 4417) said he would wait for me outside.",
        "client_words": "Marlowe: you will see me in the parking lot.",
    },
    "report": {"client_name": "Jordan Marlowe", "accounts": "Checking ****4417"},
}


def test_client_named_in_free_text_stays_out_of_the_supervisors_channel(slack, bot_factory):
    """Supervisors and the supervisor's DMs get "[client]" and "[account]"; security the text."""
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"], NAMED_IN_TEXT)
    supervisors, security = slack.channels["care-supervisors"], slack.channels["care-security"]
    slack.wait_for(lambda: len(posts(slack, supervisors)) >= 2 and len(posts(slack, security)) >= 2)
    slack.wait_for(lambda: bot.db().execute(
        "SELECT count(*) FROM outbox WHERE status NOT IN ('sent', 'skipped')").fetchone()[0] == 0)
    sam_dm = slack.dm_channel(slack.users["sam"])
    outside = [c for c in slack.calls("chat.postMessage") + slack.calls("chat.update")
               if c["params"].get("channel") in (supervisors, sam_dm)]
    assert outside
    for call in outside:  # what people read (a random id elsewhere could hold "4417")
        sent = json.dumps([call["params"].get("text"), call["params"].get("blocks")])
        for secret in ("Jordan", "Marlowe", "4417"):
            assert secret not in sent, (secret, sent[:300])
    shown = json.dumps([c["params"] for c in posts(slack, supervisors)])
    assert "[client] (acct ending [account]) said he would wait" in shown
    full = json.dumps([c["params"] for c in posts(slack, security)])
    assert "Jordan Marlowe (acct ending 4417)" in full
    answers = json.loads(bot.db().execute("SELECT answers FROM incidents").fetchone()[0])
    assert answers["what_happened"].startswith("Jordan Marlowe (acct ending 4417)")


def _after_hours_toml(slack) -> str:
    """The test care.toml with Downtown open one hour a day, an hour that is not now."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.e2e.harness import care_toml

    hour = datetime.now(ZoneInfo("America/New_York")).hour
    opens = hour + 2 if hour < 20 else 1
    text = care_toml(slack, {"urgent_ack_reminder": "2s", "ack_reminder": "1h"})
    hours = f'business_hours = "{opens:02d}:00-{opens + 1:02d}:00"\n'
    return text.replace('[branches.downtown]\n', '[branches.downtown]\n' + hours +
                        'business_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n')


def test_urgent_report_after_hours_pings_security_and_does_not_wait(slack, bot_factory):
    """A "likely" physical threat after hours: security pinged, reminded within seconds."""
    bot = bot_factory.start(_after_hours_toml(slack))
    file_report(bot, slack.users["alice"], {"assess": {"likelihood": "likely",
                                                       "action_taken": "nothing_yet"}})
    security = slack.channels["care-security"]
    parent = parent_post(slack, security)
    sec = slack.users["sec"]
    assert parent["params"]["text"].startswith(f"<@{sec}> ⚠️ Urgent threat reported")
    blocks = json.dumps(parent["params"]["blocks"])
    assert "*Urgent:* likely to be acted on; a physical threat" in blocks
    supervisors = slack.channels["care-supervisors"]
    sup_parent = parent_post(slack, supervisors)
    assert not sup_parent["params"]["text"].startswith("<@")  # the ping is security's
    # urgent_ack_reminder ("2s") fires although the branch is closed: no business-hours wait
    slack.wait_for(lambda: any(
        "waiting for acknowledgement" in c["params"].get("text", "")
        for c in posts(slack, supervisors) if c["params"].get("thread_ts")), timeout=30)
    rows = bot.db().execute("SELECT kind, status FROM followups WHERE kind = 'ack_reminder'")
    assert ("ack_reminder", "sent") in [tuple(r) for r in rows]


def test_contradiction_is_asked_once_on_the_review(slack, bot_factory):
    """ "Likely" with "not viable or imminent": one question; the answer is recorded."""
    from tests.e2e.care_steps import answers_for, walk_to
    from tests.e2e.harness import ModalSession

    bot = bot_factory.start()
    session = ModalSession.open(bot, slack.users["alice"])
    walk_to(session, "review", answers_for(slack, {"assess": {
        "likelihood": "likely", "action_taken": "supervisor_notified"}}))
    labels = [b["label"]["text"] for b in session.view["blocks"] if b["type"] == "input"]
    assert labels == ["You said it is likely to be acted on. Is anyone in danger now?"]
    assert "care_home_danger" in json.dumps(session.view["blocks"])
    body = session.submit({})
    assert body["response_action"] == "errors" and "danger_now" in body["errors"]
    body = session.submit({"danger_now": "no"})
    assert body["response_action"] == "update"
    answers = json.loads(bot.db().execute("SELECT answers FROM incidents").fetchone()[0])
    assert answers["danger_now"] == "no"
