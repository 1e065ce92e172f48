"""Care after an incident (issue 21): settings, check-in answers, the debrief and the review.

On a real in-memory SQLite with FakeSlack and a hand-moved clock.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from care_bot.config import ConfigError
from care_bot.domain import care, metrics
from care_bot.flows import care_after, followups, tracking
from care_bot.outbox import delivery
from care_bot.storage import incidents
from care_bot.views import care_after as views
from care_bot.views.figures import figure_lines
from tests.support.blockkit import assert_valid_message, assert_valid_view
from tests.support.report import file_report
from tests.support.world import SECURITY_CHANNEL, USERS, care_toml, make_services, make_settings

ALICE, SAM, SUE, SEC, HANA = (USERS[k] for k in ("alice", "sam", "sue", "sec", "hana"))
DAY = 86400.0
NOT_URGENT = {"client_service": {"threat_kinds": ["abusive"]},
              "assess": {"likelihood": "unlikely", "action_taken": "supervisor_notified"}}


def _toml(care_after: str = "", **reminders) -> str:
    text = care_toml(reminders=reminders)
    return text + (f"\n[care_after]\n{care_after}\n" if care_after else "")


def _pending(services, kind: str | None = None) -> list[tuple[str, str, int, float]]:
    with services.store.reading() as db:
        rows = db.execute("SELECT kind, task, rung, due_at FROM followups "
                          "WHERE status = 'pending' ORDER BY due_at, id").fetchall()
    return [tuple(r) for r in rows if kind is None or r[0] == kind]


def _events(services, action: str) -> list:
    with services.store.reading() as db:
        return [e for e in incidents.list_events(db, 1) if e.action == action]


def _sweep(services) -> None:
    followups.send_due(services)
    while delivery.deliver_due(services):
        pass


# ---------------------------------------------------------------------------- settings


@pytest.mark.parametrize("care_after, reminders, expected", [
    ('checkins = ["1d", "3d", "14d"]', {}, (1, 3, 14)),
    ('checkins = ["14d", "1d", "1d"]', {}, (1, 14)),  # in order of time, each once
    ('checkins = "off"', {}, ()),
    ("checkins = []", {}, ()),
    ("", {}, (1, 3, 14)),  # nothing set: wellbeing_checkin's 24h, then 3 and 14 days
    ("", {"wellbeing_checkin": "2h"}, (2 / 24, 3, 14)),
    ("", {"wellbeing_checkin": "5d"}, (5, 14)),
    ("", {"wellbeing_checkin": "off"}, ()),
    ('checkins = ["2d"]', {"wellbeing_checkin": "off"}, (2,)),  # [care_after] decides
])
def test_checkins_setting_and_its_fallback_to_wellbeing_checkin(tmp_path, care_after, reminders,
                                                                 expected):
    settings = make_settings(tmp_path, _toml(care_after, **reminders))
    assert settings.checkins == tuple(timedelta(days=d) for d in expected)


def test_debrief_and_review_deadlines_default_and_can_be_set_in_either_table(tmp_path):
    default = make_settings(tmp_path, _toml()).reminders
    assert (default.debrief_deadline, default.review_deadline) == (timedelta(days=3),
                                                                   timedelta(days=14))
    reminders = make_settings(tmp_path, _toml(debrief_deadline="2d")).reminders
    assert reminders.debrief_deadline == timedelta(days=2)
    here = make_settings(tmp_path, _toml('review_deadline = "7d"', review_deadline="9d"))
    assert here.reminders.review_deadline == timedelta(days=7)  # [care_after] wins


@pytest.mark.parametrize("line, problem", [
    ('checkins = "weekly"', "care_after.checkins must be a list of durations"),
    ('checkins = ["1d", "soon"]', "care_after.checkins: 'soon' is not a duration"),
    ('checkins = ["1d", 3]', "care_after.checkins: a value is not a duration"),
    ('debrief_deadline = "0d"', "care_after.debrief_deadline"),
    ('often = "1d"', "care_after.often is not a known setting"),
    ('xoxb-123456789012-abc = "1d"', "care_after.(a key) is not a known setting"),
])
def test_bad_care_after_settings_are_named_at_start(tmp_path, line, problem):
    with pytest.raises(ConfigError) as raised:
        make_settings(tmp_path, _toml(line))
    assert any(p.startswith(problem) for p in raised.value.problems), raised.value.problems
    assert "xoxb-123456789012" not in str(raised.value)


# ---------------------------------------------------------------------------- check-ins


def test_checkins_are_scheduled_numbered_and_sent_with_the_support_text(tmp_path):
    services, slack, clock = make_services(tmp_path, _toml('checkins = ["1d", "3d"]'))
    file_report(services)
    assert [(k, r, due - clock.now) for k, _t, r, due in _pending(services, "wellbeing")] == [
        ("wellbeing", 1, DAY), ("wellbeing", 2, 3 * DAY)]
    _sweep(services)
    slack.posts.clear()
    clock.advance(DAY)
    _sweep(services)
    [dm] = [p for p in slack.posts if p["channel"] == f"D{ALICE}"]
    assert dm["text"].startswith("How are you doing after CARE-2026-0001?")
    assert "EAP: 1-800-555-0100" in dm["text"]
    assert dm["blocks"][-1]["block_id"] == "wellbeing_1"
    for private in ("hurt me", "John Q. Client", "regret"):
        assert private not in str(dm)
    assert_valid_message({"text": dm["text"], "blocks": dm["blocks"]})


def test_a_checkin_due_after_closing_time_waits_for_the_branchs_opening(tmp_path):
    """Start is Monday 10:13 in New York; 12 hours later is 22:13, so 09:00 Tuesday."""
    text = _toml('checkins = ["12h"]').replace(
        'associates = ["U0ALICE"]', 'associates = ["U0ALICE"]\nbusiness_hours = "09:00-17:00"')
    services, _slack, _clock = make_services(tmp_path, text)
    file_report(services, danger=True)  # a danger incident's check-ins still never come at night
    [(_, _, _, due)] = _pending(services, "wellbeing")
    assert due == 1_790_082_000.0  # 2026-09-22 13:00 UTC = 09:00 EDT


def test_checkin_answers_ok_talk_and_stop(tmp_path):
    services, slack, clock = make_services(tmp_path, _toml('checkins = ["1d", "3d", "14d"]'))
    file_report(services)
    assert care_after.answer_checkin(services, ALICE, 1, "ok", 1, f"D{ALICE}", "1.1")
    assert "OK" in slack.updates[-1]["text"] and "check in again" in slack.updates[-1]["text"]
    assert [e["action_id"] for e in slack.updates[-1]["blocks"][-1]["elements"]] == [
        "care_wellbeing_stop"]

    assert care_after.answer_checkin(services, ALICE, 1, "talk", 2, f"D{ALICE}", "1.2")
    assert care_after.answer_checkin(services, ALICE, 1, "talk", 2, f"D{ALICE}", "1.2")  # twice
    _sweep(services)
    [request] = [p for p in slack.posts if p["channel"] == f"D{HANA}"]
    assert request["text"] == (f"<@{ALICE}> would like someone to talk to after "
                               "CARE-2026-0001. Please reach out to them privately.")
    assert [e.detail for e in _events(services, "wellbeing_contact_requested")] == [
        {"told": [HANA], "checkin": 2}]

    assert len(_pending(services, "wellbeing")) == 3
    assert care_after.answer_checkin(services, ALICE, 1, "stop", 2, f"D{ALICE}", "1.2")
    assert _pending(services, "wellbeing") == []
    assert "no more check-ins" in slack.updates[-1]["text"]
    assert len(_events(services, "checkins_stopped")) == 1
    clock.advance(20 * DAY)
    slack.posts.clear()
    _sweep(services)
    assert not [p for p in slack.posts if "How are you doing" in p["text"]]


def test_only_the_associate_can_answer_their_checkin(tmp_path):
    services, slack, _clock = make_services(tmp_path, _toml())
    file_report(services)
    assert not care_after.answer_checkin(services, SAM, 1, "stop", 1, f"D{SAM}", "1.1")
    assert len(_pending(services, "wellbeing")) == 3 and slack.updates == []


def test_a_checkin_for_a_missing_incident_says_so(tmp_path):
    services, slack, _clock = make_services(tmp_path, _toml())
    assert not care_after.answer_checkin(services, ALICE, 99, "ok", 1, f"D{ALICE}", "1.1")
    assert slack.posts[-1]["text"] == tracking.GONE


def test_checkin_block_ids_carry_the_number_and_reject_junk():
    assert views.checkin_number(views.checkin_block(3)) == 3
    for junk in (None, "", "wellbeing", "wellbeing_x", "wellbeing_-1", "other_2", 7):
        assert views.checkin_number(junk) == 0


def test_after_downtime_only_the_latest_due_checkin_is_sent(tmp_path):
    services, slack, clock = make_services(tmp_path, _toml('checkins = ["1d", "3d", "14d"]'))
    file_report(services)
    _sweep(services)
    slack.posts.clear()
    clock.advance(4 * DAY)  # down past both the first and the second
    _sweep(services)
    assert [p["blocks"][-1]["block_id"] for p in slack.posts
            if "How are you doing" in p["text"]] == ["wellbeing_2"]


# ---------------------------------------------------------------------------- the debrief


def test_the_debrief_follows_danger_and_urgent_incidents_only(tmp_path):
    urgent, _s, _c = make_services(tmp_path)
    file_report(urgent)  # a physical threat: urgent
    plain, _s, _c = make_services(tmp_path)
    file_report(plain, overrides=NOT_URGENT)
    danger, _s, _c = make_services(tmp_path)
    file_report(danger, overrides=NOT_URGENT, danger=True)
    assert [t for _k, t, _r, _d in _pending(urgent, "task_due")].count("debrief") == 1
    assert "debrief" not in [t for _k, t, _r, _d in _pending(plain, "task_due")]
    tasks = [t for _k, t, _r, _d in _pending(danger, "task_due")]
    assert "debrief" in tasks and "post_incident_review" in tasks


@pytest.mark.parametrize("answers, urgent", [
    ({"likelihood": "likely", "threat_kinds": ["abusive"]}, True),
    ({"likelihood": "possible", "threat_kinds": ["physical"]}, True),
    ({"likelihood": "unlikely", "threat_kinds": ["abusive"], "did_they": ["weapon"]}, True),
    ({"likelihood": "unlikely", "threat_kinds": ["abusive", "implied"]}, False),
    ({}, False),
])
def test_urgency(answers, urgent):
    from care_bot.domain.models import Incident
    incident = Incident(1, "CARE-2026-0001", ALICE, "open", False, None, answers, 0.0, 0.0)
    assert care.is_urgent(incident) is urgent


def test_the_debrief_needs_a_note_and_its_reminder_reaches_the_supervisor(tmp_path):
    services, slack, clock = make_services(tmp_path, _toml(debrief_deadline="2d"))
    file_report(services)
    _sweep(services)
    slack.posts.clear()
    clock.advance(2 * DAY)
    _sweep(services)
    due = [p for p in slack.posts if "Debrief with the associate" in p["text"]]
    assert sorted(p["channel"] for p in due) == ["C0SUPERVISE", f"D{SAM}"]
    dm = next(p for p in due if p["channel"] == f"D{SAM}")
    assert dm["blocks"][-1]["elements"][0]["action_id"] == "care_update_checklist"

    view = tracking.open_checklist(services, SAM, 1).view
    assert "debrief" in [o["value"] for b in view["blocks"] if b.get("block_id") == "tasks"
                         for o in b["element"]["options"]]
    assert any(b.get("block_id") == "debrief_note" for b in view["blocks"])
    assert_valid_view(view)
    missing = tracking.complete_tasks(services, SAM, 1, ["debrief"], "", {"debrief": " "})
    assert list(missing.errors) == ["debrief_note"]
    done = tracking.complete_tasks(services, SAM, 1, ["debrief"], "",
                                   {"debrief": "Met Alice; EAP offered; back Monday."})
    assert done == tracking.Outcome()
    [event] = [e for e in _events(services, "task_completed") if e.detail["task"] == "debrief"]
    assert (event.actor, event.detail["note"]) == (SAM, "Met Alice; EAP offered; back Monday.")
    assert not [t for _k, t, _r, _d in _pending(services) if t == "debrief"]


def test_a_debrief_cannot_be_ticked_on_an_incident_that_has_none(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services, overrides=NOT_URGENT)
    outcome = tracking.complete_tasks(services, SAM, 1, ["debrief"], "", {"debrief": "x"})
    assert outcome.errors == {"tasks": "That task cannot be completed here."}


# ---------------------------------------------------------------------------- the review


REVIEW = {"what_worked": "Security answered in a minute.",
          "what_to_change": "Teach the side exit.",
          "review_action_1": "Walk the side exit with the team", "review_owner_1": SAM,
          "review_action_2": "", "review_owner_2": None}


def test_the_review_form_is_security_s_and_only_for_danger_incidents(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services, danger=True)
    view = care_after.open_review(services, SEC, 1).view
    assert view["callback_id"] == "care_review" and view["title"]["text"] == "Post-incident review"
    assert_valid_view(view)
    refused = care_after.open_review(services, SAM, 1)
    assert refused.message.startswith("You can't")
    checklist = tracking.open_checklist(services, SEC, 1).view
    assert "care_open_review" in str(checklist)
    ordinary, _s, _c = make_services(tmp_path)
    file_report(ordinary)
    assert "only danger incidents" in care_after.open_review(ordinary, SEC, 1).message
    assert "care_open_review" not in str(tracking.open_checklist(ordinary, SEC, 1).view)


@pytest.mark.parametrize("answers, errors", [
    ({}, {"what_worked", "what_to_change"}),
    ({**REVIEW, "review_owner_1": None}, {"review_owner_1"}),
    ({**REVIEW, "review_owner_2": SUE}, {"review_action_2"}),
    ({**REVIEW, "what_worked": "x" * 1501}, {"what_worked"}),
])
def test_the_review_form_says_what_is_missing(answers, errors):
    _review, found = care_after.read_review(answers)
    assert set(found) == errors


def test_saving_the_review_records_it_posts_it_in_security_and_stops_its_reminders(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    file_report(services, danger=True)
    _sweep(services)
    outcome = care_after.save_review(services, SEC, 1, REVIEW)
    assert outcome == tracking.Outcome()
    [event] = [e for e in _events(services, "task_completed")
               if e.detail["task"] == "post_incident_review"]
    assert event.detail["review"] == {
        "what_worked": "Security answered in a minute.", "what_to_change": "Teach the side exit.",
        "actions": [{"action": "Walk the side exit with the team", "owner": SAM}]}
    assert not [t for _k, t, _r, _d in _pending(services) if t == "post_incident_review"]
    _sweep(services)
    [post] = [p for p in slack.posts if "Post-incident review" in p["text"]]
    assert post["channel"] == SECURITY_CHANNEL and post["thread_ts"]
    assert f"Walk the side exit with the team · owner <@{SAM}>" in post["text"]
    again = care_after.save_review(services, SEC, 1, REVIEW)
    assert "already recorded" in again.message


def test_the_review_reminder_goes_to_security_with_the_review_button(tmp_path):
    services, slack, clock = make_services(tmp_path, _toml(review_deadline="5d"))
    file_report(services, danger=True)
    _sweep(services)
    slack.posts.clear()
    clock.advance(5 * DAY)
    _sweep(services)
    due = [p for p in slack.posts if "Due now" in p["text"] and "Post-incident review" in p["text"]]
    assert sorted(p["channel"] for p in due) == sorted([SECURITY_CHANNEL, f"D{SEC}"])
    dm = next(p for p in due if p["channel"] == f"D{SEC}")
    assert dm["blocks"][-1]["elements"][0]["action_id"] == "care_open_review"


def test_the_digest_counts_reviews_done_and_overdue(tmp_path):
    services, _slack, clock = make_services(tmp_path, _toml(review_deadline="1d"))
    file_report(services, danger=True)          # incident 1: reviewed
    file_report(services, USERS["olly"], danger=True)  # incident 2: overdue
    _sweep(services)
    clock.advance(DAY)
    _sweep(services)
    assert care_after.save_review(services, SEC, 1, REVIEW) == tracking.Outcome()
    with services.store.reading() as db:
        found = [metrics.facts_of(i, incidents.list_events(db, i.id))
                 for i in (incidents.get_incident(db, 1), incidents.get_incident(db, 2))]
    figures = metrics.compute(found, clock.now - 7 * DAY, clock.now + 1)
    assert (figures.reviews_done, figures.reviews_overdue) == (1, 1)
    assert "*Post-incident reviews:* 1 done · 1 overdue" in figure_lines(figures, {})
