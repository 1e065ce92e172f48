"""Build the Bolt app and the services it runs on."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltResponse

from care_bot.config import Settings
from care_bot.flows import renders, view_owners
from care_bot.flows.errors import ERROR_TEXT, tell_user_about_error
from care_bot.listeners import register_all
from care_bot.roles import RoleDirectory
from care_bot.runtime import origin
from care_bot.runtime.identity import BotIdentity
from care_bot.services import Services
from care_bot.slack_api import SlackGateway, build_client, tokenless_client
from care_bot.storage import Store

logger = logging.getLogger(__name__)


def build_services(
    settings: Settings, store: Store, clock: Callable[[], float] = time.time
) -> Services:
    """Wire settings, storage and the Slack gateway together."""
    gateway = SlackGateway(
        build_client(settings.bot_token, settings.api_url),
        post_client=build_client(settings.bot_token, settings.api_url,
                                 timeout=max(int(settings.post_timeout.total_seconds()), 1)),
    )
    roles = RoleDirectory(settings.roles, gateway.usergroup_members)
    identity = BotIdentity(settings.bot_token)
    identity.on_known(lambda known: _org_wide_calls(gateway, known))
    services = Services(settings=settings, store=store, slack=gateway, roles=roles, clock=clock,
                        identity=identity, hooks=renders.delivery_hooks())
    gateway.on_view_opened = lambda trigger, view: view_owners.note_opened(services, trigger, view)
    return services


def _org_wide_calls(gateway: SlackGateway, known) -> None:
    """An org-wide install names a workspace (team_id) in the calls Slack requires it for."""
    if known.is_enterprise_install:
        gateway.use_workspaces(known.workspaces)


def listener_pool() -> ThreadPoolExecutor:
    """The threads Bolt runs listeners on; the caller shuts it down before closing storage."""
    # Bolt's default pool has 5 threads; a busy branch network needs more, or acks queue.
    return ThreadPoolExecutor(max_workers=32, thread_name_prefix="bolt")


def build_app(services: Services, pool: ThreadPoolExecutor | None = None) -> App:
    """Create the Bolt app with every listener and one error handler.

    Authorization returns the identity learned at start (``services.identity``), so Bolt never
    calls auth.test per request; the listeners use ``services.slack``, not Bolt's client.
    """
    bolt_logger = logging.getLogger("slack_bolt.care")
    bolt_logger.addFilter(_KnownTokenNotice())
    app = App(
        signing_secret=services.settings.signing_secret,
        client=tokenless_client(services.settings.api_url),
        authorize=services.identity.authorize_function(),
        listener_executor=pool or listener_pool(),
        logger=bolt_logger,
    )
    app.use(_origin_check(services))
    register_all(app, services)

    @app.error
    def on_error(error, body):
        kind = (body or {}).get("type") or (body or {}).get("command") or "request"
        # The traceback names code, not values; incident text stays out of the log.
        logger.error("unhandled %s in %s listener", type(error).__name__, kind, exc_info=error)
        tell_user_about_error(services, body or {})

    return app


class _KnownTokenNotice(logging.Filter):
    """Drop Bolt's notice that SLACK_BOT_TOKEN is unused: authorize supplies it on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return False for Bolt's "token will be unused / ignored" warnings."""
        message = record.getMessage()
        return not ("`token` will be unused" in message or "will be ignored" in message)


def _origin_check(services: Services):
    """Bolt middleware: refuse a request from another workspace or app before any listener."""

    def check_origin(body, next):  # Bolt passes the rest of the chain as "next"
        body = body or {}
        event = body.get("event") if isinstance(body.get("event"), dict) else {}
        user = body.get("user") or event.get("user")
        user = (user.get("id") if isinstance(user, dict) else user) or body.get("user_id")
        if not origin.admit(services, body, user):
            return BoltResponse(status=403, body="")
        view_owners.note_request(services, body)
        return next()

    return check_origin


__all__ = ["ERROR_TEXT", "build_app", "build_services", "listener_pool",
           "tell_user_about_error"]

