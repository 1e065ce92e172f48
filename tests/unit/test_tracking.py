"""flows.tracking: acknowledge, the checklist, the account decision and the early close."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from care_bot.domain import ladder
from care_bot.flows import hr_report, tracking
from care_bot.storage import Store, incidents
from care_bot.views.messages import checklist_text
from care_bot.views.text import escape
from tests.support.report import NOT_A_CLIENT, file_report
from tests.support.world import USERS, care_toml, make_services

ALICE, SAM, SUE, SEC = USERS["alice"], USERS["sam"], USERS["sue"], USERS["sec"]
IVY, OSCAR, MARK, OLLY = USERS["ivy"], USERS["oscar"], USERS["mark"], USERS["olly"]
HANA = USERS["hana"]
REF = "CARE-2026-0001"


def query(services, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    with services.store.reading() as db:
        return [dict(row) for row in db.query(sql, params or [])]


def everything(services) -> dict[str, list[dict]]:
    """Every row the tracking flows could change, to prove that nothing did."""
    return {
        "incidents": query(services, "SELECT * FROM incidents ORDER BY id"),
        "outbox": query(services, "SELECT * FROM outbox ORDER BY id"),
        "followups": query(services, "SELECT * FROM followups ORDER BY id"),
        "drafts": query(services, "SELECT * FROM drafts ORDER BY id"),
    }


def events(services, action: str | None = None) -> list:
    with services.store.reading() as db:
        found = incidents.list_events(db, 1)
    return [e for e in found if action is None or e.action == action]


def incident(services):
    with services.store.reading() as db:
        return incidents.get_incident(db, 1)


def outbox_payload(services, key: str) -> dict:
    [row] = query(services, "SELECT payload FROM outbox WHERE key = ?", [key])
    return json.loads(row["payload"])


def pending_followups(services) -> list[dict]:
    return query(services, "SELECT kind, task FROM followups WHERE status = 'pending' "
                           "ORDER BY id")


@pytest.fixture
def world(tmp_path):
    """A submitted report (incident 1) with a counter on the sweep's wake-up hook."""
    services, slack, clock = make_services(tmp_path)
    file_report(services)
    wakes: list[int] = []
    services.wake_sweep = lambda: wakes.append(1)
    return services, slack, clock, wakes


def finish_every_task(services) -> None:
    """Complete every checklist task, each by someone allowed to."""
    assert tracking.acknowledge(services, SAM, 1, "channel").message is None
    assert "Both tasks are done" in hr_report.report(services, SAM, 1, "channel").message
    for user, keys in ((SAM, ["ics_notified", "market_president_notified", "debrief"]),
                       (OSCAR, ["account_officer_contacted", "client_notified"]),
                       (SEC, ["safety_plan"])):
        outcome = tracking.complete_tasks(services, user, 1, keys, "",
                                          {"safety_plan": "Escort to car this week.",
                                           "debrief": "Met with Alice; EAP offered."})
        assert outcome.message is None and outcome.errors is None, outcome


# --------------------------------------------------------------------------- acknowledge


def test_acknowledge_records_event_stops_ack_ladder_and_tells_everyone(world):
    services, _slack, clock, wakes = world
    clock.advance(300)
    outcome = tracking.acknowledge(services, SAM, 1, "channel")

    assert outcome == tracking.Outcome()
    [event] = events(services, "acknowledged")
    assert (event.actor, event.surface, event.at) == (SAM, "channel", clock.now)
    assert (incident(services).acknowledged_by, incident(services).acknowledged_at) == (
        SAM, clock.now)
    ack_rows = query(services, "SELECT status FROM followups WHERE kind IN (?, ?, ?, ?)",
                     list(ladder.ACK_KINDS))
    assert ack_rows and {r["status"] for r in ack_rows} == {"cancelled"}
    assert {(f["kind"], f["task"]) for f in pending_followups(services)} >= {
        ("task_due", "reported_hr"), ("task_due", "reported_security")}
    for kind in ("supervisors", "security"):
        reply = outbox_payload(services, f"incident:1:{kind}:event:{event.id}")
        assert reply["text"] == f"✅ <@{SAM}> acknowledged {REF}."
    dm = outbox_payload(services, f"dm:{ALICE}:incident:1:acked")
    assert f"was acknowledged by <@{SAM}>" in dm["text"]
    refreshes = query(services, "SELECT thread_of FROM outbox WHERE kind = 'update'")
    assert len(refreshes) == 2
    assert wakes == [1]


def test_acknowledge_by_an_outsider_is_refused_and_changes_nothing_else(world):
    services, _slack, _clock, wakes = world
    before = everything(services)
    outcome = tracking.acknowledge(services, OLLY, 1, "channel")

    assert outcome.message == (
        f"You can't acknowledge {REF}. Only the branch's supervisor, the supervisors "
        "group or Corporate Security & Risk can. Nothing was changed."
    )
    [refused] = events(services, "refused")
    assert (refused.actor, refused.detail) == (OLLY, {"attempted": "acknowledge"})
    assert everything(services) == before
    assert events(services, "acknowledged") == []
    assert wakes == []


def test_a_second_acknowledge_is_told_who_was_first(world):
    services, _slack, clock, _wakes = world
    tracking.acknowledge(services, SAM, 1, "channel")
    first_at = clock.now
    before = everything(services)
    clock.advance(30)
    outcome = tracking.acknowledge(services, SUE, 1, "channel")

    assert outcome.message.startswith(
        f"{REF} was already acknowledged by <@{SAM}> at <!date^{int(first_at)}^")
    assert everything(services) == before
    assert len(events(services, "acknowledged")) == 1


def test_acknowledge_of_a_missing_incident(world):
    services, *_ = world
    assert tracking.acknowledge(services, SAM, 999, "channel").message == (
        "That incident no longer exists.")


def test_concurrent_acknowledges_record_exactly_one(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    store = Store(tmp_path / "c.db")
    store.migrate()
    services.store = store
    file_report(services)
    clickers = [SAM, SUE, SEC, SAM, SUE, SEC, SAM, SUE]
    barrier = threading.Barrier(len(clickers))
    outcomes: list[tracking.Outcome] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def click(user_id: str) -> None:
        barrier.wait()
        try:
            outcome = tracking.acknowledge(services, user_id, 1, "channel")
        except BaseException as error:  # reported below; a thread must not swallow it
            with lock:
                errors.append(error)
            return
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=click, args=(user,)) for user in clickers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert errors == []
        assert len(outcomes) == 8
        successes = [o for o in outcomes if o.message is None]
        assert len(successes) == 1
        assert all("was already acknowledged by" in o.message for o in outcomes
                   if o.message is not None)
        assert len(events(services, "acknowledged")) == 1
        assert len(query(services, "SELECT id FROM outbox WHERE key LIKE 'dm:%:acked'")) == 1
        acked_by = incident(services).acknowledged_by
        assert acked_by in {SAM, SUE, SEC}
        assert [e.actor for e in events(services, "acknowledged")] == [acked_by]
    finally:
        store.close()


# --------------------------------------------------------------------------- checklist


def test_open_checklist_lists_only_the_clickers_tasks(world):
    services, *_ = world
    view = tracking.open_checklist(services, IVY, 1).view
    offered = [o["value"] for b in view["blocks"] if b.get("block_id") == "tasks"
               for o in b["element"]["options"]]
    assert offered == ["ics_notified", "account_officer_contacted"]

    tracking.complete_tasks(services, IVY, 1, ["ics_notified"], "")
    view = tracking.open_checklist(services, IVY, 1).view
    offered = [o["value"] for b in view["blocks"] if b.get("block_id") == "tasks"
               for o in b["element"]["options"]]
    assert offered == ["account_officer_contacted"]


def test_open_checklist_refuses_someone_with_nothing_to_do(world):
    services, *_ = world
    outcome = tracking.open_checklist(services, OLLY, 1)
    assert outcome.view is None
    assert outcome.message.startswith(f"You can't update the checklist of {REF}. Only ")
    assert [e.detail for e in events(services, "refused")] == [
        {"attempted": "update_checklist"}]


def test_complete_tasks_records_each_task_stops_its_reminders_and_posts_the_note(world):
    services, *_ = world
    outcome = tracking.complete_tasks(services, IVY, 1, ["ics_notified"],
                                      "  Told <!channel> & co  ")
    assert outcome == tracking.Outcome()
    [done] = events(services, "task_completed")
    assert (done.actor, done.detail) == (IVY, {"task": "ics_notified",
                                               "note": "Told <!channel> & co"})
    statuses = query(services, "SELECT status FROM followups WHERE task = 'ics_notified'")
    assert statuses == [{"status": "cancelled"}]
    reply = outbox_payload(services, f"incident:1:security:event:{done.id}")
    assert reply["text"] == ("✅ Associate notified the Internal Control Specialist (ICS) · "
                             f"<@{IVY}>\n>{escape('Told <!channel> & co')}")


def test_complete_tasks_refuses_a_task_the_user_may_not_complete(world):
    services, *_ = world
    before = everything(services)
    outcome = tracking.complete_tasks(services, ALICE, 1, ["ics_notified", "client_notified"],
                                      "")
    assert outcome.message == (
        f"You can't mark \"Account officer gave the client a courtesy notice\" done on {REF}. "
        "Only the branch's account officer or the account officers group can. Nothing was "
        "changed."
    )
    assert events(services, "task_completed") == []  # not even the task she may complete
    assert [e.detail for e in events(services, "refused")] == [
        {"attempted": "complete_client_notified"}]
    assert everything(services) == before


@pytest.mark.parametrize(
    "keys, note, errors",
    [
        ([], "", {"tasks": "Choose at least one task."}),
        (["ics_notified"], "x" * 1001, {"note": "Please keep this under 1000 characters."}),
        (["acknowledged"], "", {"tasks": "That task cannot be completed here."}),
        (["account_decision"], "", {"tasks": "That task cannot be completed here."}),
        (["no_such_task"], "", {"tasks": "That task cannot be completed here."}),
    ],
)
def test_complete_tasks_validates_the_submission(world, keys, note, errors):
    services, *_ = world
    before = everything(services)
    assert tracking.complete_tasks(services, SAM, 1, keys, note).errors == errors
    assert everything(services) == before
    assert events(services, "task_completed") == []


def test_complete_tasks_twice_records_the_task_once(world):
    services, *_ = world
    tracking.complete_tasks(services, SAM, 1, ["ics_notified"], "")
    tracking.complete_tasks(services, SUE, 1, ["ics_notified"], "")
    assert [e.actor for e in events(services, "task_completed")] == [SAM]


def test_the_safety_plan_needs_a_note_of_the_decision(world):
    services, *_ = world
    outcome = tracking.complete_tasks(services, SEC, 1, ["safety_plan"], "", {"safety_plan": " "})
    assert outcome.errors and "safety plan decision" in outcome.errors["safety_plan_note"]
    assert events(services, "task_completed") == []
    outcome = tracking.complete_tasks(services, HANA, 1, ["safety_plan"], "",
                                      {"safety_plan": "Client barred from the branch."})
    assert outcome == tracking.Outcome()
    [done] = events(services, "task_completed")
    assert (done.actor, done.detail) == (HANA, {"task": "safety_plan",
                                                "note": "Client barred from the branch."})


def test_reported_hr_and_security_are_not_tick_boxes(world):
    services, *_ = world
    outcome = tracking.complete_tasks(services, SAM, 1, ["reported_hr"], "")
    assert outcome.errors == {"tasks": "That task cannot be completed here."}


def test_report_to_hr_sends_the_notification_and_completes_both_tasks(world):
    services, _slack, clock, _wakes = world
    tracking.acknowledge(services, SAM, 1, "channel")
    outcome = hr_report.report(services, SAM, 1, "channel")
    assert "Both tasks are done" in outcome.message
    done = {e.detail["task"]: (e.actor, e.at) for e in events(services, "task_completed")}
    assert done == {"reported_hr": (SAM, clock.now), "reported_security": (SAM, clock.now)}
    dm = outbox_payload(services, f"dm:{HANA}:incident:1:hr_notification")
    assert "Incident/Threat Notification" in dm["text"] and REF in dm["text"]
    assert "John Q. Client" not in str(dm)
    thread = outbox_payload(services, "incident:1:security:hr_notification")
    assert thread["text"] == dm["text"]
    again = hr_report.report(services, SUE, 1, "channel")
    assert "already reported" in again.message


def test_completing_every_task_and_the_decision_closes_and_tells_the_reporter(world):
    services, _slack, clock, _wakes = world
    finish_every_task(services)
    assert incident(services).status == "open"
    clock.advance(60)
    outcome = tracking.decide_account(services, MARK, 1, "keep", "Client apologised.")

    assert outcome == tracking.Outcome()
    closed = incident(services)
    assert (closed.status, closed.closed_by, closed.closed_at, closed.close_reason) == (
        "closed", "care-bot", clock.now, None)
    [event] = events(services, "closed")
    assert event.detail == {"early": False, "reason": ""}
    dm = outbox_payload(services, f"dm:{ALICE}:incident:1:closed")
    assert f"Your report *{REF}* is now closed" in dm["text"]
    reply = outbox_payload(services, f"incident:1:supervisors:event:{event.id}")
    assert reply["text"] == f"🏁 Every CARE step is done: {REF} is closed."
    assert {row["kind"] for row in pending_followups(services)} == {"wellbeing"}  # care goes on


def test_the_decision_alone_does_not_close(world):
    services, *_ = world
    tracking.decide_account(services, MARK, 1, "close", "Threats continue.")
    assert incident(services).status == "open"
    assert query(services, "SELECT id FROM outbox WHERE key LIKE '%:closed'") == []


def close_fully(services) -> None:
    """Security closes its part early, then management records the decision: closed."""
    tracking.close_early(services, SEC, 1, "Duplicate of another report.")
    assert tracking.decide_account(services, MARK, 1, "keep", "No risk.") == tracking.Outcome()
    assert incident(services).status == "closed"


def test_actions_on_a_closed_incident_change_nothing(world):
    services, *_ = world
    close_fully(services)
    before = everything(services)
    assert tracking.open_checklist(services, SAM, 1).message == f"{REF} is closed."
    assert "closed" in tracking.complete_tasks(services, SAM, 1, ["reported_hr"], "").message
    assert "closed" in tracking.decide_account(services, MARK, 1, "keep", "r").message
    assert tracking.open_decision(services, MARK, 1).view["title"]["text"] == "Closed"
    assert everything(services) == before


def test_acknowledge_of_a_closed_unacknowledged_incident_says_it_is_closed(world):
    services, *_ = world
    close_fully(services)
    outcome = tracking.acknowledge(services, SAM, 1, "channel")
    assert "already acknowledged" not in outcome.message
    assert "closed" in outcome.message


# --------------------------------------------------------------------------- close early


@pytest.mark.parametrize("reason, error", [
    ("", "Please give the reason for closing early."),
    ("   \n ", "Please give the reason for closing early."),
    ("x" * 1001, "Please keep this under 1000 characters."),
])
def test_close_early_requires_a_reason(world, reason, error):
    services, *_ = world
    before = everything(services)
    assert tracking.close_early(services, SEC, 1, reason).errors == {"reason": error}
    assert everything(services) == before


@pytest.mark.parametrize("user", [SAM, SUE, MARK, ALICE, OLLY])
def test_close_early_is_for_security_only(world, user):
    services, *_ = world
    before = everything(services)
    outcome = tracking.close_early(services, user, 1, "Not a real threat.")
    assert outcome.message == (
        f"You can't close early {REF}. Only Corporate Security & Risk can. Nothing was changed.")
    assert everything(services) == before
    assert [e.actor for e in events(services, "refused")] == [user]


def test_close_early_records_the_reason_and_stops_every_followup(tmp_path):
    """A non-client's incident owes no account decision: the early close closes it."""
    services, _slack, clock = make_services(tmp_path)
    file_report(services, overrides=NOT_A_CLIENT)
    wakes: list[int] = []
    services.wake_sweep = lambda: wakes.append(1)
    tracking.acknowledge(services, SAM, 1, "channel")
    assert pending_followups(services)
    wakes.clear()
    clock.advance(600)
    outcome = tracking.close_early(services, SEC, 1, "  Reported twice <@U123> & more  ")

    assert outcome == tracking.Outcome()
    closed = incident(services)
    assert (closed.status, closed.closed_by, closed.closed_at, closed.close_reason) == (
        "closed", SEC, clock.now, "Reported twice <@U123> & more")
    [event] = events(services, "closed")
    assert event.detail == {"early": True, "reason": "Reported twice <@U123> & more"}
    assert {row["kind"] for row in pending_followups(services)} <= {"wellbeing"}  # care goes on
    assert wakes == [1]
    reply = outbox_payload(services, f"incident:1:security:event:{event.id}")
    assert reply["text"] == (f"🏁 <@{SEC}> closed {REF} early.\n"
                             f">{escape('Reported twice <@U123> & more')}")
    assert tracking.close_early(services, SEC, 1, "again").message == (
        "That incident is already closed.")
    assert len(events(services, "closed")) == 1


def test_close_early_ends_only_securitys_part_while_the_decision_is_owed(world):
    """A client's incident: the account decision stays open with its reminders; the rest end."""
    services, _slack, clock, _wakes = world
    tracking.acknowledge(services, SAM, 1, "channel")
    tasks_before = {row["task"] for row in pending_followups(services)}
    assert {"account_decision", "reported_hr", "safety_plan"} <= tasks_before
    clock.advance(600)
    outcome = tracking.close_early(services, SEC, 1, "Handled with the police.")

    assert outcome == tracking.Outcome()
    assert incident(services).status == "open" and not events(services, "closed")
    [event] = events(services, "security_part_closed")
    assert (event.actor, event.detail) == (SEC, {"reason": "Handled with the police."})
    pending = pending_followups(services)
    assert {row["task"] for row in pending if row["kind"] != "wellbeing"} == {
        "account_decision"}
    reply = outbox_payload(services, f"incident:1:supervisors:event:{event.id}")["text"]
    assert f"closed Corporate Security & Risk's part of {REF} early" in reply
    assert (f"*Still owed:* the account decision, by Delivery / local management (<@{MARK}>)"
            in reply)
    assert "stays open until it is recorded" in reply
    # a second close says what is left; nobody else can tick the ended tasks
    assert tracking.close_early(services, SEC, 1, "again").message == (
        f"Corporate Security & Risk's part of {REF} is already closed. The account decision "
        f"is still with Delivery / local management (<@{MARK}>).")
    assert "already closed" in tracking.open_checklist(services, SAM, 1).message
    assert tracking.complete_tasks(services, SAM, 1, ["debrief"], "", {"debrief": "ok"}
                                   ).errors == {"tasks": "That task cannot be completed here."}
    # the decision closes the incident, and the thread says why
    mark_view = tracking.open_checklist(services, MARK, 1).view
    assert "care_decide_account" in json.dumps(mark_view)
    assert "care_close_early" not in json.dumps(tracking.open_checklist(
        services, SEC, 1).view or {})
    assert tracking.decide_account(services, MARK, 1, "restrict", "Barred.") == tracking.Outcome()
    assert incident(services).status == "closed"
    [closed] = events(services, "closed")
    assert outbox_payload(services, f"incident:1:security:event:{closed.id}")["text"] == (
        f"🏁 The account decision was the last step owed: {REF} is closed.")


def test_checklist_shows_who_still_owes_what_after_an_early_close(world):
    services, *_ = world
    tracking.acknowledge(services, SAM, 1, "channel")
    tracking.close_early(services, SEC, 1, "Handled with the police.")
    with services.store.reading() as db:
        states = tracking.states_of(db, 1)
        current = incidents.get_incident(db, 1)
    text = checklist_text(current, states, services.settings.branches)
    assert f"⬜ Delivery / local management decided on the account · <@{MARK}>" in text
    assert f"Corporate Security & Risk's part closed early* by <@{SEC}>" in text
    assert "Ended undone: Reported to HR; Reported to Corporate Security & Risk; Safety plan" \
        in text
    assert "*Still owed:* the account decision" in text
    assert "⬜ Reported to HR" not in text


def test_after_an_early_close_acknowledging_or_reporting_to_hr_changes_nothing(world):
    """Security closed its part before anyone acknowledged: those steps ended with it."""
    services, *_ = world
    tracking.close_early(services, SEC, 1, "Duplicate of another report.")
    before = everything(services)
    left = (f"Corporate Security & Risk closed {REF} early; only the account decision is "
            f"left, with Delivery / local management (<@{MARK}>). Nothing was changed.")
    assert tracking.acknowledge(services, SAM, 1, "channel").message == left
    assert hr_report.report(services, SAM, 1, "channel").message == left
    assert everything(services) == before


def test_close_early_after_the_decision_closes_the_incident(world):
    services, *_ = world
    tracking.decide_account(services, MARK, 1, "keep", "No risk.")
    assert incident(services).status == "open"
    view = tracking.open_close_early(services, SEC, 1).view
    assert "This closes the incident" in view["blocks"][0]["text"]["text"]
    tracking.close_early(services, SEC, 1, "Done.")
    assert incident(services).status == "closed" and not events(services, "security_part_closed")


def test_open_close_early_names_who_keeps_the_decision(world):
    services, *_ = world
    text = tracking.open_close_early(services, SEC, 1).view["blocks"][0]["text"]["text"]
    assert f"*The account decision stays open* with Delivery / local management (<@{MARK}>)" \
        in text


def test_open_close_early_shows_a_notice_to_non_security(world):
    services, *_ = world
    refused = tracking.open_close_early(services, SAM, 1).view
    assert refused["title"]["text"] == "Not allowed"
    assert "Only Corporate Security & Risk can." in refused["blocks"][0]["text"]["text"]
    allowed = tracking.open_close_early(services, SEC, 1).view
    assert allowed["callback_id"] == "care_close_early"


# --------------------------------------------------------------------------- decision


@pytest.mark.parametrize(
    "decision, rationale, errors",
    [
        (None, "Because.", {"decision": "Choose keep, close or restrict."}),
        ("maybe", "Because.", {"decision": "Choose keep, close or restrict."}),
        ("keep", "", {"rationale": "Please give the rationale for the decision."}),
        ("keep", "  \n", {"rationale": "Please give the rationale for the decision."}),
        ("keep", "x" * 2001, {"rationale": "Please keep this under 2000 characters."}),
        (None, "", {"decision": "Choose keep, close or restrict.",
                    "rationale": "Please give the rationale for the decision."}),
    ],
)
def test_decide_account_validates_decision_and_rationale(world, decision, rationale, errors):
    services, *_ = world
    before = everything(services)
    assert tracking.decide_account(services, MARK, 1, decision, rationale).errors == errors
    assert everything(services) == before
    assert events(services, "account_decided") == []


@pytest.mark.parametrize("decision", ["keep", "restrict", "close"])
def test_decide_account_records_decision_and_keeps_the_rationale_out_of_channels(
    world, decision
):
    services, *_ = world
    rationale = "x" * 1999 + "!"
    assert tracking.decide_account(services, MARK, 1, decision, rationale).message is None
    [event] = events(services, "account_decided")
    assert event.detail == {"decision": decision, "rationale": rationale}
    reply = outbox_payload(services, f"incident:1:supervisors:event:{event.id}")
    assert "The rationale is recorded." in reply["text"]
    assert rationale not in json.dumps(reply)
    assert query(services, "SELECT status FROM followups WHERE task = 'account_decision'") == [
        {"status": "cancelled"}]


def test_decide_account_twice_is_refused(world):
    services, *_ = world
    tracking.decide_account(services, MARK, 1, "keep", "First.")
    outcome = tracking.decide_account(services, USERS["manny"], 1, "close", "Second.")
    assert outcome.message == f"The account decision on {REF} was already made."
    assert [e.detail["decision"] for e in events(services, "account_decided")] == ["keep"]


def test_open_decision_is_gated(world):
    services, *_ = world
    assert tracking.open_decision(services, SAM, 1).view["title"]["text"] == "Not allowed"
    assert tracking.open_decision(services, MARK, 1).view["callback_id"] == (
        "care_account_decision")


def test_report_to_hr_goes_to_the_hr_channel_when_one_is_configured(tmp_path):
    text = care_toml().replace('security = "C0SECURITY"',
                               'security = "C0SECURITY"\nhr = "C0HUMANRES"', 1)
    services, _slack, _clock = make_services(tmp_path, text)
    assert services.settings.hr_channel == "C0HUMANRES"
    file_report(services)
    outcome = hr_report.report(services, SAM, 1, "channel")
    assert "Both tasks are done" in outcome.message
    post = outbox_payload(services, "channel:C0HUMANRES:incident:1:hr_notification")
    assert "Incident/Threat Notification" in post["text"]
    assert query(services, "SELECT count(*) AS n FROM outbox WHERE key LIKE 'dm:%:hr_notif%'") \
        == [{"n": 0}]
    [sent] = events(services, "hr_notification_sent")
    assert sent.detail == {"destination": "channel", "recipients": ["C0HUMANRES"]}
