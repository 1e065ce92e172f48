"""slack_api: which Web API failures are retried, after how long, and what the gateway sends."""

from __future__ import annotations

import urllib.error
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from care_bot.slack_api import MAX_BACKOFF_SECONDS, SlackGateway, build_client, classify
from tests.support.fake_slack import slack_error


def api_error(status: int, data: Any, headers: dict | None = None) -> SlackApiError:
    """Build the SlackApiError slack_sdk raises, with any body (even a non-error one)."""
    response = SlackResponse(
        client=None, http_verb="POST", api_url="http://127.0.0.1/api/chat.postMessage",
        req_args={}, data=data, headers=headers or {}, status_code=status,
    )
    return SlackApiError("failed", response)


# ------------------------------------------------------------------------------- classify


def test_classify_429_with_retry_after_waits_exactly_that_long():
    failure = classify(slack_error("ratelimited", 429, {"Retry-After": "7"}), attempts=1)
    assert failure.permanent is False
    assert failure.delay == 7.0
    assert failure.reason == "ratelimited"


def test_classify_429_reads_a_lowercase_retry_after_header():
    failure = classify(slack_error("ratelimited", 429, {"retry-after": "30"}), attempts=5)
    assert (failure.permanent, failure.delay) == (False, 30.0)


def test_classify_429_reads_a_retry_after_given_as_a_list():
    failure = classify(slack_error("ratelimited", 429, {"Retry-After": ["12"]}), attempts=1)
    assert failure.delay == 12.0


@pytest.mark.parametrize("attempts, expected", [(1, 2.0), (2, 4.0), (3, 8.0)])
def test_classify_429_without_retry_after_backs_off_exponentially(attempts, expected):
    failure = classify(slack_error("ratelimited", 429), attempts=attempts)
    assert failure.permanent is False
    assert failure.delay == expected
    assert failure.reason == "ratelimited"


def test_classify_429_with_an_unreadable_retry_after_falls_back_to_backoff():
    failure = classify(slack_error("ratelimited", 429, {"Retry-After": "soon"}), attempts=3)
    assert (failure.permanent, failure.delay) == (False, 8.0)


def test_classify_503_without_an_error_code_is_retried_with_backoff():
    failure = classify(api_error(503, {}), attempts=2)
    assert failure.permanent is False
    assert failure.delay == 4.0
    assert failure.reason == "http_503"


def test_classify_503_with_a_slack_error_code_keeps_the_code_as_reason():
    failure = classify(slack_error("service_unavailable", 503), attempts=1)
    assert (failure.permanent, failure.delay, failure.reason) == (
        False, 2.0, "service_unavailable",
    )


def test_classify_ok_false_internal_error_with_http_200_is_transient():
    failure = classify(slack_error("internal_error", 200), attempts=1)
    assert failure.permanent is False
    assert failure.delay == 2.0
    assert failure.reason == "internal_error"


@pytest.mark.parametrize("code", ["not_in_channel", "channel_not_found", "invalid_blocks"])
def test_classify_ok_false_client_errors_are_permanent(code):
    failure = classify(slack_error(code, 200), attempts=1)
    assert failure.permanent is True
    assert failure.delay == 0.0
    assert failure.reason == code


@pytest.mark.parametrize(
    "error",
    [
        urllib.error.URLError("connection refused"),
        ConnectionResetError("reset by peer"),
        TimeoutError("timed out"),
    ],
    ids=["urlerror", "reset", "timeout"],
)
def test_classify_connection_errors_are_retried_and_named_by_type(error):
    failure = classify(error, attempts=1)
    assert failure.permanent is False
    assert failure.delay == 2.0
    assert failure.reason == type(error).__name__


def test_classify_backoff_is_capped():
    failure = classify(ConnectionResetError(), attempts=40)
    assert failure.delay == MAX_BACKOFF_SECONDS


def test_classify_treats_zero_attempts_like_the_first():
    assert classify(ConnectionResetError(), attempts=0).delay == 2.0


# ------------------------------------------------------------------------------- gateway


class RecordingClient:
    """Stands in for WebClient: records every call and answers like Slack."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []

    def chat_postMessage(self, **kwargs):
        self.calls.append(("chat_postMessage", kwargs))
        return {"ok": True, "channel": kwargs["channel"], "ts": "1700000000.000100"}

    def chat_update(self, **kwargs):
        self.calls.append(("chat_update", kwargs))
        return {"ok": True}

    def views_update(self, **kwargs):
        self.calls.append(("views_update", kwargs))
        return {"ok": True, "view": {"id": kwargs["view_id"]}}

    def conversations_open(self, **kwargs):
        self.calls.append(("conversations_open", kwargs))
        return {"ok": True, "channel": {"id": "D0ALICE"}}

    def users_info(self, **kwargs):
        self.calls.append(("users_info", kwargs))
        raise slack_error("user_not_found")


def test_gateway_post_sends_fallback_text_blocks_and_no_unfurls_in_thread():
    client = RecordingClient()
    gateway = SlackGateway(client)
    message = {"text": "fallback", "blocks": [{"type": "divider"}]}
    assert gateway.post("C1", message, thread_ts="1.2") == ("C1", "1700000000.000100")
    name, kwargs = client.calls[0]
    assert name == "chat_postMessage"
    assert kwargs == {
        "channel": "C1", "text": "fallback", "blocks": [{"type": "divider"}],
        "unfurl_links": False, "unfurl_media": False, "thread_ts": "1.2",
    }


def test_gateway_post_without_thread_sends_no_thread_ts():
    client = RecordingClient()
    SlackGateway(client).post("C1", {"text": "t", "blocks": []})
    assert "thread_ts" not in client.calls[0][1]


def test_gateway_update_view_passes_the_hash_only_when_given():
    client = RecordingClient()
    gateway = SlackGateway(client)
    gateway.update_view("V1", {"type": "modal"}, "h1")
    gateway.update_view("V1", {"type": "modal"})
    assert client.calls[0][1]["hash"] == "h1"
    assert "hash" not in client.calls[1][1]


def test_gateway_open_dm_returns_the_channel_id():
    assert SlackGateway(RecordingClient()).open_dm("U0ALICE") == "D0ALICE"


def test_gateway_user_profile_is_empty_when_slack_refuses():
    assert SlackGateway(RecordingClient()).user_profile("U0NOBODY") == {}


def test_build_client_never_retries_blindly_at_the_given_root():
    client = build_client("xoxb-test", "http://127.0.0.1:9/api/", timeout=3)
    assert client.base_url == "http://127.0.0.1:9/api/"
    assert client.timeout == 3
    assert client.retry_handlers == []  # a blind retry of chat.postMessage could post twice


class _GroupsClient:
    """usergroups.users.list as an org-wide token sees it: S0EAST lives in T0EAST only."""

    def __init__(self):
        self.calls: list[dict] = []

    def usergroups_users_list(self, **params):
        self.calls.append(params)
        if params.get("team_id") != "T0EAST":
            raise slack_error("no_such_subteam")
        return {"users": ["W0SAM"]}


def test_usergroup_members_org_wide_passes_a_team_id_and_remembers_which():
    client = _GroupsClient()
    gateway = SlackGateway(client)
    gateway.use_workspaces(("T0WEST", "T0EAST"))
    assert gateway.usergroup_members("S0EAST") == ["W0SAM"]
    assert [c.get("team_id") for c in client.calls] == ["T0WEST", "T0EAST"]
    assert gateway.usergroup_members("S0EAST") == ["W0SAM"]
    assert client.calls[-1]["team_id"] == "T0EAST" and len(client.calls) == 3


def test_usergroup_members_single_workspace_sends_no_team_id():
    client = _GroupsClient()
    with pytest.raises(SlackApiError):
        SlackGateway(client).usergroup_members("S0EAST")
    assert client.calls == [{"usergroup": "S0EAST"}]
