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


# The modules run on PostgreSQL too (README, "Tests"): reliability, delivery, reminders,
# Acknowledge and danger, and the multi-process ones.
POSTGRES_MODULES = frozenset({
    "test_followups", "test_tracking", "test_danger_edges", "test_safety_path", "test_intake",
    "test_downtime", "test_processes", "test_drills", "test_care_after", "test_people",
})


def pytest_generate_tests(metafunc):
    """Run the PostgreSQL modules' tests once per backend."""
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "bot_factory" in metafunc.fixturenames and module in POSTGRES_MODULES:
        params = ["postgresql"] if module == "test_processes" else ["sqlite", "postgresql"]
        metafunc.parametrize("backend", params, indirect=True)


@pytest.fixture
def backend(request) -> str:
    """The database the test's bots use: ``sqlite`` unless the test runs on PostgreSQL too."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(backend, request) -> str | None:
    """A fresh PostgreSQL database for this test, or None on SQLite."""
    if backend != "postgresql":
        return None
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def bot_factory(slack, tmp_path, database_url):
    """Start the real bot (`bot.py`) against the local Slack; all processes die at teardown."""
    factory = BotFactory(slack, tmp_path, database_url=database_url)
    yield factory
    factory.close_all()
