"""End-to-end: /threat list, show and its refusals, export (contents and privacy), the digest."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image

from tests.e2e.care_steps import (
    click_message_button,
    file_report,
    parent_post,
    reference_of,
    refusals_in_thread,
)
from tests.e2e.harness import REPO_ROOT, care_toml


def _filed(slack, bot_factory, config=None):
    bot = bot_factory.start(config_toml_text=config)
    ref = reference_of(file_report(bot, slack.users["alice"]))
    parent_post(slack, slack.channels["care-security"])
    return bot, ref, parent_post(slack, slack.channels["care-supervisors"])


def test_records_list_show_and_refusals(slack, bot_factory):
    bot, ref, parent = _filed(slack, bot_factory)
    u = slack.users
    slack.api("conversations.invite", channel=slack.channels["care-supervisors"], users=u["olly"])
    click_message_button(bot, u["olly"], parent, "care_acknowledge")  # refused, recorded
    slack.wait_for(lambda: refusals_in_thread(slack, u["olly"]))

    listed = bot.command(u["alice"], "list").json()
    assert listed["response_type"] == "ephemeral"
    assert ref in json.dumps(listed["blocks"]) and "My open tasks" in json.dumps(listed)

    since = slack.last_seq()
    assert bot.command(u["sec"], f"show {ref.lower()}").status == 200
    opened = slack.wait_for_call("views.open", since=since)
    assert opened["response"]["ok"], opened["response"]
    view = json.dumps(opened["params"]["view"])
    for needle in (ref, "Checklist", "People", "Timeline", "submitted the report",
                   "*was refused*: tried to acknowledge"):
        assert needle in view, needle
    assert "John Q. Client" not in view

    # the supervisor and the reporter may see it too; any whitespace separates the words
    for person, text in (("sam", f"show {ref}"), ("alice", f"show\t{ref} "),
                         ("sec", f"SHOW\n  {ref.lower()}")):
        since = slack.last_seq()
        answer = bot.command(u[person], text)
        assert answer.status == 200 and not answer.body.strip(), (person, answer.body)
        opened = slack.wait_for_call("views.open", since=since)
        assert opened["response"]["ok"] and ref in json.dumps(opened["params"]["view"]), person

    since = slack.last_seq()
    refusal = bot.command(u["olly"], f"show {ref}").json()
    unknown = bot.command(u["olly"], "show CARE-2026-9999").json()
    assert refusal["response_type"] == "ephemeral" and "There is no incident" in refusal["text"]
    assert refusal["text"] == unknown["text"].replace("CARE-2026-9999", ref)
    time.sleep(0.5)
    assert not slack.calls("views.open", since=since)

    helped = bot.command(u["alice"], "help").json()["text"]
    for word in ("/threat list", "/threat show", "/threat export"):
        assert word in helped
    actions = [r["action"] for r in bot.db().execute(
        "SELECT action FROM events ORDER BY id")]
    assert "viewed_details" in actions and actions.count("refused") == 2


def _uploaded(slack, since, timeout=20):
    call = slack.wait_for_call("files.completeUploadExternal", since=since, timeout=timeout)
    assert call["response"]["ok"], call["response"]
    file = call["response"]["files"][0]
    request = urllib.request.Request(file["url_private"],
                                     headers={"Authorization": f"Bearer {slack.harness_token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return call, answer.read()


def test_records_export_contents_and_privacy(slack, bot_factory):
    bot, ref, parent = _filed(slack, bot_factory)
    u = slack.users
    click_message_button(bot, u["sam"], parent, "care_acknowledge")
    slack.wait_for(lambda: bot.db().execute(
        "SELECT acknowledged_at FROM incidents").fetchone()[0])

    since = slack.last_seq()
    assert bot.command(u["sec"], "export").status == 200
    call, content = _uploaded(slack, since)
    assert call["params"]["channel_id"] == slack.dm_channel(u["sec"])
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert [row["reference"] for row in rows] == [ref]
    row = rows[0]
    assert row["acknowledged_by"] == u["sam"] and row["time_to_acknowledge_min"]
    assert row["branch"] == "downtown" and row["danger"] == "no"
    assert row["client_name"] == "John Q. Client"
    for column in ("reported_hr_state", "ics_notified_by", "decision", "closed_at"):
        assert column in row

    since = slack.last_seq()
    bot.command(u["hana"], "export since 2026-01-01")
    _, content = _uploaded(slack, since)
    hr_row = next(csv.DictReader(io.StringIO(content.decode())))
    assert hr_row["client_name"] == "(withheld)" and "John" not in content.decode()

    since = slack.last_seq()
    refused = bot.command(u["sam"], "export").json()
    assert refused["response_type"] == "ephemeral"
    assert "Only Corporate Security & Risk and HR" in refused["text"]
    assert "not a date" in bot.command(u["sec"], "export since 2026-02-31").json()["text"]
    time.sleep(0.5)
    assert not slack.calls("files.getUploadURLExternal", since=since)
    exported = bot.db().execute(
        "SELECT actor, detail FROM events WHERE action = 'exported' ORDER BY id").fetchall()
    assert [row[0] for row in exported] == [u["sec"], u["hana"]]
    assert [json.loads(row[1])["with_client_details"] for row in exported] == [True, False]


def test_records_weekly_digest_uploads_a_chart_to_the_security_channel(slack, bot_factory):
    zone = ZoneInfo("America/New_York")
    at = datetime.now(zone) + timedelta(seconds=12)  # after the bot has started
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[at.weekday()]
    config = care_toml(slack) + f'\n[digest]\nweekly = "{day} {at:%H:%M:%S}"\n'
    bot, _ref, parent = _filed(slack, bot_factory, config)
    click_message_button(bot, slack.users["sam"], parent, "care_acknowledge")
    call, content = _uploaded(slack, 0, timeout=40)
    assert call["params"]["channel_id"] == slack.channels["care-security"]
    comment = call["params"]["initial_comment"]
    assert "CARE weekly digest" in comment and "Time to acknowledge" in comment
    assert "John" not in comment
    image = Image.open(io.BytesIO(content))
    assert (image.format, image.size) == ("PNG", (760, 380))
    message = slack.wait_for(lambda: next(
        (m for m in slack.history(slack.channels["care-security"]) if m.get("files")), None))
    assert message["files"][0]["mimetype"] == "image/png"
    rows = bot.db().execute("SELECT status FROM digests ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["sent", "pending"]


def test_records_cli_export_beside_the_running_bot(slack, bot_factory, tmp_path):
    bot, ref, _parent = _filed(slack, bot_factory)
    out = tmp_path / "records.csv"
    out.write_text("an older export\n")
    out.chmod(0o644)  # a file already there, readable by others: made private when rewritten
    env = {**bot.env, "PYTHON_DOTENV_DISABLED": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "care_bot", "export", "--since", "2026-01-01", "--out", str(out)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [row["reference"] for row in rows] == [ref]
    assert rows[0]["client_name"] == "(withheld)"
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    actor = bot.db().execute("SELECT actor FROM events WHERE action = 'exported'").fetchone()[0]
    assert actor.startswith("cli:")
    assert bot.get("/healthz").status == 200  # the bot kept running beside it
