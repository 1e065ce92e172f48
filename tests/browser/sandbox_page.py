"""Drives the sandbox page in Chromium the way a person would: by visible labels and buttons.

The report form is filled generically (every required field, and any field that shows an
error), so these helpers keep working when the bot's questions change.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

REPO_ROOT_DOCS = Path(__file__).resolve().parents[2] / "docs"
REFERENCE = re.compile(r"CARE-\d{4}-\d{4,}")
ANSWER = "Sandbox test answer"
TYPED = {"date": "2026-12-01", "time": "10:30", "datetime-local": "2026-12-01T10:30",
         "number": "1", "email": "someone@harbor-sandbox.invalid",
         "url": "https://intranet.harbor-sandbox.invalid"}
NO = re.compile(r"^\s*(No|Not)\b")


class SandboxPage:
    """One browser tab on the sandbox, acting as one person at a time."""

    def __init__(self, page: Page, url: str):
        """Wrap a Playwright page; call `open` to load the sandbox."""
        self.page = page
        self.url = url

    def open(self, person: str) -> None:
        """Load the page as `person` (a first name, e.g. "Alice")."""
        self.page.goto(self.url)
        self.become(person)

    def become(self, person: str) -> None:
        """Pick who you are in the "You are" list."""
        who = self.page.get_by_label("You are")
        expect(who).to_be_visible(timeout=60_000)
        # The people arrive from the sandbox after the page: wait for this one's option.
        option = who.locator("option").filter(has_text=re.compile(f"^{re.escape(person)}"))
        expect(option.first).to_be_attached(timeout=60_000)
        label = option.first.inner_text()
        who.select_option(label=label)
        expect(self.page.locator(".pane-title")).to_have_text(re.compile("Home"))

    def go(self, place: str) -> None:
        """Open a channel, CARE bot's Messages, or its Home tab from the sidebar."""
        self.page.locator("nav").get_by_role("button", name=place).click()

    def type(self, text: str) -> None:
        """Type `text` in the message box and press Enter."""
        box = self.page.get_by_label("Message")
        box.fill(text)
        box.press("Enter")

    @property
    def modal(self) -> Locator:
        """The open modal."""
        return self.page.get_by_role("dialog")

    def fill_form(self) -> None:
        """Answer every required field of the open modal, and every field showing an error."""
        blocks = self.modal.locator(".block.input.required, .block.input.has-error")
        for block in blocks.all():
            _answer(block)

    def file_report(self, max_screens: int = 12) -> str:
        """File a whole report through the open modal; return its reference (CARE-YYYY-NNNN)."""
        for _ in range(max_screens):
            found = REFERENCE.search(self.modal.inner_text())
            if found and not self.modal.locator(".block.input").count():
                return found.group(0)
            self.fill_form()
            before = self.modal.inner_text()
            self.modal.locator(".modal-foot .btn.primary").click()
            _wait_for_change(self.modal, before)
        text = self.modal.inner_text()
        raise AssertionError(f"no reference after {max_screens} screens:\n{text}")

    def message(self, text: str | re.Pattern) -> Locator:
        """The message (not a thread reply) in the open conversation that contains `text`."""
        return self.page.locator(".messages > .thread-wrap > .message").filter(has_text=text)


    def reference_in_modal(self) -> str:
        """The report reference (CARE-YYYY-NNNN) the open modal shows."""
        expect(self.modal).to_contain_text(REFERENCE)
        return REFERENCE.search(self.modal.inner_text()).group(0)

    def close_modal(self) -> None:
        """Close every view of the open modal with its close (x) button."""
        while self.modal.count():
            self.modal.get_by_role("button", name="Close", exact=True).first.click()
            self.page.wait_for_timeout(200)

    def reply_count(self, text: str | re.Pattern) -> int:
        """How many thread replies the message containing `text` has (0 without a thread)."""
        wrap = self.page.locator(".messages > .thread-wrap").filter(has_text=text)
        toggle = wrap.get_by_role("button", name=re.compile(r"\d+ repl"))
        if not toggle.count():
            return 0
        return int(re.match(r"\d+", toggle.inner_text()).group(0))

    def thread(self, text: str | re.Pattern) -> Locator:
        """Open the thread under the message that contains `text`; return its replies."""
        wrap = self.page.locator(".messages > .thread-wrap").filter(has_text=text)
        toggle = wrap.get_by_role("button", name=re.compile(r"\d+ repl"))
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        return wrap.locator(".thread")


def _answer(block: Locator) -> None:
    radios = block.locator("input[type=radio]")
    if radios.count():
        if not block.locator("input[type=radio]:checked").count():
            labels = block.locator("label.choice")
            no = labels.filter(has_text=NO)
            (no.first if no.count() else labels.first).click()
        return
    if block.locator("input[type=checkbox]").count():
        if not block.locator("input[type=checkbox]:checked").count():
            block.locator("label.choice").first.click()
        return
    select = block.locator("select")
    if select.count():
        if not select.input_value():
            select.select_option(index=1)
        return
    field = block.locator("input, textarea").first
    if not field.input_value():
        field.fill(TYPED.get(field.get_attribute("type") or "text", ANSWER))


def _wait_for_change(modal: Locator, before: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not modal.count() or modal.inner_text() != before:
            return
        if modal.locator(".error:not(:empty)").count() and modal.inner_text() == before:
            time.sleep(0.3)
            if modal.inner_text() == before:
                return  # field errors: the caller fills those fields and submits again
        time.sleep(0.1)
    raise AssertionError(f"the modal did not change after submit:\n{before}")
