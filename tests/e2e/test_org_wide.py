"""End-to-end: an Enterprise Grid org-wide install serves every workspace of its organisation.

The local Slack answers auth.test for the bot's token as Slack does for an org-wide install
(`enterprise_id`, `is_enterprise_install: true`), lists two workspaces in auth.teams.list, and
needs a workspace `team_id` for usergroups.users.list. Requests come from either workspace, in
the org-wide shapes of tests/fixtures/slack.
"""

from __future__ import annotations

import contextlib
import json
import time

import pytest

from tests.e2e.care_steps import (
    click_message_button,
    open_home,
    parent_post,
    tap_home,
)
from tests.e2e.harness import ModalSession, care_toml
from tests.support import payloads

ORG, ORG_NAME, EAST = "E0HARBOR01", "Harbor Bank", "T0HARBOR02"
ROW_TABLES = ("drafts", "incidents", "events", "outbox", "unchecked_requests")


@pytest.fixture
def org(slack):
    """Turn the local Slack into an org-wide install with two workspaces; undo it afterwards."""
    original = slack.workspace
    workspace = slack.use_enterprise(ORG, ORG_NAME, [
        {"id": slack.team_id, "name": "Harbor Branches"}, {"id": EAST, "name": "Harbor East"}])
    slack.workspace = workspace
    yield workspace
    slack.workspace = original
    slack.use_enterprise(None)


@contextlib.contextmanager
def from_workspace(slack, workspace: payloads.Workspace):
    """Send the requests inside the block as Slack does from `workspace`."""
    before, slack.workspace = slack.workspace, workspace
    try:
        yield workspace
    finally:
        slack.workspace = before


def _rows(bot) -> dict[str, int]:
    db = bot.db()
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ROW_TABLES}


def test_org_wide_serves_threat_danger_home_and_acknowledge_from_two_workspaces(
        slack, bot_factory, org):
    """/threat from both workspaces, a danger alert from the second, Acknowledge from the first."""
    slack.set_usergroup("S0SUPERVIS", [slack.users["sam"]])
    bot = bot_factory.start()
    slack.wait_for(lambda: "org-wide install in organisation E0HARBOR01" in bot.logs())
    east = org.in_team(EAST, "harbor-east")
    alice, olly, sam = slack.users["alice"], slack.users["olly"], slack.users["sam"]

    first = ModalSession.open(bot, alice)  # workspace 1
    assert first.view["callback_id"] == "care_report_step"
    with from_workspace(slack, east):
        second = ModalSession.open(bot, olly)
        assert second.view["callback_id"] == "care_report_step"
        home = open_home(bot, olly)  # Home is published for a user of the second workspace
        response, _trigger = tap_home(bot, olly, home, "care_home_danger")
    assert response.status == 200
    parent = parent_post(slack, slack.channels["care-supervisors"])
    assert f"<@{olly}>" in json.dumps(parent["params"])

    response = click_message_button(bot, sam, parent, "care_acknowledge")
    assert response.status == 200
    slack.wait_for(lambda: bot.db().execute(
        "SELECT acknowledged_by FROM incidents").fetchone()[0] == sam)
    assert open_home(bot, alice)["type"] == "home"  # and Home for the first workspace too


def test_org_wide_user_groups_are_read_with_a_workspace_team_id(slack, bot_factory, org):
    """usergroups.users.list needs team_id with an org-wide token: the bot passes one."""
    slack.set_usergroup("S0SUPERVIS", [slack.users["sam"]])
    toml = bot_factory_toml(slack, supervisors=["S0SUPERVIS"])
    bot = bot_factory.start(config_toml_text=toml)
    call = slack.wait_for_call("usergroups.users.list")
    assert call["params"].get("team_id") in (slack.team_id, EAST)
    assert call["response"]["ok"], call
    assert "supervisors cannot act" not in bot.logs()


@pytest.mark.parametrize("who", ["another organisation", "a stand-alone workspace"])
def test_org_wide_refuses_requests_from_outside_the_organisation(slack, bot_factory, org, who):
    """403 before any listener: no Web API call, no row."""
    bot = bot_factory.start()
    outside = (payloads.Workspace(**{**org.__dict__, "enterprise_id": "E0OTHERORG",
                                     "enterprise_name": "Other Bank"})
               if who == "another organisation"
               else payloads.Workspace(**{**org.__dict__, "enterprise_id": None,
                                          "team_id": "T0ALONE001"}))
    alice = slack.users["alice"]
    before = slack.last_seq()
    fields = payloads.slash_command(alice, "", slack.mint_trigger_id(alice), workspace=outside)
    assert bot.post_signed(payloads.form_body(fields)).status == 403
    event = payloads.app_home_opened(alice, workspace=outside)
    response = bot.post_signed(json.dumps(event), content_type="application/json")
    assert response.status == 403
    shortcut = payloads.global_shortcut(alice, "care_report_shortcut",
                                        slack.mint_trigger_id(alice), workspace=outside)
    assert bot.interact(shortcut).status == 403
    time.sleep(0.5)
    assert [c for c in slack.calls(since=before) if c["method"] != "views.generateTriggerId"] \
        == []
    assert _rows(bot) == dict.fromkeys(ROW_TABLES, 0)


def test_check_org_wide_lists_the_workspaces_and_fails_with_none(slack, bot_factory, org):
    """`python -m care_bot check` says which kind of install, and that none means silence."""
    done = bot_factory.run_cli(["check"])
    assert "org-wide install in organisation E0HARBOR01" in done.stdout, done.stdout
    assert "Harbor East (T0HARBOR02)" in done.stdout
    slack.use_enterprise(ORG, ORG_NAME, [])
    done = bot_factory.run_cli(["check"])
    assert done.returncode == 1
    assert "added to no workspace" in done.stdout


def bot_factory_toml(slack, supervisors: list[str]) -> str:
    """The default test care.toml with the supervisors role set to `supervisors`."""
    text = care_toml(slack)
    start = text.index("supervisors = [", text.index("[roles]"))
    end = text.index("\n", start)
    return text[:start] + f"supervisors = {json.dumps(supervisors)}" + text[end:]



def test_socket_mode_org_wide_serves_the_organisation_and_refuses_others(slack, bot_factory, org):
    """The same identity and origin rule over Socket Mode: the org's workspaces only."""
    from tests.e2e.socket_mode_fake import FakeSocketMode
    from tests.e2e.test_socket_mode import socket_env

    server = FakeSocketMode().start()
    slack.use_socket_mode(server.url)
    try:
        bot = bot_factory.start(env=socket_env(), wait_healthy=False)
        server.wait_link(1)
        bot.wait_healthy(timeout=15)
        east = org.in_team(EAST, "harbor-east")
        other = payloads.Workspace(**{**org.__dict__, "enterprise_id": "E0OTHERORG"})
        olly = slack.users["olly"]
        refused = slack.mint_trigger_id(olly)
        server.send("slash_commands", payloads.slash_command(
            olly, "", refused, slack.channels["general"], workspace=other))
        served = slack.mint_trigger_id(olly)
        envelope = server.send("slash_commands", payloads.slash_command(
            olly, "", served, slack.channels["general"], workspace=east))
        server.wait_ack(envelope)
        slack.wait_for_call("views.open", lambda c: c["params"].get("trigger_id") == served)
        assert not [c for c in slack.calls("views.open")
                    if c["params"].get("trigger_id") == refused]
    finally:
        server.close()
