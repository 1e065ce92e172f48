"""The README and docs/ link to each other correctly, and every docs/ page the code names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
DOCS_POINTER = re.compile(r"\bdocs/[A-Za-z0-9_.-]+\.(?:md|png)\b")
# Where the product points people at a page: error messages, log lines, comments, config files.
POINTING_FILES = [REPO / "bot.py", *sorted((REPO / "care_bot").rglob("*.py")),
                  *sorted((REPO / "config").iterdir()), *sorted((REPO / "scripts").iterdir())]


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks (a link or a heading inside one is not one)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def anchors(text: str) -> set[str]:
    """The #anchors GitHub gives a page's headings (duplicates numbered -1, -2, ...)."""
    seen: dict[str, int] = {}
    for line in prose_lines(text):
        heading = re.match(r"#{1,6}\s+(.*)", line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        if count:
            seen[f"{slug}-{count}"] = 1
    return set(seen)


def broken_links(page: Path) -> list[str]:
    """Each relative link on the page whose file or #anchor does not exist."""
    broken = []
    for line in prose_lines(page.read_text()):
        for target in LINK.findall(line):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto: ... (no network in tests)
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{target}: no such file")
            elif anchor and anchor not in anchors(linked.read_text()):
                broken.append(f"{target}: no heading with that anchor")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_docs_every_relative_link_and_anchor_resolves(page):
    assert broken_links(page) == []


def test_docs_link_check_catches_a_missing_file_and_a_missing_anchor(tmp_path):
    (tmp_path / "a.md").write_text("# A page\n\n## When CARE bot is down\n")
    page = tmp_path / "b.md"
    page.write_text("[ok](a.md#when-care-bot-is-down) [file](gone.md) [anchor](a.md#nowhere)\n"
                    "```\n[in code](ignored.md)\n```\n[self](#b-page)\n# B page\n")

    assert broken_links(page) == ["gone.md: no such file",
                                  "a.md#nowhere: no heading with that anchor"]


def test_docs_anchors_follow_githubs_rules():
    text = '# Acknowledge, then "Report to HR and CS&R"\n## `GET /healthz`\n## Notes\n## Notes\n'

    assert anchors(text) == {"acknowledge-then-report-to-hr-and-csr", "get-healthz",
                             "notes", "notes-1"}


@pytest.mark.parametrize("source", [p for p in POINTING_FILES if p.is_file()],
                         ids=lambda path: str(path.relative_to(REPO)))
def test_docs_every_page_the_code_and_config_point_to_exists(source):
    named = set(DOCS_POINTER.findall(source.read_text(errors="replace")))

    assert {name for name in named if not (REPO / name).exists()} == set()


def test_docs_settings_errors_point_to_the_settings_page():
    from care_bot import config

    assert (REPO / config.SETTINGS_DOC).exists()


def test_docs_readme_stays_short():
    """The README is the front door: what CARE bot is, the two commands, and links into docs/."""
    readme = (REPO / "README.md").read_text()

    assert len(readme.splitlines()) <= 200
    assert "bash scripts/run.sh" in readme and "bash scripts/test.sh" in readme
    assert "docs/sandbox.png" in readme
