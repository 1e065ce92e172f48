"""The start-up check's rules, on a small fake of the Slack calls it makes."""

from __future__ import annotations

from care_bot.commands.check import table
from care_bot.runtime.wiring import (
    FAIL,
    OK,
    WARN,
    Check,
    configured_channels,
    configured_people,
    run_checks,
)
from tests.support.fake_slack import slack_error
from tests.support.world import SECURITY_CHANNEL, SUPERVISORS_CHANNEL, USERS, make_settings


class CheckSlack:
    """Answers auth.test, conversations.info, users.info and usergroups.users.list from dicts."""

    def __init__(self, channels=None, users=None, groups=None, identity_error=None):
        self.channels = channels if channels is not None else {
            SUPERVISORS_CHANNEL: {"name": "sup", "is_private": True, "is_member": True},
            SECURITY_CHANNEL: {"name": "sec", "is_private": True, "is_member": True},
        }
        self.users = users if users is not None else {
            uid: {"real_name": name.title()} for name, uid in USERS.items()}
        self.groups = groups or {}
        self.identity_error = identity_error
        self.user_lookups: list[str] = []

    def auth_identity(self):
        if self.identity_error:
            raise self.identity_error
        return {"user": "care-bot", "user_id": "U0BOT", "team": "Bank"}

    def conversation_info(self, channel):
        found = self.channels.get(channel)
        if isinstance(found, Exception):
            raise found
        if found is None:
            raise slack_error("channel_not_found")
        return found

    def user_info(self, user_id):
        self.user_lookups.append(user_id)
        if user_id not in self.users:
            raise slack_error("user_not_found")
        return self.users[user_id]

    def usergroup_members(self, group_id):
        if group_id not in self.groups:
            raise slack_error("no_such_subteam")
        return self.groups[group_id]


def by_what(rows: list[Check]) -> dict[str, Check]:
    return {row.what: row for row in rows}


def test_wiring_all_resolving_is_all_ok_and_asks_once_per_person(tmp_path):
    slack = CheckSlack()

    rows = run_checks(make_settings(tmp_path), slack)

    assert {row.result for row in rows} == {OK}
    assert len(slack.user_lookups) == len(set(slack.user_lookups))
    assert by_what(rows)[f"branches.downtown.supervisor {USERS['sam']}"].detail == "Sam"


def test_wiring_lists_every_role_and_directory_person_in_file_order(tmp_path):
    people = list(configured_people(make_settings(tmp_path)))

    assert people[:4] == [("roles.supervisors", USERS["sue"]), ("roles.security", USERS["sec"]),
                          ("roles.hr", USERS["hana"]), ("roles.management", USERS["manny"])]
    assert ("branches.downtown.ics", USERS["ivy"]) in people
    assert people[-1] == ("branches.downtown.associates", USERS["alice"])


def test_wiring_a_refused_token_stops_every_other_check(tmp_path):
    slack = CheckSlack(identity_error=slack_error("invalid_auth"))

    rows = run_checks(make_settings(tmp_path), slack)

    assert rows == [Check("bot token", FAIL, "Slack refused SLACK_BOT_TOKEN (invalid_auth); put "
                          "the Bot User OAuth Token in .env (see config/example.env)")]


def test_wiring_slack_unreachable_says_so_without_more_checks(tmp_path):
    rows = run_checks(make_settings(tmp_path), CheckSlack(identity_error=ConnectionError()))

    assert len(rows) == 1 and rows[0].result == FAIL
    assert "Slack did not answer (ConnectionError)" in rows[0].detail


def test_wiring_channel_rules(tmp_path):
    slack = CheckSlack(channels={
        SUPERVISORS_CHANNEL: {"name": "sup", "is_private": False, "is_member": True},
        SECURITY_CHANNEL: {"name": "sec", "is_private": True, "is_member": False},
    })

    rows = by_what(run_checks(make_settings(tmp_path), slack))

    assert rows[f"channels.supervisors {SUPERVISORS_CHANNEL}"].result == WARN
    assert rows[f"channels.security {SECURITY_CHANNEL}"].result == FAIL
    assert "not a member" in rows[f"channels.security {SECURITY_CHANNEL}"].detail


def test_wiring_archived_missing_and_unreadable_channels_fail(tmp_path):
    slack = CheckSlack(channels={
        SUPERVISORS_CHANNEL: {"name": "sup", "is_private": True, "is_member": True,
                              "is_archived": True},
        SECURITY_CHANNEL: slack_error("missing_scope"),
    })

    rows = by_what(run_checks(make_settings(tmp_path), slack))

    assert "is archived" in rows[f"channels.supervisors {SUPERVISORS_CHANNEL}"].detail
    assert "channels:read and groups:read" in rows[f"channels.security {SECURITY_CHANNEL}"].detail
    slack.channels = {}
    rows = by_what(run_checks(make_settings(tmp_path), slack))
    assert "not found (channel_not_found)" in rows[f"channels.security {SECURITY_CHANNEL}"].detail


def test_wiring_people_rules(tmp_path):
    users = {uid: {"real_name": name} for name, uid in USERS.items()}
    users[USERS["rita"]] = {"real_name": "Rita", "deleted": True}
    users[USERS["ivy"]] = {"real_name": "Ivy", "is_bot": True}
    del users[USERS["oscar"]]

    rows = by_what(run_checks(make_settings(tmp_path), CheckSlack(users=users)))

    assert rows[f"branches.downtown.rxm {USERS['rita']}"].result == FAIL
    assert rows[f"branches.downtown.ics {USERS['ivy']}"].result == WARN
    assert rows[f"branches.downtown.account_officer {USERS['oscar']}"] == Check(
        f"branches.downtown.account_officer {USERS['oscar']}", FAIL,
        "no such user in this workspace; fix it in config/care.toml")


def test_wiring_user_groups_resolve_warn_when_empty_and_fail_when_unknown(tmp_path):
    toml_text = f"""
[channels]
supervisors = "{SUPERVISORS_CHANNEL}"
security = "{SECURITY_CHANNEL}"
[roles]
supervisors = ["S0SUPS"]
security = ["S0EMPTY"]
hr = ["S0NONE"]
"""
    slack = CheckSlack(groups={"S0SUPS": ["U0A", "U0B"], "S0EMPTY": []})

    rows = by_what(run_checks(make_settings(tmp_path, toml_text), slack))

    assert rows["roles.supervisors S0SUPS"].detail == "user group with 2 member(s)"
    assert rows["roles.security S0EMPTY"].result == WARN
    assert rows["roles.hr S0NONE"].result == FAIL


def test_check_table_aligns_columns_and_counts_results():
    text = table([Check("settings", OK, "loaded"), Check("channels.security C0X", WARN, "public"),
                  Check("bot token", FAIL, "refused")])

    lines = text.splitlines()
    assert lines[0] == "CHECK                  RESULT  DETAIL"
    assert lines[2] == "channels.security C0X  warn    public"
    assert lines[-1] == "3 checks: 1 ok, 1 warning(s), 1 failed."


def test_wiring_checks_every_configured_channel_in_order(tmp_path):
    settings = make_settings(tmp_path)

    assert list(configured_channels(settings)) == [
        ("channels.supervisors", SUPERVISORS_CHANNEL), ("channels.security", SECURITY_CHANNEL)]


class OrgSlack(CheckSlack):
    """An org-wide token: auth.test names the organisation; auth.teams.list the workspaces."""

    def __init__(self, teams, **kwargs):
        super().__init__(**kwargs)
        self.teams = teams
        self.used: tuple = ()

    def auth_identity(self):
        return {"user": "care-bot", "user_id": "W0BOT", "team": "Harbor Bank",
                "team_id": "E0BANK", "enterprise_id": "E0BANK", "is_enterprise_install": True}

    def workspaces(self):
        if isinstance(self.teams, Exception):
            raise self.teams
        return self.teams

    def use_workspaces(self, team_ids):
        self.used = team_ids


def test_check_says_a_single_workspace_install_is_one(tmp_path):
    rows = by_what(run_checks(make_settings(tmp_path), CheckSlack()))
    assert rows["install"].result == OK and "single workspace" in rows["install"].detail
    assert "workspaces" not in rows


def test_check_org_wide_lists_the_workspaces_and_asks_group_lookups_in_them(tmp_path):
    slack = OrgSlack([{"id": "T0EAST", "name": "East"}, {"id": "T0WEST", "name": "West"}])
    rows = by_what(run_checks(make_settings(tmp_path), slack))
    assert "org-wide" in rows["install"].detail and "E0BANK" in rows["install"].detail
    assert rows["workspaces"].result == OK
    detail = rows["workspaces"].detail
    assert "East (T0EAST)" in detail and "added to 2" in detail
    assert slack.used == ("T0EAST", "T0WEST")


def test_check_org_wide_fails_when_added_to_no_workspace(tmp_path):
    rows = by_what(run_checks(make_settings(tmp_path), OrgSlack([])))
    assert rows["workspaces"].result == FAIL
    assert "added to no workspace" in rows["workspaces"].detail


def test_check_org_wide_fails_when_the_workspaces_cannot_be_listed(tmp_path):
    rows = by_what(run_checks(make_settings(tmp_path), OrgSlack(slack_error("missing_scope"))))
    assert rows["workspaces"].result == FAIL and "missing_scope" in rows["workspaces"].detail


def test_check_shows_an_unreadable_user_group_as_the_log_does(tmp_path):
    toml_text = f"""
[channels]
supervisors = "{SUPERVISORS_CHANNEL}"
security = "{SECURITY_CHANNEL}"
[roles]
supervisors = ["S0GONE"]
security = ["U0SEC"]
"""
    rows = by_what(run_checks(make_settings(tmp_path, toml_text), CheckSlack()))
    row = rows["roles.supervisors S0GONE"]
    assert row.result == FAIL
    assert row.detail.startswith("Could not read user group S0GONE (no_such_subteam): "
                                 "supervisors cannot act until it is fixed")
