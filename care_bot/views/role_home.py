"""Home sections for supervisors, Corporate Security & Risk and HR. Pure Block Kit builders.

Home never shows client details: these builders are given incidents and task states only, and
never read the client's name or accounts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from care_bot.config import Branch
from care_bot.domain import care
from care_bot.domain.checklist import task_owner
from care_bot.domain.masking import masked_answers
from care_bot.domain.models import Event
from care_bot.ids import Action
from care_bot.views.drill import entry_label
from care_bot.views.summary import branch_label, kinds_label
from care_bot.views.text import mention, mrkdwn, plain, slack_date

MAX_ROWS = 8  # per list: every role's sections must fit Home's 100 blocks together
ALL_BRANCHES = "all"
SUPERVISOR_TITLE = "Supervisor: waiting for you"
SECURITY_TITLE = "Corporate Security & Risk: open incidents"
HR_TITLE = "HR"
TASKS_TITLE = "My open tasks"
OTHERS_TITLE = "Others' overdue tasks"
SHOW, HIDE = "show", "hide"
OVERDUE = ":red_circle: *Overdue*"


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, 150)}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text)]}


def _button(action: Action, text: str, incident_id: int, style: str | None = None) -> dict:
    button = {"type": "button", "action_id": action.value, "text": plain(text),
              "value": str(incident_id)}
    if style:
        button["style"] = style
    return button


def _row(text: str, accessory: dict | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text[:3000])}
    if accessory:
        block["accessory"] = accessory
    return block


def _more(shown: int, total: int, where: str) -> list[dict[str, Any]]:
    if total <= shown:
        return []
    return [_context(f"{total - shown} more not shown. {where}")]


def incident_line(item, branches: Mapping[str, Branch]) -> str:
    """One incident as a Home line: danger, reference, branch, kinds, who has it, overdue."""
    incident = item.incident
    mark = "🚨 *Danger* · " if incident.danger else ""
    who = []
    if item.claimed_by:
        who.append(f"claimed by {mention(item.claimed_by)}")
    if incident.acknowledged_at:
        who.append(f"acknowledged by {mention(incident.acknowledged_by)} "
                   f"{slack_date(incident.acknowledged_at)}")
    else:
        who.append("*not acknowledged*")
    shown = masked_answers(incident.answers)  # a Home line is read outside the privacy rule
    ref = entry_label(incident.ref, incident.drill)
    line = (f"{mark}*{ref}* · {branch_label(shown, branches)} · "
            f"{kinds_label(shown)}\n"
            f"Reported {slack_date(incident.created_at)} by {mention(incident.reporter)} · "
            f"{', '.join(who)}")
    if item.overdue:
        line += f" · {OVERDUE}"
    return line


def task_line(task_item) -> str:
    """One open task: its label, the incident, the deadline, overdue marked."""
    incident = task_item.item.incident
    due = (f"due {slack_date(task_item.due_at)}" if task_item.due_at is not None
           else "no deadline yet")
    line = f"*{task_item.task.label}* · {entry_label(incident.ref, incident.drill)}"
    if incident.danger:
        line = "🚨 " + line
    line += f"\n{due}"
    if task_item.overdue:
        line += f" · {OVERDUE}"
    return line


def tasks_blocks(tasks: Sequence, title: str = TASKS_TITLE) -> list[dict[str, Any]]:
    """A list of open tasks, each with the checklist button; empty when there are none."""
    if not tasks:
        return []
    blocks = [_header(title)]
    for task_item in tasks[:MAX_ROWS]:
        blocks.append(_row(task_line(task_item), _button(
            Action.UPDATE_CHECKLIST, "Update checklist", task_item.item.incident.id)))
    return blocks + _more(min(len(tasks), MAX_ROWS), len(tasks), "Type `/threat list`.")


def _owner_text(task_item, branches: Mapping[str, Branch]) -> str:
    incident = task_item.item.incident
    person = task_owner(task_item.task, incident, care.branch_of(incident, branches))
    if person:
        return mention(person)
    roles = care.TASK_OWNER_ROLES.get(task_item.task.key) or task_item.task.permission.roles
    return " or ".join(care.ROLE_LABELS[role] for role in roles) or "—"


def others_overdue_blocks(tasks: Sequence, shown: bool,
                          branches: Mapping[str, Branch]) -> list[dict[str, Any]]:
    """Others' overdue tasks I may also complete: a folded heading with a Show / Hide toggle
    (Block Kit has no fold), and the list only when unfolded. Empty when there are none."""
    if not tasks:
        return []
    toggle = {"type": "button", "action_id": Action.HOME_OTHERS_TASKS.value,
              "text": plain("Hide" if shown else "Show"), "value": HIDE if shown else SHOW}
    blocks = [_header(f"{OTHERS_TITLE} ({len(tasks)})"), _row(
        "Past due and someone else's; you may also complete them.", toggle)]
    if not shown:
        return blocks
    for task_item in tasks[:MAX_ROWS]:
        line = f"{task_line(task_item)} · owner: {_owner_text(task_item, branches)}"
        blocks.append(_row(line, _button(Action.UPDATE_CHECKLIST, "Update checklist",
                                         task_item.item.incident.id)))
    return blocks + _more(min(len(tasks), MAX_ROWS), len(tasks), "Type `/threat list`.")


def supervisor_section(awaiting: Sequence, tasks: Sequence,
                       branches: Mapping[str, Branch]) -> list[dict[str, Any]]:
    """Incidents awaiting my acknowledgement (danger first), then my open tasks."""
    blocks: list[dict[str, Any]] = [_header(SUPERVISOR_TITLE)]
    overdue = sum(1 for item in awaiting if item.overdue) + sum(1 for t in tasks if t.overdue)
    summary = (f"{len(awaiting)} incident(s) awaiting your acknowledgement · "
               f"{len(tasks)} open task(s)")
    if overdue:
        summary += f" · {OVERDUE}: {overdue}"
    blocks.append(_context(summary))
    if not awaiting:
        blocks.append(_context("Nothing is waiting for your acknowledgement."))
    for item in awaiting[:MAX_ROWS]:
        blocks.append(_row(incident_line(item, branches), _button(
            Action.HOME_ACKNOWLEDGE, "Acknowledge", item.incident.id, "primary")))
    blocks += _more(min(len(awaiting), MAX_ROWS), len(awaiting), "See the supervisors channel.")
    return blocks + tasks_blocks(tasks)


def branch_filter(branches: Mapping[str, Branch], chosen: str | None) -> dict[str, Any]:
    """The branch select of the Security Home (at most 100 options, "All branches" first)."""
    options = [{"text": plain("All branches"), "value": ALL_BRANCHES}]
    options += [{"text": plain(branch.name), "value": code}
                for code, branch in list(branches.items())[:99]]
    element: dict[str, Any] = {"type": "static_select", "action_id": Action.HOME_BRANCH.value,
                               "options": options}
    initial = next((o for o in options if o["value"] == (chosen or ALL_BRANCHES)), options[0])
    element["initial_option"] = initial
    return {"type": "actions", "block_id": "care_home_branch", "elements": [element]}


def security_section(items: Sequence, safety_plans: Sequence, branches: Mapping[str, Branch],
                     chosen_branch: str | None, figures: Sequence[str]) -> list[dict[str, Any]]:
    """All open incidents (danger first) with who has them, safety plans, the 30-day figures."""
    shown = [item for item in items if not chosen_branch
             or item.incident.branch == chosen_branch]
    blocks: list[dict[str, Any]] = [_header(SECURITY_TITLE), branch_filter(branches,
                                                                         chosen_branch)]
    danger = sum(1 for item in shown if item.incident.danger)
    overdue = sum(1 for item in shown if item.overdue)
    blocks.append(_context(f"{len(shown)} open · {danger} with immediate danger · "
                           f"{overdue} overdue"))
    if not shown:
        blocks.append(_context("No open incidents."))
    for item in shown[:MAX_ROWS]:
        blocks.append(_row(incident_line(item, branches),
                           _button(Action.SHOW_DETAILS, "Details", item.incident.id)))
    blocks += _more(min(len(shown), MAX_ROWS), len(shown), "Type `/threat show REF`.")
    blocks += safety_plan_blocks(safety_plans, chosen_branch)
    blocks.append(_header("Last 30 days"))
    blocks.append(_row("\n".join(figures)))
    return blocks


def safety_plan_blocks(plans: Sequence, chosen_branch: str | None = None) -> list[dict]:
    """Safety plans still to be made, each with the checklist button."""
    plans = [p for p in plans if not chosen_branch or p.item.incident.branch == chosen_branch]
    blocks = [_header("Safety plans pending")]
    if not plans:
        return [*blocks, _context("No safety plans pending.")]
    for plan in plans[:MAX_ROWS]:
        blocks.append(_row(task_line(plan), _button(
            Action.UPDATE_CHECKLIST, "Update checklist", plan.item.incident.id)))
    return blocks + _more(min(len(plans), MAX_ROWS), len(plans), "Type `/threat list`.")


def hr_section(reported: Sequence, safety_plans: Sequence,
               wellbeing: Sequence[tuple[Any, Event]],
               branches: Mapping[str, Branch]) -> list[dict[str, Any]]:
    """Incidents reported to HR, safety plans pending, and wellbeing requests."""
    blocks: list[dict[str, Any]] = [_header(HR_TITLE), _header("Incidents reported to HR")]
    if not reported:
        blocks.append(_context("No open incidents have been reported to HR."))
    for item in reported[:MAX_ROWS]:
        blocks.append(_row(incident_line(item, branches),
                           _button(Action.SHOW_DETAILS, "Details", item.incident.id)))
    blocks += _more(min(len(reported), MAX_ROWS), len(reported), "Type `/threat export`.")
    blocks += safety_plan_blocks(safety_plans)
    blocks.append(_header("Wellbeing requests"))
    if not wellbeing:
        blocks.append(_context("No associate has asked to be contacted."))
    for item, event in wellbeing[:MAX_ROWS]:
        blocks.append(_row(
            f"{mention(event.actor)} asked for someone to contact them about "
            f"*{item.incident.ref}* · {slack_date(event.at)}"))
    return blocks

