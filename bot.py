"""CARE bot entry point: load settings, open the database, start the sweep, serve Slack."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from dotenv import load_dotenv

from care_bot.app import build_app, build_services, listener_pool
from care_bot.config import ConfigError, load_settings
from care_bot.flows import origin, uptime
from care_bot.identity import TokenRefused, fetch_installation
from care_bot.logs import configure_logging
from care_bot.scheduler import Sweeper
from care_bot.server import MAX_BODY_BYTES, build_wsgi_app
from care_bot.storage import AlreadyRunning, Store
from care_bot.storage.outbox import release_in_flight

logger = logging.getLogger("care_bot")
EXIT_CONFIG = 2
EXIT_ALREADY_RUNNING = 3


def main() -> int:
    """Run the bot until SIGTERM or SIGINT; return the process exit code."""
    os.umask(0o077)  # the database, its WAL/SHM and the lock are readable by this user only
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
        released = release_in_flight(db)
    if released:
        logger.warning("%d Slack post(s) were in flight at the last stop; sending again", released)
    services = build_services(settings, store)
    if not _learn_identity(services):
        store.close()
        return EXIT_CONFIG
    services.roles.snapshot()  # warm the user-group cache before the first click
    uptime.report_downtime_at_start(services)
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
            _serve_http(app, settings.port, lambda: store.healthy() and sweeper.running, stop,
                        settings.signing_secret)
    finally:
        services.identity.stop()
        pool.shutdown(wait=True)  # let acknowledged work finish before storage closes
        sweeper.stop()
        if stop.is_set():  # a signal asked us to stop; a crash is not a clean stop
            uptime.record_clean_stop(services)
        store.close()
        logger.info("CARE bot stopped")
    return 0


def _learn_identity(services) -> bool:
    """Learn who the bot is from auth.test; only a definite "invalid token" stops the start.

    When Slack cannot be reached, the bot serves anyway (requests are accepted and recorded as
    unchecked) and keeps asking in the background with backoff.
    """
    identity = services.identity
    identity.on_known(lambda known: origin.check_recorded(services, known))

    def fetch():
        return fetch_installation(services.slack.client)

    try:
        if not identity.resolve(fetch):
            logger.warning("Slack unreachable at start; serving anyway, identity in background")
            identity.resolve_in_background(fetch)
    except TokenRefused as error:
        print(f"CARE bot cannot start: SLACK_BOT_TOKEN was refused by Slack ({error.code})",
              file=sys.stderr)
        return False
    return True


def _on_stop_signals(handler) -> None:
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _serve_http(app, port: int, healthy, stop: threading.Event, signing_secret: str) -> None:
    from waitress import create_server

    # Bodies over 1 MB are refused with 413 before they are read (Slack's are far smaller).
    server = create_server(build_wsgi_app(app, healthy, signing_secret), host="0.0.0.0",
                           port=port, threads=16, max_request_body_size=MAX_BODY_BYTES)

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
