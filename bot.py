"""CARE bot entry point: load settings, open the database, start the sweep, serve Slack."""

from __future__ import annotations

import errno
import logging
import os
import signal
import sqlite3
import sys
import threading
import time

from dotenv import load_dotenv

from care_bot.config import SECRET_VARIABLES, ConfigError, load_settings, path_shown
from care_bot.runtime import origin, uptime
from care_bot.runtime.app import build_app, build_services, listener_pool
from care_bot.runtime.health import check_health
from care_bot.runtime.identity import TokenRefused, fetch_installation
from care_bot.runtime.leadership import Leadership
from care_bot.runtime.logs import configure_logging
from care_bot.runtime.scheduler import Sweeper
from care_bot.runtime.server import MAX_BODY_BYTES, build_wsgi_app, serve_until_stopped
from care_bot.storage import AlreadyRunning, open_store
from care_bot.storage.outbox import release_in_flight

logger = logging.getLogger("care_bot")
EXIT_CONFIG = 2
EXIT_ALREADY_RUNNING = 3
STOP_BUDGET_SECONDS = 6.0  # SIGTERM to exit; platforms SIGKILL after 10 s
# Requests already received get this long to answer after SIGTERM (Slack waits 3 s for an
# answer); the stop budget starts after it, so the whole stop stays within 10 s.
DRAIN_SECONDS = 3.0
# A post cut off by a crash or a stop is looked up this long after its send began (not the
# full unsure_recheck_after: the request died with the process, and help must not wait).
RESTART_RECHECK_SECONDS = 10.0


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
    for name in SECRET_VARIABLES:  # read once; no library reads them again (or warns about them)
        os.environ.pop(name, None)
    store = _open_store(settings)
    if isinstance(store, int):
        return store
    services = build_services(settings, store)
    if not _learn_identity(services):
        store.close()
        return EXIT_CONFIG
    roles = services.roles.snapshot()  # warm the user-group cache before the first click
    if not settings.hr_channel and not roles.get("hr"):
        logger.warning("No HR destination is configured ([channels] hr or [roles] hr): "
                       "\"Report to HR and CS&R\" will tell Corporate Security & Risk only, "
                       "and each checklist says so")
    if not settings.subject_key:
        logger.info("CARE_SUBJECT_KEY is not set: people of concern are linked across live "
                    "reports only; a purged report's link is forgotten with it")
    sweeper = Sweeper(services)
    leadership = Leadership(services, lambda: _on_lease(services), sweeper.wake)
    services.wake_sweep = leadership.wake
    leadership.start()  # SQLite: this process leads at once; PostgreSQL: a lease thread
    sweeper.start()
    pool = listener_pool()
    app = build_app(services, pool)
    stop = threading.Event()
    healthy = lambda: check_health(services, sweeper)  # noqa: E731
    try:
        if settings.socket_mode:
            code = _serve_socket_mode(app, settings, healthy, stop)
        else:
            code = _serve_http(app, settings.port, healthy, stop, settings.signing_secret)
    finally:
        services.identity.stop()
        _shut_down(services, pool, sweeper, leadership, clean=stop.is_set())
    if store.unsafe_to_close:
        # Closing a connection would checkpoint through the -shm map of a file that can no
        # longer be written (a SIGBUS), or race a send still in flight; leave without finalizers.
        logging.shutdown()
        os._exit(code)
    return code


def _open_store(settings):
    """Open the database the settings name, or print why not and return the exit code."""
    try:
        return open_store(settings)
    except AlreadyRunning as error:
        print(f"CARE bot cannot start: {error}. Stop the other one, or give this one its own "
              "CARE_DB_PATH in .env (see config/example.env).", file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    except (OSError, sqlite3.Error) as error:
        reason = error.strerror if isinstance(error, OSError) else error
        if settings.database_url:
            from care_bot.storage.postgres import shown_url

            where = shown_url(settings.database_url)
            print(f"CARE bot cannot start: the PostgreSQL database {where} cannot be used"
                  f" ({type(error).__name__}: {reason}). Check DATABASE_URL in "
                  ".env and that the database is up (see config/example.env).", file=sys.stderr)
        else:
            print(f"CARE bot cannot start: the database {path_shown(settings.db_path)} cannot be "
                  f"opened ({type(error).__name__}: {reason}). Set CARE_DB_PATH in .env to a "
                  "writable place (see config/example.env).", file=sys.stderr)
        return EXIT_CONFIG


def _on_lease(services) -> None:
    """This process now runs the sweep: posts cut off by the last sweeper go out again."""
    settings = services.settings
    with services.store.transaction() as db:
        released = release_in_flight(db, min(settings.unsure_recheck_after.total_seconds(),
                                             RESTART_RECHECK_SECONDS))
    if released:
        logger.warning("%d Slack post(s) were in flight at the last stop; sending again", released)
    uptime.report_downtime_at_start(services)


def _shut_down(services, pool, sweeper: Sweeper, leadership: Leadership, clean: bool) -> None:
    """Finish the post in flight and acknowledged work, leave the rest queued, within budget."""
    store = services.store
    deadline = time.monotonic() + STOP_BUDGET_SECONDS
    led = services.lease.leader
    if not sweeper.stop(timeout=STOP_BUDGET_SECONDS - 2):
        logger.warning("a Slack post was still in flight at stop; it is looked up at next start")
        store.unsafe_to_close = True  # the sweep thread may still use the connection
    leadership.stop()  # another process takes the sweep over at its next poll
    pool.shutdown(wait=False)
    for thread in list(getattr(pool, "_threads", ())):  # acknowledged work, within the budget
        thread.join(max(deadline - time.monotonic(), 0.1))
    if clean and led:  # a signal asked us to stop; a crash is not a clean stop
        try:
            uptime.record_clean_stop(services)
        except Exception:
            logger.warning("the clean stop could not be recorded")
    if not store.unsafe_to_close:
        store.close()
    logger.info("CARE bot stopped")


def _and_connected(result, connected: bool):
    """Add the Socket Mode connection to a health result (ok, body)."""
    ok, body = result
    if connected:
        return ok, body
    reasons = [*body.get("reasons", []), "Socket Mode is not connected"]
    return False, {**body, "ok": False, "status": "unhealthy", "reasons": reasons}


def _learn_identity(services) -> bool:
    """Learn who the bot is from auth.test; only a definite "invalid token" stops the start.

    When Slack cannot be reached, the bot serves anyway (requests are accepted and recorded as
    unchecked) and keeps asking in the background with backoff.
    """
    identity = services.identity
    identity.on_known(_log_install_kind)
    identity.on_known(lambda known: origin.check_recorded(services, known))

    def fetch():
        return fetch_installation(services.slack.client)

    try:
        if not identity.resolve(fetch):
            logger.warning("Slack unreachable at start; serving anyway, identity in background")
            identity.resolve_in_background(fetch)
    except TokenRefused as error:
        print(f"CARE bot cannot start: SLACK_BOT_TOKEN was refused by Slack ({error.code}). Copy "
              "the Bot User OAuth Token (xoxb-...) from OAuth & Permissions into .env "
              "(see config/example.env).", file=sys.stderr)
        return False
    return True


def _log_install_kind(known) -> None:
    """Say in the log which kind of install this is; an org-wide app in no workspace is silent."""
    logger.info("CARE bot is %s (app %s, bot user %s)", known.describe(), known.app_id,
                known.bot_user_id)
    if known.is_enterprise_install and not known.workspaces:
        logger.warning("The org-wide app has been added to no workspace yet (auth.teams.list): "
                       "nobody can use it until an org admin adds it to workspaces")


def _on_stop_signals(handler) -> None:
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _health_server(wsgi, port: int):
    """Create the waitress server on ``port``; None (after a plain message) when it is taken."""
    from waitress import create_server

    try:
        # Bodies over 1 MB are refused with 413 before they are read (Slack's are far smaller).
        # Waitress refuses a body whose length *reaches* its limit, hence the + 1: exactly 1 MB
        # is still accepted, and the guard refuses anything longer.
        return create_server(wsgi, host="0.0.0.0", port=port, threads=16,
                             max_request_body_size=MAX_BODY_BYTES + 1)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        print(f"CARE bot cannot start: port {port} is already in use (another CARE bot or "
              "another program). Stop it, or set PORT in .env to a free port "
              "(see config/example.env).", file=sys.stderr)
        return None


def _serve_http(app, port: int, healthy, stop: threading.Event, signing_secret: str) -> int:
    server = _health_server(build_wsgi_app(app, healthy, signing_secret=signing_secret), port)
    if server is None:
        return EXIT_CONFIG

    def shut_down(signum, frame):
        logger.info("signal %s received; shutting down", signum)
        stop.set()
        server.pull_trigger()  # wake the loop now, not at its next poll

    _on_stop_signals(shut_down)
    logger.info("CARE bot serving HTTP on port %s", port)
    serve_until_stopped(server, stop, DRAIN_SECONDS)
    return 0


def _serve_socket_mode(app, settings, healthy, stop: threading.Event) -> int:
    """Connect out over Socket Mode; serve only GET /healthz on PORT, with the socket's state."""
    from care_bot.runtime.socket_mode import SocketModeRunner

    runner = SocketModeRunner(app, settings.app_token, app.client)
    server = _health_server(build_wsgi_app(
        None, lambda: _and_connected(healthy(), runner.connected),
        lambda: {"socket_mode": runner.status.as_dict()}), settings.port)
    if server is None:
        return EXIT_CONFIG

    def shut_down(signum, frame):
        logger.info("signal %s received; shutting down", signum)
        stop.set()

    _on_stop_signals(shut_down)
    threading.Thread(target=server.run, name="healthz", daemon=True).start()
    logger.info("CARE bot connecting over Socket Mode; health on port %s", settings.port)
    runner.start()
    try:
        while not stop.is_set() and not runner.first_connect.wait(0.2):
            pass
        if runner.refused is not None:
            print(f"CARE bot cannot start: SLACK_APP_TOKEN was refused by Slack "
                  f"({runner.refused.code}). Create an app-level token (xapp-...) with the "
                  "connections:write scope under Basic Information > App-Level Tokens and put "
                  "it in .env (see config/example.env).", file=sys.stderr)
            return EXIT_CONFIG
        stop.wait()
        return 0
    finally:
        runner.stop()
        server.close()


if __name__ == "__main__":
    sys.exit(main())
