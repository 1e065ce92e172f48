"""Client identity kept out of free text where the privacy rule keeps client details away.

Before typed text goes to the supervisors channel, or to the DMs and Homes of people outside
the privacy rule (``care.VIEW_PRIVATE``), the client's name and account references are replaced
in every free-text answer by "[client]" and "[account]". The database keeps the full text, and
security and the people the rule names see it. Stdlib only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from care_bot.domain.models import Incident

CLIENT_MARK = "[client]"
ACCOUNT_MARK = "[account]"
# The answers a person types freely (a name or an account number can end up in any of them).
FREE_TEXT = ("what_happened", "client_words", "accommodation", "threat_kind_other",
             "recommendation_note", "location_detail",
             "associate_location")  # the branch and "where exactly", as the report shows it
MIN_PART = 3
ACCOUNT_WORDS = r"(?:accounts?|acct|acc|a/c|ending|ends?\s+in|number|no\.?|#)"
# A digit run of 4 or more (spaces or dashes inside) after words like "account" or "ending".
AFTER_ACCOUNT_WORD = re.compile(
    rf"(?i)(\b{ACCOUNT_WORDS}[\s:#.*x-]{{0,12}}?(?:\w+\s+){{0,2}}?[\s:#*x.-]*)"
    r"(\d(?:[\d -]{2,}\d))(?!\d)")
TOKEN_SPLIT = re.compile(r"[,;/\s]+")


def name_parts(name: str) -> list[str]:
    """The full name and each part of it with 3 letters or more, longest first.

    Parts are split at spaces and hyphens; an apostrophe stays inside its part ("O'Neil").
    """
    name = " ".join((name or "").split())
    if not name:
        return []
    parts = {name}
    for word in name.split(" "):
        pieces = [word, *word.split("-")]
        parts.update(p.strip(".,") for p in pieces
                     if sum(ch.isalpha() for ch in p) >= MIN_PART)
    return sorted(parts, key=lambda part: (-len(part), part))


def account_refs(accounts: str) -> list[str]:
    """The references typed in the accounts field that carry digits, longest first, with
    their digit runs of 4 or more ("****1234" gives "****1234" and "1234")."""
    refs: set[str] = set()
    for token in TOKEN_SPLIT.split(accounts or ""):
        runs = re.findall(r"\d{4,}", token)
        if runs:
            refs.add(token)
            refs.update(runs)
    return sorted(refs, key=lambda ref: (-len(ref), ref))


def _pattern(literals: Iterable[str]) -> re.Pattern | None:
    words = [re.escape(w) for w in literals if w]
    if not words:
        return None
    # Whole words only (the group makes the edges apply to every alternative); a possessive
    # "'s" still counts as the end of the name, any other apostrophe joins a longer word.
    return re.compile(rf"(?<![\w'])(?:{'|'.join(words)})(?!\w)(?!'(?!s\b)\w)",
                      re.IGNORECASE)


def mask(text: str, client_name: str = "", accounts: str = "") -> str:
    """Replace the client's name and account references in ``text``."""
    if not text:
        return text
    refs = _pattern(account_refs(accounts))
    if refs:
        text = refs.sub(ACCOUNT_MARK, text)
    text = AFTER_ACCOUNT_WORD.sub(lambda m: m.group(1) + ACCOUNT_MARK, text)
    names = _pattern(name_parts(client_name))
    if names:
        text = names.sub(CLIENT_MARK, text)
    return text


def masked_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with every free-text answer masked (the private fields are left as they
    are: they are never shown outside the rule anyway)."""
    name, accounts = answers.get("client_name") or "", answers.get("accounts") or ""
    masked = dict(answers)
    for key in FREE_TEXT:
        value = answers.get(key)
        if isinstance(value, str) and value:
            masked[key] = mask(value, name, accounts)
    return masked


def masked_incident(incident: Incident) -> Incident:
    """The incident as someone outside the privacy rule may read its free text."""
    return replace(incident, answers=masked_answers(incident.answers))


# Free text typed after the report, kept in audit events: task notes, comments, reasons.
EVENT_TEXT = ("note", "comment", "reason", "rationale")


def mask_for(incident: Incident, text: str) -> str:
    """``text`` as someone outside the privacy rule may read it about this incident."""
    answers = incident.answers
    return mask(text, answers.get("client_name") or "", answers.get("accounts") or "")


def masked_states(states: Mapping[str, Any], incident: Incident) -> dict[str, Any]:
    """Checklist states (``checklist.TaskDone``) with every typed note masked."""
    return {key: replace(done, note=mask_for(incident, done.note)) if done.note else done
            for key, done in states.items()}


def masked_events(events: Iterable[Any], incident: Incident) -> list[Any]:
    """Audit events (``models.Event``) with the typed text in their detail masked."""
    shown = []
    for event in events:
        detail = {key: mask_for(incident, value) if key in EVENT_TEXT and isinstance(value, str)
                  else value for key, value in event.detail.items()}
        shown.append(replace(event, detail=detail))
    return shown


def for_outside(incident: Incident, states: Mapping[str, Any]) -> tuple[Incident, dict]:
    """The incident and its checklist states as a reader outside the privacy rule sees them."""
    return masked_incident(incident), masked_states(states, incident)


def for_audience(incident: Incident, states: Mapping[str, Any], audience: str
                 ) -> tuple[Incident, Mapping[str, Any]]:
    """What a channel's parent message shows: masked in the supervisors channel (outside the
    privacy rule), in full in the security channel."""
    return for_outside(incident, states) if audience == "supervisors" else (incident, states)


def by_channel(incident: Incident) -> list[tuple[str, Incident]]:
    """Each channel thread with the incident as its readers may see it (masked for the
    supervisors, in full for security)."""
    return [("supervisors", masked_incident(incident)), ("security", incident)]
