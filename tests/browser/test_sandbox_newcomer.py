"""The sandbox as a newcomer meets it: on a phone (390 px), and on its very first load."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.sandbox_page import SandboxPage

PHONE = {"width": 390, "height": 844}
# Records whether the page ever said Home was missing, however briefly.
WATCH_NO_HOME = """
window.__sawNoHome = false;
new MutationObserver(() => {
  if (document.body && document.body.innerText.includes("has not published a Home tab")) {
    window.__sawNoHome = true;
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


@pytest.fixture
def phone(browser):
    """A fresh tab at phone width that fails the test on any JavaScript error."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, has_touch=True)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.set_default_timeout(30_000)
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _fits_across(page, locator) -> None:
    """The element lies wholly inside the phone's width."""
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, box


def _on_screen(page, locator) -> None:
    """The element is inside the phone's screen both ways, with no scrolling."""
    _fits_across(page, locator)
    box = locator.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 0.5, box


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px wide"


def test_sandbox_on_a_phone_folds_the_sidebar_and_fits_dialogs(phone, sandbox_url, tmp_path):
    person = SandboxPage(phone, sandbox_url)
    person.open("Oscar")
    nav = phone.locator("nav")
    expect(nav).to_be_hidden()  # folded: the pane has the whole width
    danger = phone.get_by_role("button", name=re.compile("danger", re.IGNORECASE)).first
    expect(danger).to_be_visible()
    _no_sideways_scroll(phone)
    _fits_across(phone, danger)

    danger.click()  # Slack's confirm dialog; cancelled, so no alert is raised
    dialog = phone.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    _fits_across(phone, dialog)
    for button in dialog.get_by_role("button").all():
        _fits_across(phone, button)
    phone.screenshot(path=str(tmp_path / "phone-confirm.png"))
    dialog.locator(".btn:not(.primary):not(.danger)").first.click()
    expect(dialog).to_be_hidden()

    toggle = phone.get_by_role("button", name="Show conversations")
    toggle.click()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    phone.screenshot(path=str(tmp_path / "phone-sidebar.png"))
    person.go("general")
    expect(nav).to_be_hidden()  # picking a place folds it again
    person.type("/threat")
    expect(person.modal).to_be_visible()
    _fits_across(phone, person.modal)
    for button in person.modal.locator(".modal-foot .btn").all():
        _on_screen(phone, button)  # the buttons stay in view; the questions scroll
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(tmp_path / "phone-modal.png"), full_page=True)
    person.close_modal()


def test_sandbox_first_load_never_flashes_home_missing(page, sandbox_url):
    page.add_init_script(WATCH_NO_HOME)
    person = SandboxPage(page, sandbox_url)
    person.open("Olivia")  # nobody has opened her Home yet: the bot publishes it now
    danger = page.get_by_role("button", name=re.compile("danger", re.IGNORECASE)).first
    expect(danger).to_be_visible()
    assert page.evaluate("window.__sawNoHome") is False
