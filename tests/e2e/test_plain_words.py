"""End-to-end, issue 17 §5: buttons say whose they are, HR gets what it may read, and each
person's "My open tasks" lists only their own."""

from __future__ import annotations

import json

from tests.e2e.care_steps import (
    assert_all_surfaces_valid,
    click_message_button,
    file_report,
    latest_parent,
    parent_post,
    posts,
    reference_of,
)
from tests.e2e.harness import ModalSession


def _labels(post: dict) -> dict[str, str]:
    blocks = post["params"]["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return {e["action_id"]: e["text"]["text"] for b in blocks if b["type"] == "actions"
            for e in b["elements"] if e["type"] == "button"}


def _rendered(slack, channel: str, action_id: str) -> dict:
    return slack.wait_for(lambda: (lambda p: p if action_id in str(p["params"]) else None)(
        latest_parent(slack, channel)))


def _dm_posts(slack, user_id: str) -> list[dict]:
    channel = slack.dm_channel(user_id)
    return [c for c in posts(slack) if c["response"].get("channel") == channel]


def test_channel_buttons_say_whose_they_are_and_hr_reads_the_report(slack, bot_factory):
    """Each channel button names its role; HR's notification carries the masked report and
    points nowhere HR cannot go."""
    bot = bot_factory.start()
    u = slack.users
    ref = reference_of(file_report(bot, u["alice"], {"client_service": {
        "what_happened": "John Q. Client (acct ending 4417) said he would wait outside."}}))
    supervisors, security = slack.channels["care-supervisors"], slack.channels["care-security"]
    assert _labels(parent_post(slack, supervisors)) == {"care_acknowledge":
                                                        "Supervisor: acknowledge"}
    assert _labels(parent_post(slack, security)) == {"care_acknowledge": "Security: acknowledge"}

    click_message_button(bot, u["sam"], parent_post(slack, supervisors), "care_acknowledge")
    parent = _rendered(slack, supervisors, "care_report_to_hr")
    assert _labels(parent) == {"care_report_to_hr": "Supervisor: report to HR and CS&R",
                               "care_update_checklist": "Update checklist"}
    assert click_message_button(bot, u["sam"], parent, "care_report_to_hr").status == 200

    note = slack.wait_for(lambda: next(
        (c for c in _dm_posts(slack, u["hana"])
         if "Incident/Threat Notification" in c["params"]["text"]), None))
    shown = json.dumps(note["params"])
    assert "security thread" not in shown
    assert f"The report, {ref}" in shown
    assert "[client] (acct ending [account]) said he would wait outside" in shown
    for detail in ("John", "4417", "****1234"):
        assert detail not in shown, detail
    assert_all_surfaces_valid(slack)


def test_danger_alert_take_button_is_securitys(slack, bot_factory):
    """The danger alert's "I'm on it" in the security channel says it is security's."""
    bot = bot_factory.start()
    session = ModalSession.open(bot, slack.users["alice"])
    body = session.submit({"danger": "yes", "branch": "downtown"})
    assert body["view"]["callback_id"] == "care_emergency", body
    labels = _labels(parent_post(slack, slack.channels["care-security"]))
    assert labels["care_claim_alert"] == "Security: I'm on it"
    assert labels["care_acknowledge"] == "Security: acknowledge"
