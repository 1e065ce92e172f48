"""The start-up check: is CARE bot wired to real channels and people in Slack?

Used by ``python -m care_bot check``. Each check is one row (what, result, detail); nothing
here writes to Slack or to the database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from care_bot.config import USERGROUP_ID, Settings
from care_bot.domain.care import BRANCH_POSTS
from care_bot.roles import failure_text

OK, WARN, FAIL = "ok", "warn", "FAIL"
CHANNEL_SUFFIX = "_channel"  # Settings fields holding a [channels] entry
SCOPE_HINT = "add the scopes channels:read and groups:read to the app (config/manifest.yaml)"


@dataclass(frozen=True)
class Check:
    """One row of the check's table."""

    what: str
    result: str  # OK, WARN or FAIL
    detail: str


def run_checks(settings: Settings, slack) -> list[Check]:
    """Check the token, both channels, every role member and every directory person in Slack."""
    try:
        me = slack.auth_identity()
    except Exception as error:
        return [Check("bot token", FAIL, _token_problem(error))]
    rows = [Check("bot token", OK, f"@{me.get('user', '?')} ({me.get('user_id', '?')}) "
                                   f"in {me.get('team', '?')}")]
    rows += install_rows(me, slack)
    if settings.socket_mode:
        rows.append(_app_token(settings, slack))
    for where, channel in configured_channels(settings):
        rows.append(_channel(slack, where, channel))
    seen: dict[str, Check] = {}
    for where, slack_id in configured_people(settings):
        if slack_id not in seen:
            seen[slack_id] = (_usergroup(slack, slack_id, _roles_with(settings, slack_id))
                              if USERGROUP_ID.match(slack_id) else _user(slack, slack_id))
        found = seen[slack_id]
        rows.append(Check(f"{where} {slack_id}", found.result, found.detail))
    return rows


def install_rows(me: dict, slack) -> list[Check]:
    """Which kind of install this is; org-wide, the workspaces it was added to (at least one)."""
    if me.get("is_enterprise_install") is not True:
        where = f" of organisation {me['enterprise_id']}" if me.get("enterprise_id") else ""
        return [Check("install", OK, f"single workspace {me.get('team_id', '?')}{where}")]
    org = me.get("enterprise_id") or me.get("team_id") or "?"
    rows = [Check("install", OK, f"Enterprise Grid org-wide install in organisation {org} "
                                 f"({me.get('team', '?')})")]
    try:
        teams = slack.workspaces()
    except Exception as error:
        return [*rows, Check("workspaces", FAIL, f"auth.teams.list failed ({_code(error)}); "
                                                 "the workspaces could not be listed")]
    if not teams:
        return [*rows, Check("workspaces", FAIL, "the app has been added to no workspace, so "
                                                 "nobody can use it: an org admin must add it "
                                                 "to each workspace (Apps > Manage, or the "
                                                 "admin dashboard)")]
    slack.use_workspaces(tuple(team["id"] for team in teams if team.get("id")))
    names = ", ".join(f"{team.get('name', '?')} ({team.get('id', '?')})" for team in teams)
    return [*rows, Check("workspaces", OK, f"added to {len(teams)}: {names}")]


def configured_channels(settings: Settings) -> Iterator[tuple[str, str]]:
    """Every (setting, channel id) pair: ``[channels]`` supervisors, security and any other set."""
    for field in dataclasses.fields(settings):
        channel = getattr(settings, field.name)
        if field.name.endswith(CHANNEL_SUFFIX) and channel:
            yield f"channels.{field.name.removesuffix(CHANNEL_SUFFIX)}", channel
    for code, branch in settings.branches.items():  # issue 20: a branch's notice channel
        if branch.channel:
            yield f"branches.{code}.channel", branch.channel


def configured_people(settings: Settings) -> Iterator[tuple[str, str]]:
    """Every (setting, Slack id) pair naming a person or a user group, in file order."""
    for role, ids in settings.roles.items():
        for slack_id in ids:
            yield f"roles.{role}", slack_id
    for code, branch in settings.branches.items():
        for field in BRANCH_POSTS:
            slack_id = getattr(branch, field, None)
            if slack_id:
                yield f"branches.{code}.{field}", slack_id
        for slack_id in branch.associates:
            yield f"branches.{code}.associates", slack_id


def _code(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return error.response.get("error") or f"http_{error.response.status_code}"
    return type(error).__name__


def _token_problem(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return (f"Slack refused SLACK_BOT_TOKEN ({_code(error)}); put the Bot User OAuth Token "
                "in .env (see config/example.env)")
    return (f"Slack did not answer ({_code(error)}); check the network, or SLACK_API_URL in "
            ".env; nothing else could be checked")


def _app_token(settings: Settings, slack) -> Check:
    try:
        slack.socket_mode_url(settings.app_token)
    except Exception as error:
        return Check("app token", FAIL, f"Slack refused SLACK_APP_TOKEN ({_code(error)}); create "
                                       "one with connections:write and put it in .env")
    return Check("app token", OK, "Socket Mode connections can be opened")


def _channel(slack, where: str, channel: str) -> Check:
    what = f"{where} {channel}"
    try:
        info = slack.conversation_info(channel)
    except Exception as error:
        code = _code(error)
        if code in ("channel_not_found", "not_in_channel"):
            return Check(what, FAIL, f"not found ({code}): a private channel is visible only "
                                     f"once the bot is invited; check {where} in config/care.toml")
        if code == "missing_scope":
            return Check(what, FAIL, f"cannot read the channel (missing_scope): {SCOPE_HINT}")
        return Check(what, FAIL, f"could not be checked ({code})")
    name = f"#{info.get('name', channel)}"
    private = bool(info.get("is_private"))
    kind = "private" if private else "public"
    if info.get("is_archived"):
        return Check(what, FAIL, f"{name} ({kind}) is archived; choose a live channel")
    if info.get("is_member") is False:
        return Check(what, FAIL, f"{name} ({kind}): the bot is not a member; invite it with "
                                 f"/invite @CARE bot in {name}")
    if not private:
        return Check(what, WARN, f"{name} is public: anyone in the workspace can read the "
                                 "escalations; a private channel is safer")
    return Check(what, OK, f"{name}, private, the bot is a member")


def _user(slack, user_id: str) -> Check:
    try:
        user = slack.user_info(user_id)
    except Exception as error:
        code = _code(error)
        if code == "user_not_found":
            return Check("", FAIL, "no such user in this workspace; fix it in config/care.toml")
        return Check("", FAIL, f"could not be checked ({code})")
    name = (user.get("profile") or {}).get("real_name") or user.get("real_name") \
        or user.get("name") or user_id
    if user.get("deleted"):
        return Check("", FAIL, f"{name} is deactivated; name someone else in config/care.toml")
    if user.get("is_bot"):
        return Check("", WARN, f"{name} is a bot, not a person")
    return Check("", OK, name)


def _roles_with(settings: Settings, group_id: str) -> tuple[str, ...]:
    return tuple(role for role, ids in settings.roles.items() if group_id in ids)


def _usergroup(slack, group_id: str, roles: tuple[str, ...]) -> Check:
    try:
        members = slack.usergroup_members(group_id)
    except Exception as error:
        code = _code(error)
        detail = failure_text(group_id, code, roles)
        if code == "no_such_subteam":
            return Check("", FAIL, f"{detail}: no such user group; fix it in config/care.toml")
        return Check("", FAIL, f"{detail}; check the bot's usergroups:read scope and Slack")
    if not members:
        return Check("", WARN, "user group with no members: nobody holds this role now")
    return Check("", OK, f"user group with {len(members)} member(s)")
