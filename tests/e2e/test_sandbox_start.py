"""`bash scripts/run.sh`: the sandbox with no Slack settings, the real bot with them."""

from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.e2e.harness import REPO_ROOT
from tests.support.processes import free_port, stop, wait_for_line


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CARE_", "PORT"))}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


def _slack_in_dotenv() -> bool:
    dotenv = REPO_ROOT / ".env"
    return dotenv.exists() and bool(
        re.search(r"^\s*(export\s+)?SLACK_BOT_TOKEN\s*=\s*\S", dotenv.read_text(), re.M))


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.fixture
def needs_node():
    if not (REPO_ROOT / "node_modules" / "emulate").is_dir():
        pytest.skip("the sandbox needs `npm ci`")


def test_run_script_without_slack_settings_starts_the_sandbox(tmp_path, needs_node):
    if _slack_in_dotenv():
        pytest.skip(".env holds Slack settings, so run.sh would start the real bot")
    port = free_port()
    proc = subprocess.Popen(
        ["bash", "scripts/run.sh"], cwd=REPO_ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env=_env(PORT=str(port), CARE_SANDBOX_DIR=str(tmp_path / "sandbox")),
    )
    try:
        line = wait_for_line(proc, "CARE bot sandbox is ready: ", timeout=180)
        assert line.strip().endswith(f"http://127.0.0.1:{port}")
        status, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "CARE bot sandbox" in page and "https://" not in page
        info = json.loads(_get(f"http://127.0.0.1:{port}/sandbox/info")[1])
        assert info["ready"] and "/threat" in info["commands"]
        roles = {p["about"] for p in info["people"]}
        assert {"Associate, Main Street", "Security team", "HR"} <= roles
        assert (tmp_path / "sandbox" / "care.db").exists()  # the bot's own database
    finally:
        stop(proc)
    assert proc.returncode == 0


def test_run_script_with_a_slack_token_runs_the_real_bot(tmp_path):
    result = subprocess.run(
        ["bash", "scripts/run.sh"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=180,
        env=_env(SLACK_BOT_TOKEN="xoxb-1-2-abc", PORT=str(free_port()),
                 CARE_DB_PATH=str(tmp_path / "care.db")),
    )
    assert result.returncode == 2, result.stderr
    assert "SLACK_SIGNING_SECRET" in result.stderr  # the bot's own settings check spoke
    assert "sandbox" not in result.stdout + result.stderr


def test_sandbox_port_in_use_exits_2_with_a_plain_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "care_bot.sandbox"], cwd=REPO_ROOT, capture_output=True,
            text=True, timeout=60,
            env=_env(PORT=str(port), CARE_SANDBOX_DIR=str(tmp_path / "sandbox")),
        )
    assert result.returncode == 2
    assert f"port {port} is in use" in result.stderr and "Traceback" not in result.stderr


def test_second_sandbox_on_the_same_directory_exits_2(tmp_path):
    data = tmp_path / "sandbox"
    data.mkdir()
    with (data / "sandbox.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running sandbox holds it
        (data / "care.db").write_text("the running sandbox's database")
        result = subprocess.run(
            [sys.executable, "-m", "care_bot.sandbox"], cwd=REPO_ROOT, capture_output=True,
            text=True, timeout=60, env=_env(PORT=str(free_port()), CARE_SANDBOX_DIR=str(data)),
        )
    assert result.returncode == 2 and "another sandbox is running" in result.stderr
    assert (data / "care.db").read_text() == "the running sandbox's database"  # left alone
