"""The CARE answers as readable mrkdwn sections, for the review step and the thread."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from care_bot.config import Branch
from care_bot.domain import glossary
from care_bot.domain.care import (
    ACTIONS,
    ASSESSMENT_ANSWERS,
    ASSESSMENT_QUESTIONS,
    CLIENT_NOT_KNOWN,
    CLIENT_STATUS,
    LIKELIHOOD,
    NOT_A_CLIENT,
    RECOMMENDATIONS,
    THREAT_CHANNELS,
    THREAT_KINDS,
    THREAT_SIGNS,
    client_answer,
)
from care_bot.views.fields import YES_NO
from care_bot.views.text import escape, mention, safe, slack_date

ICS_FINDS = f"the {glossary.spelled('ICS')} finds them"

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
    """Return the threat kinds as a comma-separated label ("Other" with its description)."""
    kinds = []
    for key in answers.get("threat_kinds") or []:
        if key == "other" and answers.get("threat_kind_other"):
            kinds.append(f"Other: {safe(answers['threat_kind_other'], 150)}")
        elif key in THREAT_KINDS:
            kinds.append(THREAT_KINDS[key])
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


def _tag(letter: str, tags: bool) -> str:
    return f" _({letter})_" if tags else ""


def _happened(a: Mapping[str, Any], tags: bool) -> str:
    happened = (
        f"*What happened*{_tag('C · Client Service Excellence', tags)}\n"
        f"*When:* {slack_date(a.get('occurred_at'))}\n"
        f"*How:* {_choice(THREAT_CHANNELS, a.get('threat_channel'))}\n"
        f"*Kinds:* {kinds_label(a)}\n"
        f"*Client:* {client_label(a)}"
    )
    if a.get("supervisor_called"):
        happened += "\n*Supervisor:* called over while it happened"
    if a.get("supervisor_contacted"):  # asked by earlier versions of the form
        happened += ("\n*Supervisor already contacted:* "
                     f"{_choice(YES_NO, a.get('supervisor_contacted'))}")
    return happened


def _judgement(a: Mapping[str, Any], tags: bool) -> str:
    judgement = f"*Your judgement*{_tag('A · Assess and Action', tags)}\n"
    if a.get("likelihood") or not any(a.get(k) for k in ASSESSMENT_QUESTIONS):
        judgement += ("*How likely to be acted on:* "
                      f"{_choice(LIKELIHOOD, a.get('likelihood'))}")
    else:  # a report from the earlier form, with three questions
        judgement += "\n".join(
            f"{question} {_choice(ASSESSMENT_ANSWERS, a.get(key))}"
            for key, question in ASSESSMENT_QUESTIONS.items()
        )
    signs = [THREAT_SIGNS[s] for s in a.get("did_they") or [] if s in THREAT_SIGNS]
    if signs:
        judgement += f"\n*They did:* {', '.join(signs)}"
    judgement += f"\n*Action:* {_choice(ACTIONS, a.get('action_taken'))}" + _law_enforcement(a)
    if a.get("danger_now"):
        judgement += f"\n*In danger now (asked on the review):* {_choice(YES_NO, a['danger_now'])}"
    return judgement


def client_label(answers: Mapping[str, Any]) -> str:
    """Whether the person was a client: "A client", "Not a client" or "Not known"."""
    answer = client_answer(answers)
    return "Not known" if answer == CLIENT_NOT_KNOWN else CLIENT_STATUS[answer]


def report_parts(
    answers: Mapping[str, Any], branches: Mapping[str, Branch], include_private: bool,
    tags: bool = True,
) -> list[tuple[str, list[str]]]:
    """Return (step, mrkdwn sections) for each part of the report, in the modal's order.

    ``tags`` adds the CARE letters for the records; the associate's own review has none.
    """
    a = answers
    danger = "*Yes*" if a.get("danger") == "yes" else "No"
    happened = _happened(a, tags)
    judgement = _judgement(a, tags)
    told = (
        f"*Who will be told*{_tag('R · Report', tags)}\n"
        f"Associate: {safe(a.get('associate_name'), 150) or '—'}, "
        f"{safe(a.get('associate_position'), 150) or '—'}, "
        f"{safe(a.get('associate_location'), 150) or '—'}\n"
        f"Supervisor: {mention(a.get('supervisor'))}\n"
        f"{glossary.spelled('RXM')}: {mention(a.get('rxm'))}\n"
        f"{glossary.spelled('ICS')}: {mention(a.get('ics'))}\n"
        f"Market President: {_person_or_later(a.get('market_president'))}\n"
        f"Account officer: {_person_or_later(a.get('account_officer'), ICS_FINDS)}"
    )
    if a.get("officer_name") and a.get("action_taken") != "law_enforcement":
        told += f"\nLaw enforcement officer: {safe(a.get('officer_name'), 150)}"
    relationship = [
        f"*The client relationship*{_tag('E · Evaluate the relationship', tags)}\n"
        + (_private(a) if include_private else "_Client and account details are kept private._")
        + f"\nRecommendation: {_choice(RECOMMENDATIONS, a.get('recommendation'))}",
    ]
    if client_answer(a) == NOT_A_CLIENT:
        relationship = [f"*The client relationship*{_tag('E · Evaluate the relationship', tags)}"
                        "\nNot applicable: not a client"]
    if a.get("recommendation_note") and client_answer(a) != NOT_A_CLIENT:
        relationship += quoted_sections("Why", a.get("recommendation_note"))
    parts = [
        ("safety", [f"*Safety*\nImmediate danger: {danger}\nWhere: {branch_label(a, branches)}"]),
        ("client_service", [
            happened,
            *quoted_sections("What happened", a.get("what_happened")),
            *quoted_sections("Client's words", a.get("client_words")),
            *quoted_sections("Accommodation tried", a.get("accommodation")),
        ]),
        ("assess", [judgement]),
        ("report", [told, *relationship]),
    ]
    return [(step, [text.strip()[:SECTION_LIMIT] for text in texts]) for step, texts in parts]


def report_sections(
    answers: Mapping[str, Any], branches: Mapping[str, Branch], include_private: bool,
    tags: bool = True,
) -> list[str]:
    """Return the CARE answers as mrkdwn sections, long answers in full; private only if asked."""
    return [text for _step, texts in report_parts(answers, branches, include_private, tags)
            for text in texts]


def _person_or_later(user_id: str | None, later: str = "filled in later") -> str:
    return mention(user_id) if user_id else f"— ({later})"


def _law_enforcement(a: Mapping[str, Any]) -> str:
    if a.get("action_taken") != "law_enforcement":
        return ""
    return (
        f"\nAgency: {safe(a.get('agency'), 150) or '—'}"
        f" · Officer: {safe(a.get('officer_name'), 150) or '—'}"
        f" · Report no.: {safe(a.get('police_report'), 60) or '—'}"
    )


def _private(a: Mapping[str, Any]) -> str:
    client = safe(a.get("client_name"), 150) or (
        "not known" if client_answer(a) == CLIENT_NOT_KNOWN else "—")
    return (
        f"Client: {client}\n"
        f"Account(s): {safe(a.get('accounts'), 300) or '—'}"
    )
