"""End-to-end, issue 17 §5: buttons say whose they are, HR gets what it may read, and each
person's "My open tasks" lists only their own."""

from __future__ import annotations

import json
import time

from tests.e2e.care_steps import (
    assert_all_surfaces_valid,
    click_message_button,
    file_report,
    latest_parent,
    open_home,
    parent_post,
    posts,
    reference_of,
)
from tests.e2e.harness import ModalSession, care_toml
from tests.support import payloads


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


def _headers(view: dict) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


def _section(view: dict, title: str) -> str:
    """The text of a Home section: the blocks after its header, up to the next header."""
    found, inside = [], False
    for block in view["blocks"]:
        if block["type"] == "header":
            inside = block["text"]["text"] == title
            continue
        if inside:
            found.append(json.dumps(block))
    return "\n".join(found)


def test_my_open_tasks_lists_only_my_own_and_others_overdue_fold(slack, bot_factory):
    """A second supervisor's "My open tasks" holds none of the branch supervisor's tasks;
    once those are past due they sit under a folded "Others' overdue tasks (N)" heading."""
    u = slack.users
    config = care_toml(slack, {"report_deadline": "2s"}).replace(
        f'supervisors = ["{u["sam"]}"]', f'supervisors = ["{u["sam"]}", "{u["rita"]}"]', 1)
    assert f'"{u["rita"]}"]' in config
    bot = bot_factory.start(config_toml_text=config)
    file_report(bot, u["alice"])
    supervisors = slack.channels["care-supervisors"]
    click_message_button(bot, u["sam"], parent_post(slack, supervisors), "care_acknowledge")
    _rendered(slack, supervisors, "care_report_to_hr")

    sam = open_home(bot, u["sam"])
    assert "Reported to HR" in _section(sam, "My open tasks")
    rita = open_home(bot, u["rita"])
    assert "My open tasks" not in _headers(rita)  # the branch supervisor's, not hers
    assert not any(h.startswith("Others' overdue tasks") for h in _headers(rita))

    time.sleep(2.5)  # report_deadline passes
    rita = open_home(bot, u["rita"])
    assert "Others' overdue tasks (2)" in _headers(rita), _headers(rita)
    folded = _section(rita, "Others' overdue tasks (2)")
    assert "Reported to HR" not in folded and '"value": "show"' in folded
    since = slack.last_seq()
    _tap_home(bot, u["rita"], rita, "care_home_others_tasks", "show")
    call = slack.wait_for_call("views.publish",
                               lambda c: c["params"].get("user_id") == u["rita"], since=since)
    shown = _section(call["params"]["view"], "Others' overdue tasks (2)")
    assert "Reported to HR" in shown and f"owner: <@{u['sam']}>" in shown
    assert '"value": "hide"' in shown
    rita = open_home(bot, u["rita"])  # unfolded stays unfolded across re-publishes
    assert "Reported to HR" in _section(rita, "Others' overdue tasks (2)")
    sam = open_home(bot, u["sam"])
    assert "Reported to HR" in _section(sam, "My open tasks")
    assert not any(h.startswith("Others' overdue tasks") for h in _headers(sam))


def _tap_home(bot, user_id: str, home: dict, action_id: str, value: str) -> None:
    blocks = [block for _id, block, element in payloads.iter_elements(home["blocks"])
              if element.get("action_id") == action_id and element.get("value") == value]
    assert blocks, f"no {action_id} {value} on this Home"
    payload = payloads.block_actions_home({**home, "blocks": blocks[:1]}, user_id, action_id,
                                          trigger_id=bot.slack.mint_trigger_id(user_id),
                                          workspace=bot.slack.workspace)
    assert bot.interact(payload).status == 200
