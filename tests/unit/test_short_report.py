"""A report in under two minutes: screens, answers, plain headers, the review, the directory."""

from __future__ import annotations

import json

from care_bot.flows import intake
from care_bot.views.metadata import decode
from tests.support.counting import answers_to_give, is_question_screen
from tests.support.report import STEP_ANSWERS, step_of, submit
from tests.support.world import USERS, make_services

ALICE, OLLY = USERS["alice"], USERS["olly"]
MAX_SCREENS, MAX_ANSWERS = 4, 10


def walk(services, user_id: str, answers: dict) -> tuple[list[dict], dict]:
    """Walk the not-in-danger path to the review; return the question views and the review."""
    start = intake.start_report(services, user_id)
    intake.prefill_profile(services, start.draft_id, user_id)
    view, seen = start.view, []
    while step_of(view) != "review":
        seen.append(view)
        result = submit(services, user_id, view, answers[step_of(view)])
        assert not result.errors, result.errors
        view = result.view
    return seen, view


def test_short_path_for_a_listed_associate_fits_the_targets(tmp_path):
    services, _slack, _clock = make_services(tmp_path)  # Alice is listed in Downtown
    answers = {**STEP_ANSWERS, "safety": {"danger": "no"}, "report": {}}
    screens, _review = walk(services, ALICE, answers)
    questions = [v for v in screens if is_question_screen(v)]
    to_give = [block for view in questions for block in answers_to_give(view)]
    print(f"\nshort path: {len(questions)} question screens before review, "
          f"{len(to_give)} answers to give: {to_give}")
    assert len(questions) <= MAX_SCREENS
    assert len(to_give) <= MAX_ANSWERS
    assert set(to_give) <= {"danger", "what_happened", "threat_channel", "threat_kinds",
                            "client_status", "accommodation", "likelihood"}
    # "When did it happen?" starts at now and "What did you do?" at "Nothing yet".
    assert not {"occurred_at", "action_taken"} & set(to_give)


def test_who_will_be_told_is_prefilled_and_never_requires_mp_or_account_officer(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    screens, _review = walk(services, ALICE, {**STEP_ANSWERS, "report": {}})
    told = screens[-1]
    assert told["blocks"][0]["text"]["text"] == "Who will be told"
    inputs = {b["block_id"]: b for b in told["blocks"] if b["type"] == "input"}
    for role in ("supervisor", "rxm", "ics", "market_president", "account_officer"):
        assert inputs[role]["element"]["initial_user"] == USERS[
            {"supervisor": "sam", "rxm": "rita", "ics": "ivy", "market_president": "mark",
             "account_officer": "oscar"}[role]]
        assert inputs[role]["optional"] is True  # the directory knows them
    assert inputs["client_name"]["optional"] is True
    assert "client_unknown" not in inputs
    happened = {b["block_id"]: b for b in screens[1]["blocks"] if b["type"] == "input"}
    assert [o["text"]["text"] for o in happened["client_status"]["element"]["options"]] == [
        "A client", "Not a client", "I don't know"]


def test_without_a_branch_only_the_supervisor_is_required(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    answers = {**STEP_ANSWERS, "safety": {"danger": "no"}}
    start = intake.start_report(services, OLLY)  # not listed in any branch
    view = start.view
    while step_of(view) != "report":
        view = submit(services, OLLY, view, answers[step_of(view)]).view
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    required = {k for k, b in inputs.items() if not b["optional"]}
    assert "supervisor" in required
    assert not {"rxm", "ics", "market_president", "account_officer", "client_name", "accounts",
                "recommendation"} & required
    assert "your supervisor is asked to name them" in inputs["rxm"]["hint"]["text"]


def test_empty_people_fall_back_to_the_directory_on_submit(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    _screens, review = walk(services, ALICE, {**STEP_ANSWERS, "report": {}})
    ref = decode(review["private_metadata"])
    with services.store.transaction() as db:
        from care_bot.storage import drafts

        drafts.save_answers(db, ref.draft_id, "review", {"ics": None, "account_officer": None},
                            services.clock())
    submit(services, ALICE, review, {})
    with services.store.reading() as db:
        answers = json.loads(db.execute("SELECT answers FROM incidents").fetchone()[0])
    assert answers["ics"] == USERS["ivy"] and answers["account_officer"] == USERS["oscar"]


def test_step_headers_are_plain_with_no_care_letters_on_screen(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    screens, review = walk(services, ALICE, STEP_ANSWERS)
    headers = [v["blocks"][0]["text"]["text"] for v in screens]
    assert headers == ["Safety first", "What happened", "Your judgement", "Who will be told"]
    contexts = [v["blocks"][1]["elements"][0]["text"] for v in screens[1:]]
    assert contexts == ["Step 2 of 5", "Step 3 of 5", "Step 4 of 5"]
    told = json.dumps(screens[-1], ensure_ascii=False)
    assert "The client relationship" in told
    for tag in ("C · ", "A · ", "R · ", "E · "):
        assert tag not in json.dumps([*screens, review], ensure_ascii=False)
    everything = json.dumps(screens, ensure_ascii=False)
    for short, spelled in (("ICS", "Internal Control Specialist (ICS)"),
                           ("RXM", "Regional Experience Manager (RXM)"),
                           ("CS&amp;R", "Corporate Security &amp; Risk (CS&amp;R)")):
        assert spelled in everything
        assert everything.index(spelled) < everything.index(short)  # spelled out first


def test_credibility_officer_and_supervisor_contact_are_asked_once(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    screens, _review = walk(services, ALICE, STEP_ANSWERS)
    ids = [b["block_id"] for v in screens for b in v["blocks"] if b["type"] == "input"]
    assert len(ids) == len(set(ids))
    assert "likelihood" in ids and not {"credible", "valid", "likely"} & set(ids)
    assert "supervisor_contacted" not in ids


def test_review_shows_everything_and_each_part_can_be_changed(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    _screens, review = walk(services, ALICE, STEP_ANSWERS)
    text = json.dumps(review)
    for shown in ("hurt me", "Possible", "John Q. Client", "Restrict", "Downtown"):
        assert shown in text
    changes = [b["accessory"]["value"] for b in review["blocks"]
               if b.get("accessory", {}).get("action_id") == "care_change_step"]
    assert changes == ["safety", "client_service", "assess", "report"]
    ref = decode(review["private_metadata"])
    view = intake.change_step(services, ALICE, ref, "assess")
    assert step_of(view) == "assess"
    again = submit(services, ALICE, view, {"likelihood": "likely"}).view
    assert step_of(again) == "review"  # back to the review, not through every step
    assert "Likely" in json.dumps(again)
