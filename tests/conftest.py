"""Fixtures shared by unit and end-to-end tests: a throwaway PostgreSQL server."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.support import postgres


@pytest.fixture(scope="session")
def postgres_server():
    """The admin URL of a throwaway PostgreSQL (scripts/test.sh starts one; else one is made).

    None when PostgreSQL is not installed (outside CI, where scripts/test.sh installs it).
    """
    url = os.environ.get(postgres.URL_VARIABLE)
    if url:
        yield url
        return
    if postgres.binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed; scripts/test.sh installs it in CI")
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="care-pg-"))
    folder.chmod(0o755)
    try:
        yield postgres.start(folder / "server")
    finally:
        postgres.stop(folder / "server")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty PostgreSQL database for this test (skipped without PostgreSQL)."""
    if postgres_server is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    return postgres.fresh_database(postgres_server)
