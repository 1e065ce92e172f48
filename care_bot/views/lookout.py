""""Be on the lookout" notices and trespass / no-contact orders in Block Kit. Pure builders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from care_bot.domain import glossary
from care_bot.ids import INPUT_ACTION, Action, Block, Callback
from care_bot.views.text import mention, mrkdwn, plain, safe, slack_date

# Channel buttons say whose they are (see glossary.whose).
END_LABEL = glossary.whose(glossary.SECURITY, "end notice")

ALL = "*"
ORDER_KINDS = {
    "trespass": "Trespass",
    "no_contact": "No-contact",
    "barred_branch": "Barred from the branch",
    "barred_all": "Barred from all branches",
}
ORDER_NOUNS = {
    "trespass": "trespass order",
    "no_contact": "no-contact order",
    "barred_branch": "order barring them from the branch",
    "barred_all": "order barring them from all branches",
}
WHAT_TO_DO = {
    "call_security": "Call security",
    "do_not_serve": "Do not serve",
    "call_911": "Call 911",
}
DEFAULT_DESCRIPTION = (
    "A person linked to earlier threat reports may come to your branch. Security will share "
    "what you need to recognise them."
)
UNSEEN_LISTED = 30


def branch_names(codes: Sequence[str], branches: Mapping[str, Any], limit: int = 5) -> str:
    """"Harbor Street, Pier Road" (or "all branches"), shortened past ``limit`` names."""
    if ALL in codes:
        return "all branches"
    names = [branches[c].name if c in branches else c for c in codes]
    if len(names) > limit:
        return f"{', '.join(names[:limit])} and {len(names) - limit} more"
    return ", ".join(names) or "no branch"


def chosen_branches(answers: Mapping[str, Any]) -> list[str]:
    """The branch codes a notice or order form chose, or [ALL] when "All branches" is ticked."""
    if answers.get("all_branches"):
        return [ALL]
    return [c for c in answers.get("target_branches") or [] if isinstance(c, str)]


def order_banner(order: Mapping[str, Any], branches: Mapping[str, Any],
                 today: str | None = None) -> str:
    """"Active trespass order (Harbor Street, until 2027-01-31)", or how it stopped."""
    noun = ORDER_NOUNS.get(order["kind"], "order")
    where = branch_names(order["branches"], branches)
    head = "Active"
    if order.get("ended_at"):
        head = "Ended"
    elif today and order["ends_on"] < today:
        head = "Past"
    return f"{head} {noun} ({where}, until {order['ends_on']})"


def local_date(epoch: float, timezone: str) -> str:
    """YYYY-MM-DD in the bank's time zone."""
    return datetime.fromtimestamp(epoch, ZoneInfo(timezone)).strftime("%Y-%m-%d")


def notice_line(notice: Mapping[str, Any], branches: Mapping[str, Any], timezone: str) -> str:
    """"Be on the lookout notice to Downtown, Harbor (until 2026-12-06)", or how it ended."""
    where = branch_names(notice["branches"], branches)
    if notice.get("ended_at"):
        return f"Be on the lookout notice to {where}, ended early"
    return (f"Be on the lookout notice to {where} "
            f"(until {local_date(notice['expires_at'], timezone)})")


def _branch_inputs(branches: Mapping[str, Any]) -> list[dict[str, Any]]:
    options = [{"text": plain(b.name, 75), "value": code}
               for code, b in list(branches.items())[:100]]
    return [
        {"type": "input", "block_id": Block.TARGET_BRANCHES.value, "optional": True,
         "label": plain("Branches", 2000),
         "element": {"type": "multi_static_select", "action_id": INPUT_ACTION,
                     "placeholder": plain("Choose branches", 150), "options": options}},
        {"type": "input", "block_id": Block.ALL_BRANCHES.value, "optional": True,
         "label": plain("Or every branch", 2000),
         "element": {"type": "checkboxes", "action_id": INPUT_ACTION,
                     "options": [{"text": plain("All branches", 75), "value": "all"}]}},
    ]


def notice_modal(person_id: int, branches: Mapping[str, Any], now: float) -> dict[str, Any]:
    """"Be on the lookout": branches, description, what to do, expiry."""
    todo = [{"text": plain(label, 75), "value": key} for key, label in WHAT_TO_DO.items()]
    return {
        "type": "modal", "callback_id": Callback.NOTICE_NEW.value,
        "private_metadata": str(person_id), "title": plain("Be on the lookout", 24),
        "submit": plain("Send notice", 24), "close": plain("Cancel", 24),
        "blocks": [
            *_branch_inputs(branches),
            {"type": "input", "block_id": Block.NOTICE_DESCRIPTION.value,
             "label": plain("Description", 2000),
             "hint": plain("What the branches see. It names nobody unless you decide to "
                           "share a name; that decision is recorded.", 2000),
             "element": {"type": "plain_text_input", "action_id": INPUT_ACTION,
                         "multiline": True, "max_length": 1500,
                         "initial_value": DEFAULT_DESCRIPTION}},
            {"type": "input", "block_id": Block.NOTICE_ACTIONS.value,
             "label": plain("If the person comes in", 2000),
             "element": {"type": "checkboxes", "action_id": INPUT_ACTION, "options": todo,
                         "initial_options": [todo[0]]}},
            {"type": "input", "block_id": Block.NOTICE_EXPIRES.value,
             "label": plain("Expires", 2000),
             "element": {"type": "datetimepicker", "action_id": INPUT_ACTION,
                         "initial_date_time": int(now + 7 * 86400)}},
        ],
    }


def order_modal(person_id: int, branches: Mapping[str, Any]) -> dict[str, Any]:
    """Record an order: kind, branches, start, end or review date, note."""
    kinds = [{"text": plain(label, 75), "value": key} for key, label in ORDER_KINDS.items()]
    return {
        "type": "modal", "callback_id": Callback.ORDER_NEW.value,
        "private_metadata": str(person_id), "title": plain("Record an order", 24),
        "submit": plain("Save", 24), "close": plain("Cancel", 24),
        "blocks": [
            {"type": "input", "block_id": Block.ORDER_KIND.value, "label": plain("Kind", 2000),
             "element": {"type": "radio_buttons", "action_id": INPUT_ACTION,
                         "options": kinds}},
            *_branch_inputs(branches),
            {"type": "input", "block_id": Block.ORDER_STARTS.value, "label": plain("Starts", 2000),
             "element": {"type": "datepicker", "action_id": INPUT_ACTION}},
            {"type": "input", "block_id": Block.ORDER_ENDS.value,
             "label": plain("Ends, or is due for review, on", 2000),
             "element": {"type": "datepicker", "action_id": INPUT_ACTION}},
            {"type": "input", "block_id": Block.ORDER_NOTE.value, "optional": True,
             "label": plain("Note", 2000),
             "element": {"type": "plain_text_input", "action_id": INPUT_ACTION,
                         "multiline": True, "max_length": 1000}},
        ],
    }


def _todo_text(todo: Sequence[str]) -> str:
    return ", ".join(WHAT_TO_DO[k] for k in todo if k in WHAT_TO_DO) or "Call security"


def notice_message(notice: Mapping[str, Any], recipient_id: int, where: str,
                   seen_by: str | None = None, seen_at: float | None = None,
                   ended: str = "") -> dict[str, Any]:
    """The notice as a branch receives it, with its "Seen" button (or who saw it)."""
    body = (f":eyes: *Be on the lookout* ({safe(where, 300)})\n"
            f"{safe(notice['description'], 1500)}\n"
            f"*If the person comes in:* {_todo_text(notice['todo'])}\n"
            f"*Until:* {slack_date(notice['expires_at'])}")
    blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn(body)}]
    if ended:
        blocks.append({"type": "context", "elements": [mrkdwn(ended)]})
    elif seen_at:
        blocks.append({"type": "context", "elements": [mrkdwn(
            f":white_check_mark: Seen by {mention(seen_by)} {slack_date(seen_at)}")]})
    else:
        blocks.append({"type": "actions", "block_id": f"notice_{recipient_id}", "elements": [
            {"type": "button", "action_id": Action.NOTICE_SEEN.value, "style": "primary",
             "text": plain("Seen"), "value": str(recipient_id)}]})
    return {"text": f"Be on the lookout ({where})", "blocks": blocks}


def _seen_text(rows: Sequence[Mapping[str, Any]], branches: Mapping[str, Any]) -> str:
    seen = [r for r in rows if r["seen_at"]]
    unseen = [r for r in rows if not r["seen_at"]]
    text = f"*Seen:* {len(seen)} of {len(rows)}"
    if seen[:UNSEEN_LISTED]:
        text += "\n" + ", ".join(
            f"{branch_names(r['branches'], branches, 2)} ({mention(r['seen_by'])})"
            for r in seen[:UNSEEN_LISTED])
    if unseen:
        names = ", ".join(branch_names(r["branches"], branches, 2)
                          for r in unseen[:UNSEEN_LISTED])
        more = f" and {len(unseen) - UNSEEN_LISTED} more" if len(unseen) > UNSEEN_LISTED else ""
        text += f"\n*Not seen yet:* {names}{more}"
    return text


def notice_status(notice: Mapping[str, Any], rows: Sequence[Mapping[str, Any]],
                  branches: Mapping[str, Any], ref: str, now: float) -> dict[str, Any]:
    """The notice's post in the security channel: who has seen it, who has not."""
    where = branch_names(notice["branches"], branches)
    if notice.get("ended_at"):
        state = f"Ended early by {mention(notice.get('ended_by'))} {slack_date(notice['ended_at'])}"
    elif notice["expires_at"] <= now:
        state = f"Expired {slack_date(notice['expires_at'])}"
    else:
        state = f"Active until {slack_date(notice['expires_at'])}"
    head = (f":eyes: *Be on the lookout* to {safe(where, 300)}, issued by "
            f"{mention(notice['created_by'])} from `/threat person {ref}`\n{state}")
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": mrkdwn(head)},
        {"type": "section", "text": mrkdwn(_seen_text(rows, branches)[:3000])},
    ]
    if not notice.get("ended_at") and notice["expires_at"] > now:
        blocks.append({"type": "actions", "block_id": f"notice_end_{notice['id']}", "elements": [
            {"type": "button", "action_id": Action.NOTICE_END.value, "text": plain(END_LABEL),
             "value": str(notice["id"]),
             "confirm": {"title": plain("End this notice?", 100),
                         "text": plain("Every branch's Home stops showing it.", 300),
                         "confirm": plain("End notice", 30), "deny": plain("Keep it", 30)}}]})
    return {"text": f"Be on the lookout to {where}", "blocks": blocks}


def thread_line(text: str) -> dict[str, Any]:
    """A plain reply in a notice's or order's thread."""
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text[:3000])}]}


def home_blocks(title: str, lines: Sequence[str]) -> list[dict[str, Any]]:
    """A Home section listing active notices and orders (no names)."""
    if not lines:
        return []
    body = "\n".join(f"• {safe(line, 300)}" for line in lines[:20])
    return [{"type": "header", "text": plain(title, 150)},
            {"type": "section", "text": mrkdwn(body[:3000])}]
