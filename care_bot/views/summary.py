"""The CARE answers as readable mrkdwn sections, for the review step and the thread."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from care_bot.care import (
    ACTIONS,
    ASSESSMENT_ANSWERS,
    ASSESSMENT_QUESTIONS,
    RECOMMENDATIONS,
    THREAT_CHANNELS,
    THREAT_KINDS,
)
from care_bot.config import Branch
from care_bot.views.fields import YES_NO
from care_bot.views.text import escape, mention, safe, slack_date

SECTION_LIMIT = 3000
QUOTE_CHUNK = 2900


def branch_label(answers: Mapping[str, Any], branches: Mapping[str, Branch]) -> str:
    """Return the escaped branch name and exact spot the associate gave."""
    code = answers.get("branch")
    name = branches[code].name if code in branches else ""
    detail = answers.get("location_detail") or ""
    parts = [part for part in (name, detail) if part]
    return safe(" · ".join(parts), 300) if parts else "not given"


def kinds_label(answers: Mapping[str, Any]) -> str:
    """Return the threat kinds as a comma-separated label."""
    kinds = [THREAT_KINDS[k] for k in answers.get("threat_kinds") or [] if k in THREAT_KINDS]
    return ", ".join(kinds) or "not given"


def _choice(options: Mapping[str, str], value: Any) -> str:
    return options.get(value, "not given") if value else "not given"


def quoted_sections(title: str, text: str | None) -> list[str]:
    """Quote a long answer in full, escaped, split into sections that fit Slack's limit."""
    escaped = escape(text)
    if not escaped.strip():
        return [f"*{title}*\n_not given_"]
    sections, current = [], f"*{title}*"
    for line in escaped.splitlines():
        while line:
            room = QUOTE_CHUNK - len(current) - 2
            piece, rest = _cut(line, room) if room > 0 else ("", line)
            if not piece:  # no room left in this section: start the next one
                sections.append(current)
                current = f"*{title} (continued)*"
                continue
            current += f"\n>{piece}"
            line = rest
    sections.append(current)
    return sections


def _cut(line: str, room: int) -> tuple[str, str]:
    """Split a line at ``room`` characters without breaking an &amp;-style entity."""
    if len(line) <= room:
        return line, ""
    amp = line.rfind("&", max(room - 5, 0), room)
    at = amp if amp >= 0 and ";" not in line[amp:room] else room
    return line[:at], line[at:]


def report_sections(
    answers: Mapping[str, Any], branches: Mapping[str, Branch], include_private: bool
) -> list[str]:
    """Return the CARE answers as mrkdwn sections, long answers in full; private only if asked."""
    a = answers
    danger = "*Yes*" if a.get("danger") == "yes" else "No"
    sections = [
        f"*Safety*\nImmediate danger: {danger}\nWhere: {branch_label(a, branches)}",
        "*C · Client Service Excellence*\n"
        f"*When:* {slack_date(a.get('occurred_at'))}\n"
        f"*How:* {_choice(THREAT_CHANNELS, a.get('threat_channel'))}\n"
        f"*Kinds:* {kinds_label(a)}\n"
        f"*Supervisor already contacted:* {_choice(YES_NO, a.get('supervisor_contacted'))}",
        *quoted_sections("What happened", a.get("what_happened")),
        *quoted_sections("Client's words", a.get("client_words")),
        *quoted_sections("Accommodation tried", a.get("accommodation")),
        "*A · Assess and Action*\n"
        + "\n".join(
            f"{question} {_choice(ASSESSMENT_ANSWERS, a.get(key))}"
            for key, question in ASSESSMENT_QUESTIONS.items()
        )
        + f"\n*Action:* {_choice(ACTIONS, a.get('action_taken'))}"
        + _law_enforcement(a),
        "*R · Report*\n"
        f"Associate: {safe(a.get('associate_name'), 150) or '—'}, "
        f"{safe(a.get('associate_position'), 150) or '—'}, "
        f"{safe(a.get('associate_location'), 150) or '—'}\n"
        f"Supervisor: {mention(a.get('supervisor'))}\n"
        f"Regional Experience Manager: {mention(a.get('rxm'))}\n"
        f"Market President: {mention(a.get('market_president'))}\n"
        f"Law enforcement officer: {safe(a.get('officer_name'), 150) or '—'}",
        "*E · Evaluate relationship*\n"
        + (_private(a) if include_private else "_Client and account details are kept private._")
        + f"\nICS: {mention(a.get('ics'))}\n"
        f"Account officer: {mention(a.get('account_officer'))}\n"
        f"Recommendation: {_choice(RECOMMENDATIONS, a.get('recommendation'))}",
    ]
    if a.get("recommendation_note"):
        sections += quoted_sections("Why", a.get("recommendation_note"))
    return [section.strip()[:SECTION_LIMIT] for section in sections]


def _law_enforcement(a: Mapping[str, Any]) -> str:
    if a.get("action_taken") != "law_enforcement":
        return ""
    return (
        f"\nAgency: {safe(a.get('agency'), 150) or '—'}"
        f" · Officer: {safe(a.get('officer_name'), 150) or '—'}"
        f" · Report no.: {safe(a.get('police_report'), 60) or '—'}"
    )


def _private(a: Mapping[str, Any]) -> str:
    return (
        f"Client: {safe(a.get('client_name'), 150) or '—'}\n"
        f"Account(s): {safe(a.get('accounts'), 300) or '—'}"
    )
