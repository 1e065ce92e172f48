"""The Slack client's side of the sandbox: what Slack sends the bot when a person acts.

Every request is shaped and signed like Slack's (v0 HMAC-SHA256 of the timestamp and the raw
body), and the bot's answers to modal submissions are applied by Slack's rules: an empty answer
closes the view, `response_action` shows errors or updates, pushes (at most 3 views) or clears.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode

from care_bot.sandbox.stand_in import BOT, StandIn
from care_bot.sandbox.world import MAX_STACK, World

SLACK_TIMEOUT = 3.0  # Slack shows an error when the bot answers later than this
SEND_TIMEOUT = 15.0  # the sandbox waits longer, and says so, rather than lose the answer
TROUBLE = "We had some trouble connecting. Try again?"  # what Slack says when an answer fails
VERIFICATION_TOKEN = "sandbox-verification-token"
NOT_ORG_WIDE = {"enterprise": None, "is_enterprise_install": False}  # the sandbox is one workspace
# The keys of a view in a payload, with the value used when the view does not say.
VIEW_DEFAULTS = {"id": "", "team_id": "", "type": "modal", "blocks": [], "private_metadata": "",
                 "callback_id": "", "state": {}, "hash": "", "title": None,
                 "clear_on_close": False, "notify_on_close": False, "close": None,
                 "submit": None, "previous_view_id": None, "root_view_id": None, "app_id": "",
                 "external_id": "", "app_installed_team_id": "", "bot_id": ""}
ACTION_KEYS = ("type", "action_id", "block_id", "text", "value", "style", "selected_option",
               "selected_options", "selected_user", "selected_users", "selected_conversation",
               "selected_conversations", "selected_channel", "selected_channels",
               "selected_date", "selected_time", "selected_date_time")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return Slack's `v0=` signature of `body` sent at `timestamp`."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Answer:
    """The bot's HTTP answer to one request."""

    status: int
    body: str
    elapsed: float

    def json(self) -> dict:
        """Parse the body as JSON; {} when empty or not JSON."""
        try:
            parsed = json.loads(self.body) if self.body.strip() else {}
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}


class SlackClient:
    """Sends people's actions to the bot as Slack would, and shows the results in the World."""

    def __init__(self, world: World, stand_in: StandIn, bot_url: str, signing_secret: str,
                 hooks_url: str):
        """Talk to the bot at `bot_url` (its /slack/events), signing with `signing_secret`."""
        self.world = world
        self.stand_in = stand_in
        self.bot_url = bot_url
        self.signing_secret = signing_secret
        self.hooks_url = hooks_url.rstrip("/")

    # -- transport

    def _send(self, user_id: str, body: str, content_type: str) -> Answer:
        raw = body.encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(self.signing_secret, timestamp, raw),
        }
        request = urllib.request.Request(self.bot_url, data=raw, headers=headers, method="POST")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as response:
                answer = Answer(response.status, response.read().decode(), 0)
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.read().decode(errors="replace"), 0)
        except OSError:
            answer = Answer(0, "", 0)
        answer.elapsed = time.monotonic() - started
        if answer.elapsed > SLACK_TIMEOUT:
            self.world.notice(user_id, f"CARE bot answered after {answer.elapsed:.1f} s; real "
                                       "Slack gives up after 3 s and shows an error.")
        return answer

    def _interact(self, user_id: str, payload: dict) -> Answer:
        return self._send(user_id, urlencode({"payload": json.dumps(payload)}),
                          "application/x-www-form-urlencoded")

    # -- payload parts

    def _team(self) -> dict:
        return {"id": self.stand_in.team_id, "domain": "harbor-sandbox"}

    def _user(self, user_id: str) -> dict:
        name = self.world.people.get(user_id, {}).get("name", user_id.lower())
        return {"id": user_id, "username": name, "name": name, "team_id": self.stand_in.team_id}

    def _common(self, kind: str, user_id: str) -> dict:
        """The start of a block_actions / view_submission / view_closed payload (this app's id)."""
        return {"type": kind, "team": self._team(), "user": self._user(user_id),
                "api_app_id": BOT["app_id"], "token": VERIFICATION_TOKEN}

    def _view(self, view: dict, values: dict | None = None) -> dict:
        """A view as Slack sends it back: the keys of tests/fixtures/slack, state filled in."""
        team = self.stand_in.team_id
        shaped = {key: view.get(key, default) for key, default in VIEW_DEFAULTS.items()}
        shaped.update(team_id=team, app_installed_team_id=team, app_id=BOT["app_id"],
                      bot_id=BOT["bot_id"], state={"values": values or {}},
                      root_view_id=view.get("root_view_id") or view.get("id"))
        return shaped

    def _trigger(self, user_id: str, view_id: str | None = None) -> str:
        trigger = self.stand_in.mint_trigger(user_id, view_id)
        self.world.remember_trigger(trigger, user_id)
        return trigger

    def _response_url(self, user_id: str, channel: str, message_ts: str | None = None) -> str:
        token = secrets.token_urlsafe(12)
        self.world.remember_hook(token, {"user": user_id, "channel": channel,
                                         "message_ts": message_ts})
        return f"{self.hooks_url}/{token}"

    def _channel_name(self, channel: str) -> str:
        conversation = self.world.conversations.get(channel)
        if conversation is None or conversation.kind == "dm":
            return "directmessage"
        return conversation.name

    def _failed(self, user_id: str, what: str, answer: Answer) -> bool:
        if answer.status == 200:
            return False
        error = "dispatch_failed" if answer.status in (0, 404) or answer.status >= 500 else (
            f"http_{answer.status}")
        self.world.notice(user_id, f'{what} failed with the error "{error}"')
        return True

    # -- what a person can do

    def command(self, user_id: str, channel: str, command: str, text: str) -> None:
        """Type `command text` in `channel`, as `user_id`."""
        fields = {
            "token": VERIFICATION_TOKEN, "team_id": self.stand_in.team_id,
            "team_domain": "harbor-sandbox", "channel_id": channel,
            "channel_name": self._channel_name(channel), "user_id": user_id,
            "user_name": self.world.people.get(user_id, {}).get("name", ""), "command": command,
            "text": text, "api_app_id": BOT["app_id"], "is_enterprise_install": "false",
            "response_url": self._response_url(user_id, channel),
            "trigger_id": self._trigger(user_id),
        }
        answer = self._send(user_id, urlencode(fields), "application/x-www-form-urlencoded")
        if self._failed(user_id, command, answer) or not answer.body.strip():
            return
        body = answer.json() or {"text": answer.body}
        if body.get("response_type") == "in_channel":
            self.world.observe("chat.postMessage", {**body, "channel": channel},
                               {"ok": True, "channel": channel})
        else:
            self.world.add_ephemeral(channel, user_id, body)

    def message_action(self, user_id: str, channel: str, ts: str, action: dict,
                       values: dict) -> None:
        """Click a button or choose an option in a message (or an ephemeral) in `channel`."""
        message = self.world.find_message(channel, ts) or {}
        ephemeral = "user" in message and message.get("channel") == channel
        payload = {
            **self._common("block_actions", user_id),
            "container": {"type": "message", "message_ts": ts, "channel_id": channel,
                          "is_ephemeral": ephemeral,
                          **({"thread_ts": message["thread_ts"]} if message.get("thread_ts")
                             else {})},
            "trigger_id": self._trigger(user_id), **NOT_ORG_WIDE,
            "channel": {"id": channel, "name": self._channel_name(channel)},
            "state": {"values": values},
            "response_url": self._response_url(user_id, channel, ts),
            "actions": [self._action(action)],
        }
        if not ephemeral:
            payload["message"] = self._message(message)
        self._failed(user_id, "That action", self._interact(user_id, payload))

    def view_action(self, user_id: str, view_id: str, action: dict, values: dict) -> None:
        """Click a button or choose an option in an open modal or the Home tab."""
        view = self.world.find_view(user_id, view_id)
        if view is None:
            return
        trigger_view = view_id if view.get("type") == "modal" else None
        payload = {
            **self._common("block_actions", user_id),
            "container": {"type": "view", "view_id": view_id},
            "trigger_id": self._trigger(user_id, trigger_view), **NOT_ORG_WIDE,
            "view": self._view(view, values),
            "actions": [self._action(action)],
        }
        self._failed(user_id, "That action", self._interact(user_id, payload))

    def submit(self, user_id: str, view_id: str, values: dict) -> None:
        """Press the modal's submit button, then apply the bot's answer as Slack does."""
        view = self.world.top_view(user_id)
        if view is None or view.get("id") != view_id:
            return
        payload = {
            **self._common("view_submission", user_id),
            "trigger_id": self._trigger(user_id, view_id),
            "view": self._view(view, values),
            "response_urls": [], **NOT_ORG_WIDE,
        }
        answer = self._interact(user_id, payload)
        if answer.status != 200:
            self.world.notice(user_id, TROUBLE)
            return
        self._apply(user_id, view, answer.json())

    def _apply(self, user_id: str, view: dict, body: dict) -> None:
        action = body.get("response_action")
        if not action:
            self.world.pop_view(user_id)
        elif action == "errors":
            inputs = {b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"}
            errors = body.get("errors") or {}
            bad = sorted(set(errors) - inputs)
            if bad:
                self.world.notice(user_id, f"{TROUBLE} (the bot named errors for blocks that "
                                           f"are not inputs of this view: {', '.join(bad)})")
            else:
                self.world.set_errors(view["id"], errors)
        elif action == "update":
            self._view_call(user_id, "views.update", view_id=view["id"], view=body.get("view"))
        elif action == "push":
            if len(self.world.stacks.get(user_id) or []) >= MAX_STACK:
                self.world.notice(user_id, f"{TROUBLE} (push_limit_reached: Slack keeps at "
                                           f"most {MAX_STACK} views in a modal)")
                return
            trigger = self._trigger(user_id, view["id"])
            self._view_call(user_id, "views.push", trigger_id=trigger, view=body.get("view"))
        elif action == "clear":
            self.world.clear_views(user_id)
        else:
            self.world.notice(user_id, f"{TROUBLE} (unknown response_action {action!r})")

    def _view_call(self, user_id: str, method: str, **params) -> None:
        answer = self.stand_in.api(method, **params)
        if not answer.get("ok"):
            self.world.notice(user_id, f"{TROUBLE} ({method}: {answer.get('error')})")
        elif method == "views.update":
            self.world.replace_view(answer["view"])
        else:
            self.world.push_view(user_id, answer["view"])

    def close(self, user_id: str, view_id: str) -> None:
        """Press the modal's close button: the top view goes (the whole stack if it says so)."""
        view = self.world.top_view(user_id)
        if view is None or view.get("id") != view_id:
            return
        if view.get("clear_on_close"):
            self.world.clear_views(user_id)
        else:
            self.world.pop_view(user_id)
        if view.get("notify_on_close"):
            payload = {**self._common("view_closed", user_id), "view": self._view(view),
                       "is_cleared": False, "response_urls": [], **NOT_ORG_WIDE}
            self._interact(user_id, payload)

    def open_home(self, user_id: str) -> None:
        """Open the bot's Home tab: Slack sends the `app_home_opened` event."""
        channel = self.world.dm_of(user_id) or ""
        event = {"type": "app_home_opened", "user": user_id, "channel": channel, "tab": "home",
                 "event_ts": f"{time.time():.6f}"}
        if self.world.homes.get(user_id):
            event["view"] = self._view(self.world.homes[user_id])
        team = self.stand_in.team_id
        body = {
            "token": VERIFICATION_TOKEN, "team_id": team, "context_team_id": team,
            "context_enterprise_id": None, "api_app_id": BOT["app_id"], "event": event,
            "type": "event_callback", "event_id": "Ev" + secrets.token_hex(6).upper(),
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": team,
                                "user_id": BOT["bot_user_id"], "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False, "event_context": "4-" + secrets.token_urlsafe(24),
        }
        self._send(user_id, json.dumps(body), "application/json")

    def shortcut(self, user_id: str, callback_id: str, channel: str | None = None,
                 ts: str | None = None) -> None:
        """Run a global shortcut, or a message shortcut on the message at `ts` in `channel`.

        As in Slack, neither carries this app's `api_app_id`: a message shortcut carries the id of
        the app that posted the message, when an app did.
        """
        user = self._user(user_id)
        payload = {"type": "shortcut", "token": VERIFICATION_TOKEN,
                   "action_ts": f"{time.time():.6f}", "team": self._team(), "user": user,
                   **NOT_ORG_WIDE, "callback_id": callback_id,
                   "trigger_id": self._trigger(user_id)}
        if channel and ts:
            message = self._message(self.world.find_message(channel, ts) or {})
            payload.update(
                type="message_action", channel={"id": channel,
                                                "name": self._channel_name(channel)},
                response_url=self._response_url(user_id, channel, ts), message_ts=ts,
                message=message, **({"api_app_id": message["app_id"]}
                                    if message.get("app_id") else {}),
            )
        else:
            del user["name"]  # a global shortcut names the person by id, username and team
        self._failed(user_id, "That shortcut", self._interact(user_id, payload))

    # -- helpers

    @staticmethod
    def _action(action: dict) -> dict:
        clean = {key: action[key] for key in ACTION_KEYS if key in action}
        clean["action_ts"] = f"{time.time():.6f}"
        return clean

    def _message(self, message: dict) -> dict:
        """A message as Slack shows it to an app: bot and app ids only when a bot posted it."""
        user = message.get("user", BOT["bot_user_id"])
        shaped = {"type": "message", "user": user, "ts": message.get("ts")}
        if user == BOT["bot_user_id"]:
            shaped.update(bot_id=BOT["bot_id"], app_id=BOT["app_id"])
        shaped.update(text=message.get("text", ""), team=self.stand_in.team_id,
                      blocks=message.get("blocks", []))
        if message.get("thread_ts"):
            shaped["thread_ts"] = message["thread_ts"]
        return shaped
