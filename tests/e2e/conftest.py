"""Fixtures for end-to-end tests: the local Slack (`slack`) and the real bot (`bot_factory`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.e2e.harness import BotFactory, NodeMissingError, SlackEmulator  # noqa: E402


@pytest.fixture(scope="session")
def slack(tmp_path_factory):
    """The local Slack Web API (emulate + recording proxy), shared by the whole session."""
    try:
        emulator = SlackEmulator.start(tmp_path_factory.mktemp("slack"))
    except NodeMissingError as error:
        pytest.skip(f"end-to-end tests need Node.js 20+ (`node`) and `npm ci`: {error}")
    yield emulator
    emulator.close()


@pytest.fixture(autouse=True)
def _fresh_slack(request):
    """Give each test that uses `slack` no recorded calls, no faults and the seeded usergroups."""
    if "slack" in request.fixturenames:
        request.getfixturevalue("slack").reset()
    yield


@pytest.fixture
def bot_factory(slack, tmp_path):
    """Start the real bot (`bot.py`) against the local Slack; all processes die at teardown."""
    factory = BotFactory(slack, tmp_path)
    yield factory
    factory.close_all()
