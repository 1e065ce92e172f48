"""Build the Bolt app and the services it runs on."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App

from care_bot.config import Settings
from care_bot.flows.services import Services
from care_bot.listeners import register_all
from care_bot.roles import RoleDirectory
from care_bot.slack_api import SlackGateway, build_client
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
    return Services(settings=settings, store=store, slack=gateway, roles=roles, clock=clock)


def listener_pool() -> ThreadPoolExecutor:
    """The threads Bolt runs listeners on; the caller shuts it down before closing storage."""
    # Bolt's default pool has 5 threads; a busy branch network needs more, or acks queue.
    return ThreadPoolExecutor(max_workers=32, thread_name_prefix="bolt")


def build_app(services: Services, pool: ThreadPoolExecutor | None = None) -> App:
    """Create the Bolt app with every listener and one error handler."""
    app = App(
        signing_secret=services.settings.signing_secret,
        client=services.slack.client,
        token_verification_enabled=False,
        listener_executor=pool or listener_pool(),
        logger=logging.getLogger("slack_bolt.care"),
    )
    register_all(app, services)

    @app.error
    def on_error(error, body):
        kind = (body or {}).get("type") or (body or {}).get("command") or "request"
        # The traceback names code, not values; incident text stays out of the log.
        logger.error("unhandled %s in %s listener", type(error).__name__, kind, exc_info=error)
        tell_user_about_error(services, body or {})

    return app


ERROR_TEXT = (
    "Sorry, CARE bot hit a problem and could not finish that. Nothing you saved was lost; "
    "please try again. If anyone is in danger, call 911 now."
)


def tell_user_about_error(services: Services, body: dict) -> None:
    """Tell the user, in the channel they used, that their action did not complete."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if not user:
        return
    try:
        if channel:
            services.slack.post_ephemeral(channel, user, ERROR_TEXT)
        else:
            services.slack.post(services.slack.open_dm(user), {"text": ERROR_TEXT})
    except Exception:
        logger.warning("could not tell the user about an error")
