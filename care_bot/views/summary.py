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
from care_bot.views.text import mention, safe, slack_date

SECTION_LIMIT = 3000


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


def _quote(text: str | None, limit: int) -> str:
    """Quote user text line by line, escaped, in at most ``limit`` characters in all."""
    value = safe(text, limit)
    if not value:
        return "_not given_"
    quoted, used = [], 0
    for line in value.splitlines():
        if used + len(line) + 2 > limit:
            quoted.append(">…")
            break
        quoted.append(f">{line}")
        used += len(line) + 2
    return "\n".join(quoted)


def _choice(options: Mapping[str, str], value: Any) -> str:
    return options.get(value, "not given") if value else "not given"


def report_sections(
    answers: Mapping[str, Any], branches: Mapping[str, Branch], include_private: bool
) -> list[str]:
    """Return one mrkdwn text per CARE section; private client details only when asked."""
    a = answers
    danger = "*Yes*" if a.get("danger") == "yes" else "No"
    sections = [
        f"*Safety*\nImmediate danger: {danger}\nWhere: {branch_label(a, branches)}",
        "*C · Client Service Excellence*\n"
        f"*What happened*\n{_quote(a.get('what_happened'), 1200)}\n"
        f"*Client's words*\n{_quote(a.get('client_words'), 600)}\n"
        f"*When:* {slack_date(a.get('occurred_at'))}\n"
        f"*How:* {_choice(THREAT_CHANNELS, a.get('threat_channel'))}\n"
        f"*Kinds:* {kinds_label(a)}\n"
        f"*Accommodation tried*\n{_quote(a.get('accommodation'), 600)}\n"
        f"*Supervisor already contacted:* {_choice(YES_NO, a.get('supervisor_contacted'))}",
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
        f"Recommendation: {_choice(RECOMMENDATIONS, a.get('recommendation'))}\n"
        f"{_quote(a.get('recommendation_note'), 500) if a.get('recommendation_note') else ''}",
    ]
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
