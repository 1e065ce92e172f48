"""The safety path: danger never waits, alerts ping people, claim, 911 answers, safe, Home."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from care_bot.config import ConfigError
from care_bot.domain.models import Incident
from care_bot.flows import care_after, danger, intake, reporter
from care_bot.flows import home as home_flow
from care_bot.ids import Action, Callback
from care_bot.outbox import delivery
from care_bot.views import alerts as alert_views
from care_bot.views import care_after as care_after_views
from care_bot.views import danger_modal, messages, report_modal
from care_bot.views import home as home_views
from care_bot.views.emergency import EMERGENCY_BLOCK_ID, emergency_blocks
from care_bot.views.metadata import decode
from tests.support.blockkit import assert_valid_message, assert_valid_view
from tests.support.report import STEP_ANSWERS, file_report, submit
from tests.support.world import (
    SECURITY_CHANNEL,
    SUPERVISORS_CHANNEL,
    USERS,
    care_toml,
    make_services,
    make_settings,
)

ALICE, SAM, SEC, SUE, HANA = (USERS[n] for n in ("alice", "sam", "sec", "sue", "hana"))
OLLY = USERS["olly"]
# The shipped directory lists no associates: Olly's branch is never pre-filled.


def _incident(**changes) -> Incident:
    base = Incident(1, "CARE-2026-0001", ALICE, "alerted", True, None, {"danger": "yes"},
                    1_790_000_000.0, None)
    return replace(base, **changes)


def _danger_for(services, user_id: str, answers: dict):
    start = intake.start_report(services, user_id)
    return submit(services, user_id, start.view, answers)


def _all_text(slack) -> dict[str, str]:
    return {p["channel"]: json.dumps(p) for p in slack.posts if p["thread_ts"] is None}


# ------------------------------------------------------------------------------ danger never waits


@pytest.mark.parametrize("answers, where", [
    ({"danger": "yes"}, "location not given"),
    ({"danger": "yes", "branch": "other", "location_detail": "   "}, "location not given"),
    ({"danger": "yes", "location_detail": "x" * 5000}, "x" * 140),  # too long: cut, not refused
])
def test_danger_answer_alone_raises_the_alert_whatever_else_is_missing(tmp_path, answers,
                                                                       where):
    services, slack, _clock = make_services(tmp_path)
    result = _danger_for(services, OLLY, answers)
    assert not result.errors
    assert result.view["callback_id"] == Callback.EMERGENCY.value
    delivery.deliver_due(services)
    parents = _all_text(slack)
    assert set(parents) >= {SUPERVISORS_CHANNEL, SECURITY_CHANNEL}
    for channel in (SUPERVISORS_CHANNEL, SECURITY_CHANNEL):
        assert where in parents[channel]
        assert f"<@{OLLY}>" in parents[channel]


def test_no_answer_on_the_safety_screen_is_still_an_error(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    result = _danger_for(services, OLLY, {})
    assert result.errors == {"danger": "Please choose one."}


def test_branch_is_optional_on_the_not_in_danger_path(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    result = _danger_for(services, OLLY, {"danger": "no"})
    assert not result.errors


# ------------------------------------------------------------------------------ who is pinged


ROLES = {"security": ("S0SECURITY", SEC), "supervisors": (SUE,)}


def test_security_channel_mentions_the_role_group_and_members():
    names = alert_views.alert_mentions("security", _incident(), ROLES, {}, False)
    assert names == ["<!subteam^S0SECURITY>", f"<@{SEC}>"]


def test_supervisors_channel_mentions_the_branch_supervisor_or_the_role(tmp_path):
    settings = make_settings(tmp_path)
    known = _incident(branch="downtown")
    assert alert_views.alert_mentions("supervisors", known, ROLES, settings.branches) == [
        f"<@{SAM}>"]
    assert alert_views.alert_mentions("supervisors", _incident(), ROLES, settings.branches) == [
        f"<@{SUE}>"]


def test_a_supervisor_in_danger_at_their_own_branch_wakes_the_supervisors_role(tmp_path):
    """The branch supervisor is the reporter: the channel pings the role, not only them."""
    settings = make_settings(tmp_path)
    theirs = _incident(branch="downtown", reporter=SAM)
    assert alert_views.alert_mentions("supervisors", theirs, ROLES, settings.branches) == [
        f"<@{SUE}>"]
    alone = {"security": (SEC,), "supervisors": (SAM,)}
    for audience, who in (("security", SEC), ("supervisors", SAM)):
        names = alert_views.alert_mentions(audience, _incident(branch="downtown",
                                                               reporter=who),
                                           alone, settings.branches)
        assert names == ["<!here>"]  # their own mention would wake nobody else


@pytest.mark.parametrize("broadcast, police, here", [
    (False, None, False), (True, None, True), (False, "cant_call", True),
    (False, "called", False),
])
def test_here_only_with_broadcast_or_cant_call(broadcast, police, here):
    incident = _incident(police_call=police)
    for audience in ("security", "supervisors"):
        names = alert_views.alert_mentions(audience, incident, ROLES, {}, broadcast)
        assert ("<!here>" in names) == here


def test_alert_says_who_where_when_and_law_enforcement(tmp_path):
    settings = make_settings(tmp_path)
    incident = _incident(branch="downtown", answers={
        "danger": "yes", "branch": "downtown", "location_detail": "drive-through",
        "associate_name": "Alice Example", "associate_position": "Teller"})
    text = alert_views.alert_text(incident, settings.branches, "security")
    assert f"Alice Example, Teller (<@{ALICE}>)" in text
    assert "Downtown · drive-through" in text and "<!date^" in text
    assert "not said yet" in text
    called = alert_views.alert_text(replace(incident, police_call="called"),
                                    settings.branches, "security")
    assert "they have called 911" in called


def test_cant_call_line_comes_first_in_bold():
    incident = _incident(police_call="cant_call")
    mentions = alert_views.alert_mentions("security", incident, ROLES, {})
    message = messages.parent_message(incident, {}, None, {}, "security", mentions)
    first = message["blocks"][1]["text"]["text"].split("\n")[0]
    assert first.startswith("*<!here>") and first.endswith("*") and "cannot call 911" in first
    assert "location not given: reach them on Slack" in first
    assert message["text"].startswith("<!here> ")
    assert message["blocks"][1]["text"]["text"].count("<!here>") == 1


def test_danger_alert_parent_is_valid_and_leads_with_mentions():
    incident = _incident()
    message = messages.parent_message(incident, {}, None, {}, "security", ["<@U0SEC>"])
    assert_valid_message(message)
    assert message["text"].startswith("<@U0SEC> ")
    ids = [e["action_id"] for b in message["blocks"] if b["type"] == "actions"
           for e in b["elements"]]
    assert ids == [Action.CLAIM_ALERT.value, Action.ACKNOWLEDGE.value]
    claimed = messages.parent_message(replace(incident, claimed_by=SEC, claimed_at=1.0), {},
                                      None, {}, "security", [])
    assert f"<@{SEC}> is on it" in json.dumps(claimed)
    assert Action.CLAIM_ALERT.value not in json.dumps(claimed)


def test_alert_queues_a_dm_to_the_branch_supervisor_in_the_same_transaction(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    _danger_for(services, OLLY, {"danger": "yes", "branch": "downtown"})
    with services.store.reading() as db:
        keys = [r["key"] for r in db.query("SELECT key FROM outbox ORDER BY id")]
    assert keys[:3] == ["incident:1:security:parent", "incident:1:supervisors:parent",
                        f"dm:{SAM}:incident:1:danger"]  # a danger alert: security first
    delivery.deliver_due(services)
    [dm] = [p for p in slack.posts if p["channel"] == f"D{SAM}"]
    assert "immediate danger" in dm["text"]


# ------------------------------------------------------------------------------ claim


def _alert(services, user_id=OLLY):
    result = _danger_for(services, user_id, {"danger": "yes"})
    return decode(result.view["private_metadata"])


def test_claim_by_security_records_acknowledges_and_stops_the_ladder(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    ref = _alert(services)
    assert danger.claim(services, SEC, ref.incident_id).message is None
    with services.store.reading() as db:
        row = tuple(db.execute("SELECT claimed_by, acknowledged_by FROM incidents").fetchone())
        pending = db.execute("SELECT count(*) FROM followups WHERE status = 'pending' AND "
                             "kind LIKE 'ack%'").fetchone()[0]
        actions = [r[0] for r in db.execute("SELECT action FROM events ORDER BY id")]
    assert row == (SEC, SEC)
    assert pending == 0
    assert actions == ["danger_alerted", "claimed", "acknowledged"]
    second = danger.claim(services, SEC, ref.incident_id)
    assert "already taken by" in second.message


def test_claim_is_refused_to_outsiders_and_to_the_reporter_and_taken_by_the_supervisor(tmp_path):
    """Who can take an alert: security, the branch's supervisor and the supervisors role."""
    services, _slack, _clock = make_services(tmp_path)
    ref = _alert(services)  # Olly's, with no branch: Sam is not their branch's supervisor
    refused = danger.claim(services, SAM, ref.incident_id).message
    assert "can't take" in refused
    assert "Only the branch's supervisor, Corporate Security & Risk or the supervisors" in refused
    assert "can't take" in danger.claim(services, OLLY, ref.incident_id).message  # the reporter
    assert danger.claim(services, SUE, ref.incident_id).message is None  # supervisors role
    with services.store.reading() as db:
        assert db.execute("SELECT claimed_by FROM incidents").fetchone()[0] == SUE


# ------------------------------------------------------------------------------ 911 and safe


def test_cant_call_posts_a_broadcast_reply_with_here_and_rerenders(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    ref = _alert(services)
    delivery.deliver_due(services)
    incident = danger.record_police_call(services, OLLY, ref.incident_id, "cant_call")
    assert incident.police_call == "cant_call"
    delivery.deliver_due(services)
    replies = [p for p in slack.posts if p["thread_ts"]]
    assert len(replies) == 2
    assert all(p["text"].startswith("*<!here>") and p.get("reply_broadcast") for p in replies)
    assert any("cannot call 911" in json.dumps(u) for u in slack.updates)
    # a repeated click changes nothing
    danger.record_police_call(services, OLLY, ref.incident_id, "cant_call")
    delivery.deliver_due(services)
    assert len([p for p in slack.posts if p["thread_ts"]]) == 2


def test_only_the_reporter_answers_the_911_question(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    ref = _alert(services)
    assert danger.record_police_call(services, SAM, ref.incident_id, "called") is None
    assert danger.record_police_call(services, OLLY, ref.incident_id, "bogus") is None


def test_safe_now_records_the_time_and_posts_in_both_threads(tmp_path):
    services, slack, clock = make_services(tmp_path)
    ref = _alert(services)
    delivery.deliver_due(services)
    clock.advance(300)
    incident = danger.report_safe(services, OLLY, ref.incident_id)
    assert incident.safe_at == clock.now
    delivery.deliver_due(services)
    replies = [p for p in slack.posts if p["thread_ts"]]
    assert {p["channel"] for p in replies} == {SUPERVISORS_CHANNEL, SECURITY_CHANNEL}
    said = f"reported safe at <!date^{int(clock.now)}^{{time}}|14:18 UTC>"  # each reader's clock
    assert all(said in p["text"] for p in replies)
    danger.report_safe(services, OLLY, ref.incident_id)  # twice: one record, one post each
    delivery.deliver_due(services)
    assert len([p for p in slack.posts if p["thread_ts"]]) == 2


def test_finishing_after_the_alert_completes_the_same_incident(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view = file_report(services, danger=True)
    assert view["blocks"][0]["text"]["text"] == "Saved as CARE-2026-0001"
    with services.store.reading() as db:
        assert db.execute("SELECT count(*) FROM incidents").fetchone()[0] == 1


# ------------------------------------------------------------------------------ Home


def test_every_home_view_begins_with_the_emergency_block(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    for user in USERS.values():
        with services.store.reading() as db:
            view = home_flow.home_view(db, services, user)
        assert_valid_view(view)
        assert view["type"] == "home"
        assert view["blocks"][: len(emergency_blocks(services.settings))] == emergency_blocks(
            services.settings)
    assert home_views.build_home([], services.settings)["blocks"][0]["block_id"] == (
        EMERGENCY_BLOCK_ID)


def test_emergency_block_shows_the_security_phone_only_when_set(tmp_path):
    settings = make_settings(tmp_path)
    text = emergency_blocks(settings)[0]["text"]["text"]
    assert "911" in text and "If CARE bot does not respond, call" in text
    assert "Security desk" not in text
    with_phone = make_settings(tmp_path, care_toml().replace(
        '[support]', '[support]\nsecurity_phone = "+1 555 010 0199"'))
    text = emergency_blocks(with_phone)[0]["text"]["text"]
    assert "Security desk: *+1 555 010 0199*" in text
    assert "does not respond, call the security desk at *+1 555 010 0199*" in text


@pytest.mark.parametrize("phone", ["call me", "<@U123>", "12", "+1 555 <b>"])
def test_security_phone_must_look_like_a_phone_number(tmp_path, phone):
    with pytest.raises(ConfigError) as error:
        make_settings(tmp_path, care_toml().replace(
            '[support]', f'[support]\nsecurity_phone = "{phone}"'))
    assert "support.security_phone" in str(error.value)


def test_alerts_broadcast_setting_is_optional_and_checked(tmp_path):
    assert make_settings(tmp_path).alert_broadcast is False
    on = make_settings(tmp_path, care_toml() + "\n[alerts]\nbroadcast = true\n")
    assert on.alert_broadcast is True
    with pytest.raises(ConfigError):
        make_settings(tmp_path, care_toml() + '\n[alerts]\nbroadcast = "yes"\n')


def test_associate_home_has_the_one_tap_button_with_confirm_and_my_reports(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    with services.store.reading() as db:
        view = home_flow.home_view(db, services, ALICE)
    text = json.dumps(view)
    danger = home_views.danger_button()
    assert danger in view["blocks"][3]["elements"] and "confirm" in danger
    assert "Report a threat" in text and "My reports" in text
    assert "CARE-2026-0001" in text and "saved; notifications on their way" in text
    assert "John Q. Client" not in text and "hurt me" not in text  # nothing about the client


def test_one_tap_alert_raises_the_same_alert_without_a_form(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    incident, draft_id = danger.one_tap_alert(services, ALICE)
    assert incident.danger and incident.status == "alerted" and incident.branch == "downtown"
    again, _ = danger.one_tap_alert(services, ALICE)  # a second tap: the same alert
    assert again.id == incident.id
    delivery.deliver_due(services)
    parents = _all_text(slack)
    assert "Downtown" in parents[SUPERVISORS_CHANNEL]
    assert slack.home_of(ALICE) is not None
    with services.store.reading() as db:  # one press (a double tap), then Slack took it
        assert [tuple(r) for r in db.execute("SELECT action, surface FROM events")] == [
            ("danger_alerted", "home"), ("alert_delivered", "outbox")]
    screen = danger.emergency_screen(services, incident, draft_id)
    assert_valid_view(screen)


def test_home_is_republished_when_the_reports_change(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    file_report(services)
    delivery.deliver_due(services)
    before = len(slack.homes)
    from care_bot.flows import tracking

    tracking.acknowledge(services, SAM, 1, "channel")
    delivery.deliver_due(services)
    concerned = {h["user"] for h in slack.homes[before:]} - {ALICE}
    assert [h["user"] for h in slack.homes[before:]].count(ALICE) == 1
    assert SAM in concerned and len(slack.homes) == before + 1 + len(concerned)
    assert "Acknowledged" in json.dumps(slack.home_of(ALICE))


# ------------------------------------------------------------------------------ after the report


def test_confirmation_dm_is_honest_while_channels_are_not_posted(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    incident = Incident(1, "CARE-2026-0001", ALICE, "open", False, "downtown",
                        {"supervisor": SAM, "ics": USERS["ivy"]}, 1.0, 1.0)
    waiting = messages.reporter_confirmation(incident, services.settings, delivered=False)
    told = messages.reporter_confirmation(incident, services.settings, delivered=True)
    assert "have been notified" not in waiting["text"] and "on their way" in waiting["text"]
    assert "have been notified" in told["text"]
    for message in (waiting, told):
        assert_valid_message(message)
        assert f"<@{SAM}>" in message["text"] and f"<@{USERS['ivy']}>" in message["text"]
        assert "EAP: 1-800-555-0100" in message["text"]  # the support text, at once
        assert "15 minutes" in message["text"] and "3 days" in message["text"]
        [button] = message["blocks"][-1]["elements"]
        assert button["text"]["text"] == "I told my Internal Control Specialist (ICS)"


def test_confirmation_dm_renders_at_send_time_from_delivery_state(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    file_report(services)
    delivery.deliver_due(services)
    [dm] = [p for p in slack.posts if p["channel"] == f"D{ALICE}"]
    assert "have been notified" in dm["text"]


def test_ics_notified_button_marks_the_associates_step(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    file_report(services)
    outcome = reporter.mark_ics_notified(services, ALICE, 1, f"D{ALICE}", "1.1")
    assert outcome.message is None
    with services.store.reading() as db:
        detail = db.execute("SELECT detail FROM events WHERE action = 'task_completed'").fetchone()
    assert json.loads(detail[0])["task"] == "ics_notified"
    assert "telling your Internal Control Specialist (ICS) is marked done" in (
        slack.updates[-1]["text"])


@pytest.mark.parametrize("toml, expected", [(None, HANA), ("no-hr", SAM)])
def test_wellbeing_contact_me_dms_hr_or_the_supervisor_the_reference_only(tmp_path, toml,
                                                                          expected):
    text = care_toml().replace(f'hr = ["{HANA}"]', "hr = []") if toml else None
    services, slack, _clock = make_services(tmp_path, text)
    file_report(services)
    delivery.deliver_due(services)
    assert care_after.answer_checkin(services, ALICE, 1, "talk", 0, f"D{ALICE}", "1.1")
    assert care_after.answer_checkin(services, ALICE, 1, "talk", 0, f"D{ALICE}", "1.1")  # twice
    delivery.deliver_due(services)
    [dm] = [p for p in slack.posts if p["channel"] == f"D{expected}"
            and "someone to talk to" in p["text"]]
    assert "CARE-2026-0001" in dm["text"]
    for detail in ("hurt me", "John Q. Client", "regret", "Downtown"):
        assert detail not in dm["text"]
    with services.store.reading() as db:
        events = [r[0] for r in db.execute("SELECT action FROM events")]
    assert events.count("wellbeing_contact_requested") == 1


def test_wellbeing_checkin_has_three_buttons():
    message = care_after_views.checkin(_incident(), "EAP", 2)
    labels = [e["text"]["text"] for e in message["blocks"][-1]["elements"]]
    assert labels == ["I'm OK", "I'd like someone to talk to", "Stop these check-ins"]
    assert message["blocks"][-1]["block_id"] == "wellbeing_2"
    assert_valid_message(message)


def test_message_shortcut_prefills_text_and_permalink():
    answers = reporter.from_message({
        "message": {"ts": "1790000000.000100", "text": "I know where you park."},
        "channel": {"id": "C0GENERAL"}, "team": {"domain": "bank"}})
    assert answers["what_happened"] == (
        "I know where you park.\n\nReported message: "
        "https://bank.slack.com/archives/C0GENERAL/p1790000000000100")


def test_message_shortcut_on_a_thread_reply_links_into_its_thread():
    answers = reporter.from_message({
        "message": {"ts": "1790000000.000200", "thread_ts": "1790000000.000100",
                    "text": "Watch your back."},
        "channel": {"id": "C0GENERAL"}, "team": {"domain": "bank"}})
    assert answers["what_happened"].endswith(
        "https://bank.slack.com/archives/C0GENERAL/p1790000000000200"
        "?thread_ts=1790000000.000100&cid=C0GENERAL")


def test_every_report_step_answer_set_still_walks(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    assert set(STEP_ANSWERS) >= {"safety", "review"}
    file_report(services)


def test_confirmation_view_never_claims_delivery_and_says_so_while_slack_fails(tmp_path):
    from tests.support.fake_slack import slack_error

    for trouble in (False, True):
        view = report_modal.confirmation_view("CARE-2026-0001", False, trouble)
        assert_valid_view(view)
        assert "have been notified" not in json.dumps(view)
    services, slack, _clock = make_services(tmp_path)
    file_report(services)
    slack.failures.extend([slack_error("internal_error", 500)] * 3)
    delivery.deliver_due(services)  # Slack fails: the posts wait to be retried
    view = file_report(services, USERS["olly"], overrides={"safety": {"branch": "downtown"},
                                                           "report": {"supervisor": SAM,
                                                                      "rxm": USERS["rita"],
                                                                      "ics": USERS["ivy"],
                                                                      "associate_name": "Olly",
                                                                      "associate_position": "T",
                                                                      "associate_location": "D"}})
    text = view["blocks"][1]["text"]["text"]
    assert "Slack is not answering" in text and "queued" in text


def test_when_the_database_fails_the_danger_alert_still_goes_out_directly(tmp_path):
    from tests.support.payloads import state_values

    services, slack, _clock = make_services(tmp_path)
    start = intake.start_report(services, OLLY)
    values = state_values(start.view, {"danger": "yes"})
    assert danger.says_danger(values)
    assert danger.alert_without_storage(services, OLLY, values, wait=True) == 2
    texts = {p["channel"]: p["text"] + json.dumps(p["blocks"]) for p in slack.posts}
    assert set(texts) == {SUPERVISORS_CHANNEL, SECURITY_CHANNEL}
    assert f"<@{SEC}>" in texts[SECURITY_CHANNEL] and f"<@{SUE}>" in texts[SUPERVISORS_CHANNEL]
    assert all("could not save" in t and "location not given" in t for t in texts.values())
    view = danger.unsaved_alert_screen(services)
    assert_valid_view(view)


def test_an_alert_with_nobody_to_mention_pings_here():
    empty = {"security": (), "supervisors": ()}
    for audience in ("security", "supervisors"):
        assert alert_views.alert_mentions(audience, _incident(), empty, {}) == ["<!here>"]


def test_a_danger_alert_that_may_have_landed_is_rechecked_within_seconds(tmp_path):
    from tests.support.fake_slack import slack_error

    services, slack, clock = make_services(tmp_path)
    _alert(services)
    slack.failures.append(slack_error("internal_error", 500))  # Slack may have posted it
    delivery.deliver_due(services)
    with services.store.reading() as db:
        not_before, unsure = db.execute("SELECT not_before, unsure FROM outbox WHERE key = ?",
                                        ["incident:1:security:parent"]).fetchone()
    assert unsure == 1  # the first post of a danger alert goes to security
    assert not_before - clock.now <= delivery.DANGER_RECHECK_SECONDS
    assert services.settings.unsure_recheck_after.total_seconds() > (
        delivery.DANGER_RECHECK_SECONDS)
    clock.advance(delivery.DANGER_RECHECK_SECONDS)
    delivery.deliver_due(services)
    assert SECURITY_CHANNEL in [p["channel"] for p in slack.posts if p["thread_ts"] is None]
    assert slack.lookups >= 1  # looked for the earlier attempt before posting again


def test_home_offers_safe_now_until_the_associate_is_safe(tmp_path):
    """The emergency modal may be closed: Home keeps "I'm safe now" for an open danger alert."""
    services, _slack, _clock = make_services(tmp_path)
    incident, _draft_id = danger.one_tap_alert(services, ALICE)
    with services.store.reading() as db:
        view = home_flow.home_view(db, services, ALICE)
    _block, button = next((b, e) for b in view["blocks"]
                          for e in [b.get("accessory") or {}]
                          if e.get("action_id") == Action.HOME_SAFE_NOW.value)
    assert button["text"]["text"] == "I'm safe now" and button["value"] == str(incident.id)
    assert_valid_view(view)
    assert danger.report_safe(services, SAM, incident.id, surface="home") is None  # not theirs
    safe = danger.report_safe(services, ALICE, incident.id, surface="home")
    assert safe.safe_at is not None
    again = danger.report_safe(services, ALICE, incident.id, surface="home")
    assert again.safe_at == safe.safe_at  # a second press records nothing new
    with services.store.reading() as db:
        view = home_flow.home_view(db, services, ALICE)
        events = [e.action for e in incidents_events(db, incident.id)]
    assert Action.HOME_SAFE_NOW.value not in json.dumps(view)
    assert events.count("reported_safe") == 1


def incidents_events(db, incident_id):
    """The incident's events (a small alias for readability)."""
    from care_bot.storage import incidents

    return incidents.list_events(db, incident_id)


def test_wellbeing_contact_me_with_no_hr_and_no_supervisor_reaches_the_supervisors_role(
        tmp_path):
    """No HR role, no branch known, no supervisor named: the supervisors role is asked."""
    text = care_toml().replace(f'hr = ["{HANA}"]', "hr = []")
    services, slack, _clock = make_services(tmp_path, text)
    incident, _draft_id = danger.one_tap_alert(services, OLLY)
    assert incident.branch is None and not incident.answers.get("supervisor")
    assert care_after.answer_checkin(services, OLLY, incident.id, "talk", 0, f"D{OLLY}", "1.1")
    delivery.deliver_due(services)
    [dm] = [p for p in slack.posts if "someone to talk to" in p["text"]]
    assert dm["channel"] == f"D{SUE}" and incident.ref in dm["text"]


def test_emergency_screen_promises_a_supervisor_dm_only_when_one_is_sent(tmp_path):
    """No branch known, or the supervisor is the one in danger: no DM is claimed."""

    unknown = json.dumps(danger_modal.emergency_view(_incident(), "d1", None))
    assert "the supervisors on duty" in unknown and "direct message" not in unknown
    own = json.dumps(danger_modal.emergency_view(_incident(reporter=SAM), "d1", SAM))
    assert "the supervisors on duty" in own and "direct message" not in own
    known = json.dumps(danger_modal.emergency_view(_incident(), "d1", SAM))
    assert f"<@{SAM}> (your supervisor)" in known and "direct message" in known


def test_danger_on_a_safety_screen_left_open_after_its_report_was_filed_still_alerts(tmp_path):
    """Two devices: the report was finished on one; "Yes, in danger" on the other alerts."""
    from care_bot.domain.care import Step

    services, _slack, _clock = make_services(tmp_path)
    file_report(services)  # finished on one device...
    with services.store.reading() as db:
        draft_id = db.execute("SELECT id FROM drafts").fetchone()[0]
    # ...while the other still shows that draft's safety screen (Back from a resumed step)
    view = report_modal.step_view(Step.SAFETY, {}, draft_id, services.settings.branches)
    result = submit(services, ALICE, view, {"danger": "yes"})
    assert not result.errors and result.view["callback_id"] == Callback.EMERGENCY.value
    with services.store.reading() as db:
        rows = db.execute("SELECT danger, status FROM incidents ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [(0, "open"), (1, "alerted")]
    again = submit(services, ALICE, view, {"danger": "yes"})  # Slack's retry
    assert again.view["callback_id"] == Callback.EMERGENCY.value
    with services.store.reading() as db:
        assert db.execute("SELECT count(*) FROM incidents").fetchone()[0] == 2


def test_danger_from_a_modal_whose_draft_is_gone_or_not_theirs_still_alerts(tmp_path):
    """A forged or unknown draft reference never stands between a danger answer and help."""
    services, _slack, _clock = make_services(tmp_path)
    theirs = intake.start_report(services, SAM)
    submit(services, SAM, theirs.view, {"danger": "no", "branch": "downtown"})
    result = submit(services, ALICE, theirs.view, {"danger": "yes"})  # SAM's draft id
    assert result.view["callback_id"] == Callback.EMERGENCY.value
    with services.store.reading() as db:
        rows = db.execute("SELECT reporter, danger FROM incidents").fetchall()
        sams = db.execute("SELECT answers FROM drafts WHERE user_id = ?", [SAM]).fetchone()
    assert [tuple(r) for r in rows] == [(ALICE, 1)]
    assert json.loads(sams[0])["danger"] == "no"  # SAM's draft is untouched


def test_a_supervisor_reporting_at_their_own_branch_is_not_prefilled_as_their_supervisor(
        tmp_path):
    """The directory's supervisor is the reporter: no pre-filled "not yourself" error."""
    services, _slack, _clock = make_services(tmp_path)
    confirmation = file_report(services, SAM, {"safety": {"branch": "downtown"}})
    assert confirmation["callback_id"] == Callback.CONFIRMATION.value
    with services.store.reading() as db:
        answers = json.loads(db.execute("SELECT answers FROM incidents").fetchone()[0])
    assert answers.get("supervisor") != SAM


@pytest.mark.parametrize("delivered", [True, False])
def test_confirmation_dm_without_a_named_supervisor_names_the_supervisors(delivered):
    """No supervisor in the answers: never "your supervisor (—)"."""
    incident = _incident(answers={"ics": "U0INA"})
    text = messages.reporter_confirmation(incident, None, delivered)["text"]
    assert "(—)" not in text and "the supervisors (their channel)" in text.lower()
    named = messages.reporter_confirmation(_incident(answers={"supervisor": SAM}), None,
                                           delivered)["text"]
    assert f"our supervisor (<@{SAM}>)" in named
