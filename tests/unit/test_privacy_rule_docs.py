"""The privacy rule is one rule in care.py, and docs/security-and-data.md states the same rule."""

from __future__ import annotations

import re
from pathlib import Path

from care_bot.domain import care

REPO = Path(__file__).resolve().parents[2]
# How the docs name each branch post of the rule.
POST_WORDS = {"reporter": "the reporter", "ics": "ICS", "account_officer": "account officer",
              "market_president": "Market President"}


def _docs_rule() -> str:
    text = (REPO / "docs" / "security-and-data.md").read_text()
    match = re.search(r"\*\*The privacy\s+rule\*\*(.*?)A supervisor does not see them", text, re.S)
    assert match, "docs/security-and-data.md states the privacy rule"
    return " ".join(match.group(1).split())


def _care_comment() -> str:
    source = (REPO / "care_bot" / "domain" / "care.py").read_text()
    match = re.search(r"# Who sees the client's name.*?\n(?=VIEW_PRIVATE)", source, re.S)
    assert match, "care.py states the rule above VIEW_PRIVATE"
    return " ".join(line.lstrip("# ") for line in match.group(0).splitlines())


def test_docs_name_every_role_and_post_of_the_rule_and_no_other():
    """Each role and post in VIEW_PRIVATE is in the docs' list; supervisors are not."""
    rule = _docs_rule()
    assert "`VIEW_PRIVATE` in `care_bot/domain/care.py`" in rule
    for role in care.VIEW_PRIVATE.roles:
        assert f"`{role}`" in rule, role
    for post in care.VIEW_PRIVATE.people:
        assert POST_WORDS[post] in rule, post
    for role in set(care.ROLE_LABELS) - set(care.VIEW_PRIVATE.roles):
        assert f"`{role}`" not in rule, role


def test_care_py_comment_matches_the_rule_it_documents():
    """The comment above VIEW_PRIVATE names the same roles and posts, and excludes supervisors."""
    comment = _care_comment()
    for role in care.VIEW_PRIVATE.roles:
        assert f"`{role}`" in comment or care.ROLE_LABELS[role] in comment, role
    for post in care.VIEW_PRIVATE.people:
        assert POST_WORDS[post] in comment, post
    assert "Supervisors do not" in comment
    assert "supervisor" not in care.VIEW_PRIVATE.people
    assert care.ROLE_SUPERVISORS not in care.VIEW_PRIVATE.roles
