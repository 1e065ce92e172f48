"""The App Home tab: the emergency block first, then one section per role the user holds.

``build_home`` only composes; each role's section is its own pure builder returning blocks
(the associate's is here; supervisors', security's and HR's are in ``views.role_home``), and
``care_bot.flows.home.SECTIONS`` lists them in Home's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from care_bot.domain import glossary
from care_bot.domain.models import Incident
from care_bot.ids import Action
from care_bot.views.drill import entry_label
from care_bot.views.emergency import emergency_blocks
from care_bot.views.text import mrkdwn, plain

MAX_HOME_BLOCKS = 100
HOME_DANGER_TEXT = "I'm in danger: alert security"
HOME_REPORT_TEXT = "Report a threat"
HOME_SAFE_NOW_TEXT = "I'm safe now"
MY_REPORTS_TITLE = "My reports"


@dataclass(frozen=True)
class ReportLine:
    """One of the associate's reports as Home shows it."""

    incident: Incident
    delivery: str  # "delivered", "on_the_way", "failed"
    ics_done: bool = False
    alert: str = ""  # a danger alert's state, in the words the emergency screen uses


def build_home(sections: Iterable[Sequence[dict[str, Any]]], settings: Any) -> dict[str, Any]:
    """Compose a Home view: the emergency block, then each non-empty section, divided."""
    blocks = list(emergency_blocks(settings))
    for section in sections:
        if not section:
            continue
        if blocks and blocks[-1].get("type") != "divider":
            blocks.append({"type": "divider"})
        blocks.extend(section)
    if len(blocks) > MAX_HOME_BLOCKS:
        more = {"type": "context", "elements": [
            mrkdwn("More is not shown here; type `/threat help`.")]}
        blocks = [*blocks[: MAX_HOME_BLOCKS - 1], more]
    return {"type": "home", "callback_id": "care_home", "blocks": blocks}


def danger_button() -> dict[str, Any]:
    """The one-tap alert: Slack's confirm dialog, then the alert goes out with no form."""
    return {
        "type": "button",
        "action_id": Action.HOME_DANGER.value,
        "style": "danger",
        "text": plain(HOME_DANGER_TEXT),
        "value": "home",
        "confirm": {
            "title": plain("Send the alert now?", 100),
            "text": plain("Security and your supervisor are alerted at once, with your name "
                          "and branch. No form to fill in.", 300),
            "confirm": plain("Send alert", 30),
            "deny": plain("Cancel", 30),
            "style": "danger",
        },
    }


def report_button() -> dict[str, Any]:
    """Open the report modal from Home."""
    return {"type": "button", "action_id": Action.HOME_REPORT.value,
            "text": plain(HOME_REPORT_TEXT), "value": "home"}


STATUS_WORDS = {
    "alerted": "Danger alert · report not finished",
    "open": "Waiting for acknowledgement",
    "closed": "Closed",
}
DELIVERY_WORDS = {
    "delivered": "supervisor and security have it",
    "on_the_way": "saved; notifications on their way",
    "failed": "saved; a notification could not be delivered and security has been told",
}


def _status(incident: Incident) -> str:
    if incident.status == "open" and incident.acknowledged_at:
        return "Acknowledged · being followed up"
    return STATUS_WORDS.get(incident.status, incident.status)


def _next_step(line: ReportLine) -> str:
    incident = line.incident
    if incident.status == "closed":
        return "Nothing left for you."
    if _awaiting_safe(incident):
        return ("When you are safe, press *I'm safe now*. Finish your report later: press "
                "*Report a threat* or type `/threat`.")
    if incident.submitted_at is None:
        return "Finish your report when you can: press *Report a threat* or type `/threat`."
    if not line.ics_done:
        return f"Tell your {glossary.spelled('ICS')}, then press *{glossary.TOLD_ICS}*."
    return "Nothing for you right now."


def _awaiting_safe(incident: Incident) -> bool:
    return bool(incident.danger) and incident.safe_at is None and incident.status != "closed"


def safe_now_button(incident: Incident) -> dict[str, Any]:
    """"I'm safe now" for an open danger alert: the emergency modal may have been closed."""
    return {"type": "button", "action_id": Action.HOME_SAFE_NOW.value, "style": "primary",
            "text": plain(HOME_SAFE_NOW_TEXT), "value": str(incident.id)}


def _report_block(line: ReportLine) -> list[dict[str, Any]]:
    incident = line.incident
    delivery = line.alert or f"Delivery: {DELIVERY_WORDS.get(line.delivery, line.delivery)}"
    text = (f"*{entry_label(incident.ref, incident.drill)}* · {_status(incident)}\n{delivery}\n"
            f"Your next step: {_next_step(line)}")
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if _awaiting_safe(incident):
        block["accessory"] = safe_now_button(incident)
    elif incident.status != "closed" and incident.submitted_at and not line.ics_done:
        block["accessory"] = {"type": "button", "action_id": Action.ICS_NOTIFIED.value,
                              "text": plain(glossary.TOLD_ICS), "value": str(incident.id)}
    return [block]


def associate_section(reports: Sequence[ReportLine]) -> list[dict[str, Any]]:
    """The associate's section: the alert button, "Report a threat", and "My reports"."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": mrkdwn(
            "*CARE bot*\nReport a concern about a client, or alert security with one tap "
            "and no typing.")},
        {"type": "actions", "block_id": "care_home_actions",
         "elements": [danger_button(), report_button()]},
        {"type": "header", "text": plain(MY_REPORTS_TITLE, 150)},
    ]
    if not reports:
        blocks.append({"type": "context", "elements": [mrkdwn("You have no reports.")]})
    for line in reports:
        blocks.extend(_report_block(line))
    return blocks


def delivery_state(parent_states: Mapping[str, str]) -> str:
    """Summarise the channel parents' outbox states as one delivery word."""
    states = set(parent_states.values())
    if "failed" in states:
        return "failed"
    if states and states <= {"sent"}:
        return "delivered"
    return "on_the_way"
