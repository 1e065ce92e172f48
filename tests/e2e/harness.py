"""End-to-end harness: a local Slack (emulate + recording proxy), the real bot process, modals.

`SlackEmulator` runs tests/e2e/slack_emulator.mjs; `BotFactory` starts `bot.py` against it;
`ModalSession` plays the Slack client's side of a modal. HTTP uses only urllib.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import payloads
from tests.support.signing import FORM_CONTENT_TYPE, signed_headers

REPO_ROOT = Path(__file__).resolve().parents[2]
EMULATOR_SCRIPT = Path(__file__).resolve().with_name("slack_emulator.mjs")
TEST_SIGNING_SECRET = "care-e2e-signing-secret-7d1f0c2b9a"
EVENTS_PATH = "/slack/events"

DEFAULT_SEED: dict[str, Any] = {
    "team": {"name": "CARE Test Bank", "domain": "care-test"},
    "bot": {
        "name": "CARE bot",
        "bot_name": "care-bot",
        "token": "xoxb-care-e2e-bot",
        "harness_token": "xoxb-care-e2e-harness",
        "bot_id": "B0CAREBOT",
        "bot_user_id": "U0CAREBOT",
        "app_id": "A0CAREBOT",
    },
    "users": [
        {"name": "alice", "real_name": "Alice Associate", "title": "Associate"},
        {"name": "sam", "real_name": "Sam Supervisor", "title": "Branch Supervisor"},
        {"name": "rita", "real_name": "Rita Regional", "title": "RXM"},
        {"name": "mark", "real_name": "Mark Market", "title": "Market President"},
        {"name": "ivy", "real_name": "Ivy Investigator", "title": "ICS"},
        {"name": "oscar", "real_name": "Oscar Officer", "title": "Account Officer"},
        {"name": "sec", "real_name": "Sec Urity", "title": "Corporate Security"},
        {"name": "hana", "real_name": "Hana Human", "title": "HR"},
        {"name": "manny", "real_name": "Manny Manager", "title": "Management"},
        {"name": "olly", "real_name": "Olly Outsider", "title": "Teller, another branch"},
    ],
    "channels": [
        {"name": "care-supervisors", "is_private": True, "members": ["sam", "rita", "mark"]},
        {"name": "care-security", "is_private": True, "members": ["sec", "ivy"]},
    ],
    "usergroups": {},
}

LONG = "30d"
DEFAULT_REMINDERS: dict[str, Any] = {
    "ack_reminder": LONG,
    "ack_escalation": LONG,
    "ack_repeat": LONG,
    "ack_repeat_max": 4,
    "danger_ack_reminder": LONG,
    "danger_ack_escalation": LONG,
    "danger_ack_repeat": LONG,
    "urgent_ack_reminder": LONG,
    "urgent_ack_escalation": LONG,
    "report_deadline": LONG,
    "evaluate_deadline": LONG,
    "decision_deadline": LONG,
    "task_escalation": LONG,
    "wellbeing_checkin": LONG,
}
SUPPORT_TEXT = "Employee Assistance Program: call 1-800-555-0100, any time."


# ---------------------------------------------------------------------------- HTTP and waiting


@dataclass
class HttpResponse:
    """A finished HTTP exchange; unpacks as `(status, body)`."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0

    def __iter__(self):
        """Unpack as `(status, body)`."""
        return iter((self.status, self.body))

    @property
    def text(self) -> str:
        """Return the body text."""
        return self.body

    def json(self) -> Any:
        """Parse the body as JSON."""
        return json.loads(self.body)


def http_request(
    method: str,
    url: str,
    body: bytes | str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> HttpResponse:
    """Send one request with urllib; HTTP error statuses are returned, not raised."""
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, got = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), dict(error.headers)
    elapsed = time.monotonic() - started
    return HttpResponse(status, raw.decode("utf-8", "replace"), got, elapsed)


def post_json(url: str, payload: Any, headers: Mapping[str, str] | None = None) -> Any:
    """POST `payload` as JSON and return the parsed JSON answer."""
    all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return http_request("POST", url, json.dumps(payload), all_headers).json()


def wait_until(
    predicate: Callable[[], Any],
    timeout: float = 15.0,
    interval: float = 0.1,
    message: str | None = None,
) -> Any:
    """Poll `predicate` until it returns something truthy and return that; raise on timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            what = message or getattr(predicate, "__name__", "condition")
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}; last value: {last!r}"
            )
        time.sleep(interval)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------- Slack emulator


class NodeMissingError(RuntimeError):
    """Raised when no `node` executable is on PATH."""


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _await_ready(
    proc: subprocess.Popen, lines: queue.Queue, log_path: Path, timeout: float
) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if line is None:
            break
        if line.startswith("READY "):
            return json.loads(line[len("READY ") :])
    proc.kill()
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    raise RuntimeError(f"slack_emulator.mjs did not print READY (exit {proc.poll()}):\n{log}")


class SlackEmulator:
    """The local Slack: emulate's Web API behind a recording, fault-injecting proxy."""

    def __init__(self, proc: subprocess.Popen, info: dict, log_path: Path):
        """Wrap a started emulator process and its READY info."""
        self.proc = proc
        self.info = info
        self.log_path = log_path
        self.api_url: str = info["api_url"]
        self.control_url: str = info["control_url"]
        self.hooks_url: str = info["hooks_url"]
        self.emulator_url: str = info["emulator_url"]
        self.users: dict[str, str] = info["users"]
        self.channels: dict[str, str] = info["channels"]
        self.bot_token: str = info["bot_token"]
        self.harness_token: str = info["harness_token"]
        self.bot_user_id: str = info["bot_user_id"]
        self.team_id: str = info["team_id"]
        self.workspace = payloads.Workspace(
            team_id=info["team_id"],
            team_domain=info["team_domain"],
            api_app_id=info["app_id"],
            bot_id=info["bot_id"],
            bot_user_id=info["bot_user_id"],
            response_url_base=self.hooks_url.rstrip("/"),
            user_names={uid: name for name, uid in self.users.items()},
            channel_names={cid: name for name, cid in self.channels.items()},
        )

    @classmethod
    def start(cls, workdir: Path, seed: Mapping[str, Any] | None = None) -> SlackEmulator:
        """Start `node slack_emulator.mjs` with `seed` and wait for its READY line."""
        node = shutil.which("node")
        if not node:
            raise NodeMissingError("`node` is not on PATH")
        if not (REPO_ROOT / "node_modules" / "emulate").is_dir():
            raise RuntimeError("node_modules/emulate is missing: run `npm ci` in the repo root")
        seed_path = workdir / "slack_seed.json"
        seed_path.write_text(json.dumps(seed or DEFAULT_SEED, indent=2))
        log_path = workdir / "slack_emulator.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [node, str(EMULATOR_SCRIPT), str(seed_path)],
                cwd=REPO_ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
        return cls(proc, _await_ready(proc, lines, log_path, timeout=30), log_path)

    def close(self) -> None:
        """Stop the node process (closing stdin, then SIGTERM, then SIGKILL)."""
        if self.proc.poll() is not None:
            return
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # -- control API

    def _control(
        self, action: str, body: Any = None, query: Mapping[str, Any] | None = None
    ) -> Any:
        url = self.control_url + action
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        if body is None:
            return http_request("GET", url).json()
        return post_json(url, body)

    def calls(
        self,
        method: str | None = None,
        *,
        since: int = 0,
        include_harness: bool = False,
    ) -> list[dict]:
        """Return recorded API calls (oldest first), by default only those the bot made."""
        answer = self._control("calls", query={"method": method, "since": since})
        calls = answer["calls"]
        if include_harness:
            return calls
        return [c for c in calls if c["client"] != "harness"]

    def last_seq(self) -> int:
        """Return the sequence number of the latest recorded call (0 when none)."""
        return self._control("calls", query={"method": "__none__"})["last_seq"]

    def reset_calls(self) -> None:
        """Forget all recorded calls."""
        self._control("reset_calls", {})

    def reset(self) -> None:
        """Forget recorded calls and faults; restore the seeded usergroups."""
        self._control("reset", {})

    def fault(
        self,
        method: str,
        status: int = 200,
        count: int = 1,
        retry_after: int = 1,
        error: str | None = None,
        after_forwarding: bool = False,
        delay: float = 0.0,
    ) -> dict:
        """Make the bot's next `count` calls to `method` fail (429/5xx status, or 200 + error).

        With `after_forwarding`, Slack still performs the call and only the answer is lost.
        With `delay` (seconds), the call is held that long first; with no error it then
        goes through normally (a slow Slack).
        """
        spec = {"method": method, "status": status, "count": count, "retry_after": retry_after,
                "after_forwarding": after_forwarding, "delay": delay}
        if error is not None:
            spec["error"] = error
        answer = self._control("faults", spec)
        if not answer.get("ok"):
            raise ValueError(f"fault rejected: {answer}")
        return answer["fault"]

    def rate_limit(self, method: str, per_second: float | None) -> None:
        """Limit the bot's calls to `method` per channel, answering 429 + Retry-After over it."""
        self._control("ratelimit", {"method": method, "per_second": per_second})

    def clear_faults(self) -> None:
        """Drop all pending faults."""
        self._control("clear_faults", {})

    def set_usergroup(self, usergroup_id: str, users: list[str] | None) -> None:
        """Set the members `usergroups.users.list` reports for `usergroup_id` (None removes it)."""
        self._control("usergroups", {usergroup_id: users})

    def use_enterprise(self, enterprise_id: str | None, name: str = "Harbor Bank",
                       workspaces: list[dict] | None = None) -> payloads.Workspace | None:
        """Make the bot's token an Enterprise Grid org-wide install (None: a single workspace).

        Returns the workspace shape of org-wide requests from the emulator's own workspace; use
        `.in_team(team_id)` for the organisation's other workspaces.
        """
        self._control("enterprise", {"id": enterprise_id or "", "name": name,
                                     "workspaces": workspaces or []})
        if not enterprise_id:
            return None
        return dataclasses.replace(self.workspace, enterprise_id=enterprise_id,
                                   enterprise_name=name)

    def use_socket_mode(self, url: str | None) -> None:
        """Make `apps.connections.open` hand out `url?ticket=N` (None: answer unknown_method)."""
        self._control("socket_mode", {"url": url or ""})

    # -- Web API through the proxy

    def api(self, method: str, token: str | None = None, **params: Any) -> dict:
        """Call a Web API method through the proxy as the bot (harness token) and return JSON."""
        headers = {"Authorization": f"Bearer {token or self.harness_token}"}
        return post_json(self.api_url + method, params, headers)

    def _ok(self, method: str, **params: Any) -> dict:
        answer = self.api(method, **params)
        if not answer.get("ok"):
            raise AssertionError(f"{method}({params}) failed: {answer}")
        return answer

    def mint_trigger_id(self, user_id: str, view_id: str | None = None) -> str:
        """Mint a fresh trigger id for `user_id` (tied to `view_id` for views.push)."""
        params = {"user_id": user_id, **({"view_id": view_id} if view_id else {})}
        return self._ok("views.generateTriggerId", **params)["trigger_id"]

    def dm_channel(self, user_id: str) -> str:
        """Return the id of the bot's DM channel with `user_id`."""
        return self._ok("conversations.open", users=user_id)["channel"]["id"]

    def history(self, channel_id: str, limit: int = 200) -> list[dict]:
        """Return a channel's top-level messages, newest first."""
        return self._ok("conversations.history", channel=channel_id, limit=limit)["messages"]

    def replies(self, channel_id: str, ts: str) -> list[dict]:
        """Return a thread: the parent message, then its replies, oldest first."""
        return self._ok("conversations.replies", channel=channel_id, ts=ts)["messages"]

    # -- waiting

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 15, **kwargs: Any) -> Any:
        """Poll `predicate` until truthy and return its value; AssertionError on timeout."""
        return wait_until(predicate, timeout=timeout, **kwargs)

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[dict], bool] | None = None,
        *,
        since: int = 0,
        timeout: float = 15,
    ) -> dict:
        """Wait for the bot's first call to `method` after `since` matching `predicate`."""

        def matching() -> dict | None:
            found = [c for c in self.calls(method, since=since) if not predicate or predicate(c)]
            return found[0] if found else None

        return wait_until(matching, timeout=timeout, message=f"a {method} call from the bot")


# ---------------------------------------------------------------------------- care.toml


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def render_toml(sections: Mapping[str, Mapping[str, Any]]) -> str:
    """Render `{table: {key: value}}` as TOML (flat tables of scalars and lists)."""
    parts = []
    for table, values in sections.items():
        lines = [f"[{table}]", *(f"{key} = {_toml_value(v)}" for key, v in values.items())]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _reminders(given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The test's reminders; an urgent report (the default report is a physical threat) follows
    the ordinary ladder's timings a test sets, unless it sets the urgent ones itself."""
    given = dict(given or {})
    for rung in ("ack_reminder", "ack_escalation"):
        if rung in given:
            given.setdefault(f"urgent_{rung}", given[rung])
    return {**DEFAULT_REMINDERS, **given}


def care_toml(slack: SlackEmulator, reminders: Mapping[str, Any] | None = None) -> str:
    """Return the default test care.toml for the emulator's users and channels."""
    u = slack.users
    return render_toml(
        {
            "channels": {
                "supervisors": slack.channels["care-supervisors"],
                "security": slack.channels["care-security"],
            },
            "roles": {
                "supervisors": [u["sam"]],
                "security": [u["sec"]],
                "hr": [u["hana"]],
                "management": [u["manny"]],
            },
            "reminders": _reminders(reminders),
            "scheduler": {"sweep_every": "1s"},
            "support": {"text": SUPPORT_TEXT},
            "branches.downtown": {
                "name": "Downtown",
                "timezone": "America/New_York",
                "supervisor": u["sam"],
                "rxm": u["rita"],
                "market_president": u["mark"],
                "ics": u["ivy"],
                "account_officer": u["oscar"],
                # As in the shipped care.toml, the directory lists no associates: the
                # reporter picks the branch (or not), and the danger path must not need it.
                "associates": [],
            },
        }
    )


# ---------------------------------------------------------------------------- the bot process


class BotProcess:
    """One running bot process (`bot.py`) wired to the local Slack."""

    def __init__(self, slack: SlackEmulator, argv: list[str], cwd: Path, env: dict, **paths: Any):
        """Keep what is needed to (re)start the process; call `spawn()` to start it."""
        self.slack = slack
        self.argv, self.cwd, self.env = argv, cwd, env
        self.port: int = paths["port"]
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path: Path = paths["db_path"]
        self.config_path: Path = paths["config_path"]
        self.log_path: Path = paths["log_path"]
        self.proc: subprocess.Popen | None = None

    # -- lifecycle

    def spawn(self) -> None:
        """Start the process, appending its stdout and stderr to the log file."""
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_healthy(self, timeout: float = 20.0) -> None:
        """Wait for `GET /healthz` to answer 200; raise with the logs if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"bot exited with {self.proc.returncode} while starting:\n{self.logs()}"
                )
            if self._healthy():
                return
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"bot did not answer /healthz within {timeout}s:\n{self.logs()}")

    def _healthy(self) -> bool:
        try:
            return self.get("/healthz", timeout=1).status == 200
        except OSError:
            return False

    @property
    def alive(self) -> bool:
        """Whether the process is running."""
        return self.proc is not None and self.proc.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit code, or None while running."""
        return None if self.proc is None else self.proc.poll()

    def signal(self, sig: int) -> None:
        """Send `sig` to the bot process."""
        self.proc.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL the bot (and anything it started in its session) and reap it."""
        if not self.alive:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM the bot and wait for it to exit; return its exit code."""
        if not self.alive:
            return self.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"bot ignored SIGTERM for {timeout}s:\n{self.logs()}") from None

    def wait_exit(self, timeout: float = 20.0) -> int:
        """Wait for the process to exit by itself and return its exit code."""
        return self.proc.wait(timeout=timeout)

    def restart(self, timeout: float = 20.0) -> None:
        """Stop (SIGTERM) if running, then start again with the same db, config and port."""
        self.stop()
        self.spawn()
        self.wait_healthy(timeout)

    # -- inspection

    def logs(self) -> str:
        """Return everything the process printed so far (stdout and stderr, all runs)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def db(self) -> sqlite3.Connection:
        """Open a fresh read-only connection to the bot's database (SQLite or PostgreSQL)."""
        url = self.env.get("DATABASE_URL")
        if url:
            from tests.support.postgres import ReadOnlyConnection

            return ReadOnlyConnection(url)
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
        conn.row_factory = sqlite3.Row
        return conn

    # -- requests to the bot

    def get(self, path: str, timeout: float = 5.0) -> HttpResponse:
        """GET a path on the bot."""
        return http_request("GET", self.url + path, timeout=timeout)

    def post_raw(
        self,
        body: bytes | str,
        headers: Mapping[str, str] | None = None,
        path: str = EVENTS_PATH,
        timeout: float = 10.0,
    ) -> HttpResponse:
        """POST `body` with exactly `headers` (no signing) to the bot."""
        return http_request("POST", self.url + path, body, headers, timeout)

    def post_signed(
        self, body: str, content_type: str = FORM_CONTENT_TYPE, timeout: float = 10.0
    ) -> HttpResponse:
        """POST `body` to /slack/events, signed with the test signing secret."""
        headers = signed_headers(body, TEST_SIGNING_SECRET, content_type=content_type)
        return self.post_raw(body, headers, timeout=timeout)

    def command(
        self,
        user_id: str,
        text: str = "",
        *,
        command: str = "/threat",
        channel_id: str | None = None,
        trigger_id: str | None = None,
        timeout: float = 10.0,
    ) -> HttpResponse:
        """Send a signed slash command (with a real, fresh trigger id unless given)."""
        trigger = trigger_id or self.slack.mint_trigger_id(user_id)
        channel = channel_id or self.slack.channels["general"]
        fields = payloads.slash_command(
            user_id, text, trigger, channel, command, workspace=self.slack.workspace
        )
        return self.post_signed(payloads.form_body(fields), timeout=timeout)

    def interact(self, payload: Mapping[str, Any], timeout: float = 10.0) -> HttpResponse:
        """Send a signed interaction payload as Slack does (`payload=<json>` form body)."""
        return self.post_signed(payloads.interaction_body(payload), timeout=timeout)


class BotFactory:
    """Starts bot processes for one test and kills them all at teardown."""

    def __init__(
        self,
        slack: SlackEmulator,
        tmp_path: Path,
        bot_dir: Path = REPO_ROOT,
        script: str = "bot.py",
        database_url: str | None = None,
    ):
        """Start bots from `bot_dir/script`, keeping their files in `tmp_path`.

        With `database_url` every bot (and CLI run) uses that PostgreSQL database.
        """
        self.database_url = database_url
        self.slack = slack
        self.tmp_path = tmp_path
        self.bot_dir = bot_dir
        self.script = script
        self.bots: list[BotProcess] = []

    def _env(
        self, port: int, config_path: Path, db_path: Path, extra: Mapping[str, str | None]
    ) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SLACK_", "CARE_", "DATABASE_URL"))}
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(
            {
                "SLACK_BOT_TOKEN": self.slack.bot_token,
                "SLACK_SIGNING_SECRET": TEST_SIGNING_SECRET,
                "SLACK_API_URL": self.slack.api_url,
                "PORT": str(port),
                "CARE_DB_PATH": str(db_path),
                "CARE_CONFIG": str(config_path),
                "PYTHONUNBUFFERED": "1",
                "PYTHON_DOTENV_DISABLED": "1",
            }
        )
        for key, value in extra.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def start(
        self,
        config_toml_text: str | None = None,
        env: Mapping[str, str | None] | None = None,
        reminders: Mapping[str, Any] | None = None,
        *,
        wait_healthy: bool = True,
        timeout: float = 20.0,
    ) -> BotProcess:
        """Write care.toml, start `bot.py` on a free port, wait for /healthz if `wait_healthy`."""
        n = len(self.bots) + 1
        suffix = "" if n == 1 else f"-{n}"
        config_path = self.tmp_path / f"care{suffix}.toml"
        config_path.write_text(config_toml_text or care_toml(self.slack, reminders))
        port = free_port()
        db_path = self.tmp_path / "care.db"
        bot = BotProcess(
            self.slack,
            [sys.executable, self.script],
            self.bot_dir,
            self._env(port, config_path, db_path, env or {}),
            port=port,
            db_path=Path((env or {}).get("CARE_DB_PATH") or db_path),
            config_path=config_path,
            log_path=self.tmp_path / f"bot{suffix}.log",
        )
        self.bots.append(bot)
        bot.spawn()
        if wait_healthy:
            bot.wait_healthy(timeout)
        return bot

    def run_cli(
        self,
        args: list[str],
        config_toml_text: str | None = None,
        env: Mapping[str, str | None] | None = None,
        timeout: float = 60.0,
    ) -> subprocess.CompletedProcess:
        """Run `python -m care_bot ARGS` with the bot's environment; return the finished process."""
        config_path = self.tmp_path / "care-cli.toml"
        config_path.write_text(config_toml_text or care_toml(self.slack))
        full_env = self._env(free_port(), config_path, self.tmp_path / "care.db", env or {})
        return subprocess.run(
            [sys.executable, "-m", "care_bot", *args], cwd=self.bot_dir, env=full_env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
        )

    def close_all(self) -> None:
        """Kill every bot this factory started."""
        for bot in self.bots:
            bot.kill()


# ---------------------------------------------------------------------------- modals


class ModalSession:
    """Plays the Slack client's side of one user's modal, keeping the view stack in the emulator."""

    def __init__(self, bot: BotProcess, user_id: str):
        """Start with no view; use `ModalSession.open(...)`."""
        self.bot = bot
        self.slack = bot.slack
        self.user_id = user_id
        self.stack: list[dict] = []
        self.command_response: HttpResponse | None = None
        self.last_response: dict | None = None

    @classmethod
    def open(
        cls, bot: BotProcess, user_id: str, text: str = "", timeout: float = 10.0, **kwargs: Any
    ) -> ModalSession:
        """Run `/threat text` as `user_id` and wait for the bot's views.open for that trigger."""
        session = cls(bot, user_id)
        trigger = session.slack.mint_trigger_id(user_id)
        since = session.slack.last_seq()
        session.command_response = bot.command(user_id, text, trigger_id=trigger, **kwargs)
        if session.command_response.status != 200:
            raise AssertionError(f"/threat answered {session.command_response}\n{bot.logs()}")
        call = session.slack.wait_for_call(
            "views.open",
            lambda c: c["params"].get("trigger_id") == trigger,
            since=since,
            timeout=timeout,
        )
        session._expect_ok(call)
        session.stack = [call["response"]["view"]]
        return session

    @property
    def view(self) -> dict:
        """The view on top of the stack, as the emulator stores it (id, hash, blocks, ...)."""
        if not self.stack:
            raise AssertionError("the modal is closed")
        return self.stack[-1]

    @property
    def is_open(self) -> bool:
        """Whether any view is still open."""
        return bool(self.stack)

    def _expect_ok(self, call: dict) -> None:
        if not call["response"].get("ok"):
            raise AssertionError(
                f"bot's {call['method']} failed: {call['response']}\n{self.bot.logs()}"
            )

    def _send(self, payload: dict) -> HttpResponse:
        response = self.bot.interact(payload)
        if response.status != 200:
            raise AssertionError(
                f"bot answered {response.status}: {response.body}\n{self.bot.logs()}"
            )
        return response

    def submit(
        self, answers: Mapping[str, Any] | None = None, *, values: Mapping | None = None
    ) -> dict:
        """Submit the current view with `{block_id: answer}`; return the bot's parsed answer."""
        view = self.view
        state = values if values is not None else payloads.state_values(view, answers or {})
        trigger = self.slack.mint_trigger_id(self.user_id, view_id=view["id"])
        payload = payloads.view_submission(
            view, self.user_id, state, trigger, workspace=self.slack.workspace
        )
        response = self._send(payload)
        body = response.json() if response.body.strip() else {}
        self._apply(body)
        self.last_response = body
        return body

    def _apply(self, body: dict) -> None:
        action = body.get("response_action")
        if not action:
            self.stack.pop()
        elif action == "update":
            self._slack_side("views.update", view_id=self.view["id"], view=body["view"])
        elif action == "push":
            trigger = self.slack.mint_trigger_id(self.user_id, view_id=self.view["id"])
            self._slack_side("views.push", trigger_id=trigger, view=body["view"])
        elif action == "clear":
            self.stack = []
        elif action == "errors":
            self._check_error_keys(body.get("errors") or {})
        else:
            raise AssertionError(f"unknown response_action {action!r}")

    def _slack_side(self, method: str, **params: Any) -> None:
        answer = self.slack.api(method, **params)
        if not answer.get("ok"):
            raise AssertionError(f"Slack would reject the bot's response ({method}): {answer}")
        if method == "views.update":
            self.stack[-1] = answer["view"]
        else:
            self.stack.append(answer["view"])

    def _check_error_keys(self, errors: Mapping[str, str]) -> None:
        inputs = {
            b.get("block_id") for b in self.view.get("blocks", []) if b.get("type") == "input"
        }
        bad = set(errors) - inputs
        if bad:
            raise AssertionError(
                f"errors name blocks that are not input blocks of the view: {sorted(bad)}"
            )

    def click(
        self,
        action_id: str,
        value: Any = None,
        *,
        answers: Mapping[str, Any] | None = None,
        expect: str | None = "views.update",
        timeout: float = 10.0,
        until: Callable[[dict], bool] | None = None,
    ) -> dict | HttpResponse:
        """Click `action_id` in the modal, then wait for the bot's `expect` call and apply it.

        `until` picks the call by the view it leaves on screen: the bot also updates an open
        danger screen on its own as the alert's state changes (issue 15).
        """
        view = self.view
        block_id, _element = payloads.find_element(view["blocks"], action_id)
        state = payloads.state_values(view, answers or {})
        trigger = self.slack.mint_trigger_id(self.user_id, view_id=view["id"])
        payload = payloads.block_actions_view(
            view,
            self.user_id,
            action_id,
            value,
            block_id,
            values=state,
            trigger_id=trigger,
            workspace=self.slack.workspace,
        )
        since = self.slack.last_seq()
        response = self._send(payload)
        if expect is None:
            return response
        targets = self._targets(view, trigger)

        def wanted(found: dict) -> bool:
            shown = found["params"].get("view")
            shown = json.loads(shown) if isinstance(shown, str) else shown
            return targets(found) and (until is None or until(shown or {}))

        call = self.slack.wait_for_call(expect, wanted, since=since, timeout=timeout)
        self._expect_ok(call)
        if expect == "views.update":
            self.stack[-1] = call["response"]["view"]
        elif expect == "views.push":
            self.stack.append(call["response"]["view"])
        return call

    @staticmethod
    def _targets(view: dict, trigger: str) -> Callable[[dict], bool]:
        def matches(call: dict) -> bool:
            params = call["params"]
            if params.get("trigger_id") == trigger:
                return True
            if params.get("view_id"):
                return params["view_id"] == view["id"]
            return (
                bool(view.get("external_id")) and params.get("external_id") == view["external_id"]
            )

        return matches

    def close(self, force: bool = False) -> HttpResponse | None:
        """Close the modal; send `view_closed` when the view asked for it (or `force`)."""
        view = self.view
        self.stack = []
        if not (view.get("notify_on_close") or force):
            return None
        return self._send(payloads.view_closed(view, self.user_id, workspace=self.slack.workspace))
