"""The sandbox in a real browser: a report filed through the page, then acknowledged."""

from __future__ import annotations

import os
import re
import time

from playwright.sync_api import expect

from tests.browser.sandbox_page import REPO_ROOT_DOCS, SandboxPage

SUPERVISORS = "care-supervisors"
SECURITY = "care-security"
HR = "care-hr"


def save_screenshot(page, tmp_path) -> None:
    """The README's screenshot: docs/sandbox.png when missing or CARE_UPDATE_SCREENSHOT=1."""
    # Not rewritten at every run: a PNG that changes with each run would conflict in every merge.
    shot = page.screenshot(path=str(tmp_path / "sandbox.png"))
    target = REPO_ROOT_DOCS / "sandbox.png"
    if not target.exists() or os.environ.get("CARE_UPDATE_SCREENSHOT") == "1":
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(shot)


def test_sandbox_files_a_whole_report_and_both_channels_show_it(page, sandbox_url, tmp_path):
    person = SandboxPage(page, sandbox_url)
    person.open("Dana")  # associate at Harbor Point
    expect(page.get_by_text("Sandbox timings")).to_be_visible()
    person.go("general")
    person.type("/threat")
    expect(person.modal).to_be_visible()
    reference = person.file_report()
    person.close_modal()

    person.go("CARE bot — Messages")
    expect(page.locator(".messages")).to_contain_text(reference)

    person.become("Hannah")  # Harbor Point's supervisor
    person.go(SUPERVISORS)
    parent = person.message(reference)
    expect(parent).to_have_count(1)
    expect(parent.get_by_role("button", name="Acknowledge")).to_be_visible()
    save_screenshot(page, tmp_path)
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
    person.close_modal()

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
    # Then the supervisor reports it to HR, whose channel gets the notification.
    parent.get_by_role("button", name=re.compile("HR")).click()
    confirm = page.get_by_role("alertdialog")
    page.wait_for_timeout(300)
    if confirm.count():
        confirm.locator(".btn.primary, .btn.danger").click()

    person.become("Helen")  # HR
    person.go(HR)
    expect(person.message(reference)).to_have_count(1)

    person.become("Alice")
    person.go("CARE bot — Messages")
    expect(page.locator(".messages")).to_contain_text(re.compile("acknowledged", re.IGNORECASE))


def test_sandbox_home_tab_danger_button_alerts_security(page, sandbox_url):
    person = SandboxPage(page, sandbox_url)
    person.open("Ben")  # the page opens on CARE bot's Home tab, published by the bot
    danger = page.locator("#home").get_by_role("button", name=re.compile("danger", re.I))
    danger.click()
    confirm = page.get_by_role("alertdialog")  # the button's `confirm` dialog, if it has one
    page.wait_for_timeout(300)
    if confirm.count():
        confirm.locator(".btn.primary, .btn.danger").click()
    reference = person.reference_in_modal()
    person.close_modal()

    person.become("Tom")  # Corporate Security & Risk
    person.go(SECURITY)
    expect(person.message(reference)).to_have_count(1)


def test_sandbox_global_shortcut_and_home_button_open_the_report(page, sandbox_url):
    person = SandboxPage(page, sandbox_url)
    person.open("Carlos")
    page.locator("#home").get_by_role("button", name=re.compile("Report a threat")).click()
    expect(person.modal.locator(".block.input").first).to_be_visible()
    person.close_modal()

    person.go("general")
    person.type("/threat help")  # answered with an ephemeral, seen by Carlos alone
    help_text = page.locator(".message.ephemeral").filter(has_text="/threat")
    expect(help_text).to_contain_text("Only visible to you")
    expect(help_text).to_contain_text("CARE bot")
    page.get_by_role("button", name="Shortcuts").click()
    page.locator("#shortcut-menu").get_by_role("button", name=re.compile("Report a threat")).click()
    expect(person.modal.locator(".block.input").first).to_be_visible()
    person.close_modal()


def test_sandbox_follow_ups_arrive_in_the_thread_while_you_watch(page, sandbox_url):
    person = SandboxPage(page, sandbox_url)
    person.open("Carlos")  # associate at Harbor Point
    person.go("CARE bot — Messages")
    person.type("/threat")
    reference = person.file_report()
    person.close_modal()
    # A message shortcut from the manifest, on the bot's confirmation DM.
    confirmation = person.message(reference).first
    confirmation.get_by_role("button", name="More actions").click()
    confirmation.locator(".menu").get_by_role("button").first.click()  # the manifest's first
    expect(person.modal).to_be_visible()
    person.close_modal()

    person.become("Hannah")
    person.go(SUPERVISORS)
    expect(person.message(reference)).to_have_count(1)
    before = person.reply_count(reference)
    # The sandbox reminds after 1 minute when nobody acknowledges (the page says so).
    expect(page.get_by_text("reminder after 1m")).to_be_visible()
    deadline = time.monotonic() + 150
    while person.reply_count(reference) <= before:
        assert time.monotonic() < deadline, "no follow-up arrived within 150 s"
        page.wait_for_timeout(1000)
