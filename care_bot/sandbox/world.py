"""What each person in the sandbox would see in their Slack client, built from the bot's API calls.

The stand-in (emulate) keeps Slack's own state; this module keeps the client's side of it: the
messages and threads of each conversation, ephemerals, each person's modal stack and Home tab.
It learns everything from the Web API calls the bot makes (and their answers) and from what the
sandbox client does. Thread-safe: one lock, and a version number that grows on every change.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

MAX_STACK = 3  # Slack's modal stack: the root view and two pushed views


@dataclass
class Conversation:
    """A channel or a DM with the bot."""

    id: str
    name: str
    kind: str  # "channel" or "dm"
    private: bool = False
    members: set[str] = field(default_factory=set)


class World:
    """The client-side state of the sandbox workspace."""

    def __init__(self, people: dict[str, dict], bot_user_id: str):
        """Start with the workspace's people (`{user_id: {...}}`) and no messages."""
        self.people = people
        self.bot_user_id = bot_user_id
        self.conversations: dict[str, Conversation] = {}
        self.messages: dict[str, list[dict]] = {}
        self.ephemerals: list[dict] = []
        self.stacks: dict[str, list[dict]] = {}
        self.errors: dict[str, dict] = {}  # view id -> {block_id: message}
        self.homes: dict[str, dict] = {}
        self.triggers: dict[str, str] = {}
        self.hooks: dict[str, dict] = {}
        self.notices: dict[str, list[dict]] = {}
        self.version = 0
        self._serial = 0
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)

    # -- bookkeeping

    def _bump(self) -> None:
        self.version += 1
        self._changed.notify_all()

    def wait_for_change(self, since: int, timeout: float) -> int:
        """Block until the version passes `since` (or `timeout` seconds); return the version."""
        with self._changed:
            self._changed.wait_for(lambda: self.version > since, timeout=timeout)
            return self.version

    def _next_ts(self) -> str:
        self._serial += 1
        return f"{time.time():.0f}.{self._serial:06d}"

    def add_conversation(self, conversation: Conversation) -> None:
        """Register a channel or DM."""
        with self._lock:
            self.conversations[conversation.id] = conversation
            self.messages.setdefault(conversation.id, [])
            self._bump()

    def dm_of(self, user_id: str) -> str | None:
        """Return the id of the DM between the bot and `user_id`, when one is open."""
        for conversation in self.conversations.values():
            if conversation.kind == "dm" and user_id in conversation.members:
                return conversation.id
        return None

    def remember_trigger(self, trigger_id: str, user_id: str) -> None:
        """Note whose click minted `trigger_id`, so a views.open with it opens for them."""
        with self._lock:
            self.triggers[trigger_id] = user_id

    def remember_hook(self, token: str, where: dict) -> None:
        """Note where a response_url answer goes (`{user, channel, message_ts?}`)."""
        with self._lock:
            self.hooks[token] = where

    def notice(self, user_id: str, text: str) -> None:
        """Show `user_id` a notice from the Slack client itself (an error, a timeout)."""
        with self._lock:
            self.notices.setdefault(user_id, []).append({"id": self._next_ts(), "text": text})
            self._bump()

    # -- the bot's Web API calls

    def observe(self, method: str, params: dict, answer: dict) -> None:
        """Apply one successful bot call (`method`, its params, Slack's answer) to the world."""
        if not isinstance(answer, dict) or not answer.get("ok"):
            return
        handler = getattr(self, "_on_" + method.replace(".", "_"), None)
        if handler:
            with self._lock:
                handler(params, answer)
                self._bump()

    def _on_conversations_open(self, params: dict, answer: dict) -> None:
        users = [u for u in str(params.get("users", "")).split(",") if u]
        channel = answer.get("channel") or {}
        if len(users) == 1 and channel.get("id") and channel["id"] not in self.conversations:
            self.conversations[channel["id"]] = Conversation(
                channel["id"], "CARE bot", "dm", True, {users[0]}
            )
            self.messages.setdefault(channel["id"], [])

    def _on_chat_postMessage(self, params: dict, answer: dict) -> None:
        channel = answer.get("channel") or params.get("channel")
        to_person = str(params.get("channel", "")).startswith(("U", "W"))
        if channel not in self.conversations and to_person:
            self._on_conversations_open({"users": params["channel"]}, {"channel": {"id": channel}})
        message = answer.get("message") or {}
        self.messages.setdefault(channel, []).append({
            "ts": answer.get("ts") or message.get("ts") or self._next_ts(),
            "thread_ts": params.get("thread_ts") or None,
            "user": self.bot_user_id,
            "text": params.get("text") or "",
            "blocks": params.get("blocks") or [],
            "edited": 0,
        })

    def _on_chat_update(self, params: dict, answer: dict) -> None:
        channel = answer.get("channel") or params.get("channel")
        for message in self.messages.get(channel, []):
            if message["ts"] == (answer.get("ts") or params.get("ts")):
                if "text" in params:
                    message["text"] = params.get("text") or ""
                if "blocks" in params:
                    message["blocks"] = params.get("blocks") or []
                message["edited"] += 1

    def _on_chat_delete(self, params: dict, answer: dict) -> None:
        channel = answer.get("channel") or params.get("channel")
        self.messages[channel] = [
            m for m in self.messages.get(channel, []) if m["ts"] != params.get("ts")
        ]

    def _on_chat_postEphemeral(self, params: dict, answer: dict) -> None:
        self.add_ephemeral(params.get("channel"), params.get("user"), params,
                           answer.get("message_ts"))

    def add_ephemeral(self, channel: str, user: str, body: dict, ts: str | None = None) -> None:
        """Show `user` a message in `channel` that nobody else sees."""
        with self._lock:
            self.ephemerals.append({
                "ts": ts or self._next_ts(),
                "channel": channel,
                "user": user,
                "thread_ts": body.get("thread_ts") or None,
                "text": body.get("text") or "",
                "blocks": body.get("blocks") or [],
            })
            self._bump()

    def _on_views_open(self, params: dict, answer: dict) -> None:
        user = self.triggers.get(params.get("trigger_id", ""))
        if user:
            self.stacks[user] = [answer["view"]]

    def _on_views_push(self, params: dict, answer: dict) -> None:
        user = self.triggers.get(params.get("trigger_id", ""))
        if user:
            self.stacks.setdefault(user, []).append(answer["view"])

    def _on_views_update(self, params: dict, answer: dict) -> None:
        self.replace_view(answer["view"])

    def _on_views_publish(self, params: dict, answer: dict) -> None:
        self.homes[params.get("user_id", "")] = answer["view"]

    def _on_files_completeUploadExternal(self, params: dict, answer: dict) -> None:
        channel = params.get("channel_id")
        if not channel:
            return
        titles = [f.get("title") or f.get("name") or "file" for f in answer.get("files", [])]
        self.messages.setdefault(channel, []).append({
            "ts": self._next_ts(),
            "thread_ts": params.get("thread_ts") or None,
            "user": self.bot_user_id,
            "text": params.get("initial_comment") or "",
            "blocks": [],
            "files": titles,
            "edited": 0,
        })

    # -- the client's side of modals

    def replace_view(self, view: dict) -> None:
        """Put `view` in place of the open view (modal or Home) with the same id."""
        with self._lock:
            for stack in self.stacks.values():
                for index, open_view in enumerate(stack):
                    if open_view.get("id") == view.get("id"):
                        stack[index] = view
                        self.errors.pop(view.get("id"), None)
            for user, home in list(self.homes.items()):
                if home.get("id") == view.get("id"):
                    self.homes[user] = view
            self._bump()

    def push_view(self, user_id: str, view: dict) -> None:
        """Add `view` on top of `user_id`'s modal stack."""
        with self._lock:
            self.stacks.setdefault(user_id, []).append(view)
            self._bump()

    def top_view(self, user_id: str) -> dict | None:
        """Return the modal `user_id` is looking at, if any."""
        with self._lock:
            stack = self.stacks.get(user_id) or []
            return stack[-1] if stack else None

    def find_view(self, user_id: str, view_id: str) -> dict | None:
        """Return `user_id`'s open modal or Home view with this id."""
        with self._lock:
            for view in [*(self.stacks.get(user_id) or []), self.homes.get(user_id)]:
                if view and view.get("id") == view_id:
                    return view
            return None

    def pop_view(self, user_id: str) -> dict | None:
        """Close the top modal of `user_id`'s stack and return it."""
        with self._lock:
            stack = self.stacks.get(user_id) or []
            view = stack.pop() if stack else None
            self._bump()
            return view

    def clear_views(self, user_id: str) -> None:
        """Close every modal of `user_id`."""
        with self._lock:
            self.stacks[user_id] = []
            self._bump()

    def set_errors(self, view_id: str, errors: dict) -> None:
        """Show field errors under the input blocks of an open view."""
        with self._lock:
            self.errors[view_id] = dict(errors)
            self._bump()

    def find_message(self, channel: str, ts: str) -> dict | None:
        """Return the message (or this person's ephemeral) at `ts` in `channel`."""
        with self._lock:
            for message in self.messages.get(channel, []) + self.ephemerals:
                if message["ts"] == ts and message.get("channel", channel) == channel:
                    return message
            return None

    # -- response_url answers

    def respond(self, token: str, body: dict) -> bool:
        """Apply an answer the bot posted to a response_url; False when the url is unknown."""
        with self._lock:
            where = self.hooks.get(token)
            if where is None:
                return False
            channel, ts = where.get("channel"), where.get("message_ts")
            target = self.find_message(channel, ts) if ts else None
            if body.get("delete_original") and target:
                self._remove(channel, target)
            elif body.get("replace_original") and target:
                target.update(text=body.get("text") or "", blocks=body.get("blocks") or [])
                target["edited"] = target.get("edited", 0) + 1
            elif body.get("response_type") == "in_channel":
                self._on_chat_postMessage({**body, "channel": channel}, {"channel": channel})
            else:
                self.add_ephemeral(channel, where["user"], body)
            self._bump()
            return True

    def _remove(self, channel: str, target: dict) -> None:
        if target in self.ephemerals:
            self.ephemerals.remove(target)
        else:
            self.messages[channel] = [m for m in self.messages[channel] if m is not target]

    # -- what one person sees

    def snapshot(self, user_id: str) -> dict[str, Any]:
        """Return everything `user_id`'s Slack client would show, as plain JSON-able data."""
        with self._lock:
            visible = [
                c for c in self.conversations.values()
                if (c.kind == "channel" and (not c.private or user_id in c.members))
                or (c.kind == "dm" and user_id in c.members)
            ]
            stack = self.stacks.get(user_id) or []
            top = stack[-1] if stack else None
            return {
                "version": self.version,
                "me": user_id,
                "conversations": [
                    {"id": c.id, "name": c.name, "kind": c.kind, "private": c.private,
                     "messages": self.messages.get(c.id, []),
                     "ephemerals": [e for e in self.ephemerals
                                    if e["channel"] == c.id and e["user"] == user_id]}
                    for c in visible
                ],
                "modal": top and {"view": top, "depth": len(stack),
                                  "errors": self.errors.get(top.get("id"), {})},
                "home": self.homes.get(user_id),
                "notices": self.notices.get(user_id, [])[-5:],
            }
