"""An in-memory stand-in for SlackGateway, for unit tests of flows and delivery."""

from __future__ import annotations

import itertools
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse


def slack_error(error: str, status: int = 200, headers: dict | None = None) -> SlackApiError:
    """Build the SlackApiError slack_sdk raises for a failed call."""
    response = SlackResponse(
        client=None, http_verb="POST", api_url="http://127.0.0.1/api/x", req_args={},
        data={"ok": False, "error": error}, headers=headers or {}, status_code=status,
    )
    return SlackApiError(error, response)


class FakeSlack:
    """Records posts, updates and views; can be told to fail the next calls."""

    def __init__(self):
        self.posts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.views: list[dict[str, Any]] = []
        self.ephemerals: list[dict[str, Any]] = []
        self.homes: list[dict[str, Any]] = []
        self.failures: list[Exception] = []
        self.groups: dict[str, list[str]] = {}
        self.lose_answers = 0  # posts that succeed but then raise, as a lost answer would
        self.lookups = 0
        self.uploads: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self._ts = itertools.count(1)
        self.client = None

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    def post(self, channel, message, thread_ts=None, key=None):
        """Record a post and return (channel, ts)."""
        self._maybe_fail()
        ts = f"1700000000.{next(self._ts):06d}"
        self.posts.append({"channel": channel, "ts": ts, "thread_ts": thread_ts, "key": key,
                           **message})
        if self.lose_answers:
            self.lose_answers -= 1
            raise TimeoutError("the answer was lost after Slack posted")
        return channel, ts

    def find_post(self, channel, key, thread_ts=None):
        """Return the ts of an earlier post with this key in the channel or thread."""
        self.lookups += 1
        for post in self.posts:
            if post["channel"] == channel and post["key"] == key:
                return post["ts"]
        return None

    def update(self, channel, ts, message):
        """Record an update."""
        self._maybe_fail()
        self.updates.append({"channel": channel, "ts": ts, **message})

    def publish_home(self, user_id, view):
        """Record a published Home tab."""
        self._maybe_fail()
        self.homes.append({"user": user_id, "view": view})

    def home_of(self, user_id):
        """Return the last Home view published for a user, or None."""
        found = [h["view"] for h in self.homes if h["user"] == user_id]
        return found[-1] if found else None

    def open_dm(self, user_id):
        """Return a fake DM channel id for the user."""
        return f"D{user_id}"

    def open_view(self, trigger_id, view):
        """Record an opened view."""
        self.views.append({"op": "open", "view": view})
        return {"id": "V1", "hash": "h1", **view}

    def update_view(self, view_id, view, view_hash=None):
        """Record an updated view."""
        self.views.append({"op": "update", "view_id": view_id, "view": view})
        return view

    def push_view(self, trigger_id, view):
        """Record a pushed view."""
        self.views.append({"op": "push", "view": view})
        return view

    def respond(self, response_url, message):
        """Record an answer through a response_url."""
        self._maybe_fail()
        self.responses.append({"url": response_url, **message})
        return True

    def post_ephemeral(self, channel, user_id, text):
        """Record an ephemeral message."""
        self.ephemerals.append({"channel": channel, "user": user_id, "text": text})

    def user_profile(self, user_id):
        """Return a fixed profile."""
        return {"name": "Alice Example", "title": "Teller"}

    def usergroup_members(self, group_id):
        """Return the configured members of a group."""
        if group_id not in self.groups:
            raise slack_error("no_such_subteam")
        return self.groups[group_id]

    def in_thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """Return the replies posted in one thread."""
        return [p for p in self.posts if p["channel"] == channel and p["thread_ts"] == thread_ts]

    def upload_file(self, channel, filename, content, *, title, comment, alt_text=None):
        """Record a files.uploadV2 upload and return a file id."""
        self._maybe_fail()
        self.uploads.append({"channel": channel, "filename": filename, "content": content,
                             "title": title, "comment": comment, "alt_text": alt_text})
        return f"F{len(self.uploads)}"
