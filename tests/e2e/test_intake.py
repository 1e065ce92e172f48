"""End-to-end: /threat against the real bot process and a local Slack Web API."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from tests.e2e.care_steps import (
    answers_for,
    assert_all_surfaces_valid,
    file_report,
    parent_post,
    posts,
    reference_of,
    step_of,
    thread_texts,
    walk_to,
)
from tests.e2e.harness import ModalSession
from tests.support import payloads
from tests.support.signing import FORM_CONTENT_TYPE

YEAR = datetime.now(UTC).year


def test_intake_whole_flow_saves_escalates_and_confirms(slack, bot_factory):
    """The whole CARE flow: saved once, two threaded escalations, a DM with the reference."""
    bot = bot_factory.start()
    alice = slack.users["alice"]
    session = ModalSession.open(bot, alice)
    answers = answers_for(slack)
    walk_to(session, "report", answers)
    prefilled = {b["block_id"]: b["element"] for b in session.view["blocks"]
                 if b["type"] == "input"}
    assert prefilled["associate_name"]["initial_value"] == "Alice Associate"
    assert prefilled["supervisor"]["initial_user"] == slack.users["sam"]
    assert "Downtown" in prefilled["associate_location"]["initial_value"]
    walk_to(session, "review", answers)
    confirmation = session.submit({})["view"]
    assert reference_of(confirmation) == f"CARE-{YEAR}-0001"

    supervisors, security = slack.channels["care-supervisors"], slack.channels["care-security"]
    parent = parent_post(slack, supervisors)
    blocks_text = str(parent["params"]["blocks"])
    assert "care_acknowledge" in blocks_text and f"<@{slack.users['sam']}>" in blocks_text
    sec_parent = parent_post(slack, security)
    slack.wait_for(lambda: len(thread_texts(slack, supervisors, parent["response"]["ts"])) == 1)
    slack.wait_for(lambda: len(thread_texts(slack, security, sec_parent["response"]["ts"])) == 1)
    dm = slack.dm_channel(alice)
    slack.wait_for(lambda: any(f"CARE-{YEAR}-0001" in m.get("text", "")
                               for m in slack.history(dm)))

    db = bot.db()
    assert db.execute("SELECT count(*) FROM incidents WHERE status = 'open'").fetchone()[0] == 1
    assert [tuple(r) for r in db.execute("SELECT action FROM events")] == [("submitted",)]
    slack.wait_for(lambda: bot.db().execute(
        "SELECT count(*) FROM outbox WHERE status != 'sent'").fetchone()[0] == 0)
    assert len(posts(slack, supervisors)) == 2 and len(posts(slack, security)) == 2
    assert_all_surfaces_valid(slack)
    logs = bot.logs()
    for typed in ("hurt me", "regret this", "waive the fee", "John Q. Client", "****1234"):
        assert typed not in logs


def test_intake_private_client_details_never_reach_slack_channels(slack, bot_factory):
    """Client names and account references stay in the database."""
    bot = bot_factory.start()
    file_report(bot, slack.users["alice"])
    slack.wait_for(lambda: len(posts(slack)) >= 5)
    for call in slack.calls("chat.postMessage") + slack.calls("chat.update"):
        sent = str(call["params"])
        assert "John Q. Client" not in sent and "****1234" not in sent


def test_intake_danger_alerts_security_before_the_form_is_done(slack, bot_factory):
    """Answering "yes" shows emergency steps and alerts security at once; the report links."""
    bot = bot_factory.start()
    session = ModalSession.open(bot, slack.users["alice"])
    answers = answers_for(slack, {"safety": {"danger": "yes"}})
    body = session.submit(answers["safety"])
    assert body["view"]["callback_id"] == "care_emergency"
    assert "911" in str(body["view"]["blocks"])
    security = slack.channels["care-security"]
    alert = parent_post(slack, security)
    assert "Immediate danger" in alert["params"]["text"]
    assert f"<@{slack.users['alice']}>" in str(alert["params"]["blocks"])
    assert "Downtown" in alert["params"]["text"]

    session.click("care_finish_report",  # finishing the report is secondary to safety
                  until=lambda v: v.get("callback_id") == "care_report_step")
    assert step_of(session.view) == "client_service"
    walk_to(session, "review", answers)
    confirmation = session.submit({})["view"]
    ts = alert["response"]["ts"]
    slack.wait_for(lambda: len(thread_texts(slack, security, ts)) == 1)
    assert tuple(bot.db().execute("SELECT count(*), min(danger) FROM incidents").fetchone()) == (
        1, 1)
    assert reference_of(confirmation) in alert["params"]["text"]
    slack.wait_for(lambda: any(c["params"].get("ts") == ts for c in slack.calls("chat.update")))
    assert len([p for p in posts(slack, security) if not p["params"].get("thread_ts")]) == 1


def test_intake_field_errors_keep_the_modal_open(slack, bot_factory):
    """Whitespace-only text and contradictory answers get field-level errors."""
    bot = bot_factory.start()
    session = ModalSession.open(bot, slack.users["alice"])
    answers = answers_for(slack)
    walk_to(session, "client_service", answers)
    body = session.submit({**answers["client_service"], "what_happened": "   "})
    assert body == {"response_action": "errors",
                    "errors": {"what_happened": "Please fill this in."}}
    session.submit(answers["client_service"])
    body = session.submit({**answers["assess"], "action_taken": "law_enforcement"})
    assert body["response_action"] == "errors" and "agency" in body["errors"]
    body = session.submit({**answers["assess"], "agency": "City Police"})
    assert "action_taken" in body["errors"]
    assert bot.db().execute("SELECT count(*) FROM incidents").fetchone()[0] == 0


def test_intake_draft_survives_a_closed_modal_and_resumes(slack, bot_factory):
    """A closed modal loses nothing: /threat offers to resume at the same step."""
    bot = bot_factory.start()
    alice = slack.users["alice"]
    session = ModalSession.open(bot, alice)
    answers = answers_for(slack)
    walk_to(session, "client_service", answers)
    typed = {"what_happened": "He said he knows where I live."}
    closed = payloads.view_closed(session.view, alice, workspace=slack.workspace)
    closed["view"]["state"]["values"] = payloads.state_values(session.view, typed)
    assert bot.interact(closed).status == 200
    again = ModalSession.open(bot, alice)
    assert again.view["callback_id"] == "care_resume"
    again.click("care_resume_draft")
    assert step_of(again.view) == "client_service"
    field = next(b for b in again.view["blocks"] if b.get("block_id") == "what_happened")
    assert field["element"]["initial_value"] == typed["what_happened"]


def test_intake_duplicate_submission_makes_one_incident(slack, bot_factory):
    """A double click or Slack retry of the final submit makes one incident and one post set."""
    bot = bot_factory.start()
    alice = slack.users["alice"]
    session = ModalSession.open(bot, alice)
    walk_to(session, "review", answers_for(slack))
    view = session.view
    payload = payloads.view_submission(view, alice, {}, slack.mint_trigger_id(alice),
                                       workspace=slack.workspace)
    answers: list = []
    threads = [threading.Thread(target=lambda: answers.append(bot.interact(payload).json()))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refs = {reference_of(body["view"]) for body in answers}
    assert refs == {f"CARE-{YEAR}-0001"}
    slack.wait_for(lambda: len(posts(slack)) >= 5)
    slack.wait_for(lambda: bot.db().execute(
        "SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0] == 0)
    db = bot.db()
    assert db.execute("SELECT count(*) FROM incidents").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM events WHERE action='submitted'").fetchone()[0] == 1
    assert len(posts(slack)) == 5  # 2 parents, 2 thread replies, 1 DM


def test_intake_escapes_user_text_so_nobody_is_pinged(slack, bot_factory):
    """Typed <!channel>, <@U...> and links arrive escaped in every channel post."""
    bot = bot_factory.start()
    hostile = "<!channel> ask <@U0SAM> & see <https://evil.example|bank>"
    file_report(bot, slack.users["alice"], {"client_service": {"what_happened": hostile}})
    supervisors = slack.channels["care-supervisors"]
    parent = parent_post(slack, supervisors)
    reply = slack.wait_for(lambda: next(
        (c for c in posts(slack, supervisors)
         if c["params"].get("thread_ts") == parent["response"]["ts"]), None))
    details = str(reply["params"]["blocks"])
    assert "&lt;!channel&gt;" in details and "&lt;@U0SAM&gt;" in details
    for call in slack.calls("chat.postMessage"):
        sent = str(call["params"])
        assert "<!channel>" not in sent and "<https://evil" not in sent


def test_intake_forged_signature_is_refused_and_stores_nothing(slack, bot_factory):
    """A request with a wrong signature gets 401 and changes nothing."""
    bot = bot_factory.start()
    alice = slack.users["alice"]
    fields = payloads.slash_command(alice, "", slack.mint_trigger_id(alice),
                                    workspace=slack.workspace)
    body = payloads.form_body(fields)
    headers = {"Content-Type": FORM_CONTENT_TYPE, "X-Slack-Request-Timestamp": "1700000000",
               "X-Slack-Signature": "v0=" + "0" * 64}
    assert bot.post_raw(body, headers).status == 401
    assert bot.db().execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
    assert slack.calls("views.open") == []
    assert "ask" not in bot.logs()


def test_intake_help_and_unknown_words_answer_privately(slack, bot_factory):
    """`/threat help` and unknown sub-commands give ephemeral help and open no modal."""
    bot = bot_factory.start()
    for text in ("help", "banana"):
        response = bot.command(slack.users["alice"], text)
        body = response.json()
        assert body["response_type"] == "ephemeral" and "/threat" in body["text"]
    assert slack.calls("views.open") == []
