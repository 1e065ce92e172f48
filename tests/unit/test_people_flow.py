"""People of concern in flows: linking on submit, purges, the page, manual links, notices."""

import dataclasses
import json

from care_bot.domain.models import Event
from care_bot.flows import followups, lookout, people, person_page, urgent
from care_bot.runtime.wiring import configured_channels
from care_bot.storage import incidents, retention
from care_bot.storage import lookout as lookout_rows
from care_bot.storage import people as people_rows
from care_bot.views import people as people_views
from care_bot.views.lookup import event_phrase
from tests.support.report import file_report
from tests.support.world import SECURITY_CHANNEL, USERS, care_toml, make_services

HARBOR = """
[branches.harbor]
name = "Harbor Street"
timezone = "America/New_York"
supervisor = "U0OLLY"
channel = "C0HARBOR"
"""


def _world(tmp_path, key=None):
    services, slack, clock = make_services(tmp_path, care_toml(extra=HARBOR))
    if key:
        services.settings = dataclasses.replace(services.settings, subject_key=key)
    return services, slack, clock


def _report(services, clock, name="Jordan Marlowe", accounts="Checking ****1234",
            kinds=("physical", "abusive")):
    file_report(services, overrides={"report": {"client_name": name, "accounts": accounts},
                                     "client_service": {"threat_kinds": list(kinds)}})
    clock.advance(60)
    with services.store.reading() as db:
        return db.execute("SELECT max(id) FROM incidents").fetchone()[0]


def _security_replies(services, words):
    with services.store.reading() as db:
        rows = db.execute("SELECT payload FROM outbox WHERE channel = ? AND thread_of IS NOT NULL",
                          [SECURITY_CHANNEL]).fetchall()
    return [json.loads(r[0]) for r in rows if words in r[0]]


def _person(services, incident_id):
    with services.store.reading() as db:
        return people_rows.person_of(db, incident_id)


def test_people_flow_second_report_is_linked_and_seen_before_names_nobody(tmp_path):
    services, _slack, clock = _world(tmp_path)
    first = _report(services, clock)
    second = _report(services, clock, "JORDAN marlowe", "acct ending 1234")
    assert _person(services, first) == _person(services, second)
    [reply] = _security_replies(services, "Seen before:")
    text = json.dumps(reply)
    assert "CARE-2026-0001" in text and "Downtown" in text
    assert "marlowe" not in text.lower() and "1234" not in text


def test_people_flow_unrelated_reports_stay_apart_and_drills_are_skipped(tmp_path):
    services, _slack, clock = _world(tmp_path)
    first = _report(services, clock)
    other = _report(services, clock, "Casey Marlowe", "****1234")
    assert _person(services, first) != _person(services, other)
    drill = dataclasses.replace(_incident(services, first), id=99,
                                answers={**_incident(services, first).answers, "drill": True})
    assert people.is_drill(drill) and not people.is_drill(_incident(services, first))
    with services.store.transaction() as db:
        people.on_report(db, services, drill, clock.now)  # a drill is never linked
        assert people_rows.person_of(db, 99) is None


def _incident(services, incident_id):
    with services.store.reading() as db:
        return incidents.get_incident(db, incident_id)


def _purge(services, clock, incident_id):
    with services.store.transaction() as db:
        db.execute("UPDATE incidents SET status = 'closed', closed_at = ?, closed_by = 'x' "
                   "WHERE id = ?", [clock.now, incident_id])
        retention.purge_incident(db, incident_id, clock.now, "test")


def test_people_flow_keyed_link_outlives_a_purge(tmp_path):
    services, _slack, clock = _world(tmp_path, key=b"secret-key")
    first = _report(services, clock)
    _purge(services, clock, first)
    second = _report(services, clock)
    assert _person(services, second) == _person(services, first)
    [reply] = _security_replies(services, "Seen before:")
    assert "a purged report from 2026-09" in json.dumps(reply)
    with services.store.reading() as db:
        keys = db.execute("SELECT keyed FROM subject_keys WHERE incident_id = ?",
                          [first]).fetchall()
    assert keys and all(k[0] == 1 for k in keys)


def test_people_flow_without_the_key_a_purge_forgets_the_link(tmp_path):
    services, _slack, clock = _world(tmp_path)
    first = _report(services, clock)
    _purge(services, clock, first)
    second = _report(services, clock)
    assert _person(services, first) is None
    assert _person(services, second) is not None
    assert not _security_replies(services, "Seen before:")


def test_person_page_for_the_privacy_rule_only_and_every_view_recorded(tmp_path):
    services, _slack, clock = _world(tmp_path)
    _report(services, clock)
    refused = person_page.open_by_ref(services, USERS["sam"], "CARE-2026-0001")
    assert refused.view is None and "CARE-2026-0001" in refused.message
    page = person_page.open_by_ref(services, USERS["sec"], "care-2026-0001")
    text = json.dumps(page.view)
    assert "Jordan Marlowe" in text and "1 report in 30 days, physical" in text
    assert "care_notice_new" in text  # security's buttons
    ivy = json.dumps(person_page.open_by_ref(services, USERS["ivy"], "CARE-2026-0001").view)
    assert "Jordan Marlowe" in ivy and "care_notice_new" not in ivy
    with services.store.reading() as db:
        actions = [r[0] for r in db.execute("SELECT action FROM events")]
    assert actions.count("person_page_viewed") == 2 and "refused" in actions


def test_person_page_manual_link_and_unlink_need_security_and_a_reason(tmp_path):
    services, _slack, clock = _world(tmp_path)
    first = _report(services, clock)
    other = _report(services, clock, "Casey Other", "****5555")
    person = _person(services, first)
    assert "errors" in person_page.change_link(services, USERS["sam"], person, "CARE-2026-0002",
                                               "same car", False)
    assert "errors" in person_page.change_link(services, USERS["sec"], person, "CARE-2026-0002",
                                               "  ", False)
    assert "view" in person_page.change_link(services, USERS["sec"], person, "CARE-2026-0002",
                                             "same car, same plate", False)
    assert _person(services, other) == person
    assert "view" in person_page.change_link(services, USERS["sec"], person, "CARE-2026-0002",
                                             "a different person after all", True)
    assert _person(services, other) != person
    with services.store.reading() as db:
        actions = [r[0] for r in db.execute("SELECT action FROM events")]
    assert "person_linked" in actions and "person_unlinked" in actions


def _notice_state(codes, expires, all_branches=False):
    def entry(kind, **value):
        return {"value": {"type": kind, **value}}

    return {
        "target_branches": entry("multi_static_select",
                                 selected_options=[{"value": c} for c in codes]),
        "all_branches": entry("checkboxes",
                              selected_options=[{"value": "all"}] if all_branches else []),
        "notice_description": entry("plain_text_input", value="Tall, grey coat."),
        "notice_todo": entry("checkboxes", selected_options=[{"value": "call_911"}]),
        "notice_expires": entry("datetimepicker", selected_date_time=int(expires)),
    }


def test_lookout_notice_goes_to_a_branch_channel_or_its_supervisor_a_few_at_a_time(tmp_path):
    services, _slack, clock = _world(tmp_path)
    first = _report(services, clock)
    person = _person(services, first)
    refused = lookout.issue(services, USERS["sam"], person, _notice_state(["downtown"],
                                                                          clock.now + 60))
    assert "errors" in refused
    answer = lookout.issue(services, USERS["sec"], person,
                           _notice_state([], clock.now + 3600, all_branches=True))
    assert "view" in answer
    with services.store.reading() as db:
        rows = lookout_rows.recipients(db, 1)
    assert {r["destination"] for r in rows} == {USERS["sam"], "C0HARBOR"}
    assert lookout.feed(services) == 2
    assert lookout.feed(services) == 0  # nothing left
    assert lookout.seen(services, USERS["sam"], rows[0]["id"]) is None
    with services.store.reading() as db:
        assert lookout_rows.recipients(db, 1)[0]["seen_by"] == USERS["sam"]


def test_lookout_feed_keeps_at_most_a_window_of_posts_in_the_outbox(tmp_path):
    services, _slack, clock = _world(tmp_path)
    person = _person(services, _report(services, clock))
    with services.store.transaction() as db:
        notice = lookout_rows.add_notice(
            db, person_id=person, incident_id=1, branches=["*"], description="d", todo=[],
            expires_at=clock.now + 3600, created_by=USERS["sec"], created_at=clock.now,
            seen_check_at=clock.now + 60)
        lookout_rows.add_recipients(db, notice, {f"U0SUP{n:03d}": ["downtown"]
                                                 for n in range(20)})
    assert lookout.feed(services) == lookout.FEED_WINDOW
    assert lookout.feed(services) == 0  # the window is full until those are delivered


def test_urgent_while_the_person_has_an_active_order(tmp_path):
    services, _slack, clock = _world(tmp_path)
    first = _report(services, clock, kinds=["abusive"])  # not urgent by its own answers
    incident = _incident(services, first)
    with services.store.reading() as db:
        assert not urgent.is_urgent(db, incident, clock.now)
    with services.store.transaction() as db:
        lookout_rows.add_order(
            db, person_id=_person(services, first), incident_id=first, kind="trespass",
            branches=["harbor"], starts_on="2026-01-01", ends_on="2027-01-31", note="",
            created_by=USERS["sec"], created_at=clock.now, ends_at=clock.now + 86400 * 100,
            remind_at=clock.now + 86400 * 90)
    with services.store.reading() as db:
        assert urgent.reasons(db, incident, clock.now) == ["an active order"]
        assert people.order_banners(db, services, _person(services, first), clock.now) == [
            "Active trespass order (Harbor Street, until 2027-01-31)"]


def test_wiring_check_includes_branch_channels(tmp_path):
    services, _slack, _clock = _world(tmp_path)
    assert ("branches.harbor.channel", "C0HARBOR") in list(configured_channels(services.settings))


def test_timeline_words_for_people_events_escape_the_reason():
    linked = Event(1, 1, 0.0, USERS["sec"], "person_linked", "person_page",
                   {"report": "CARE-2026-0002", "reason": "same <!channel> car"})
    assert event_phrase(linked) == ("linked it to a person of concern (CARE-2026-0002): "
                                    "“same &lt;!channel&gt; car”")
    viewed = Event(2, 1, 0.0, USERS["sec"], "person_page_viewed", "command", {"person": 1})
    assert event_phrase(viewed) == "*opened the person's page*"


def test_a_report_about_a_person_with_an_active_order_is_reminded_after_closing(tmp_path):
    """Urgent for the ladder: its acknowledgement reminder does not wait for opening time."""
    toml = care_toml(reminders={"ack_reminder": "7h", "ack_escalation": "8h",
                                "wellbeing_checkin": "off", "safety_plan_deadline": "30d",
                                "debrief_deadline": "30d", "review_deadline": "30d"},
                     extra='business_hours = "09:00-17:00"')
    services, _slack, clock = make_services(tmp_path, toml)
    calm = ["abusive"]  # urgent only by the order, not by its own answers
    first = _report(services, clock, kinds=calm)
    with services.store.transaction() as db:
        lookout_rows.add_order(
            db, person_id=_person(services, first), incident_id=first, kind="trespass",
            branches=["downtown"], starts_on="2026-01-01", ends_on="2027-01-31", note="",
            created_by=USERS["sec"], created_at=clock.now, ends_at=clock.now + 86400 * 100,
            remind_at=clock.now + 86400 * 90)
    second = _report(services, clock, kinds=calm)
    control = _report(services, clock, "Casey Other", "****5555", kinds=calm)  # nobody's order
    clock.advance(7 * 3600)  # after 17:00 in New York: an ordinary reminder waits
    followups.send_due(services)
    with services.store.reading() as db:
        rows = {r[0]: r[1] for r in db.execute(
            "SELECT incident_id, status FROM followups WHERE kind = 'ack_reminder'")}
    assert rows == {first: "sent", second: "sent", control: "pending"}


def test_seen_before_escapes_each_part_once():
    line = people_views.ReportLine("CARE-2026-0001", "2026-09-21", branch="Pier & Co",
                                   kinds="Other: fish &amp; chips")
    text = people_views.seen_before("CARE-2026-0002", "the same account number", [line], [],
                                    [])["blocks"][0]["text"]["text"]
    assert "Pier &amp; Co" in text and "fish &amp; chips" in text and "&amp;amp;" not in text
