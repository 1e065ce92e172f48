"""Builders for Slack request payloads, in exactly the shape Slack sends each kind.

Each builder produces the keys of its fixture in tests/fixtures/slack/ (no more, no fewer), for a
stand-alone workspace or, with an org-wide `Workspace`, for an Enterprise Grid org-wide install:
tests/unit/test_payload_shapes.py compares them. Shortcuts carry no `api_app_id` (a message
shortcut carries the posting app's id when the message came from an app).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode


@dataclass(frozen=True)
class Workspace:
    """Workspace-wide values Slack puts in every payload."""

    team_id: str = "T000000001"
    team_domain: str = "care-test"
    api_app_id: str = "A0CAREBOT"
    # An Enterprise Grid org-wide install: requests name the organisation too.
    enterprise_id: str | None = None
    enterprise_name: str = ""
    bot_id: str = "B0CAREBOT"
    bot_user_id: str = "U0CAREBOT"
    verification_token: str = "legacy-verification-token"
    response_url_base: str = "https://hooks.slack.com"
    user_names: Mapping[str, str] = field(default_factory=dict)
    channel_names: Mapping[str, str] = field(default_factory=dict)

    def user_name(self, user_id: str) -> str:
        """Return the Slack handle of `user_id` (its id, lowercased, when unknown)."""
        return self.user_names.get(user_id, user_id.lower())

    @property
    def org_wide(self) -> bool:
        """True for a workspace of an organisation where the app is installed org-wide."""
        return bool(self.enterprise_id)

    def in_team(self, team_id: str, team_domain: str | None = None) -> Workspace:
        """The same organisation and app, seen from another of its workspaces."""
        return replace(self, team_id=team_id, team_domain=team_domain or self.team_domain)

    def channel_name(self, channel_id: str) -> str:
        """Return the name of `channel_id` the way Slack reports it in payloads."""
        if channel_id.startswith("D"):
            return "directmessage"
        return self.channel_names.get(channel_id, "general")


DEFAULT_WORKSPACE = Workspace()

# element type -> (state key, initial key, kind of answer)
_STATEFUL: dict[str, tuple[str, str, str]] = {
    "plain_text_input": ("value", "initial_value", "text"),
    "email_text_input": ("value", "initial_value", "text"),
    "url_text_input": ("value", "initial_value", "text"),
    "number_input": ("value", "initial_value", "text"),
    "static_select": ("selected_option", "initial_option", "option"),
    "external_select": ("selected_option", "initial_option", "option"),
    "radio_buttons": ("selected_option", "initial_option", "option"),
    "multi_static_select": ("selected_options", "initial_options", "options"),
    "multi_external_select": ("selected_options", "initial_options", "options"),
    "checkboxes": ("selected_options", "initial_options", "options"),
    "users_select": ("selected_user", "initial_user", "scalar"),
    "multi_users_select": ("selected_users", "initial_users", "list"),
    "conversations_select": ("selected_conversation", "initial_conversation", "scalar"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations", "list"),
    "channels_select": ("selected_channel", "initial_channel", "scalar"),
    "multi_channels_select": ("selected_channels", "initial_channels", "list"),
    "datepicker": ("selected_date", "initial_date", "scalar"),
    "timepicker": ("selected_time", "initial_time", "scalar"),
    "datetimepicker": ("selected_date_time", "initial_date_time", "scalar"),
}


# ---------------------------------------------------------------------------- small helpers


def fake_trigger_id() -> str:
    """Return a trigger id shaped like Slack's (not usable with views.open)."""
    return f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"


def action_ts() -> str:
    """Return an `action_ts` for now."""
    return f"{time.time():.6f}"


def response_url(kind: str, workspace: Workspace = DEFAULT_WORKSPACE) -> str:
    """Return a response_url for a `commands` or `actions` payload."""
    serial, secret = secrets.randbelow(10**13), secrets.token_urlsafe(18)
    return f"{workspace.response_url_base}/{kind}/{workspace.team_id}/{serial}/{secret}"


def team_ref(workspace: Workspace = DEFAULT_WORKSPACE) -> dict[str, Any]:
    """Return the `team` object of an interaction payload (with the organisation, org-wide)."""
    team: dict[str, Any] = {"id": workspace.team_id, "domain": workspace.team_domain}
    if workspace.org_wide:
        team.update(enterprise_id=workspace.enterprise_id,
                    enterprise_name=workspace.enterprise_name)
    return team


def enterprise_ref(workspace: Workspace = DEFAULT_WORKSPACE) -> dict[str, Any] | None:
    """Return the `enterprise` object of an interaction payload (null outside an org install)."""
    if not workspace.org_wide:
        return None
    return {"id": workspace.enterprise_id, "name": workspace.enterprise_name}


def user_ref(user_id: str, workspace: Workspace = DEFAULT_WORKSPACE) -> dict[str, str]:
    """Return the `user` object of an interaction payload."""
    name = workspace.user_name(user_id)
    return {"id": user_id, "username": name, "name": name, "team_id": workspace.team_id}


def form_body(fields: Mapping[str, str]) -> str:
    """Encode slash-command fields as the form body Slack posts."""
    return urlencode(fields)


def interaction_body(payload: Mapping[str, Any]) -> str:
    """Encode an interaction payload as Slack posts it: `payload=<url-encoded JSON>`."""
    return urlencode({"payload": json.dumps(payload)})


def iter_elements(blocks: list[dict]) -> Iterator[tuple[str, dict, dict]]:
    """Yield (block_id, block, element) for every element in `blocks`."""
    for index, block in enumerate(blocks):
        block_id = block.get("block_id") or f"_block{index}"
        if block.get("type") == "input" and "element" in block:
            yield block_id, block, block["element"]
        elif block.get("type") == "section" and "accessory" in block:
            yield block_id, block, block["accessory"]
        elif block.get("type") == "actions":
            for element in block.get("elements", []):
                yield block_id, block, element


def find_element(blocks: list[dict], action_id: str) -> tuple[str, dict]:
    """Return (block_id, element) for the element with `action_id`; KeyError when absent."""
    for block_id, _block, element in iter_elements(blocks):
        if element.get("action_id") == action_id:
            return block_id, element
    raise KeyError(f"no element with action_id {action_id!r} in the blocks")


# ---------------------------------------------------------------------------- element state


def _all_options(element: dict) -> list[dict]:
    options = list(element.get("options", []))
    for group in element.get("option_groups", []):
        options.extend(group.get("options", []))
    return options


def _option(element: dict, answer: Any) -> dict:
    if isinstance(answer, dict):
        return answer
    options = _all_options(element)
    if not options and element.get("type", "").endswith("external_select"):
        return {
            "text": {"type": "plain_text", "text": str(answer), "emoji": True},
            "value": str(answer),
        }
    for option in options:
        if option.get("value") == answer:
            return option
    values = [option.get("value") for option in options]
    raise ValueError(f"{answer!r} is not an option of {element.get('action_id')!r}: {values}")


def _convert(element: dict, kind: str, answer: Any) -> Any:
    if kind == "text":
        return None if answer is None or answer == "" else str(answer)
    if kind == "option":
        return None if answer is None else _option(element, answer)
    if kind == "options":
        return [_option(element, item) for item in (answer or [])]
    if kind == "list":
        return list(answer or [])
    return answer


def element_state(element: dict, answer: Any = None, answered: bool = True) -> dict:
    """Return the state entry of one element: its `type` and its value key."""
    kind_of = element.get("type", "")
    if kind_of not in _STATEFUL:
        raise ValueError(f"element type {kind_of!r} keeps no state")
    key, initial_key, kind = _STATEFUL[kind_of]
    if not answered:
        answer = element.get(initial_key)
    entry = {"type": kind_of, key: _convert(element, kind, answer)}
    if element.get("response_url_enabled"):
        entry["response_url_enabled"] = True
    return entry


def _block_answer(block: dict, element: dict, answers: Mapping, block_id: str) -> tuple[Any, bool]:
    if block_id not in answers:
        return None, False
    answer = answers[block_id]
    if block.get("type") != "actions":
        return answer, True
    action_id = element.get("action_id")
    if not isinstance(answer, Mapping) or action_id not in answer:
        return None, False
    return answer[action_id], True


def state_values(view: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, dict]:
    """Build `view.state.values` from `{block_id: answer}` (`{action_id: answer}` for actions)."""
    # Unanswered elements keep their initial value or Slack's empty one; unknown ids raise.
    blocks = view.get("blocks", [])
    known = {block_id for block_id, _b, _e in iter_elements(blocks)}
    unknown = set(answers) - known
    if unknown:
        raise KeyError(f"answers for unknown block ids {sorted(unknown)}; known: {sorted(known)}")
    values: dict[str, dict] = {}
    for block_id, block, element in iter_elements(blocks):
        if element.get("type") not in _STATEFUL or "action_id" not in element:
            continue
        answer, answered = _block_answer(block, element, answers, block_id)
        entry = element_state(element, answer, answered)
        values.setdefault(block_id, {})[element["action_id"]] = entry
    return values


def _action(block_id: str, element: dict | None, action_id: str, value: Any) -> dict:
    element = element or {"type": "button", "action_id": action_id}
    kind = element.get("type", "button")
    action: dict[str, Any] = {"type": kind, "block_id": block_id, "action_id": action_id}
    if kind == "button":
        action["text"] = element.get(
            "text", {"type": "plain_text", "text": action_id, "emoji": True}
        )
        action["value"] = element.get("value") if value is None else value
        if "style" in element:
            action["style"] = element["style"]
    elif kind == "overflow":
        action["selected_option"] = _option(element, value)
    elif kind in _STATEFUL:
        action.update({k: v for k, v in element_state(element, value).items() if k != "type"})
    else:
        action["value"] = value
    action["action_ts"] = action_ts()
    return action


# ---------------------------------------------------------------------------- payloads


def slash_command(
    user_id: str,
    text: str,
    trigger_id: str,
    channel_id: str = "C000000001",
    command: str = "/threat",
    *,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, str]:
    """Return the form fields of a slash command, as Slack posts them."""
    fields = {
        "token": workspace.verification_token,
        "team_id": workspace.team_id,
        "team_domain": workspace.team_domain,
    }
    if workspace.org_wide:
        fields.update(enterprise_id=workspace.enterprise_id,
                      enterprise_name=workspace.enterprise_name)
    fields.update({
        "channel_id": channel_id,
        "channel_name": workspace.channel_name(channel_id),
        "user_id": user_id,
        "user_name": workspace.user_name(user_id),
        "command": command,
        "text": text,
        "api_app_id": workspace.api_app_id,
        "is_enterprise_install": "true" if workspace.org_wide else "false",
        "response_url": response_url("commands", workspace),
        "trigger_id": trigger_id,
    })
    return fields


def full_view(
    view: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    *,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """Return `view` (as the app sent it, plus id/hash) in the full shape Slack sends back."""
    view_id = view.get("id") or "V0000000000"
    return {
        "id": view_id,
        "team_id": workspace.team_id,
        "type": view.get("type", "modal"),
        "blocks": list(view.get("blocks", [])),
        "private_metadata": view.get("private_metadata") or "",
        "callback_id": view.get("callback_id") or "",
        "state": {"values": dict(values or {})},
        "hash": view.get("hash") or f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": view.get("title"),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "previous_view_id": view.get("previous_view_id"),
        "root_view_id": view.get("root_view_id") or view_id,
        "app_id": workspace.api_app_id,
        "external_id": view.get("external_id") or "",
        "app_installed_team_id": workspace.enterprise_id or workspace.team_id,
        "bot_id": workspace.bot_id,
    }


def _org(workspace: Workspace) -> dict[str, Any]:
    return {"enterprise": enterprise_ref(workspace), "is_enterprise_install": workspace.org_wide}


def _view_payload(kind: str, user_id: str, workspace: Workspace) -> dict[str, Any]:
    """The fields every view_submission / view_closed / block_actions payload starts with."""
    return {
        "type": kind,
        "team": team_ref(workspace),
        "user": user_ref(user_id, workspace),
        "api_app_id": workspace.api_app_id,
        "token": workspace.verification_token,
    }


def view_submission(
    view: Mapping[str, Any],
    user_id: str,
    values: Mapping[str, Any],
    trigger_id: str,
    *,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """Return a `view_submission` payload for `view` with state `values`."""
    payload = _view_payload("view_submission", user_id, workspace)
    payload["trigger_id"] = trigger_id
    payload["view"] = full_view(view, values, workspace=workspace)
    payload["response_urls"] = []
    payload.update(_org(workspace))
    return payload


def _message_for(message_ts: str, thread_ts: str | None, ws: Workspace) -> dict:
    message: dict[str, Any] = {
        "user": ws.bot_user_id,
        "type": "message",
        "ts": message_ts,
        "bot_id": ws.bot_id,
        "app_id": ws.api_app_id,
        "text": "",
        "team": ws.team_id,
        "blocks": [],
    }
    if thread_ts:
        message["thread_ts"] = thread_ts
        message["parent_user_id"] = ws.bot_user_id
    return message


def block_actions_message(
    user_id: str,
    channel_id: str,
    message_ts: str,
    action_id: str,
    value: Any,
    block_id: str,
    thread_ts: str | None = None,
    *,
    message: Mapping[str, Any] | None = None,
    trigger_id: str | None = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """Return a `block_actions` payload for a click on a message (thread reply with thread_ts)."""
    msg = dict(message) if message else _message_for(message_ts, thread_ts, workspace)
    try:
        _found, element = find_element(msg.get("blocks", []), action_id)
    except KeyError:
        element = None
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel_id,
        "is_ephemeral": False,
    }
    if thread_ts:
        container["thread_ts"] = thread_ts
    payload = _view_payload("block_actions", user_id, workspace)
    payload.update(
        {
            "container": container,
            "trigger_id": trigger_id or fake_trigger_id(),
            **_org(workspace),
            "channel": {"id": channel_id, "name": workspace.channel_name(channel_id)},
            "message": msg,
            "state": {"values": {}},
            "response_url": response_url("actions", workspace),
            "actions": [_action(block_id, element, action_id, value)],
        }
    )
    return payload


def block_actions_view(
    view: Mapping[str, Any],
    user_id: str,
    action_id: str,
    value: Any,
    block_id: str,
    *,
    values: Mapping[str, Any] | None = None,
    trigger_id: str | None = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """Return a `block_actions` payload for a click inside a modal (no response_url)."""
    try:
        _found, element = find_element(view.get("blocks", []), action_id)
    except KeyError:
        element = None
    full = full_view(view, values, workspace=workspace)
    payload = _view_payload("block_actions", user_id, workspace)
    payload.update(
        {
            "container": {"type": "view", "view_id": full["id"]},
            "trigger_id": trigger_id or fake_trigger_id(),
            **_org(workspace),
            "view": full,
            "actions": [_action(block_id, element, action_id, value)],
        }
    )
    return payload


def view_closed(
    view: Mapping[str, Any],
    user_id: str,
    *,
    is_cleared: bool = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """Return a `view_closed` payload (Slack sends it only with `notify_on_close`)."""
    payload = _view_payload("view_closed", user_id, workspace)
    payload["view"] = full_view(view, workspace=workspace)
    payload["is_cleared"] = is_cleared
    payload["response_urls"] = []
    payload.update(_org(workspace))
    return payload


# ---------------------------------------------------------------------------- App Home, shortcuts


def app_home_opened(
    user_id: str, *, tab: str = "home", workspace: Workspace = DEFAULT_WORKSPACE
) -> dict[str, Any]:
    """Return an `event_callback` for `app_home_opened`, with `authorizations` and context ids."""
    org = workspace.org_wide
    body: dict[str, Any] = {"token": workspace.verification_token, "team_id": workspace.team_id}
    if org:
        body["enterprise_id"] = workspace.enterprise_id
    body.update({
        "context_team_id": workspace.team_id,
        "context_enterprise_id": workspace.enterprise_id,
        "api_app_id": workspace.api_app_id,
        "event": {
            "type": "app_home_opened",
            "user": user_id,
            "channel": f"D{user_id[1:]}",
            "tab": tab,
            "event_ts": action_ts(),
        },
        "type": "event_callback",
        "event_id": f"Ev{secrets.token_hex(5).upper()}",
        "event_time": int(time.time()),
        "authorizations": [{
            "enterprise_id": workspace.enterprise_id, "team_id": None if org else workspace.team_id,
            "user_id": workspace.bot_user_id, "is_bot": True, "is_enterprise_install": org,
        }],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_urlsafe(24)}",
    })
    return body


def block_actions_home(
    view: Mapping[str, Any],
    user_id: str,
    action_id: str,
    *,
    trigger_id: str | None = None,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """Return a `block_actions` payload for a button on a user's Home tab."""
    block_id, element = find_element(view.get("blocks", []), action_id)
    full = full_view({**view, "type": "home"}, {}, workspace=workspace)
    payload = _view_payload("block_actions", user_id, workspace)
    payload.update({
        "container": {"type": "view", "view_id": full["id"]},
        "trigger_id": trigger_id or fake_trigger_id(),
        **_org(workspace),
        "view": full,
        "actions": [_action(block_id, element, action_id, element.get("value"))],
    })
    return payload


def global_shortcut(
    user_id: str, callback_id: str, trigger_id: str, *,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """Return a global `shortcut` payload: no `api_app_id`; `team` is null org-wide."""
    user = user_ref(user_id, workspace)
    del user["name"]  # a global shortcut's user has id, username and team_id only
    return {
        "type": "shortcut",
        "token": workspace.verification_token,
        "action_ts": action_ts(),
        "team": None if workspace.org_wide else team_ref(workspace),
        "user": user,
        **_org(workspace),
        "callback_id": callback_id,
        "trigger_id": trigger_id,
    }


def message_shortcut(
    user_id: str, callback_id: str, trigger_id: str, channel_id: str, message: Mapping,
    *, workspace: Workspace = DEFAULT_WORKSPACE,
) -> dict[str, Any]:
    """Return a `message_action` payload (a message shortcut on `message`).

    Slack adds `api_app_id` only when the message was posted by an app, and then it is the id
    of the app that posted it, which need not be this one.
    """
    payload: dict[str, Any] = {
        "type": "message_action",
        "token": workspace.verification_token,
        "action_ts": action_ts(),
        "team": team_ref(workspace),
        "user": user_ref(user_id, workspace),
        "channel": {"id": channel_id, "name": workspace.channel_name(channel_id)},
        **_org(workspace),
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "response_url": response_url("app", workspace),
        "message_ts": message["ts"],
        "message": dict(message),
    }
    if message.get("app_id"):
        payload["api_app_id"] = message["app_id"]
    return payload
