"""Fixtures for the browser tests: the running sandbox and headless Chromium from Debian.

Chromium comes from the system (`apt-get install chromium`, done by scripts/test.sh); Playwright
is pointed at it, so no browser is downloaded. Without Chromium, Playwright or Node.js the tests
are skipped locally and fail in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import free_port, stop, wait_for_line

REPO_ROOT = Path(__file__).resolve().parents[2]
READY = "CARE bot sandbox is ready: "


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests need {what}")
    pytest.skip(f"browser tests need {what}")


def chromium_path() -> str | None:
    """Return the system Chromium's path, if installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


# Module scope: the sandbox (a bot, its sweep and the stand-in) stops when a browser module ends,
# so it never runs beside the timing-sensitive end-to-end tests that follow.
@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory):
    """Start `python -m care_bot.sandbox` on a free port; yield its page's address."""
    if not shutil.which("node") or not (REPO_ROOT / "node_modules" / "emulate").is_dir():
        _missing("Node.js and `npm ci`")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CARE_"))}
    env.update(PORT=str(port), CARE_SANDBOX_DIR=str(tmp_path_factory.mktemp("sandbox")),
               PYTHONUNBUFFERED="1", PYTHON_DOTENV_DISABLED="1")
    proc = subprocess.Popen([sys.executable, "-m", "care_bot.sandbox"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        line = wait_for_line(proc, READY, timeout=120)
        yield line[len(READY):].strip()
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from the system, driven by Playwright."""
    executable = chromium_path()
    if not executable:
        _missing("Chromium (Debian package `chromium`)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Python package `playwright`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh tab, 1280x860, that fails the test on any JavaScript error."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.set_default_timeout(30_000)
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
