"""The origin rule, kind by kind, on requests shaped exactly as Slack sends them (the fixtures).

Slash commands, block_actions, view_submission, view_closed, block_suggestion and events carry this
app's id, which must match. Shortcuts are checked by workspace and organisation alone. An org-wide
install serves every workspace of its organisation, and no other organisation or workspace.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from care_bot.runtime.identity import Installation
from care_bot.runtime.origin import matches, origin_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"
APP, TEAM, ORG = "A0CAREBOT1", "T0BRANCH01", "E0BANKORG1"
SINGLE = Installation(team_id=TEAM, app_id=APP, bot_user_id="U0CAREBOT1", bot_id="B0CAREBOT1")
ORG_WIDE = Installation(team_id=ORG, app_id=APP, bot_user_id="W0CAREBOT1", bot_id="B0CAREBOT1",
                        enterprise_id=ORG, is_enterprise_install=True,
                        workspaces=("T0BRANCH02", "T0BRANCH03"))
APP_ID_KINDS = ["slash_command", "block_actions.message", "block_actions.modal",
                "block_actions.home", "view_submission", "view_closed",
                "event_callback.app_home_opened"]
SHORTCUTS = ["shortcut.global", "message_action.person_message", "message_action.app_message"]


def fixture(name: str) -> dict:
    """One request from tests/fixtures/slack."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def _set(body: dict, path: str, value) -> dict:
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    target[last] = value
    return body


@pytest.mark.parametrize("name", APP_ID_KINDS + SHORTCUTS)
def test_every_kind_from_this_workspace_is_served(name):
    assert matches(SINGLE, origin_of(fixture(name)))


@pytest.mark.parametrize("name", APP_ID_KINDS + SHORTCUTS)
def test_every_kind_from_a_workspace_of_the_organisation_is_served_org_wide(name):
    assert matches(ORG_WIDE, origin_of(fixture(f"{name}.org_wide")))


@pytest.mark.parametrize("name", APP_ID_KINDS)
def test_another_apps_id_is_refused_where_slack_sends_this_apps_id(name):
    body = _set(fixture(name), "api_app_id", "A0SOMEONE9")
    assert not matches(SINGLE, origin_of(body))
    body = _set(fixture(f"{name}.org_wide"), "api_app_id", "A0SOMEONE9")
    assert not matches(ORG_WIDE, origin_of(body))


@pytest.mark.parametrize("name", APP_ID_KINDS)
def test_a_missing_app_id_is_refused_where_slack_always_sends_it(name):
    body = fixture(name)
    del body["api_app_id"]
    assert not matches(SINGLE, origin_of(body))


def test_block_suggestion_compares_the_app_id_too():
    body = {"type": "block_suggestion", "team": {"id": TEAM, "domain": "x"}, "api_app_id": APP}
    assert matches(SINGLE, origin_of(body))
    assert not matches(SINGLE, origin_of({**body, "api_app_id": "A0OTHER"}))


def test_a_shortcut_without_an_app_id_is_served():
    assert "api_app_id" not in fixture("shortcut.global")
    assert "api_app_id" not in fixture("message_action.person_message")
    assert matches(SINGLE, origin_of(fixture("shortcut.global")))


def test_a_message_shortcut_carrying_another_apps_id_is_served():
    body = fixture("message_action.app_message")
    assert body["api_app_id"] != APP
    assert matches(SINGLE, origin_of(body))
    assert matches(ORG_WIDE, origin_of(fixture("message_action.app_message.org_wide")))


@pytest.mark.parametrize("name", APP_ID_KINDS + SHORTCUTS)
def test_every_kind_from_another_workspace_is_refused(name):
    body = fixture(name)
    for path in ("team_id", "team.id", "user.team_id", "context_team_id"):
        parent = path.split(".")[0]
        if parent in body and (path == parent or isinstance(body[parent], dict)):
            body = _set(body, path, "T0ELSEWHERE")
    assert not matches(SINGLE, origin_of(body))


@pytest.mark.parametrize("name", APP_ID_KINDS + SHORTCUTS)
def test_org_wide_refuses_another_organisation(name):
    body = json.loads(json.dumps(fixture(f"{name}.org_wide")).replace(ORG, "E0OTHERORG1"))
    assert not matches(ORG_WIDE, origin_of(body))


@pytest.mark.parametrize("name", APP_ID_KINDS + SHORTCUTS)
def test_org_wide_refuses_a_stand_alone_workspace(name):
    assert not matches(ORG_WIDE, origin_of(fixture(name)))


def test_global_shortcut_org_wide_names_its_workspace_through_the_user():
    seen = origin_of(fixture("shortcut.global.org_wide"))
    assert (seen.team_id, seen.enterprise_id, seen.app_id) == ("T0BRANCH02", ORG, None)


def test_org_wide_identity_is_described_for_the_log_and_check():
    assert "org-wide" in ORG_WIDE.describe() and ORG in ORG_WIDE.describe()
    assert "2 workspace(s)" in ORG_WIDE.describe()
    assert "single-workspace" in SINGLE.describe() and TEAM in SINGLE.describe()
