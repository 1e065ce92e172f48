"""Issue 17 §5: what people read, said plainly and truly.

Buttons in a channel say whose they are; the bank's abbreviations are spelled out for the
associate; every time is Slack's date token, so each reader sees their own clock.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from care_bot.config import Branch
from care_bot.domain import glossary
from care_bot.domain.checklist import TaskDone
from care_bot.domain.models import Incident
from care_bot.ids import Action
from care_bot.views import lookout, messages, people, tracking
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
