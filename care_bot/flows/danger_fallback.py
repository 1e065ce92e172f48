"""The danger alert when the database cannot be written: straight to Slack, and checked.

There is no outbox row to retry, so each post is retried here, in memory, for a bounded time
(``RETRY_FOR``). A security channel that refuses posts gets the alert to each ``security``
member by DM instead. The associate's screen shows what really happened, updated in place.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from care_bot.domain import care
from care_bot.domain.models import Incident
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.slack_api import classify
from care_bot.views import alert_status, alerts, danger_modal, messages

logger = logging.getLogger(__name__)

RETRY_FOR = 120.0  # seconds of retrying before the screen says to call the desk only
FIRST_WAIT = 1.0
MAX_WAIT = 15.0
NOT_DELIVERED_AFTER = 5.0


def send(services: Services, user_id: str, answers: dict[str, Any], view_id: str | None,
         wait: bool = False) -> int:
    """Send the unsaved alert to both channels (in a thread unless ``wait``)."""
    attempt = _Attempt(services, user_id, answers, view_id)
    if wait:
        return attempt.run()
    threading.Thread(target=attempt.run, name="care-unsaved-alert", daemon=True).start()
    return 0


def could_not_open(services: Services, response_url: str | None) -> bool:
    """/threat (or a shortcut) could not open its form: say what to do, with the alert button."""
    if not response_url:
        return False
    return services.slack.respond(response_url,
                                  danger_modal.could_not_open(services.settings.security_phone))


def tell_without_screen(services: Services, response_url: str | None, ref: str | None) -> None:
    """No screen could be shown for a tap: answer through the response_url, if Slack gave one."""
    if not response_url:
        return
    services.slack.respond(response_url, danger_modal.alert_without_screen(
        ref, services.settings.security_phone))


class _Attempt:
    """One unsaved alert: what is still to send, and what the associate has been shown."""

    def __init__(self, services: Services, user_id: str, answers: dict[str, Any],
                 view_id: str | None):
        self.services = services
        self.view_id = view_id
        settings = services.settings
        answers = {"danger": "yes", **answers}
        branch = settings.branch_of(user_id)
        if branch and "branch" not in answers:
            answers["branch"] = branch.code
        self.incident = Incident(0, "not saved", user_id, "alerted", True, answers.get("branch"),
                                 answers, services.clock(), None)
        self.pending = list(posting.CHANNEL_KINDS)[::-1]  # security first
        self.delivered_at: float | None = None
        self.by_dm = False
        self.shown = ""

    def run(self) -> int:
        """Send, retrying failures until ``RETRY_FOR`` has passed; return channels reached."""
        started = time.monotonic()
        delay = FIRST_WAIT
        while True:
            self.pending = [kind for kind in self.pending if not self._send(kind)]
            self._show(time.monotonic() - started)
            if not self.pending or time.monotonic() - started >= RETRY_FOR:
                break
            time.sleep(delay)
            delay = min(delay * 2, MAX_WAIT)
        if self.pending:
            logger.error("unsaved danger alert: %d channel(s) never took it", len(self.pending))
        return len(posting.CHANNEL_KINDS) - len(self.pending)

    def _send(self, kind: str) -> bool:
        settings = self.services.settings
        mentions = alerts.alert_mentions(kind, self.incident, settings.roles, settings.branches,
                                         settings.alert_broadcast)
        message = messages.unsaved_alert(self.incident, settings.branches, kind, mentions)
        try:
            self.services.slack.post(posting.channel_id(settings, kind), message)
        except Exception as error:
            failure = classify(error, 1)
            logger.warning("direct danger alert to the %s channel failed: %s", kind,
                           failure.reason)
            if kind == "security" and failure.permanent:
                return self._by_dm(message)
            return False
        if kind == "security":
            self.delivered_at = self.services.clock()
        return True

    def _by_dm(self, message: dict[str, Any]) -> bool:
        """The security channel refuses posts: each security member gets the alert by DM."""
        reached = False
        for member in sorted(self.services.roles.members(care.ROLE_SECURITY)):
            try:
                channel = self.services.slack.open_dm(member)
                self.services.slack.post(channel, message)
                reached = True
            except Exception:
                logger.warning("direct danger alert by DM to a security member failed")
        if reached:
            self.delivered_at, self.by_dm = self.services.clock(), True
        return reached

    def _show(self, waited: float) -> None:
        settings = self.services.settings
        if self.delivered_at is not None:
            status = alert_status.AlertStatus(alert_status.DELIVERED, self.delivered_at,
                                              self.by_dm, self._paged())
        elif waited >= NOT_DELIVERED_AFTER or "security" in self.pending:
            status = alert_status.AlertStatus(alert_status.NOT_DELIVERED)
        else:
            status = alert_status.AlertStatus(alert_status.SENDING)
        line = alert_status.status_text(status, settings.branches, self.incident.branch,
                                        settings.security_phone)
        if not self.view_id or line == self.shown:
            return
        try:
            self.services.slack.update_view(self.view_id, danger_modal.unsaved_alert_view(
                settings.security_phone, line))
            self.shown = line
        except Exception:
            logger.warning("could not update the unsaved alert's screen")

    def _paged(self) -> tuple[str, ...]:
        settings = self.services.settings
        names: list[str] = []
        for kind in ("security", "supervisors"):
            if kind in self.pending:
                continue
            for entry in alerts.alert_mentions(kind, self.incident, settings.roles,
                                               settings.branches):
                if entry != alerts.HERE and entry not in names:
                    names.append(entry)
        return tuple(names)
