"""End-to-end (issue 17 §4): an associate missing from the directory names only their supervisor.

Olly is in no branch of the directory and reports from "Another location", naming only Sam as
supervisor. Sam gets the task to name the RXM and ICS, names them from the DM's button, and the
people named, the threads and the associate hear who they are.
"""

from __future__ import annotations

import json

from tests.e2e.care_steps import (
    answers_for,
    open_from_button,
    parent_post,
    posts,
    walk_to,
)
from tests.e2e.harness import ModalSession, wait_until
from tests.support.report import SKIP


def test_unknown_rxm_and_ics_are_named_by_the_supervisor(slack, bot_factory):
    bot = bot_factory.start()
    u = slack.users
    session = ModalSession.open(bot, u["olly"])
    answers = answers_for(slack, {
        "safety": {"branch": "other", "location_detail": "drive-through"},
        "report": {"supervisor": u["sam"], "rxm": SKIP, "ics": SKIP}})
    walk_to(session, "report", answers)
    inputs = {b["block_id"]: b for b in session.view["blocks"] if b["type"] == "input"}
    assert not inputs["supervisor"]["optional"]
    assert inputs["rxm"]["optional"] and inputs["ics"]["optional"]
    walk_to(session, "review", answers)
    assert session.submit({}).get("response_action") == "update"
    stored = json.loads(bot.db().execute("SELECT answers FROM incidents").fetchone()[0])
    assert stored["missing_posts"] == ["rxm", "ics"]

    sam_dm = slack.dm_channel(u["sam"])
    request = slack.wait_for(lambda: next((c for c in posts(slack, sam_dm)
                                           if "care_name_people" in json.dumps(c["params"])),
                                          None))
    modal = open_from_button(bot, u["sam"], request, "care_name_people")
    assert [b["block_id"] for b in modal.view["blocks"] if b["type"] == "input"] == [
        "rxm", "ics"]
    body = modal.submit({"rxm": u["rita"]})
    assert body["response_action"] == "errors" and "ics" in body["errors"]
    assert modal.submit({"rxm": u["rita"], "ics": u["ivy"]}) == {"response_action": "clear"}

    wait_until(lambda: bot.db().execute(
        "SELECT count(*) FROM events WHERE action = 'people_named'").fetchone()[0] == 1)
    stored = json.loads(bot.db().execute("SELECT answers FROM incidents").fetchone()[0])
    assert (stored["rxm"], stored["ics"]) == (u["rita"], u["ivy"])
    for who, words in (("rita", "Regional Experience Manager"),
                       ("ivy", "Internal Control Specialist"),
                       ("olly", "your Regional Experience Manager")):
        dm = slack.dm_channel(u[who])
        slack.wait_for(lambda dm=dm, words=words: any(
            words in c["params"].get("text", "") for c in posts(slack, dm)))
    supervisors = slack.channels["care-supervisors"]
    parent = parent_post(slack, supervisors)
    slack.wait_for(lambda: any(f"named the Regional Experience Manager <@{u['rita']}>"
                               in m.get("text", "")
                               for m in slack.replies(supervisors, parent["response"]["ts"])))
    pending = {row[0] for row in bot.db().execute(
        "SELECT task FROM followups WHERE status = 'pending'")}
    assert "name_people" not in pending  # done: its reminders stopped
