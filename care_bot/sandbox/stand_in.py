"""The local Slack stand-in: the npm `emulate` Slack Web API, started and seeded for the sandbox."""

from __future__ import annotations

import contextlib
import json
import queue
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from care_bot.sandbox import demo_bank

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
EMULATOR_SCRIPT = HERE / "emulator.mjs"
ADMIN_TOKEN = "xoxp-sandbox-admin"  # emulate always seeds an admin user; this token acts as them
ADMIN_USER_ID = "U000000001"
BOT = {
    "token": "xoxb-sandbox-care-bot",
    "bot_id": "B0CARESBX",
    "bot_user_id": "U0CARESBX",
    "app_id": "A0CARESBX",
}
CLIENT_TOKEN = "xoxb-sandbox-slack-client"  # the page's own calls (views.update after an answer)
# emulate refuses a token after 5,000 calls in an hour; a long demo moves on to alias tokens.
ALIAS_EVERY = 4000
ALIAS_COUNT = 10


def alias(token: str, slot: int) -> str:
    """Return the `slot`th stand-in token for `token` (slot 0 is the token itself)."""
    return token if slot == 0 else f"{token}-r{slot}"


class StandInError(RuntimeError):
    """The stand-in could not start (Node.js or the npm packages are missing, or it failed)."""


def call(base_url: str, token: str, method: str, **params) -> dict:
    """Call one Web API method on `base_url` and return Slack's JSON answer."""
    request = urllib.request.Request(
        f"{base_url}/api/{method}",
        data=json.dumps(params).encode(),
        headers={"Content-Type": "application/json; charset=utf-8",
                 "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read() or b'{"ok": false, "error": "http_error"}')


class StandIn:
    """A running emulate process, seeded with the demo bank."""

    def __init__(self, proc: subprocess.Popen, url: str):
        """Wrap a started emulator process serving `url`."""
        self.proc = proc
        self.url = url
        self.users: dict[str, str] = {}
        self.channels: dict[str, str] = {}
        self.team_id = ""
        self._uses: dict[str, int] = {}
        self._lock = threading.Lock()

    def forward_token(self, token: str) -> str:
        """Return the token to send on: an alias of the bot's (or client's) after many calls."""
        if token not in (BOT["token"], CLIENT_TOKEN):
            return token
        with self._lock:
            self._uses[token] = self._uses.get(token, 0) + 1
            slot = min(self._uses[token] // ALIAS_EVERY, ALIAS_COUNT - 1)
        return alias(token, slot)

    @classmethod
    def start(cls, workdir: Path, log_path: Path) -> StandIn:
        """Start `emulate` with the demo bank and arrange the channels; raise StandInError."""
        node = shutil.which("node")
        if not node:
            raise StandInError("Node.js (`node`) is not installed")
        if not (REPO_ROOT / "node_modules" / "emulate").is_dir():
            raise StandInError("the npm package `emulate` is missing: run `npm ci`")
        seed_path = workdir / "slack_seed.json"
        tokens = [alias(token, slot) for token in (BOT["token"], CLIENT_TOKEN)
                  for slot in range(ALIAS_COUNT)]
        seed = demo_bank.emulate_seed(BOT, tokens)
        admin = {"token": ADMIN_TOKEN, "type": "user", "user": ADMIN_USER_ID}
        seed["slack"]["tokens"].append(admin)
        seed_path.write_text(json.dumps(seed))
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                [node, str(EMULATOR_SCRIPT), str(seed_path)], cwd=REPO_ROOT,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
            )
        stand_in = cls(proc, _await_ready(proc, log_path))
        stand_in._arrange()
        return stand_in

    def api(self, method: str, token: str = CLIENT_TOKEN, **params) -> dict:
        """Call the stand-in's Web API (as the Slack client, unless `token` says otherwise)."""
        return call(self.url, self.forward_token(token), method, **params)

    def _admin(self, method: str, **params) -> dict:
        answer = self.api(method, ADMIN_TOKEN, **params)
        if not answer.get("ok"):
            raise StandInError(f"{method} failed while seeding the sandbox: {answer}")
        return answer

    def _arrange(self) -> None:
        members = self._admin("users.list", limit=1000)["members"]
        self.users = {u["name"]: u["id"] for u in members}
        listed = self._admin("conversations.list", types="public_channel,private_channel",
                             limit=1000)["channels"]
        self.channels = {c["name"]: c["id"] for c in listed}
        for name, (_private, _purpose, wanted) in demo_bank.CHANNELS.items():
            self._set_members(self.channels[name], [self.users[n] for n in wanted])
        self._admin("conversations.invite", channel=self.channels["general"],
                    users=BOT["bot_user_id"])
        self.team_id = self.api("auth.test", BOT["token"])["team_id"]

    def _set_members(self, channel: str, wanted: list[str]) -> None:
        self._admin("conversations.invite", channel=channel, users=BOT["bot_user_id"])
        keep = {*wanted, BOT["bot_user_id"], ADMIN_USER_ID}
        for member in self._admin("conversations.members", channel=channel)["members"]:
            if member not in keep:
                self._admin("conversations.kick", channel=channel, user=member)
        self._admin("conversations.leave", channel=channel)

    def mint_trigger(self, user_id: str, view_id: str | None = None) -> str:
        """Mint a fresh trigger id for a click by `user_id` (in the view `view_id`)."""
        params = {"user_id": user_id, **({"view_id": view_id} if view_id else {})}
        return self.api("views.generateTriggerId", **params)["trigger_id"]

    def close(self) -> None:
        """Stop the emulator process."""
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _await_ready(proc: subprocess.Popen, log_path: Path, timeout: float = 30) -> str:
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if line is None:
            break
        if line.startswith("READY "):
            return json.loads(line[len("READY "):])["url"]
    proc.kill()
    raise StandInError(f"the Slack stand-in did not start; see {log_path}")
