"""End-to-end: how the real bot starts, and how it refuses to start."""

from __future__ import annotations

import socket

from tests.e2e.harness import free_port


def test_startup_logs_no_library_warning(slack, bot_factory):
    bot = bot_factory.start()

    assert bot.stop() == 0
    logs = bot.logs()
    start = logs.split("received; shutting down")[0]  # what the start and the first requests logged
    assert "serving HTTP on port" in start
    assert "will be unused" not in start
    assert "WARNING" not in start and "Traceback" not in start, start


def test_startup_port_in_use_exits_2_with_a_plain_message(slack, bot_factory):
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("0.0.0.0", port))
        taken.listen()
        bot = bot_factory.start(env={"PORT": str(port)}, wait_healthy=False)

        assert bot.wait_exit(timeout=20) == 2
    logs = bot.logs()
    assert f"port {port} is already in use" in logs
    assert "PORT in .env" in logs and "config/example.env" in logs
    assert "Traceback" not in logs


def test_startup_example_values_are_refused_with_where_to_fix(slack, bot_factory):
    bot = bot_factory.start(env={"SLACK_BOT_TOKEN": "xoxb-your-bot-token"}, wait_healthy=False)

    assert bot.wait_exit(timeout=20) == 2
    logs = bot.logs()
    assert "SLACK_BOT_TOKEN is still the example value from config/example.env" in logs
    assert "In .env" in logs and "docs/settings.md" in logs
    assert "xoxb-your-bot-token" not in logs  # a token's value is never echoed, even this one
    assert "Traceback" not in logs


def test_startup_database_that_cannot_be_opened_exits_2_naming_the_setting(
        slack, bot_factory, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")

    bot = bot_factory.start(env={"CARE_DB_PATH": str(blocker / "care.db")}, wait_healthy=False)

    assert bot.wait_exit(timeout=20) == 2
    logs = bot.logs()
    assert "cannot be opened" in logs and "CARE_DB_PATH in .env" in logs
    assert "Traceback" not in logs
