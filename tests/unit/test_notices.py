"""Every progress notice fits Slack's limits and keeps user text inert."""

import pytest

from care_bot.domain.care import TASKS_BY_KEY
from care_bot.domain.models import Incident
from care_bot.views import notices
from tests.support.blockkit import assert_valid_message
from tests.support.world import START, USERS

HOSTILE = "<!channel> & <@U0BOSS> <https://evil.example|bank> " * 40
INCIDENT = Incident(4, "CARE-2026-0004", USERS["alice"], "open", False, "downtown",
                    {"supervisor": USERS["sam"], "rxm": USERS["rita"], "ics": USERS["ivy"],
                     "account_officer": USERS["oscar"], "market_president": USERS["mark"]},
                    START, START)
TASK = TASKS_BY_KEY["reported_hr"]

BUILT = {
    "ack_reminder": notices.ack_reminder(INCIDENT),
    "ack_escalation": notices.ack_escalation(INCIDENT),
    "ack_escalation_for_security": notices.ack_escalation_for_security(INCIDENT),
    "ack_needed_dm": notices.ack_needed_dm(INCIDENT),
    "ack_overdue": notices.ack_overdue(INCIDENT),
    "task_due": notices.task_due(INCIDENT, TASK, [USERS["sam"]]),
    "task_due_dm": notices.task_due(INCIDENT, TASK, [USERS["sam"]], with_button=True),
    "task_overdue": notices.task_overdue(INCIDENT, TASK, [USERS["sam"]], [USERS["rita"]]),
    "rxm_escalation_dm": notices.rxm_escalation_dm(INCIDENT),
    "rxm_danger_dm": notices.rxm_danger_dm(INCIDENT, "Downtown"),
    "market_president_dm": notices.market_president_dm(INCIDENT, "Downtown", "Abusive",
                                                       USERS["sam"]),
    "hr_notification": notices.incident_threat_notification(
        Incident(5, "CARE-2026-0005", USERS["alice"], "open", True, "downtown",
                 {"associate_name": HOSTILE, "associate_position": HOSTILE,
                  "associate_location": HOSTILE, "action_taken": "law_enforcement",
                  "agency": HOSTILE, "officer_name": HOSTILE, "police_report": HOSTILE,
                  "client_name": "John Q. Client", "accounts": "Checking 1234"}, START, START),
        sender=USERS["sam"], rxm=[USERS["rita"]], market_president=[USERS["mark"]],
        where="Downtown"),
    "hr_reported": notices.hr_reported(USERS["sam"], "the HR channel"),
    "report_to_hr_prompt": notices.report_to_hr_prompt(INCIDENT),
    "acknowledged": notices.acknowledged(INCIDENT, USERS["sam"]),
    "acknowledged_dm": notices.acknowledged_dm(INCIDENT, USERS["sam"]),
    "task_completed": notices.task_completed(TASK, USERS["sam"], HOSTILE),
    "account_decided": notices.account_decided(INCIDENT, "restrict", USERS["mark"]),
    "closed": notices.closed(INCIDENT, "care-bot", None),
    "closed_early": notices.closed(INCIDENT, USERS["sec"], HOSTILE),
    "closed_dm": notices.closed_dm(INCIDENT),
    "delivery_failed": notices.delivery_failed("CARE-2026-0004", "<#C0SUPERVISE>", "x"),
    "delivery_stuck": notices.delivery_stuck("", "a direct message", "ratelimited", 10),
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_notices_fit_block_kit_limits(name):
    assert_valid_message(BUILT[name])


@pytest.mark.parametrize("name", ["task_completed", "closed_early", "hr_notification"])
def test_notices_escape_user_text(name):
    text = str(BUILT[name])
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "<@U0BOSS>" not in text


def test_notices_task_due_names_the_owner_and_dm_has_the_checklist_button():
    assert f"<@{USERS['sam']}>" in BUILT["task_due"]["text"]
    assert "care_update_checklist" in str(BUILT["task_due_dm"]["blocks"])
    assert "care_update_checklist" not in str(BUILT["task_due"]["blocks"])


def test_notices_task_overdue_names_the_next_level():
    overdue = notices.task_overdue(INCIDENT, TASKS_BY_KEY["client_notified"], [USERS["oscar"]],
                                   [USERS["ivy"]])["text"]
    assert f"<@{USERS['ivy']}>" in overdue and "Internal Control Specialist" in overdue


def test_notices_hr_notification_carries_every_field_and_no_client_details():
    text = BUILT["hr_notification"]["text"]
    for label in ("Associate reporting the threat", "Supervisor", "Regional Experience Manager",
                  "Market President", "Local law enforcement", "Reference", "CARE-2026-0005"):
        assert label in text
    assert f"<@{USERS['rita']}>" in text and f"<@{USERS['mark']}>" in text
    assert "John Q. Client" not in str(BUILT["hr_notification"])
    assert "1234" not in str(BUILT["hr_notification"])
