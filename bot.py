"""CARE bot entry point: load settings, open the database, start the sweep, serve Slack."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

from dotenv import load_dotenv
from slack_sdk.errors import SlackApiError

from care_bot.app import build_app, build_services, listener_pool
from care_bot.config import ConfigError, load_settings
from care_bot.health import check_health
from care_bot.logs import configure_logging
from care_bot.scheduler import Sweeper
from care_bot.server import build_wsgi_app
from care_bot.storage import AlreadyRunning, Store
from care_bot.storage.outbox import release_in_flight

logger = logging.getLogger("care_bot")
EXIT_CONFIG = 2
EXIT_ALREADY_RUNNING = 3
STOP_BUDGET_SECONDS = 8.0  # SIGTERM to exit; platforms SIGKILL after 10 s
# A post cut off by a crash or a stop is looked up this long after its send began (not the
# full unsure_recheck_after: the request died with the process, and help must not wait).
RESTART_RECHECK_SECONDS = 10.0


def main() -> int:
    """Run the bot until SIGTERM or SIGINT; return the process exit code."""
    load_dotenv()
    configure_logging()
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG
    try:
        store = Store.open(settings.db_path)
    except AlreadyRunning as error:
        print(f"CARE bot cannot start: {error}", file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    with store.transaction() as db:
        released = release_in_flight(db, min(settings.unsure_recheck_after.total_seconds(),
                                             RESTART_RECHECK_SECONDS))
    if released:
        logger.warning("%d Slack post(s) were in flight at the last stop; sending again", released)
    services = build_services(settings, store)
    if not _token_works(services):
        store.close()
        return EXIT_CONFIG
    services.roles.snapshot()  # warm the user-group cache before the first click
    sweeper = Sweeper(services)
    services.wake_sweep = sweeper.wake
    sweeper.start()
    pool = listener_pool()
    app = build_app(services, pool)
    stop = threading.Event()
    try:
        if settings.socket_mode:
            _serve_socket_mode(app, settings.app_token, stop)
        else:
            _serve_http(app, settings.port, lambda: check_health(services, sweeper), stop)
    finally:
        _shut_down(pool, sweeper, store)
    if store.unsafe_to_close:
        # Closing a connection would checkpoint through the -shm map of a file that can no
        # longer be written, which is a SIGBUS; leave without running finalizers.
        logging.shutdown()
        os._exit(0)
    return 0


def _shut_down(pool, sweeper: Sweeper, store: Store) -> None:
    """Finish the post in flight and acknowledged work, leave the rest queued, within budget."""
    deadline = time.monotonic() + STOP_BUDGET_SECONDS
    if not sweeper.stop(timeout=STOP_BUDGET_SECONDS - 2):
        logger.warning("a Slack post was still in flight at stop; it is looked up at next start")
        store.unsafe_to_close = True  # the sweep thread may still use the connection
    pool.shutdown(wait=False)
    for thread in list(getattr(pool, "_threads", ())):  # acknowledged work, within the budget
        thread.join(max(deadline - time.monotonic(), 0.1))
    if not store.unsafe_to_close:
        store.close()
    logger.info("CARE bot stopped")


def _token_works(services) -> bool:
    """Check the bot token once; only a definite "invalid" stops the start."""
    try:
        services.slack.client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error")
        if code in ("invalid_auth", "not_authed", "account_inactive", "token_revoked"):
            print(f"CARE bot cannot start: SLACK_BOT_TOKEN was refused by Slack ({code})",
                  file=sys.stderr)
            return False
        logger.warning("auth.test failed (%s); starting anyway", code)
    except Exception as error:
        logger.warning("Slack unreachable at start (%s); starting anyway", type(error).__name__)
    return True


def _on_stop_signals(handler) -> None:
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _serve_http(app, port: int, healthy, stop: threading.Event) -> None:
    from waitress import create_server

    server = create_server(build_wsgi_app(app, healthy), host="0.0.0.0", port=port, threads=16)

    def shut_down(signum, frame):
        logger.info("signal %s received; shutting down", signum)
        stop.set()
        server.close()

    _on_stop_signals(shut_down)
    logger.info("CARE bot serving HTTP on port %s", port)
    try:
        server.run()
    except (OSError, ValueError):
        if not stop.is_set():
            raise


def _serve_socket_mode(app, app_token: str, stop: threading.Event) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)
    _on_stop_signals(lambda signum, frame: stop.set())
    handler.connect()
    logger.info("CARE bot connected over Socket Mode")
    stop.wait()
    handler.close()


if __name__ == "__main__":
    sys.exit(main())
