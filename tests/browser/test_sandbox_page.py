"""The sandbox in a real browser: a report filed through the page, then acknowledged."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.sandbox_page import REPO_ROOT_DOCS, SandboxPage

SUPERVISORS = "care-supervisors"
SECURITY = "care-security"


def test_sandbox_files_a_whole_report_and_both_channels_show_it(page, sandbox_url):
    person = SandboxPage(page, sandbox_url)
    person.open("Dana")  # associate at Harbor Point
    expect(page.get_by_text("Sandbox timings")).to_be_visible()
    person.go("general")
    person.type("/threat")
    expect(person.modal).to_be_visible()
    reference = person.file_report()
    person.modal.get_by_role("button", name=re.compile("Done|Close")).first.click()
    expect(person.modal).to_have_count(0)

    person.go("CARE bot — Messages")
    expect(page.locator(".messages")).to_contain_text(reference)

    person.become("Hannah")  # Harbor Point's supervisor
    person.go(SUPERVISORS)
    parent = person.message(reference)
    expect(parent).to_have_count(1)
    expect(parent.get_by_role("button", name="Acknowledge")).to_be_visible()
    page.screenshot(path=str(REPO_ROOT_DOCS / "sandbox.png"))
    # the full answers, in the thread
    expect(person.thread(reference)).to_contain_text("Sandbox test answer")

    person.become("Sofia")  # Corporate Security & Risk
    person.go(SECURITY)
    expect(person.message(reference)).to_have_count(1)


def test_sandbox_supervisor_acknowledges_a_report(page, sandbox_url):
    person = SandboxPage(page, sandbox_url)
    person.open("Alice")  # associate at Main Street
    person.go("general")
    person.type("/threat")
    reference = person.file_report()
    person.modal.get_by_role("button", name=re.compile("Done|Close")).first.click()

    person.become("Sam")  # Main Street's supervisor
    person.go(SUPERVISORS)
    parent = person.message(reference)
    expect(parent).to_have_count(1)
    parent.get_by_role("button", name="Acknowledge").click()
    confirm = page.get_by_role("alertdialog")
    if confirm.count():
        confirm.locator(".btn.primary, .btn.danger").click()
    expect(parent).to_contain_text(re.compile("Acknowledged", re.IGNORECASE))
    expect(parent.locator(".edited")).to_be_visible()  # updated in place (chat.update)
    expect(parent).to_contain_text("Sam Rivera")

    person.become("Alice")
    person.go("CARE bot — Messages")
    expect(page.locator(".messages")).to_contain_text(re.compile("acknowledged", re.IGNORECASE))
