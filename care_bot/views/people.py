"""People of concern in Block Kit: "Seen before:", suggestions, the person's page, link modals.

Channel messages never carry a name or an account: references, branches, dates and kinds.
The person's page (a modal, seen only by the privacy rule's people) shows the names given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from care_bot.domain import glossary
from care_bot.domain.care import ACCOUNT_DECISIONS, LIKELIHOOD
from care_bot.ids import INPUT_ACTION, Action, Block, Callback
from care_bot.views.lookout import notice_line, order_banner
from care_bot.views.text import mention, mrkdwn, plain, safe

# Channel buttons say whose they are (see glossary.whose).
SAME_LABEL = glossary.whose(glossary.SECURITY, "same person")
NOT_SAME_LABEL = glossary.whose(glossary.SECURITY, "not the same")

SEEN_BEFORE_SHOWN = 10
PAGE_REPORTS_SHOWN = 40


@dataclass(frozen=True)
class ReportLine:
    """One linked report as security may see it in a channel (no name, no account)."""

    ref: str
    date: str  # YYYY-MM-DD, or YYYY-MM for a purged report
    branch: str = ""
    kinds: str = ""
    purged: bool = False
    likelihood: str = ""
    danger: bool = False
    outcome: str = ""

    def short(self) -> str:
        """"CARE-2026-0001 · Downtown · 2026-11-02 · Physical…", or the purged form."""
        if self.purged:
            return f"a purged report from {self.date}"
        # kinds come escaped (kinds_label); the branch name is escaped here
        parts = [self.ref, safe(self.branch, 100) or "branch not given", self.date,
                 self.kinds or "—"]
        return " · ".join(parts)


@dataclass(frozen=True)
class PersonPage:
    """Everything a person's page shows."""

    person_id: int
    opened_from: str  # the reference the page was opened with
    names: Sequence[str]
    accounts: Sequence[str]
    reports: Sequence[ReportLine]
    trend: str
    orders: Sequence[dict] = ()
    notices: Sequence[dict] = ()
    suggestions: Sequence[str] = ()
    security: bool = False  # the viewer may link, unlink, issue notices and record orders
    branches: dict = field(default_factory=dict)
    bank_timezone: str = "UTC"
    today: str = ""


def _message(text: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {"text": text, "blocks": blocks}


def seen_before(ref: str, why: str, earlier: Sequence[ReportLine], banners: Sequence[str],
                notices: Sequence[str]) -> dict[str, Any]:
    """The security thread's "Seen before:" reply: earlier references, never a name."""
    shown = list(earlier)[-SEEN_BEFORE_SHOWN:]
    lines = [f"• {line.short()}" for line in reversed(shown)]
    if len(earlier) > len(shown):
        lines.append(f"• and {len(earlier) - len(shown)} earlier report(s)")
    extra = [f":no_entry: *{safe(b, 300)}*" for b in banners]
    extra += [f":eyes: {safe(n, 300)}" for n in notices]
    count = len(earlier)
    text = (f"*Seen before:* the person this report names is linked to {count} earlier "
            f"report{'s' if count != 1 else ''} ({safe(why, 100)}).")
    blocks = [{"type": "section", "text": mrkdwn("\n".join([text, *lines, *extra])[:3000])},
              {"type": "context", "elements": [mrkdwn(
                  f"Names stay out of channels. The person's page: `/threat person {ref}`")]}]
    return _message(f"Seen before: {count} earlier report(s)", blocks)


def suggestion(suggestion_id: int, candidate: ReportLine, why: str) -> dict[str, Any]:
    """A likely-same person, offered to security to confirm or reject."""
    text = (f"*Possibly seen before:* {candidate.short()} names {safe(why, 100)}. "
            "Is it the same person?")
    value = str(suggestion_id)
    return _message("Possibly seen before: confirm or reject", [
        {"type": "section", "text": mrkdwn(text)},
        {"type": "actions", "block_id": f"suggestion_{suggestion_id}", "elements": [
            {"type": "button", "action_id": Action.LINK_CONFIRM.value, "style": "primary",
             "text": plain(SAME_LABEL), "value": value},
            {"type": "button", "action_id": Action.LINK_REJECT.value,
             "text": plain(NOT_SAME_LABEL), "value": value},
        ]},
        {"type": "context", "elements": [mrkdwn(
            "Only Corporate Security & Risk can decide. Names stay out of channels.")]},
    ])


def suggestion_decided(candidate: ReportLine, same: bool, user_id: str) -> dict[str, Any]:
    """The suggestion after a decision, re-rendered in place."""
    verdict = "linked as the same person" if same else "not the same person"
    text = f"{candidate.short()}: {verdict}, decided by {mention(user_id)}."
    return _message(f"Suggestion decided: {verdict}",
                    [{"type": "section", "text": mrkdwn(text)}])


def _report_text(line: ReportLine) -> str:
    if line.purged:
        return f"• _{line.short()}_"
    likely = LIKELIHOOD.get(line.likelihood, "—").split(":")[0]
    danger = " · *danger*" if line.danger else ""
    outcome = f" · {safe(line.outcome, 100)}" if line.outcome else ""
    return (f"• *{line.ref}* · {safe(line.branch, 100) or 'branch not given'} · {line.date} · "
            f"{line.kinds or '—'} · likelihood: {likely}{danger}{outcome}")


def outcome_of(status: str, decision: str | None) -> str:
    """A report's outcome in words: open, closed, and the account decision when made."""
    words = {"alerted": "alert, report not finished", "open": "open", "closed": "closed"}
    text = words.get(status, status)
    if decision:
        text += f", {ACCOUNT_DECISIONS.get(decision, decision).lower()}"
    return text


def _chunks(lines: Sequence[str], limit: int = 2900) -> list[str]:
    chunks, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*chunks, current] if current else chunks


def _actions(page: PersonPage) -> list[dict[str, Any]]:
    if not page.security:
        return []
    value = str(page.person_id)
    buttons = [("Be on the lookout", Action.NOTICE_NEW), ("Record an order", Action.ORDER_NEW),
               ("Link a report", Action.PERSON_LINK), ("Unlink a report", Action.PERSON_UNLINK)]
    return [{"type": "actions", "block_id": "person_actions", "elements": [
        {"type": "button", "action_id": action.value, "text": plain(label), "value": value}
        for label, action in buttons]}]


def person_view(page: PersonPage) -> dict[str, Any]:
    """The person's page: names, trend, linked reports in time order, orders and notices."""
    names = ", ".join(safe(n, 150) for n in page.names) or "—"
    accounts = ", ".join(safe(a, 100) for a in page.accounts) or "—"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain("Person of concern", 150)},
        {"type": "section", "text": mrkdwn(
            f":lock: *Names given:* {names}\n:lock: *Accounts given:* {accounts}"[:3000])},
        {"type": "section", "text": mrkdwn(f"*Trend:* {safe(page.trend, 300)}")},
        {"type": "header", "text": plain("Linked reports", 150)},
    ]
    shown = list(page.reports)[-PAGE_REPORTS_SHOWN:]
    if len(page.reports) > len(shown):
        blocks.append({"type": "context", "elements": [mrkdwn(
            f"{len(page.reports) - len(shown)} older reports are not shown here.")]})
    blocks += [{"type": "section", "text": mrkdwn(chunk)}
               for chunk in _chunks([_report_text(r) for r in shown])]
    if page.suggestions:
        blocks.append({"type": "section", "text": mrkdwn(
            "*Waiting for a decision:* " + "; ".join(page.suggestions))})
    blocks.append({"type": "header", "text": plain("Orders and notices", 150)})
    lines = [order_banner(o, page.branches, page.today) for o in page.orders]
    lines += [notice_line(n, page.branches, page.bank_timezone) for n in page.notices]
    blocks.append({"type": "section", "text": mrkdwn(
        "\n".join(f"• {safe(line, 300)}" for line in lines)[:3000] or "None.")})
    blocks += _actions(page)
    blocks.append({"type": "context", "elements": [mrkdwn(
        ":lock: Shown only to people the privacy rule allows. Opening this page is recorded.")]})
    return {"type": "modal", "callback_id": Callback.PERSON_PAGE.value,
            "private_metadata": str(page.person_id), "title": plain("Person's page", 24),
            "close": plain("Close", 24), "blocks": blocks[:100]}


def _ref_input(block: Block, label: str, hint: str) -> dict[str, Any]:
    return {"type": "input", "block_id": block.value, "label": plain(label, 2000),
            "hint": plain(hint, 2000),
            "element": {"type": "plain_text_input", "action_id": INPUT_ACTION, "max_length": 40,
                        "placeholder": plain("CARE-2026-0042", 150)}}


def _reason_input() -> dict[str, Any]:
    return {"type": "input", "block_id": Block.REASON.value, "label": plain("Reason", 2000),
            "element": {"type": "plain_text_input", "action_id": INPUT_ACTION,
                        "multiline": True, "max_length": 500}}


def link_modal(person_id: int, unlink: bool = False) -> dict[str, Any]:
    """Link a report to this person, or unlink one of theirs, with a reason."""
    if unlink:
        callback, title, block = Callback.PERSON_UNLINK, "Unlink a report", Block.UNLINK_REF
        hint = "The report stops being linked to this person. Recorded with your reason."
    else:
        callback, title, block = Callback.PERSON_LINK, "Link a report", Block.LINK_REF
        hint = "The report (and anyone linked to it) joins this person. Recorded with your reason."
    return {"type": "modal", "callback_id": callback.value, "private_metadata": str(person_id),
            "title": plain(title, 24), "submit": plain("Save", 24), "close": plain("Cancel", 24),
            "blocks": [_ref_input(block, "Report reference", hint), _reason_input()]}


def answered(text: str) -> dict[str, Any]:
    """A small modal that says what happened (after a link, a notice, an order)."""
    return {"type": "modal", "title": plain("Person's page", 24), "close": plain("Close", 24),
            "blocks": [{"type": "section", "text": mrkdwn(text[:3000])}]}
