"""Issue 17 §2: every place typed text reaches people outside the privacy rule is masked.

Outside the rule: the supervisors channel, the DMs of supervisors, the RXM and HR, the
checklist modal and `/threat show` of someone who may not see client details. Inside it:
security's channel and DMs, the people `VIEW_PRIVATE` names. The database keeps the full text.
"""

from __future__ import annotations

import json

import pytest

from care_bot.domain.masking import masked_events, masked_states
from care_bot.flows import followups, hr_report, lookup, paging, tracking
from care_bot.flows.danger import record_police_call
from care_bot.outbox import delivery
from care_bot.storage import incidents
from care_bot.views import alerts, export
from tests.support.report import file_report
from tests.support.world import SECURITY_CHANNEL, SUPERVISORS_CHANNEL, USERS, make_services

SAM, SEC, RITA, HANA, MARK = (USERS[k] for k in ("sam", "sec", "rita", "hana", "mark"))
SECRETS = ("Marlowe", "Jordan", "4417")
NAMED = {
    "safety": {"location_detail": "by Marlowe's truck, acct 4417 window"},
    "client_service": {"what_happened": "Jordan Marlowe (acct ending 4417) waited outside."},
    "report": {"client_name": "Jordan Marlowe", "accounts": "Checking ****4417"},
}
INSIDE = {SECURITY_CHANNEL, f"D{SEC}", f"D{MARK}", f"D{USERS['alice']}", f"D{USERS['ivy']}",
          f"D{USERS['oscar']}"}


def _sent(slack) -> list[dict]:
    return [*slack.posts, *slack.updates]


def _assert_masked_outside(slack) -> None:
    outside = [m for m in _sent(slack) if m["channel"] not in INSIDE]
    assert any(m["channel"] == SUPERVISORS_CHANNEL for m in outside)
    for message in outside:  # what people read (a random key could hold "4417")
        text = json.dumps([message.get("text"), message.get("blocks")], ensure_ascii=False)
        for secret in SECRETS:
            assert secret not in text, (message["channel"], secret, text[:400])


def _security_text(slack) -> str:
    return json.dumps([m for m in _sent(slack) if m["channel"] == SECURITY_CHANNEL],
                      ensure_ascii=False)


@pytest.fixture
def world(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services, overrides=NAMED)
    return services, slack, clock


def test_checklist_notes_and_the_close_reason_are_masked_for_the_supervisors(world):
    services, slack, _clock = world
    tracking.acknowledge(services, SAM, 1, "channel")
    assert tracking.complete_tasks(
        services, SEC, 1, ["safety_plan"], "Told Jordan's officer, acct 4417 flagged.",
        {"safety_plan": "Marlowe barred from the branch; escort to car."}) == tracking.Outcome()
    assert tracking.complete_tasks(services, SAM, 1, ["debrief"], "",
                                   {"debrief": "Alice is fine; Marlowe has not come back."}
                                   ) == tracking.Outcome()
    tracking.close_early(services, SEC, 1, "Marlowe moved away (acct 4417 closed).")
    delivery.deliver_due(services)

    _assert_masked_outside(slack)
    shown = json.dumps([m for m in _sent(slack) if m["channel"] == SUPERVISORS_CHANNEL])
    assert "[client] barred from the branch" in shown
    assert "[client] moved away (acct [account] closed)" in shown
    security = _security_text(slack)
    assert "Marlowe barred from the branch" in security
    assert "Marlowe moved away (acct 4417 closed)" in security
    with services.store.reading() as db:  # the record keeps the full text
        notes = [e.detail for e in incidents.list_events(db, 1)]
    assert {"task": "safety_plan", "note": "Marlowe barred from the branch; escort to car.",
            "comment": "Told Jordan's officer, acct 4417 flagged."} in notes


def test_the_checklist_modal_and_details_are_masked_for_a_supervisor_only(world):
    services, _slack, _clock = world
    tracking.complete_tasks(services, SEC, 1, ["safety_plan"], "",
                            {"safety_plan": "Marlowe barred from the branch."})
    for_sam = json.dumps(tracking.open_checklist(services, SAM, 1).view)
    assert "[client] barred" in for_sam and "Marlowe" not in for_sam
    for_sec = json.dumps(tracking.open_checklist(services, SEC, 1).view)
    assert "Marlowe barred" in for_sec
    details_sam = json.dumps(lookup.show_by_id(services, SAM, 1).view, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in details_sam
    assert "[client]" in details_sam
    details_sec = json.dumps(lookup.show_by_id(services, SEC, 1).view, ensure_ascii=False)
    assert "Marlowe barred" in details_sec and "Marlowe's truck" in details_sec


def test_the_hr_notification_masks_where_while_security_keeps_it(world):
    services, slack, _clock = world
    tracking.acknowledge(services, SAM, 1, "channel")
    hr_report.report(services, SAM, 1, "channel")
    delivery.deliver_due(services)
    to_hr = [m for m in _sent(slack) if m["channel"] == f"D{HANA}"]
    assert to_hr and "[client]'s truck, acct [account] window" in json.dumps(to_hr)
    _assert_masked_outside(slack)
    assert "Marlowe's truck" in _security_text(slack)


def test_danger_pages_and_dms_mask_where_exactly_outside_security(tmp_path):
    services, slack, clock = make_services(tmp_path)
    file_report(services, overrides=NAMED, danger=True)
    delivery.deliver_due(services)
    # The supervisor's DM of the alert itself left before the client's name was typed: only
    # the account digits after "acct" could be masked then. Everything after the name is known:
    first_dm = next(m for m in slack.posts if m["channel"] == f"D{SAM}")
    assert "acct [account] window" in first_dm["text"]
    slack.posts.clear()
    slack.updates.clear()
    record_police_call(services, USERS["alice"], 1, "cant_call")
    with services.store.transaction() as db:
        incident = incidents.get_incident(db, 1)
        paging.remind(db, services, incident, "followup:t1", clock.now)
        paging.widen(db, services, incident, "followup:t2", clock.now)
        followups.tell_rxm_of_danger(db, services, incident, clock.now)
    delivery.deliver_due(services)

    _assert_masked_outside(slack)
    rita = json.dumps([m for m in _sent(slack) if m["channel"] == f"D{RITA}"])
    assert "[client]" in rita
    assert "Marlowe's truck" in json.dumps([m for m in _sent(slack) if m["channel"] == f"D{SEC}"],
                                           ensure_ascii=False)
    assert "Marlowe's truck" in _security_text(slack)
    dm = json.dumps(alerts.supervisor_dm(incident, services.settings.branches))
    assert "Marlowe" not in dm and "[client]'s truck" in dm


def test_masked_states_and_events_leave_the_originals_untouched(world):
    services, _slack, _clock = world
    tracking.close_early(services, SEC, 1, "Jordan Marlowe moved away.")
    with services.store.reading() as db:
        incident = incidents.get_incident(db, 1)
        events = incidents.list_events(db, 1)
        states = tracking.states_of(db, 1)
    [closed] = [e for e in masked_events(events, incident)
                if e.action == "security_part_closed"]
    assert closed.detail == {"reason": "[client] moved away."}
    assert masked_states(states, incident)["security_part_closed"].note == "[client] moved away."
    assert states["security_part_closed"].note == "Jordan Marlowe moved away."


def test_export_shows_securitys_early_close_masked_without_client_details(world):
    services, _slack, _clock = world
    tracking.close_early(services, SEC, 1, "Jordan Marlowe moved away.")
    with services.store.reading() as db:
        incident = incidents.get_incident(db, 1)
        events = incidents.list_events(db, 1)
    branches = services.settings.branches
    plain = export.row(incident, events, branches, with_client_details=False)
    assert (plain["closed_early"], plain["close_reason"]) == ("yes", "[client] moved away.")
    assert plain["safety_plan_state"] == "closed"  # ended undone by the early close
    assert (plain["status"], plain["decision"]) == ("open", "")  # the decision is still owed
    full = export.row(incident, events, branches, with_client_details=True)
    assert full["close_reason"] == "Jordan Marlowe moved away."
