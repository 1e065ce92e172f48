"""Run the sandbox: `python -m care_bot.sandbox` (`scripts/run.sh` does, with no Slack settings).

Starts the Slack stand-in seeded with the demo bank, the sandbox's web server on
127.0.0.1:PORT (default 3000), and the real `bot.py` against the stand-in in HTTP mode with its
own database and care.toml under CARE_SANDBOX_DIR (default data/sandbox/, fresh at each start).
Prints the page's address, then runs until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from dotenv import load_dotenv

from care_bot.sandbox import demo_bank
from care_bot.sandbox.client import SlackClient
from care_bot.sandbox.manifest import read_features
from care_bot.sandbox.server import Sandbox, serve
from care_bot.sandbox.stand_in import BOT, REPO_ROOT, StandIn, StandInError
from care_bot.sandbox.world import Conversation, World

DEFAULT_PORT = 3000
EXIT_START_FAILED = 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _claim_dir(path: Path):
    """Lock the sandbox's directory and empty its database; None if another sandbox holds it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = (path / "sandbox.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return None
    for old in path.glob("care.db*"):
        old.unlink()
    return lock


def _world(stand_in: StandIn) -> World:
    ids = stand_in.users
    people = {
        ids[p.name]: {"name": p.name, "real_name": p.real_name, "title": p.title, "about": p.about}
        for p in demo_bank.PEOPLE
    }
    world = World(people, BOT["bot_user_id"])
    world.add_conversation(Conversation(stand_in.channels["general"], "general", "channel"))
    for name, (private, _purpose, members) in demo_bank.CHANNELS.items():
        world.add_conversation(Conversation(stand_in.channels[name], name, "channel", private,
                                            {ids[m] for m in members}))
    for user_id in people:  # every person has the bot's Messages tab
        answer = stand_in.api("conversations.open", users=user_id)
        if answer.get("ok"):
            world.observe("conversations.open", {"users": user_id}, answer)
    return world


def _info(stand_in: StandIn, world: World) -> dict:
    features = read_features(REPO_ROOT / "config" / "manifest.yaml")
    return {
        "team": demo_bank.TEAM["name"],
        "bot_user_id": BOT["bot_user_id"],
        "people": [{"id": uid, **p} for uid, p in world.people.items()],
        "general": stand_in.channels["general"],
        "commands": [c.get("command") for c in features["slash_commands"]],
        "shortcuts": features["shortcuts"],
        "timings": demo_bank.durations_notice(),
    }


def _start_bot(data_dir: Path, api_url: str, secret: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CARE_"))}
    env.update({
        "SLACK_BOT_TOKEN": BOT["token"],
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": api_url,
        "PORT": str(port),
        "CARE_DB_PATH": str(data_dir / "care.db"),
        "CARE_CONFIG": str(data_dir / "care.toml"),
        "PYTHONUNBUFFERED": "1",
        "PYTHON_DOTENV_DISABLED": "1",
    })
    log = (data_dir / "bot.log").open("ab")
    return subprocess.Popen([sys.executable, "bot.py"], cwd=REPO_ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _wait_healthy(bot: subprocess.Popen, port: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and bot.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def _stop(bot: subprocess.Popen | None) -> None:
    if bot is None or bot.poll() is not None:
        return
    bot.send_signal(signal.SIGTERM)
    try:
        bot.wait(timeout=15)
    except subprocess.TimeoutExpired:
        bot.kill()
        bot.wait()


def _port() -> int | None:
    """The page's port from PORT (default ``DEFAULT_PORT``), or None after saying what is wrong."""
    raw_port = os.environ.get("PORT", "").strip() or str(DEFAULT_PORT)
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        print(f"CARE bot sandbox: PORT must be a number from 1 to 65535, not {raw_port!r}",
              file=sys.stderr)
        return None
    return int(raw_port)


def main() -> int:
    """Run the sandbox until interrupted; return the exit code."""
    load_dotenv()
    port = _port()
    if port is None:
        return EXIT_START_FAILED
    # Absolute: the bot runs from the repository root, whatever the current directory.
    data_dir = Path(os.environ.get("CARE_SANDBOX_DIR", "").strip() or "data/sandbox").resolve()
    lock = _claim_dir(data_dir)
    if lock is None:
        print(f"CARE bot sandbox cannot start: another sandbox is running in {data_dir}; stop it "
              "or set CARE_SANDBOX_DIR to another directory", file=sys.stderr)
        return EXIT_START_FAILED
    print("Starting the CARE bot sandbox (a local stand-in for Slack; no workspace needed)...",
          flush=True)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        server = serve(port)
    except OSError as error:
        print(f"CARE bot sandbox cannot start: port {port} is in use ({error.strerror}); "
              "set PORT to another port", file=sys.stderr)
        return EXIT_START_FAILED
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        stand_in = StandIn.start(data_dir, data_dir / "slack.log")
    except StandInError as error:
        print(f"CARE bot sandbox cannot start: {error}", file=sys.stderr)
        return EXIT_START_FAILED
    bot = None
    try:
        (data_dir / "care.toml").write_text(demo_bank.care_toml(stand_in.users, stand_in.channels))
        world = _world(stand_in)
        sandbox = Sandbox(world, stand_in, _info(stand_in, world))
        server.sandbox = sandbox
        secret = secrets.token_hex(16)
        bot_port = _free_port()
        bot = _start_bot(data_dir, f"http://127.0.0.1:{port}/api/", secret, bot_port)
        if not _wait_healthy(bot, bot_port):
            print(f"CARE bot sandbox: the bot did not start; see {data_dir / 'bot.log'}",
                  file=sys.stderr)
            return EXIT_START_FAILED
        sandbox.client = SlackClient(world, stand_in, f"http://127.0.0.1:{bot_port}/slack/events",
                                     secret, f"http://127.0.0.1:{port}/hooks")
        sandbox.ready = True
        print(f"CARE bot sandbox is ready: http://127.0.0.1:{port}", flush=True)
        print(f"(bot log: {data_dir / 'bot.log'}; Ctrl-C stops it)", flush=True)
        while not stop.wait(0.5):
            if bot.poll() is not None:
                print(f"CARE bot stopped (exit {bot.returncode}); see {data_dir / 'bot.log'}",
                      file=sys.stderr)
                return EXIT_START_FAILED
        return 0
    finally:
        _stop(bot)
        stand_in.close()
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
