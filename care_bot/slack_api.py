"""Thin wrappers over slack_sdk's WebClient; nothing else in the app calls WebClient directly."""

from __future__ import annotations

import logging
import socket
import urllib.error
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

logger = logging.getLogger(__name__)

# Errors that a later attempt can fix; anything else from Slack is permanent.
TRANSIENT_ERRORS = frozenset({
    "ratelimited", "internal_error", "fatal_error", "service_unavailable",
    "request_timeout", "team_added_to_org",
})
METADATA_EVENT = "care_outbox"
MAX_BACKOFF_SECONDS = 15.0  # a held channel is probed this often: one call, oldest post first
DEFAULT_TIMEOUT_SECONDS = 10
# Slack has been seen to take 20-30 s to accept a post; answering "lost" sooner than that is
# what made the same post go out twice.
DEFAULT_POST_TIMEOUT_SECONDS = 45
NOT_PROCESSED_STATUSES = frozenset({429, 502, 503})  # Slack did not act on these


@dataclass(frozen=True)
class Failure:
    """How a failed call should be handled: retry after ``delay`` seconds, or give up."""

    permanent: bool
    delay: float
    reason: str
    maybe_done: bool = False  # Slack may have done it although no good answer came back


def classify(error: Exception, attempts: int) -> Failure:
    """Decide whether a failed Web API call is worth retrying, and when."""
    backoff = min(2.0 ** max(attempts, 1), MAX_BACKOFF_SECONDS)
    if isinstance(error, SlackApiError):
        response = error.response
        status = getattr(response, "status_code", 200)
        code = response.get("error", "") if hasattr(response, "get") else ""
        if status == 429:
            retry_after = _retry_after(response)
            return Failure(False, retry_after if retry_after is not None else backoff,
                           "ratelimited")
        if status >= 500 or code in TRANSIENT_ERRORS:
            maybe = status >= 500 and status not in NOT_PROCESSED_STATUSES
            return Failure(False, backoff, code or f"http_{status}", maybe_done=maybe)
        return Failure(True, 0.0, code or f"http_{status}")
    # Timeouts and dropped connections may have reached Slack; a refused one never did.
    return Failure(False, backoff, type(error).__name__, maybe_done=not _never_reached(error))


def _never_reached(error: Exception) -> bool:
    """True when the request certainly never reached Slack (refused, no such host)."""
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(float(value if not isinstance(value, list) else value[0]), 0.0)
            except (TypeError, ValueError):
                return None
    return None


def build_client(token: str, api_url: str,
                 timeout: int = DEFAULT_TIMEOUT_SECONDS) -> WebClient:
    """Make a WebClient for the configured API root; it never retries on its own.

    chat.postMessage has no idempotency key, so a blind retry after a dropped connection can
    post twice; the outbox decides when to try again instead.
    """
    # slack_sdk tests its own logger's level, not the effective one: with the level unset it
    # formats every request body into a debug string on each call, slowing every call.
    client_logger = logging.getLogger("care_bot.web_client")
    client_logger.setLevel(logging.INFO)
    return WebClient(
        token=token,
        base_url=api_url,
        timeout=timeout,
        logger=client_logger,
        retry_handlers=[],
    )


def tokenless_client(api_url: str) -> WebClient:
    """A WebClient with no token, for Bolt's own use; the app's calls go through SlackGateway."""
    return WebClient(token=None, base_url=api_url, retry_handlers=[])


class SlackGateway:
    """The Web API calls CARE bot makes, each one line of intent."""

    def __init__(self, client: WebClient, post_client: WebClient | None = None):
        self.client = client
        # chat.postMessage gets its own client with a longer timeout (see build_client).
        self.post_client = post_client or client

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """Open a modal; the trigger must be used within about three seconds."""
        return self.client.views_open(trigger_id=trigger_id, view=view)["view"]

    def update_view(self, view_id: str, view: dict[str, Any], view_hash: str | None = None):
        """Replace a modal in place; a stale hash fails with hash_conflict."""
        kwargs = {"hash": view_hash} if view_hash else {}
        return self.client.views_update(view_id=view_id, view=view, **kwargs)["view"]

    def push_view(self, trigger_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """Push a modal on top of the current one (the stack holds three)."""
        return self.client.views_push(trigger_id=trigger_id, view=view)["view"]

    def post(self, channel: str, message: dict[str, Any], thread_ts: str | None = None,
             key: str | None = None):
        """Post a message and return (channel, ts); ``key`` is stored as message metadata."""
        kwargs: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
        if thread_ts and message.get("reply_broadcast"):
            kwargs["reply_broadcast"] = True  # also shown in the channel, for urgent replies
        if key:
            kwargs["metadata"] = {"event_type": METADATA_EVENT, "event_payload": {"key": key}}
        response = self.post_client.chat_postMessage(
            channel=channel, text=message["text"], blocks=message.get("blocks"),
            unfurl_links=False, unfurl_media=False, **kwargs,
        )
        return response["channel"], response["ts"]

    def find_post(self, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """Return the ts of a recent message posted with this key, if Slack has one.

        Used before re-posting when an earlier attempt may have gone through. If the
        history cannot be read (a missing scope, say), returns None and the post is sent.
        """
        try:
            if thread_ts:
                response = self.client.conversations_replies(
                    channel=channel, ts=thread_ts, limit=200, include_all_metadata=True)
            else:
                response = self.client.conversations_history(
                    channel=channel, limit=100, include_all_metadata=True)
        except SlackApiError as error:
            logger.warning("could not look for an earlier post: %s",
                           error.response.get("error"))
            return None
        for message in response.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == key:
                return message.get("ts")
        return None

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        """Re-render a posted message in place."""
        self.client.chat_update(
            channel=channel, ts=ts, text=message["text"], blocks=message.get("blocks"),
        )

    def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        """Publish a user's Home tab; Slack keeps showing it until the next publish."""
        self.client.views_publish(user_id=user_id, view=view)

    def open_dm(self, user_id: str) -> str:
        """Return the DM channel id with a user."""
        return self.client.conversations_open(users=user_id)["channel"]["id"]

    def respond(self, response_url: str, message: dict[str, Any]) -> bool:
        """Answer through an interaction's ``response_url`` (no Web API call); True if taken."""
        try:
            response = WebhookClient(response_url, timeout=5).send_dict(message)
        except Exception as error:  # a dead response_url is one more thing that can fail
            logger.warning("response_url failed: %s", type(error).__name__)
            return False
        return response.status_code == 200

    def post_ephemeral(self, channel: str, user_id: str, text: str) -> None:
        """Show a message only to one user in a channel."""
        self.client.chat_postEphemeral(channel=channel, user=user_id, text=text)

    def user_profile(self, user_id: str) -> dict[str, Any]:
        """Return a user's real name and title, or an empty dict if Slack will not say."""
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            logger.warning("users.info failed: %s", error.response.get("error"))
            return {}
        profile = user.get("profile") or {}
        return {
            "name": profile.get("real_name") or user.get("real_name") or user.get("name") or "",
            "title": profile.get("title") or "",
        }

    def usergroup_members(self, group_id: str) -> list[str]:
        """Return the user ids in a Slack user group."""
        return list(self.client.usergroups_users_list(usergroup=group_id)["users"])

    # ---- issue 11: files (exports to a DM, the digest's chart) and the Home tab

    def upload_file(self, channel: str, filename: str, content: bytes, *, title: str,
                    comment: str, alt_text: str | None = None) -> str:
        """Share one file in a channel with files.uploadV2; return the file's id."""
        kwargs: dict[str, Any] = {"alt_txt": alt_text} if alt_text else {}
        response = self.client.files_upload_v2(
            channel=channel, filename=filename, content=content, title=title,
            initial_comment=comment, **kwargs,
        )
        return (response.get("file") or {}).get("id", "")

    # -- used by `python -m care_bot check`; each raises SlackApiError as Slack answers

    def auth_identity(self) -> dict[str, Any]:
        """Return auth.test's answer: the bot's user id, name and team."""
        return dict(self.client.auth_test().data)

    def conversation_info(self, channel: str) -> dict[str, Any]:
        """Return a channel's name, is_private and is_member (the bot's membership)."""
        return dict(self.client.conversations_info(channel=channel)["channel"])

    def user_info(self, user_id: str) -> dict[str, Any]:
        """Return a user's record (name, deleted, is_bot)."""
        return dict(self.client.users_info(user=user_id)["user"])

    def socket_mode_url(self, app_token: str) -> str:
        """Ask for a Socket Mode websocket URL with the app-level token (proves the token)."""
        return self.client.apps_connections_open(app_token=app_token)["url"]
