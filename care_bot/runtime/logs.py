"""Logging setup that keeps incident text and request bodies out of the logs."""

from __future__ import annotations

import logging
import sys

NOISY_LOGGERS = ("slack_sdk", "slack_bolt", "urllib3", "apscheduler", "waitress")


class NoBodiesFilter(logging.Filter):
    """Drop library log lines that would print a request or response body."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return False for Slack library records that carry a body or payload."""
        if not record.name.startswith(("slack_bolt", "slack_sdk")):
            return True
        try:
            message = record.getMessage()
        except Exception:
            return False
        return not any(word in message for word in ("body", "payload", "Received the following"))


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr with the body filter; the Slack SDK never logs at DEBUG."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(NoBodiesFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
