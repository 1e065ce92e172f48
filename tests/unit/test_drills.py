"""Drills (issue 21): marking, the scorecard, and what a drill is kept out of."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from care_bot.domain.models import Incident
from care_bot.flows import drills, hr_report, intake, tracking
from care_bot.outbox import delivery
from care_bot.storage import drafts, reports
from care_bot.views import drill as views
from tests.support.blockkit import assert_valid_message, assert_valid_view
from tests.support.payloads import state_values
from tests.support.report import file_report
from tests.support.world import SECURITY_CHANNEL, USERS, make_services

SAM, SEC, ALICE, MARK, HANA, SUE = (USERS[k] for k in ("sam", "sec", "alice", "mark", "hana",
                                                        "sue"))


def _drill_alert(services, user_id: str = SUE) -> Incident:
    """Sue (the supervisors role) runs a drill at Downtown, whose supervisor is Sam."""
    view, refusal = drills.start(services, user_id)
    assert refusal is None
    from care_bot.views.metadata import decode
    result = intake.submit_step(services, user_id, decode(view["private_metadata"]),
                                state_values(view, {"danger": "yes", "branch": "downtown"}))
    assert result.view["callback_id"] == "care_emergency"
    with services.store.reading() as db:
        return reports.incidents_since(db, include_drills=True)[-1]


# ---------------------------------------------------------------------------- marking


@pytest.mark.parametrize("text", ["<!here> Immediate danger", "<!channel|channel> x",
                                  "<!everyone> y", "plain"])
def test_mark_message_says_drill_first_and_never_broadcasts(text):
    message = {"text": text, "blocks": [{"type": "section",
                                         "text": {"type": "mrkdwn", "text": f"*{text}*"}}]}
    marked = views.mark_message(message)
    assert marked["text"].startswith("DRILL · ")
    assert marked["blocks"][0]["block_id"] == "drill"
    assert "DRILL" in marked["blocks"][0]["elements"][0]["text"]
    assert "<!" not in str(marked)
    assert views.mark_message(marked) == marked  # twice is once
    assert message["text"] == text  # the original is untouched
    assert_valid_message(marked)


def test_mark_view_fits_the_title_limit_and_adds_the_context_line():
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Report a threat"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]}
    marked = views.mark_view(view)
    assert marked["title"]["text"] == "DRILL · Report a threat"[:24]
    assert len(marked["title"]["text"]) <= 24 and marked["blocks"][0]["block_id"] == "drill"
    assert views.mark_view(marked) == marked
    assert_valid_view(marked)


def test_scorecard_names_each_time_and_who_took_it():
    card = views.Scorecard("CARE-2026-0007", 1000.0, 1002.0, 1090.0, SEC, 1300.0,
                           [("Security took it", True), ("Safety plan", False)])
    text = views.scorecard_message(card)["text"]
    assert "*Time to the first page:* 2s" in text
    assert f"*Time until someone took it:* 1m by <@{SEC}>" in text
    assert "*Time to \"I'm safe now\":* 5m" in text
    assert "✅ Security took it · ⬜ Safety plan" in text


def test_scorecard_of_a_drill_nobody_took():
    card = views.Scorecard("CARE-2026-0007", 1000.0, None, None, None, None, [])
    text = views.scorecard_message(card)["text"]
    assert "not paged" in text and "nobody took it" in text and "not pressed" in text


def test_quarter_start_is_the_first_day_of_the_quarter_in_the_banks_zone():
    ny = ZoneInfo("America/New_York")
    now = datetime(2026, 8, 15, 12, 0, tzinfo=ny).timestamp()
    assert drills.quarter_start(now, "America/New_York") == datetime(2026, 7, 1,
                                                                     tzinfo=ny).timestamp()


# ---------------------------------------------------------------------------- the flow


def test_only_supervisors_and_security_may_run_a_drill(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    assert drills.start(services, ALICE) == (None, drills.REFUSAL)
    view, refusal = drills.start(services, USERS["sue"])  # the supervisors role
    assert refusal is None and view["title"]["text"].startswith("DRILL")
    assert drills.start(services, SEC)[1] is None


def test_a_drill_never_touches_the_real_draft(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    with services.store.transaction() as db:
        real = drafts.create_draft(db, SUE, 1.0, {"what_happened": "real"})
    _drill_alert(services)
    with services.store.reading() as db:
        assert drafts.open_draft(db, SUE).id == real.id
        assert drafts.open_draft(db, SUE, drill=True).incident_id  # the drill's alert


def test_a_drill_alert_pages_but_schedules_nothing_after_it(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    incident = _drill_alert(services)
    assert incident.drill and incident.danger
    with services.store.reading() as db:
        kinds = {row[0] for row in db.execute(
            "SELECT kind FROM followups WHERE status = 'pending'")}
    # the paging and the screen's delivery check; no tasks, check-ins, debrief or review
    assert kinds == {"ack_reminder", "alert_check"}
    delivery.deliver_due(services)
    assert slack.posts and all(p["text"].startswith("DRILL · ") for p in slack.posts)


def test_a_drill_is_kept_out_of_the_figures_and_hr_and_the_market_president(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    incident = _drill_alert(services)
    file_report(services)  # a real one beside it
    with services.store.reading() as db:
        assert [i.drill for i in reports.incidents_since(db)] == [False]
        assert len(reports.incidents_since(db, include_drills=True)) == 2
    assert tracking.acknowledge(services, SAM, incident.id, "channel").message is None
    outcome = hr_report.report(services, SAM, incident.id, "channel")
    assert outcome.message.startswith("DRILL: the notification")
    delivery.deliver_due(services)
    drill_posts = [p for p in slack.posts if p["text"].startswith("DRILL · ")]
    assert drill_posts
    assert not [p for p in drill_posts if p["channel"] in (f"D{MARK}", f"D{HANA}")]


def test_the_scorecard_goes_in_the_security_thread_once_when_resolved(tmp_path):
    services, slack, clock = make_services(tmp_path)
    incident = _drill_alert(services)
    delivery.deliver_due(services)
    clock.advance(30)
    from care_bot.flows import danger
    assert danger.claim(services, SEC, incident.id).message is None
    clock.advance(60)
    danger.report_safe(services, SUE, incident.id)
    danger.report_safe(services, SUE, incident.id)  # twice
    tracking.close_early(services, SEC, incident.id, "Drill over")
    delivery.deliver_due(services)
    cards = [p for p in slack.posts if "Drill scorecard" in p["text"]]
    assert len(cards) == 1 and cards[0]["channel"] == SECURITY_CHANNEL and cards[0]["thread_ts"]
    assert f"*Time until someone took it:* 30s by <@{SEC}>" in cards[0]["text"]
    assert "*Time to \"I'm safe now\":* 1m" in cards[0]["text"]
