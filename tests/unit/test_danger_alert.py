"""Issue 15: an alert is done only when a named person has it, and the associate sees the truth."""

from __future__ import annotations

import json

from care_bot.flows import alert_status, danger, hr_report, tracking
from care_bot.outbox import delivery
from care_bot.storage import outbox
from care_bot.views import alert_status as status_views
from care_bot.views import danger_modal, notices
from care_bot.views.alert_status import AlertStatus
from tests.support.blockkit import assert_valid_view
from tests.support.fake_slack import slack_error
from tests.support.report import file_report
from tests.support.world import SECURITY_CHANNEL, USERS, make_services

ALICE, SAM, SEC, SUE, HANA = (USERS[n] for n in ("alice", "sam", "sec", "sue", "hana"))


def _status(services, incident_id: int):
    with services.store.reading() as db:
        from care_bot.storage import incidents
        incident = incidents.get_incident(db, incident_id)
        return alert_status.status_of(db, services, incident, services.clock())


def _actions(services) -> list[str]:
    with services.store.reading() as db:
        return [r[0] for r in db.execute("SELECT action FROM events ORDER BY id")]


def _count(services, sql: str) -> int:
    with services.store.reading() as db:
        return db.execute(sql).fetchone()[0]


def test_alert_states_queued_delivered_taken_resolved_each_an_audit_event(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    incident, _draft = danger.one_tap_alert(services, ALICE)
    assert _status(services, incident.id).stage == status_views.SENDING
    clock.advance(5)  # still not accepted after 5 s: the associate is told to call
    assert _status(services, incident.id).stage == status_views.NOT_DELIVERED
    delivery.deliver_due(services)
    delivered = _status(services, incident.id)
    assert delivered.stage == status_views.DELIVERED and delivered.delivered_at == clock.now
    assert f"<@{SEC}>" in delivered.paged and f"<@{SAM}> (your supervisor)" in delivered.paged
    assert danger.claim(services, SEC, incident.id).message is None
    taken = _status(services, incident.id)
    assert (taken.stage, taken.taker_role) == (status_views.TAKEN, "Corporate Security & Risk")
    danger.report_safe(services, ALICE, incident.id, surface="home")
    assert _status(services, incident.id).stage == status_views.RESOLVED
    assert _actions(services) == ["danger_alerted", "alert_delivered", "claimed", "acknowledged",
                                  "reported_safe"]


def test_a_failed_security_post_shows_not_delivered_at_once(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    incident, _draft = danger.one_tap_alert(services, ALICE)
    slack.failures.append(slack_error("service_unavailable", 503))
    delivery.deliver_due(services)
    assert _status(services, incident.id).stage == status_views.NOT_DELIVERED


def test_status_words_never_claim_delivery_before_it_happened():
    branches: dict = {}
    sending = status_views.status_text(AlertStatus(status_views.SENDING), branches, None)
    failing = status_views.status_text(AlertStatus(status_views.NOT_DELIVERED), branches, None,
                                       "+1 555 0100")
    for text in (sending, failing):
        assert "Delivered" not in text and "sent" not in text.lower()
    assert "Sending your alert…" in sending
    assert "Not delivered yet: Slack is not answering. Call 911, or the security desk" in failing
    assert "+1 555 0100" in failing
    delivered = status_views.status_text(
        AlertStatus(status_views.DELIVERED, 1_790_000_000.0, paged=("<@U1>", "<@U2>")),
        branches, None)
    assert ("Delivered to Corporate Security & Risk at "
            "<!date^1790000000^{time_secs}|14:13:20 UTC>.* Paged: <@U1> and <@U2>.") in delivered
    taken = status_views.status_text(
        AlertStatus(status_views.TAKEN, taker_name="Sid Rivera",
                    taker_role="Corporate Security & Risk", taken_at=1_790_000_040.0),
        branches, None)
    assert "Sid Rivera is on it (<!date^1790000040^{time_secs}|14:14:00 UTC>)" in taken
    assert "Sid Rivera (Corporate Security & Risk) is on it" in taken


def test_a_second_press_while_open_is_loud_and_pings_the_taker(tmp_path):
    services, slack, clock = make_services(tmp_path)
    incident, _draft = danger.one_tap_alert(services, ALICE)
    delivery.deliver_due(services)
    danger.claim(services, SEC, incident.id)
    clock.advance(30)
    again, _ = danger.one_tap_alert(services, ALICE)
    assert again.id == incident.id
    delivery.deliver_due(services)
    loud = [p for p in slack.posts if "pressed the danger button again" in p["text"]]
    assert {p["channel"] for p in loud} >= {SECURITY_CHANNEL, f"D{SEC}"}
    assert all(f"<@{SEC}>" in p["text"] for p in loud if p["thread_ts"])
    assert all(p.get("reply_broadcast") for p in loud if p["thread_ts"])
    assert _actions(services).count("danger_pressed_again") == 1


def test_a_second_press_nobody_took_restarts_paging_when_none_is_pending(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    _incident, _draft = danger.one_tap_alert(services, ALICE)
    with services.store.transaction() as db:
        db.execute("UPDATE followups SET status = 'sent' WHERE kind LIKE 'ack%'")
    clock.advance(60)
    danger.one_tap_alert(services, ALICE)
    assert _count(services, "SELECT count(*) FROM followups WHERE status = 'pending' "
                            "AND kind = 'ack_reminder' AND task LIKE 'again:%'") == 1


def test_a_press_after_the_alert_was_resolved_starts_a_new_incident_on_a_new_draft(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    first, first_draft = danger.one_tap_alert(services, ALICE)
    danger.report_safe(services, ALICE, first.id)
    clock.advance(60)
    second, second_draft = danger.one_tap_alert(services, ALICE)
    assert second.id != first.id and second.ref != first.ref
    assert second_draft != first_draft
    screen = json.dumps(danger.emergency_screen(services, second, second_draft))
    assert second.ref in screen and first.ref not in screen


def test_a_double_tap_is_one_press(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    danger.one_tap_alert(services, ALICE)
    clock.advance(1)
    danger.one_tap_alert(services, ALICE)
    assert _actions(services) == ["danger_alerted"]


def test_a_supervisor_acknowledge_takes_the_alert_and_stops_paging(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    incident, _draft = danger.one_tap_alert(services, ALICE)
    assert tracking.acknowledge(services, SAM, incident.id, "channel").message is None
    status = _status(services, incident.id)
    assert status.stage == status_views.TAKEN and status.taker_role == "your supervisor"
    assert _count(services, "SELECT count(*) FROM followups WHERE status = 'pending' "
                            "AND kind LIKE 'ack%'") == 0


def test_a_security_claim_dms_the_market_president_and_prompts_the_supervisor(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    incident, _draft = danger.one_tap_alert(services, ALICE)
    danger.claim(services, SEC, incident.id)
    with services.store.reading() as db:
        keys = [r[0] for r in db.execute("SELECT key FROM outbox")]
    assert f"dm:{USERS['mark']}:incident:{incident.id}:mp_told" in keys
    assert f"dm:{SAM}:incident:{incident.id}:report_prompt" in keys
    assert f"dm:{SEC}:incident:{incident.id}:report_prompt" not in keys
    prompt = notices.report_to_hr_prompt(incident, SEC)
    assert f"<@{SEC}> took" in prompt["text"]


def test_alerts_go_first_in_delivery_order_and_a_batch_gives_way_to_a_new_alert(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    file_report(services, user_id=USERS["olly"])  # an ordinary report: escalation + routine
    danger.one_tap_alert(services, ALICE)
    with services.store.reading() as db:
        due = outbox.due_items(db, clock.now, 50)
    priorities = [item.priority for item in due]
    assert priorities == sorted(priorities) and priorities[0] == outbox.URGENT
    assert due[0].key.endswith(":security:parent")  # a danger alert pages security first
    with services.store.reading() as db:
        urgent = outbox.due_items(db, clock.now, 50, outbox.URGENT)
    assert urgent and {i.priority for i in urgent} == {outbox.URGENT}


def test_the_routine_batch_stops_as_soon_as_an_alert_is_queued(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    file_report(services, user_id=USERS["olly"])
    real_post = slack.post
    raised: dict = {}

    def post(channel, message, thread_ts=None, key=None):
        if not raised:  # an alert comes in while the first routine post is in flight
            raised["incident"] = danger.one_tap_alert(services, ALICE)[0]
        return real_post(channel, message, thread_ts, key)

    slack.post = post
    delivery.deliver_due(services)
    channels = [p["channel"] for p in slack.posts]
    alert_at = next(i for i, p in enumerate(slack.posts)
                    if p["channel"] == SECURITY_CHANNEL and "immediate danger" in json.dumps(p))
    assert alert_at <= 2, channels  # right after the post that was in flight


def test_the_hr_notification_says_what_the_associate_said_about_911(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    incident, _draft = danger.one_tap_alert(services, ALICE)
    danger.record_police_call(services, ALICE, incident.id, "called")
    tracking.acknowledge(services, SAM, incident.id, "channel")
    hr_report.report(services, SAM, incident.id, "dm")
    delivery.deliver_due(services)
    [note] = [p for p in slack.posts if p["channel"] == f"D{HANA}"
              and "Incident/Threat Notification" in p["text"]]
    assert "the associate called 911" in note["text"] and "not contacted" not in note["text"]
    assert f"*Supervisor:* <@{SAM}>" in note["text"]


def test_the_notification_names_whoever_acknowledged_when_the_branch_has_no_supervisor(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    incident, _draft = danger.one_tap_alert(services, USERS["olly"])  # no branch known
    tracking.acknowledge(services, SUE, incident.id, "channel")
    with services.store.reading() as db:
        from care_bot.storage import incidents
        current = incidents.get_incident(db, incident.id)
    note = notices.incident_threat_notification(current, sender=SUE, rxm=[],
                                                market_president=[], where="not given")
    assert f"<@{SUE}> (acknowledged the report; no branch supervisor on file)" in note["text"]


def test_the_emergency_screen_is_updated_in_place_and_forgotten_when_left(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    incident, draft_id = danger.one_tap_alert(services, ALICE)
    screen = danger.emergency_screen(services, incident, draft_id)
    assert_valid_view(screen)
    assert screen["title"]["text"] == "Danger alert"
    danger.show_screen(services, "V42", screen, ALICE)
    delivery.deliver_due(services)
    updates = [v for v in slack.views if v.get("view_id") == "V42"]
    assert updates and "Delivered to Corporate Security & Risk" in json.dumps(updates[-1])
    danger.forget_screen(services, "V42")
    danger.claim(services, SEC, incident.id)
    delivery.deliver_due(services)
    assert [v for v in slack.views if v.get("view_id") == "V42"] == updates  # never again


def test_the_unsaved_alert_is_retried_and_its_screen_says_what_happened(tmp_path, monkeypatch):
    from care_bot.flows import danger_fallback

    monkeypatch.setattr(danger_fallback, "FIRST_WAIT", 0.01)
    services, slack, _clock = make_services(tmp_path)
    slack.failures.append(slack_error("service_unavailable", 503))  # security, first try
    assert danger.alert_without_storage(services, ALICE, {}, "V9", wait=True) == 2
    shown = [json.dumps(v["view"]) for v in slack.views if v.get("view_id") == "V9"]
    assert "Not delivered yet" in shown[0] and "Delivered to Corporate Security" in shown[-1]


def test_a_refusing_security_channel_gets_each_member_the_alert_by_dm(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    incident, _draft = danger.one_tap_alert(services, ALICE)
    slack.failures.append(slack_error("channel_not_found"))
    delivery.deliver_due(services)
    [_dm] = [p for p in slack.posts if p["channel"] == f"D{SEC}" and "care_claim_alert"
            in json.dumps(p["blocks"])]
    status = _status(services, incident.id)
    assert status.stage == status_views.DELIVERED and status.by_dm


def test_could_not_open_offers_the_danger_button():
    answer = danger_modal.could_not_open("+1 555 0100")
    text = json.dumps(answer)
    assert "Could not open the form. In danger? Call 911, then press" in text
    assert "care_home_danger" in text and answer["response_type"] == "ephemeral"


def test_a_row_two_lanes_look_at_stays_in_flight_until_both_are_done():
    """The urgent lane and the sweep may both pick a row: the loser's end must not make the
    winner's claimed row look stranded (it would be released and sent twice)."""
    from care_bot.outbox.state import DeliveryState

    state = DeliveryState()
    state.begin(7)
    state.begin(7)
    state.end(7)  # the lane that lost the claim
    assert 7 in state.busy_ids()
    state.end(7)
    assert 7 not in state.busy_ids()


def test_a_retried_press_is_one_press_even_when_the_alert_was_delivered_in_between(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    danger.one_tap_alert(services, ALICE)
    delivery.deliver_due(services)  # Slack took the security post between the two requests
    clock.advance(0.5)
    danger.one_tap_alert(services, ALICE)
    assert _actions(services) == ["danger_alerted", "alert_delivered"]
