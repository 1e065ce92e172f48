"""Issue 17 §5: what people read, said plainly and truly.

Buttons in a channel say whose they are; the bank's abbreviations are spelled out for the
associate; every time is Slack's date token, so each reader sees their own clock.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from care_bot.config import Branch
from care_bot.domain import glossary
from care_bot.domain.checklist import TaskDone
from care_bot.domain.models import Incident
from care_bot.ids import Action
from care_bot.views import alert_status, alerts, lookout, messages, notices, people, text, tracking
from care_bot.views.care_after import review_button
from tests.support.world import START, USERS

BRANCHES = {"downtown": Branch("downtown", "Downtown", "America/New_York",
                               supervisor=USERS["sam"])}
ANSWERS = {"danger": "no", "branch": "downtown", "threat_kinds": ["abusive"],
           "client_status": "client"}


def incident(**changes) -> Incident:
    base = Incident(3, "CARE-2026-0003", USERS["alice"], "open", False, "downtown", ANSWERS,
                    START, START)
    return replace(base, **changes)


def labels(message: dict) -> dict[str, str]:
    """action_id -> label of every button in a message's actions blocks."""
    return {e["action_id"]: e["text"]["text"] for b in message["blocks"]
            if b["type"] == "actions" for e in b["elements"] if e["type"] == "button"}


def test_whose_names_the_role_before_the_action():
    assert glossary.whose(glossary.SUPERVISOR, "report to HR and CS&R") == (
        "Supervisor: report to HR and CS&R")


@pytest.mark.parametrize("audience, role", [("supervisors", "Supervisor"),
                                            ("security", "Security")])
def test_parent_acknowledge_says_whose_it_is_in_each_channel(audience, role):
    shown = labels(messages.parent_message(incident(), {}, None, BRANCHES, audience))
    assert shown == {Action.ACKNOWLEDGE.value: f"{role}: acknowledge"}


def test_parent_danger_alert_take_button_is_securitys():
    alert = incident(status="alerted", danger=True, submitted_at=None)
    shown = labels(messages.parent_message(alert, {}, None, BRANCHES, "security"))
    assert shown[Action.CLAIM_ALERT.value] == "Security: I'm on it"
    assert shown[Action.ACKNOWLEDGE.value] == "Security: acknowledge"


def test_parent_report_to_hr_is_the_supervisors_and_keeps_its_action_id():
    acked = incident(acknowledged_by=USERS["sam"], acknowledged_at=START + 60)
    states = {"acknowledged": TaskDone(USERS["sam"], START + 60, "")}
    shown = labels(messages.parent_message(acked, states, None, BRANCHES, "supervisors"))
    assert shown == {Action.REPORT_TO_HR.value: "Supervisor: report to HR and CS&R",
                     Action.UPDATE_CHECKLIST.value: "Update checklist"}


def test_checklist_modal_role_buttons_say_whose_they_are():
    view = tracking.checklist_view(incident(), {}, [], can_decide=True, branches=BRANCHES,
                                   can_close=True, can_identify=True)
    shown = labels(view)
    assert shown[Action.DECIDE_ACCOUNT.value] == (
        "Delivery / local management: record account decision")
    assert shown[Action.CLOSE_EARLY.value] == "Security: close incident early"
    assert shown[Action.IDENTIFY_CLIENT.value] == "ICS: identify the client"


def test_security_thread_buttons_say_whose_they_are():
    assert review_button(3)["text"]["text"] == "Security: post-incident review"
    line = people.ReportLine("CARE-2026-0003", "2026-03-02", "Downtown", "Abusive language")
    shown = labels(people.suggestion(7, line, "the same name"))
    assert shown == {Action.LINK_CONFIRM.value: "Security: same person",
                     Action.LINK_REJECT.value: "Security: not the same"}
    notice = {"id": 1, "branches": ["downtown"], "expires_at": START + 3600,
              "created_by": USERS["sec"]}
    status = lookout.notice_status(notice, [], BRANCHES, "P-1", START)
    assert labels(status) == {Action.NOTICE_END.value: "Security: end notice"}


# ---------------------------------------------------------------- HR's notification, truly


def _hr_dm(services) -> dict:
    import json

    with services.store.reading() as db:
        rows = [dict(r) for r in db.query(
            "SELECT key, payload FROM outbox WHERE channel = ? AND key LIKE ?",
            [USERS["hana"], "%hr_%"])]
    return {row["key"]: json.loads(row["payload"]) for row in rows}


def test_hr_notification_carries_the_masked_report_and_no_security_thread(tmp_path):
    from care_bot.flows import hr_report
    from care_bot.flows import tracking as tracking_flow
    from tests.support.report import file_report
    from tests.support.world import make_services

    services, _slack, _clock = make_services(tmp_path)
    file_report(services, overrides={"client_service": {
        "what_happened": "John Q. Client (acct ending 4417) said he would wait outside."}})
    tracking_flow.acknowledge(services, USERS["sam"], 1, "channel")
    hr_report.report(services, USERS["sam"], 1, "channel")
    [(key, message)] = _hr_dm(services).items()
    shown = str(message)
    assert key.endswith(":hr_notification")
    assert "security thread" not in shown
    assert "[client] (acct ending [account]) said he would wait outside" in shown
    assert "John" not in shown and "4417" not in shown and "****1234" not in shown
    assert "The report, CARE-2026-0001" in shown


def test_hr_told_of_an_alert_gets_the_report_once_it_is_filed(tmp_path):
    from care_bot.flows import hr_report, intake
    from care_bot.flows import tracking as tracking_flow
    from care_bot.views.metadata import decode
    from tests.support.report import STEP_ANSWERS, submit
    from tests.support.world import make_services

    services, _slack, _clock = make_services(tmp_path)
    start = intake.start_report(services, USERS["alice"])
    intake.prefill_profile(services, start.draft_id, USERS["alice"])
    view = submit(services, USERS["alice"], start.view,
                  {**STEP_ANSWERS["safety"], "danger": "yes"}).view
    tracking_flow.acknowledge(services, USERS["sam"], 1, "channel")
    hr_report.report(services, USERS["sam"], 1, "channel")
    [note] = _hr_dm(services).values()
    assert "HR gets it here when they submit it" in str(note)
    assert "The report, CARE" not in str(note)
    view = intake.continue_after_emergency(services, USERS["alice"],
                                           decode(view["private_metadata"])).view
    for step in ("client_service", "assess", "report", "review"):
        result = submit(services, USERS["alice"], view, STEP_ANSWERS[step])
        assert not result.errors, result.errors
        view = result.view
    sent = _hr_dm(services)
    assert sorted(key.rsplit(":", 1)[1] for key in sent) == ["hr_notification", "hr_report"]
    report = str(next(m for k, m in sent.items() if k.endswith(":hr_report")))
    assert "would come back and hurt me" in report and "John" not in report


# ---------------------------------------------------------------- one clock per reader

DATE_TOKEN = re.compile(r"<!date\^\d+\^\{[a-z_]+\}(?: \{[a-z_]+\})*\|[^>]*>")
BARE_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
NY = {"downtown": Branch("downtown", "Downtown", "America/New_York")}
T = 1_790_000_000.0  # Monday 2026-09-21 14:13:20 UTC = 10:13:20 EDT


def bare_clocks(value) -> list[str]:
    """Clock times shown outside Slack's date tokens (what a reader elsewhere would misread)."""
    return BARE_CLOCK.findall(DATE_TOKEN.sub("", str(value)))


def test_reader_clock_is_a_date_token_with_the_branchs_time_as_fallback():
    assert text.reader_clock(T, "America/New_York") == "<!date^1790000000^{time}|10:13 EDT>"
    assert text.reader_clock(T, None, seconds=True) == (
        "<!date^1790000000^{time_secs}|14:13:20 UTC>")
    assert text.clock_text(T, "America/New_York") == "10:13 EDT"  # plain text keeps a zone


def test_reported_safe_is_each_readers_clock_in_the_thread_and_the_dm():
    safe = incident(danger=True, safe_at=T, branch="downtown")
    for message in (alerts.safe_note(safe, NY), alerts.safe_confirmation(safe, NY)):
        assert "reported safe at <!date^1790000000^{time}|10:13 EDT>" in str(message)
        assert bare_clocks(message) == []


@pytest.mark.parametrize("stage", [alert_status.DELIVERED, alert_status.TAKEN,
                                   alert_status.RESOLVED])
def test_alert_status_times_are_each_readers_clock(stage):
    status = alert_status.AlertStatus(stage, delivered_at=T, paged=("<@U1>",),
                                      taker_name="Sid", taker_role="security", taken_at=T + 40,
                                      safe_at=T + 300)
    lines = alert_status.status_lines(status, NY, "downtown")
    assert "<!date^" in lines[0] and bare_clocks(lines) == []


def test_channel_messages_show_no_local_clock_text():
    acked = incident(danger=True, acknowledged_by=USERS["sam"], acknowledged_at=T,
                     claimed_by=USERS["sec"], claimed_at=T, safe_at=T + 60)
    states = {"acknowledged": TaskDone(USERS["sam"], T, "")}
    for audience in ("supervisors", "security"):
        message = messages.parent_message(acked, states, T + 900, NY, audience)
        assert bare_clocks(message) == [], audience
    assert bare_clocks(notices.pressed_again(acked, alerts.local_time(T, NY, "downtown"),
                                             [])) == []


# ---------------------------------------------------------------- spelled out for the associate

SPELLED = [glossary.spelled(a) for a in glossary.FULL_NAMES]
SPELLED += [s.replace("&", "&amp;") for s in SPELLED]  # as escaped mrkdwn carries them
BARE_ABBREVIATION = re.compile(r"\bRXM\b|\bICS\b|CS&(?:amp;)?R")


def bare_abbreviations(value) -> list[str]:
    """RXM, ICS or CS&R where the associate reads them without the full words beside them."""
    shown = str(value)
    for words in SPELLED:
        shown = shown.replace(words, "")
    return BARE_ABBREVIATION.findall(shown)


def test_glossary_spells_out_the_guidelines_own_names():
    assert glossary.spelled("RXM") == "Regional Experience Manager (RXM)"
    assert glossary.spelled("ICS") == "Internal Control Specialist (ICS)"
    assert glossary.spelled("CS&R") == "Corporate Security & Risk (CS&R)"
    assert bare_abbreviations("Tell your ICS") == ["ICS"]  # the check itself can fail


@pytest.mark.parametrize("status", ["client", "unknown", "not_client"])
def test_the_associates_dms_spell_out_every_abbreviation(status):
    filed = incident(answers={**ANSWERS, "client_status": status, "ics": USERS["ivy"]},
                     submitted_at=START)
    for delivered in (True, False):
        confirmation = messages.reporter_confirmation(filed, delivered=delivered)
        assert bare_abbreviations(confirmation) == [], confirmation
    assert bare_abbreviations(messages.ics_marked(filed)) == []


def test_the_associates_home_and_form_spell_out_every_abbreviation():
    from care_bot.domain.models import Incident as _Incident  # noqa: F401 (same type)
    from care_bot.views import home, report_modal
    from care_bot.views.help import HELP_TEXT

    filed = incident(submitted_at=START)
    section = home.associate_section([home.ReportLine(filed, "delivered", ics_done=False)])
    assert "I told my Internal Control Specialist (ICS)" in str(section)
    assert bare_abbreviations(section) == []
    answers = {**ANSWERS, "client_status": "unknown", "rxm": USERS["rita"], "ics": USERS["ivy"]}
    for step in report_modal.STEP_ORDER:
        view = report_modal.step_view(step, answers, "draft-1", BRANCHES)
        assert bare_abbreviations(view["blocks"]) == [], step
    assert bare_abbreviations(HELP_TEXT) == []


def test_the_checklist_as_the_associate_reads_it_spells_out_the_ics():
    text_ = messages.checklist_text(incident(submitted_at=START), {}, BRANCHES)
    assert "Associate notified the Internal Control Specialist (ICS)" in text_
    assert bare_abbreviations(text_) == []


def test_threat_show_as_the_associate_reads_it_spells_out_every_abbreviation():
    from care_bot.domain.models import Event
    from care_bot.views import lookup

    filed = incident(submitted_at=START, answers={**ANSWERS, "rxm": USERS["rita"]})
    events = [Event(1, 3, START, USERS["sam"], "hr_notification_sent", "channel", {})]
    view = lookup.details_view(filed, {}, events, BRANCHES)
    assert "Corporate Security & Risk (CS&R)" in str(view)
    assert bare_abbreviations(view["blocks"]) == []


# ---------------------------------------------------------------- nothing said before it is true


@pytest.mark.parametrize("action, words", [
    ("nothing_yet", "A · decision: nothing yet; this report tells the supervisor"),
    ("supervisor_notified", "A · decision: not viable or imminent; supervisor told"),
    ("law_enforcement", "A · decision: law enforcement contacted"),
])
def test_checklist_says_what_the_associate_did_and_no_more(action, words):
    filed = incident(submitted_at=START, answers={**ANSWERS, "action_taken": action})
    assert words in messages.checklist_text(filed, {}, BRANCHES)


def test_reported_safe_screens_do_not_claim_the_threads_were_told_already():
    safe = incident(danger=True, safe_at=T, branch="downtown")
    from care_bot.views import danger_modal

    view = danger_modal.safe_view(safe, "draft-1", alerts.safe_phrase(safe, NY))
    dm = alerts.safe_confirmation(safe, NY)
    for shown in (str(view), str(dm)):
        assert "We told" not in shown and "are told in" not in shown
    assert "are being told" in str(view) and "is posting it" in str(dm)
