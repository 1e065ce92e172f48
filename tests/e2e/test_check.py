"""End-to-end: `python -m care_bot check` against the local Slack."""

from __future__ import annotations

import pytest

from tests.e2e.harness import DEFAULT_REMINDERS, render_toml


def rows_of(stdout: str) -> dict[str, tuple[str, str]]:
    """Parse the table into {check: (result, detail)}."""
    lines = stdout.splitlines()
    header = lines[0]
    result_at, detail_at = header.index("RESULT"), header.index("DETAIL")
    rows = {}
    for line in lines[1:]:
        if not line.strip():
            break
        rows[line[:result_at].strip()] = (line[result_at:detail_at].strip(), line[detail_at:])
    return rows


def world_toml(slack, channels: dict | None = None, roles: dict | None = None,
               branch: dict | None = None) -> str:
    """A care.toml for the emulator's people, with overrides."""
    u = slack.users
    return render_toml({
        "channels": channels or {"supervisors": slack.channels["care-supervisors"],
                                 "security": slack.channels["care-security"]},
        "roles": roles or {"supervisors": [u["sam"]], "security": [u["sec"]]},
        "reminders": DEFAULT_REMINDERS,
        "branches.downtown": branch or {"name": "Downtown", "supervisor": u["sam"],
                                        "rxm": u["rita"], "associates": [u["alice"]]},
    })


def test_check_passes_when_everything_resolves(slack, bot_factory):
    done = bot_factory.run_cli(["check"])

    assert done.returncode == 0, done.stdout + done.stderr
    rows = rows_of(done.stdout)
    assert rows["settings"][0] == "ok"
    assert rows["bot token"] == ("ok", "@care-bot (U0CAREBOT) in CARE Test Bank")
    supervisors = slack.channels["care-supervisors"]
    assert rows[f"channels.supervisors {supervisors}"] == (
        "ok", "#care-supervisors, private, the bot is a member")
    assert rows[f"roles.hr {slack.users['hana']}"] == ("ok", "Hana Human")
    # The test directory lists no associates (as shipped), so check its supervisor.
    assert rows[f"branches.downtown.supervisor {slack.users['sam']}"] == (
        "ok", "Sam Supervisor")
    assert all(result == "ok" for result, _ in rows.values())
    assert done.stdout.rstrip().endswith("0 warning(s), 0 failed.")


@pytest.fixture
def bot_in_random(slack):
    """Make the bot a member of the public #random for one test."""
    slack._ok("conversations.join", channel=slack.channels["random"])
    yield slack.channels["random"]
    slack.api("conversations.leave", channel=slack.channels["random"])


def test_check_fails_for_missing_membership_people_and_groups(slack, bot_factory, bot_in_random):
    u = slack.users
    slack.set_usergroup("S0SECURITY", [u["sec"], u["ivy"]])
    toml_text = world_toml(
        slack,
        channels={"supervisors": slack.channels["general"], "security": bot_in_random},
        roles={"supervisors": [u["sam"], "U0NOBODY1"], "security": ["S0SECURITY"],
               "hr": ["S0GHOSTS"]},
        branch={"name": "Downtown", "supervisor": u["sam"], "rxm": "U0NOBODY1",
                "associates": [u["alice"]]},
    )

    done = bot_factory.run_cli(["check"], toml_text)

    assert done.returncode == 1, done.stdout + done.stderr
    rows = rows_of(done.stdout)
    general, random = slack.channels["general"], slack.channels["random"]
    assert rows[f"channels.supervisors {general}"][0] == "FAIL"
    assert "the bot is not a member" in rows[f"channels.supervisors {general}"][1]
    assert rows[f"channels.security {random}"][0] == "warn"
    assert "#random is public" in rows[f"channels.security {random}"][1]
    assert rows["roles.supervisors U0NOBODY1"] == (
        "FAIL", "no such user in this workspace; fix it in config/care.toml")
    assert rows["branches.downtown.rxm U0NOBODY1"][0] == "FAIL"
    assert rows["roles.security S0SECURITY"] == ("ok", "user group with 2 member(s)")
    assert rows["roles.hr S0GHOSTS"][0] == "FAIL"
    assert rows[f"roles.supervisors {u['sam']}"] == ("ok", "Sam Supervisor")
    assert "1 warning(s), 4 failed." in done.stdout


def test_check_reports_bad_settings_without_calling_slack(slack, bot_factory):
    done = bot_factory.run_cli(["check"], env={"SLACK_BOT_TOKEN": "xoxb-your-bot-token"})

    assert done.returncode == 1
    assert rows_of(done.stdout)["settings"][0] == "FAIL"
    assert "SLACK_BOT_TOKEN is still the example value" in done.stdout
    assert "docs/settings.md" in done.stdout
    assert slack.calls() == []


def test_check_in_socket_mode_proves_the_app_token(slack, bot_factory):
    slack.use_socket_mode("ws://127.0.0.1:9/link/")
    env = {"SLACK_APP_TOKEN": "xapp-1-A0CAREBOT-1-check", "SLACK_SIGNING_SECRET": None}

    done = bot_factory.run_cli(["check"], env=env)
    slack.fault("apps.connections.open", error="invalid_auth")
    refused = bot_factory.run_cli(["check"], env=env)

    assert done.returncode == 0, done.stdout
    assert rows_of(done.stdout)["app token"][0] == "ok"
    assert refused.returncode == 1
    assert rows_of(refused.stdout)["app token"][0] == "FAIL"
    assert "SLACK_APP_TOKEN" in rows_of(refused.stdout)["app token"][1]
