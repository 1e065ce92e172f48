"""Logging: Slack library lines that would print request bodies never reach the log."""

import logging

import pytest

from care_bot.runtime.logs import NOISY_LOGGERS, NoBodiesFilter, configure_logging


def record(name: str, msg: str, *args) -> logging.LogRecord:
    """Return an INFO log record from the named logger."""
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)


@pytest.mark.parametrize(
    ("name", "msg", "args"),
    [
        ("slack_bolt.App", "request body: %s", ({"view": {"state": "Client shouted"}},)),
        ("slack_bolt.App", "Request body: {'text': 'hurt me'}", ()),
        ("slack_sdk.socket_mode.builtin.client",
         "Unsuccessful Bolt execution result (status: 400, body: {'errors': 'x'})", ()),
        ("slack_sdk.web.base_client",
         "Received the following response - status: 200, headers: {}, body: {}", ()),
        ("slack_bolt.middleware", "Sending payload %s", ("{...}",)),
        ("slack_bolt.App", "%s %s", ("only one arg",)),  # a broken record is dropped too
    ],
)
def test_no_bodies_filter_drops_slack_records_with_bodies(name, msg, args):
    assert NoBodiesFilter().filter(record(name, msg, *args)) is False


@pytest.mark.parametrize(
    ("name", "msg"),
    [
        ("care_bot.flows.intake", "request body: kept because it is our own logger"),
        ("care_bot.flows.intake", "report %s saved"),
        ("slack_bolt.App", "Bolt app is running!"),
        ("slack_sdk.web.base_client", "Sending a request - url: https://slack.com/api/chat.post"),
        ("waitress", "Serving on http://0.0.0.0:3000"),
    ],
)
def test_no_bodies_filter_keeps_other_records(name, msg):
    assert NoBodiesFilter().filter(record(name, msg)) is True


@pytest.fixture
def restore_logging():
    """Put the root handlers and library logger levels back after a test."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    names = (*NOISY_LOGGERS, "apscheduler.executors.default", "apscheduler.scheduler")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    root.handlers[:], root.level = saved
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_configure_logging_keeps_bodies_out_of_stderr(restore_logging, capsys):
    configure_logging(logging.DEBUG)

    logging.getLogger("slack_bolt.App").info("request body: %s", {"text": "SECRET-INCIDENT"})
    logging.getLogger("slack_sdk.web").debug("debug line that must not show")
    logging.getLogger("care_bot.runtime.app").info("app started")

    err = capsys.readouterr().err
    assert "SECRET-INCIDENT" not in err
    assert "debug line that must not show" not in err
    assert "INFO care_bot.runtime.app: app started" in err
    assert logging.getLogger("slack_sdk").level == logging.INFO
    assert logging.getLogger("apscheduler.scheduler").level == logging.ERROR
