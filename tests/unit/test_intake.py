"""flows.intake: drafts saved at every step, resume, the danger alert, and the final submit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from care_bot.flows import intake, tracking
from care_bot.ids import Callback
from care_bot.outbox import delivery
from care_bot.views.metadata import ModalRef, decode
from tests.support.payloads import state_values
from tests.support.report import STEP_ANSWERS, file_report, step_of, submit
from tests.support.world import (
    SECURITY_CHANNEL,
    SUPERVISORS_CHANNEL,
    USERS,
    care_toml,
    make_services,
)

ALICE = USERS["alice"]
OLLY = USERS["olly"]


def query(services, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    """Run a read and return plain rows."""
    with services.store.reading() as db:
        return [dict(row) for row in db.query(sql, params or [])]


def count(services, table: str) -> int:
    return query(services, f"SELECT count(*) AS n FROM {table}")[0]["n"]


def snapshot(services) -> dict[str, int]:
    """Row counts of every table a submission writes to."""
    return {t: count(services, t) for t in ("drafts", "incidents", "events", "outbox",
                                            "followups")}


def draft_row(services, draft_id: str) -> dict[str, Any]:
    row = query(services, "SELECT * FROM drafts WHERE id = ?", [draft_id])[0]
    return {**row, "answers": json.loads(row["answers"])}


def begin(services, user_id: str = ALICE) -> tuple[dict, str]:
    """Run /threat as the listener does: choose the view, open it, save the draft."""
    start = intake.start_report(services, user_id)
    intake.prefill_profile(services, start.draft_id, user_id)
    return start.view, start.draft_id


def walk_to(services, target: str, user_id: str = ALICE, danger: bool = False) -> dict:
    """Answer every step before `target` with the standard answers; return its view."""
    view, _ = begin(services, user_id)
    while step_of(view) != target:
        answers = dict(STEP_ANSWERS[step_of(view)])
        if step_of(view) == "safety" and danger:
            answers["danger"] = "yes"
        result = submit(services, user_id, view, answers)
        assert not result.errors, result.errors
        view = result.view
        if view["callback_id"] == Callback.EMERGENCY.value:
            view = intake.continue_after_emergency(
                services, user_id, decode(view["private_metadata"])).view
    return view


# ------------------------------------------------------------------------------ start/resume


def test_start_report_shows_safety_step_and_saves_a_prefilled_draft(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view, draft_id = begin(services)
    assert view["callback_id"] == Callback.REPORT_STEP.value
    assert step_of(view) == "safety"
    assert decode(view["private_metadata"]).draft_id == draft_id
    row = draft_row(services, draft_id)
    assert row["user_id"] == ALICE
    assert row["step"] == "safety"
    assert row["submitted_at"] is None
    assert row["answers"] == {"branch": "downtown", "associate_name": "Alice Example",
                              "associate_position": "Teller"}


def test_start_report_without_progress_reuses_the_open_draft(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    _view, first = begin(services)
    view, second = begin(services)
    assert second == first
    assert step_of(view) == "safety"
    assert count(services, "drafts") == 1


def test_start_report_offers_resume_when_a_draft_has_progress(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    walk_to(services, "assess")
    start = intake.start_report(services, ALICE)
    assert start.view["callback_id"] == Callback.RESUME.value
    assert "Your judgement" in start.view["blocks"][0]["text"]["text"]
    view = intake.resume(services, ALICE, start.draft_id)
    assert step_of(view) == "assess"
    assert decode(view["private_metadata"]).draft_id == start.draft_id


def test_start_over_retires_but_keeps_the_old_draft(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    walk_to(services, "assess")
    old_id = intake.start_report(services, ALICE).draft_id
    old_answers = draft_row(services, old_id)["answers"]
    view = intake.start_over(services, ALICE, old_id)
    new_id = decode(view["private_metadata"]).draft_id
    assert new_id != old_id
    assert step_of(view) == "safety"
    assert count(services, "drafts") == 2
    old = draft_row(services, old_id)
    assert old["answers"] == old_answers  # kept for the record, answers intact
    assert old["submitted_at"] == -1  # retired, so never offered again
    assert intake.start_report(services, ALICE).draft_id == new_id


def test_typing_in_a_retired_drafts_modal_makes_it_the_open_draft_again(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view = walk_to(services, "assess")
    old_id = intake.start_report(services, ALICE).draft_id
    new_id = decode(intake.start_over(services, ALICE, old_id)["private_metadata"]).draft_id
    result = submit(services, ALICE, view, STEP_ANSWERS["assess"])
    assert step_of(result.view) == "report"
    assert draft_row(services, old_id)["submitted_at"] is None
    assert draft_row(services, new_id)["submitted_at"] == -1


def test_start_over_clicked_twice_makes_one_new_draft(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    walk_to(services, "assess")
    old_id = intake.start_report(services, ALICE).draft_id
    first = decode(intake.start_over(services, ALICE, old_id)["private_metadata"]).draft_id
    second = decode(intake.start_over(services, ALICE, old_id)["private_metadata"]).draft_id
    assert first == second
    assert len(query(services, "SELECT id FROM drafts WHERE submitted_at IS NULL")) == 1


def test_danger_after_a_double_clicked_start_over_still_raises_the_alert(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    walk_to(services, "assess")
    old_id = intake.start_report(services, ALICE).draft_id
    view = intake.start_over(services, ALICE, old_id)
    intake.start_over(services, ALICE, old_id)
    result = submit(services, ALICE, view, {**STEP_ANSWERS["safety"], "danger": "yes"})
    assert result.view["callback_id"] == "care_emergency"
    assert len(query(services, "SELECT id FROM incidents WHERE status = 'alerted'")) == 1


def test_report_finished_after_security_closed_the_alert_stays_closed(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    view = walk_to(services, "safety")
    result = submit(services, ALICE, view, {**STEP_ANSWERS["safety"], "danger": "yes"})
    assert tracking.close_early(services, "U0SEC", 1, "Police on site; handled").message is None
    clock.advance(60)
    view = intake.continue_after_emergency(services, ALICE,
                                           decode(result.view["private_metadata"])).view
    for step in ("client_service", "assess", "report"):
        view = submit(services, ALICE, view, STEP_ANSWERS[step]).view
    confirmation = submit(services, ALICE, view, {}).view
    assert "CARE-2026-0001" in str(confirmation)
    [incident] = query(services, "SELECT status, submitted_at FROM incidents")
    assert incident["status"] == "closed" and incident["submitted_at"] is not None
    # Only the associate's check-ins go on after the close.
    assert {r["kind"] for r in query(services, "SELECT kind FROM followups "
                                               "WHERE status = 'pending'")} == {"wellbeing"}
    actions = [e["action"] for e in query(services, "SELECT action FROM events")]
    assert "report_completed_after_close" in actions


def test_resume_of_a_retired_draft_opens_the_current_report(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    walk_to(services, "assess")
    old_id = intake.start_report(services, ALICE).draft_id
    new_id = decode(intake.start_over(services, ALICE, old_id)["private_metadata"]).draft_id
    view = intake.resume(services, ALICE, old_id)
    assert decode(view["private_metadata"]).draft_id == new_id


# ------------------------------------------------------------------------------ steps


def test_submit_step_with_missing_answers_returns_field_errors(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view = walk_to(services, "client_service")
    result = submit(services, ALICE, view, {"occurred_at": None})
    assert set(result.errors) == {"what_happened", "occurred_at", "threat_channel",
                                  "threat_kinds", "client_status", "accommodation"}
    assert result.response() == {"response_action": "errors", "errors": result.errors}
    assert draft_row(services, decode(view["private_metadata"]).draft_id)["step"] == (
        "client_service")


def test_safety_step_can_be_passed_when_no_branches_are_configured(tmp_path):
    no_branches = care_toml().split("[branches.downtown]")[0]
    services, _slack, _clock = make_services(tmp_path, no_branches)
    view, _draft = begin(services)
    input_ids = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    result = submit(services, ALICE, view, {"danger": "no", "location_detail": "lobby"})
    assert set(result.errors) <= input_ids
    assert result.view is not None and step_of(result.view) == "client_service"


def test_submit_step_saves_answers_and_moves_on(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view = walk_to(services, "client_service")
    result = submit(services, ALICE, view, STEP_ANSWERS["client_service"])
    assert result.response()["response_action"] == "update"
    assert step_of(result.view) == "assess"
    row = draft_row(services, decode(view["private_metadata"]).draft_id)
    assert row["step"] == "assess"
    assert row["answers"]["what_happened"] == STEP_ANSWERS["client_service"]["what_happened"]
    assert row["answers"]["supervisor"] == USERS["sam"]  # filled from the branch


def test_go_back_keeps_typed_answers(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view = walk_to(services, "assess")
    typed = {"likelihood": "unlikely", "agency": "half-typed agency"}
    ref = decode(view["private_metadata"])
    previous = intake.go_back(services, ALICE, ref, state_values(view, typed))
    assert step_of(previous) == "client_service"
    answers = draft_row(services, ref.draft_id)["answers"]
    assert {k: answers[k] for k in typed} == typed
    again = submit(services, ALICE, previous, {}).view  # the earlier answers are pre-filled
    assert step_of(again) == "assess"
    blocks = {b.get("block_id"): b for b in again["blocks"]}
    assert blocks["likelihood"]["element"]["initial_option"]["value"] == "unlikely"
    assert blocks["agency"]["element"]["initial_value"] == "half-typed agency"


def test_go_back_after_a_danger_alert_never_returns_to_safety(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view = walk_to(services, "client_service", danger=True)
    previous = intake.go_back(services, ALICE, decode(view["private_metadata"]),
                              state_values(view, {}))
    assert step_of(previous) == "client_service"


def test_save_on_close_keeps_typed_answers(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view = walk_to(services, "client_service")
    ref = decode(view["private_metadata"])
    intake.save_on_close(services, ALICE, ref,
                         state_values(view, {"what_happened": "He said he'd be back"}))
    answers = draft_row(services, ref.draft_id)["answers"]
    assert answers["what_happened"] == "He said he'd be back"
    assert answers["location_detail"] == "teller line"  # earlier answers not wiped
    start = intake.start_report(services, ALICE)
    assert start.view["callback_id"] == Callback.RESUME.value
    resumed = intake.resume(services, ALICE, start.draft_id)
    blocks = {b.get("block_id"): b for b in resumed["blocks"]}
    assert blocks["what_happened"]["element"]["initial_value"] == "He said he'd be back"


def test_save_on_close_after_submission_changes_nothing(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    review = walk_to(services, "review")
    submit(services, ALICE, review, {})
    ref = decode(review["private_metadata"])
    before = draft_row(services, ref.draft_id)
    intake.save_on_close(services, ALICE, ModalRef(ref.draft_id, "client_service"),
                         {"what_happened": {"value": {"type": "plain_text_input",
                                                      "value": "changed"}}})
    assert draft_row(services, ref.draft_id) == before


# ------------------------------------------------------------------------------ ownership


def test_a_draft_of_another_user_is_refused_everywhere(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view = walk_to(services, "assess")
    ref = decode(view["private_metadata"])
    before = draft_row(services, ref.draft_id)
    values = state_values(view, STEP_ANSWERS["assess"])

    result = intake.submit_step(services, OLLY, ref, values)
    assert result.errors == {}
    assert "could not be found" in result.view["blocks"][0]["text"]["text"]
    assert intake.go_back(services, OLLY, ref, values) is None
    intake.save_on_close(services, OLLY, ref, values)
    emergency = intake.continue_after_emergency(services, OLLY, ref)
    assert "/threat" in emergency.view["blocks"][0]["text"]["text"]
    resumed = intake.resume(services, OLLY, ref.draft_id)
    assert decode(resumed["private_metadata"]).draft_id != ref.draft_id
    intake.start_over(services, OLLY, ref.draft_id)

    assert draft_row(services, ref.draft_id) == before
    assert count(services, "incidents") == 0


def test_another_user_cannot_submit_the_review_step(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    review = walk_to(services, "review")
    result = submit(services, OLLY, review, {})
    assert "could not be found" in result.view["blocks"][0]["text"]["text"]
    assert count(services, "incidents") == 0


# ------------------------------------------------------------------------------ danger path


def test_danger_answer_raises_the_alert_before_the_rest_of_the_form(tmp_path):
    services, slack, clock = make_services(tmp_path)
    view, draft_id = begin(services)
    result = submit(services, ALICE, view, {**STEP_ANSWERS["safety"], "danger": "yes"})

    assert result.view["callback_id"] == Callback.EMERGENCY.value
    assert "CARE-2026-0001" in json.dumps(result.view["blocks"])
    [incident] = query(services, "SELECT * FROM incidents")
    assert (incident["ref"], incident["status"], incident["danger"]) == (
        "CARE-2026-0001", "alerted", 1)
    assert incident["submitted_at"] is None
    assert draft_row(services, draft_id)["incident_id"] == incident["id"]
    outbox = query(services, "SELECT key, kind, channel, render FROM outbox ORDER BY id")
    assert outbox[:4] == [  # a danger alert pages security first
        {"key": "incident:1:security:parent", "kind": "post",
         "channel": SECURITY_CHANNEL, "render": "parent"},
        {"key": "incident:1:supervisors:parent", "kind": "post",
         "channel": SUPERVISORS_CHANNEL, "render": "parent"},
        {"key": "dm:U0SAM:incident:1:danger", "kind": "post", "channel": "U0SAM",
         "render": None},  # the branch supervisor's DM reaches a muted phone
        {"key": f"dm:{USERS['rita']}:incident:1:rxm_danger", "kind": "post",
         "channel": USERS["rita"], "render": None},  # the RXM is really told: a DM
    ]
    assert [(r["kind"], r["channel"], r["key"]) for r in outbox[4:]] == [
        ("post", ALICE, "dm:U0ALICE:incident:1:alert_status"),  # the associate's own view
        ("home", ALICE, outbox[5]["key"]), ("home", "concerned:1", outbox[6]["key"])]
    assert [e["action"] for e in query(services, "SELECT action FROM events")] == [
        "danger_alerted"]
    followups = query(services, "SELECT kind, task, due_at FROM followups ORDER BY due_at")
    day = 24 * 3600
    assert followups == [{"kind": "alert_check", "task": "", "due_at": clock.now + 5},
                         {"kind": "ack_reminder", "task": "", "due_at": clock.now + 5 * 60},
                         {"kind": "task_due", "task": "safety_plan",
                          "due_at": clock.now + 4 * 3600},
                         {"kind": "wellbeing", "task": "", "due_at": clock.now + day},
                         {"kind": "task_due", "task": "debrief", "due_at": clock.now + 3 * day},
                         {"kind": "wellbeing", "task": "", "due_at": clock.now + 3 * day},
                         {"kind": "task_due", "task": "post_incident_review",
                          "due_at": clock.now + 14 * day},
                         {"kind": "wellbeing", "task": "", "due_at": clock.now + 14 * day}]

    delivery.deliver_due(services)
    assert [p["channel"] for p in slack.posts] == [SECURITY_CHANNEL, SUPERVISORS_CHANNEL,
                                                   "DU0SAM", f"D{USERS['rita']}", "DU0ALICE"]
    assert "Delivered to Corporate Security & Risk at" in slack.posts[4]["text"]
    assert all("in immediate danger" in json.dumps(p["blocks"]) for p in slack.posts[:3])
    assert "*immediate danger*" in slack.posts[3]["text"]


def test_danger_alert_then_submit_completes_the_same_incident_and_rerenders_parents(tmp_path):
    services, slack, clock = make_services(tmp_path)
    view = walk_to(services, "client_service", danger=True)
    delivery.deliver_due(services)
    parents = {p["channel"]: p["ts"] for p in slack.posts
               if p["channel"] in (SUPERVISORS_CHANNEL, SECURITY_CHANNEL)}
    clock.advance(120)
    for step in ("client_service", "assess", "report"):
        view = submit(services, ALICE, view, STEP_ANSWERS[step]).view
    confirmation = submit(services, ALICE, view, {}).view

    assert confirmation["blocks"][0]["text"]["text"] == "Saved as CARE-2026-0001"
    assert "call 911" in confirmation["blocks"][1]["text"]["text"]
    [incident] = query(services, "SELECT * FROM incidents")
    assert (incident["ref"], incident["status"]) == ("CARE-2026-0001", "open")
    assert incident["submitted_at"] == clock.now
    assert incident["created_at"] == clock.now - 120
    updates = query(services, "SELECT thread_of FROM outbox WHERE kind = 'update'")
    assert sorted({u["thread_of"] for u in updates}) == [
        "dm:U0ALICE:incident:1:alert_status",  # the associate's alert DM, updated in place
        "incident:1:security:parent", "incident:1:supervisors:parent"]

    delivery.deliver_due(services)
    channel_updates = [u for u in slack.updates if u["channel"] in parents]
    assert {(u["channel"], u["ts"]) for u in channel_updates} == set(parents.items())
    for update in channel_updates:
        shown = json.dumps(update["blocks"], ensure_ascii=False)
        assert "The full report follows" not in shown  # the report is in the thread now
        assert "Someone may be in immediate danger" in shown  # the alert stays readable
        assert "C · report completed" in shown
    assert len([p for p in slack.posts if p["thread_ts"] is None
                and p["channel"] in parents]) == 2  # no second parent


def test_a_second_danger_answer_raises_no_second_alert(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    view, _draft = begin(services)
    answers = {**STEP_ANSWERS["safety"], "danger": "yes"}
    first = submit(services, ALICE, view, answers)
    second = submit(services, ALICE, view, answers)  # a double click on "Next"
    assert first.view == second.view
    assert count(services, "incidents") == 1
    # two parents, supervisor's and RXM's DMs, the associate's alert DM, two Home
    assert count(services, "outbox") == 7
    assert [e["action"] for e in query(services, "SELECT action FROM events")] == [
        "danger_alerted"]  # a double click is one press


# ------------------------------------------------------------------------------ submission


def test_duplicate_review_submission_returns_the_same_confirmation(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    review = walk_to(services, "review")
    first = submit(services, ALICE, review, {})
    after_first = snapshot(services)
    second = submit(services, ALICE, review, {})
    assert second.view == first.view
    assert first.view["blocks"][0]["text"]["text"] == "Saved as CARE-2026-0001"
    assert snapshot(services) == after_first
    assert after_first["incidents"] == 1


def test_submission_queues_parents_details_and_confirmation_in_one_go(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services)
    keys = [r["key"] for r in query(services, "SELECT key FROM outbox ORDER BY id")]
    assert keys == [
        "incident:1:supervisors:parent", "incident:1:security:parent",
        "incident:1:supervisors:details", "incident:1:security:details",
        f"dm:{ALICE}:incident:1:confirmation", keys[-2], keys[-1],
    ]
    assert keys[-2].startswith(f"home:{ALICE}:")  # Home shows the new report
    assert keys[-1].startswith("home:concerned:1:")  # and so do the roles' Homes
    [incident] = query(services, "SELECT status, submitted_at FROM incidents")
    assert incident["status"] == "open"
    assert [e["action"] for e in query(services, "SELECT action FROM events")] == ["submitted"]


def test_submit_rechecks_every_step_and_returns_to_an_invalid_one(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    review = walk_to(services, "review")
    draft_id = decode(review["private_metadata"]).draft_id
    with services.store.transaction() as db:
        from care_bot.storage import drafts

        drafts.save_answers(db, draft_id, "review", {"accommodation": "  "}, clock.now)
    result = submit(services, ALICE, review, {})
    assert step_of(result.view) == "client_service"
    assert count(services, "incidents") == 0


def test_references_count_up_within_the_year(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    first = file_report(services)
    clock.advance(60)
    second = file_report(services)
    assert first["blocks"][0]["text"]["text"] == "Saved as CARE-2026-0001"
    assert second["blocks"][0]["text"]["text"] == "Saved as CARE-2026-0002"
    refs = [r["ref"] for r in query(services, "SELECT ref FROM incidents ORDER BY id")]
    assert refs == ["CARE-2026-0001", "CARE-2026-0002"]


def test_references_restart_in_a_new_year(tmp_path):
    services, _slack, clock = make_services(tmp_path)
    file_report(services)
    clock.now = datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC).timestamp()
    view = file_report(services)
    assert view["blocks"][0]["text"]["text"] == "Saved as CARE-2027-0001"


def test_duplicate_submit_after_starting_over_a_danger_draft_returns_the_confirmation(
    tmp_path
):
    services, _slack, _clock = make_services(tmp_path)
    walk_to(services, "client_service", danger=True)
    old_id = intake.start_report(services, ALICE).draft_id
    view = intake.start_over(services, ALICE, old_id)
    for step in ("safety", "client_service", "assess", "report"):
        answers = dict(STEP_ANSWERS[step])
        if step == "report":
            answers.update(associate_name="Alice Example", associate_position="Teller")
        view = submit(services, ALICE, view, answers).view
        if view["callback_id"] == Callback.EMERGENCY.value:
            view = intake.continue_after_emergency(
                services, ALICE, decode(view["private_metadata"])).view
    first = submit(services, ALICE, view, {})
    assert first.view["blocks"][0]["text"]["text"] == "Saved as CARE-2026-0001"
    second = submit(services, ALICE, view, {})
    assert second.view == first.view
