"""views.forms: reading view state into answers, and the field-level errors of each step."""

from __future__ import annotations

import pytest

from care_bot.config import Branch
from care_bot.domain.care import Step
from care_bot.ids import Block
from care_bot.views.fields import FIELDS_BY_BLOCK, STEP_FIELDS
from care_bot.views.forms import FUTURE_TOLERANCE_SECONDS, field_errors, read_answers
from care_bot.views.report_modal import step_view
from tests.support.payloads import state_values
from tests.support.world import START

NOW = START
BRANCHES = {"downtown": Branch("downtown", "Downtown")}

# --------------------------------------------------------------------------- read_answers


def _entry_id(entry: dict) -> str:
    return entry["type"] + ("-empty" if not any(list(entry.values())[1:]) else "")


@pytest.mark.parametrize(
    "entry, expected",
    [
        ({"type": "plain_text_input", "value": "typed"}, "typed"),
        ({"type": "plain_text_input", "value": None}, ""),
        ({"type": "number_input", "value": "42"}, "42"),
        ({"type": "radio_buttons", "selected_option": {"value": "yes"}}, "yes"),
        ({"type": "radio_buttons", "selected_option": None}, None),
        ({"type": "static_select", "selected_option": {"value": "downtown"}}, "downtown"),
        ({"type": "static_select", "selected_option": None}, None),
        (
            {"type": "checkboxes", "selected_options": [{"value": "a"}, {"value": "b"}]},
            ["a", "b"],
        ),
        ({"type": "checkboxes", "selected_options": []}, []),
        ({"type": "checkboxes", "selected_options": None}, []),
        ({"type": "multi_static_select", "selected_options": [{"value": "x"}]}, ["x"]),
        ({"type": "users_select", "selected_user": "U0SAM"}, "U0SAM"),
        ({"type": "users_select", "selected_user": None}, None),
        ({"type": "datetimepicker", "selected_date_time": 1789999400}, 1789999400),
        ({"type": "datetimepicker", "selected_date_time": None}, None),
        ({"type": "datepicker", "selected_date": "2026-09-21"}, "2026-09-21"),  # issue 20: orders
    ],
    ids=lambda v: _entry_id(v) if isinstance(v, dict) else "",
)
def test_read_answers_element_type(entry, expected):
    """Each element type's value key becomes a plain answer; empty ones become ""/None/[]."""
    assert read_answers({"block": {"value": entry}}) == {"block": expected}


def test_read_answers_ignores_elements_with_another_action_id():
    values = {
        "branch": {"value": {"type": "static_select", "selected_option": {"value": "d"}}},
        "navigation": {"care_back": {"type": "button"}},
    }
    assert read_answers(values) == {"branch": "d"}


def test_read_answers_of_nothing_is_empty():
    assert read_answers({}) == {}
    assert read_answers(None) == {}


@pytest.mark.parametrize("step", list(Step))
def test_read_answers_round_trips_realistic_state_of_every_step(step):
    view = step_view(step, {}, "d1", {})
    answers = {
        spec.block.value: _sample(spec.kind, spec.options) for spec in STEP_FIELDS[step]
        if spec.kind != "select"  # no branches configured: the select is left out
    }
    assert read_answers(state_values(view, answers)) == answers


def _sample(kind: str, options: dict):
    first = next(iter(options), None)
    return {
        "text": "short answer", "long_text": "a\nlonger answer", "radio": first,
        "checkboxes": list(options)[:2], "user": "U0SAM", "datetime": int(NOW - 60),
    }[kind]


# --------------------------------------------------------------------------- field_errors


def spec(block: Block):
    """Return the FieldSpec of one block, as a one-field step."""
    return (FIELDS_BY_BLOCK[block.value],)


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t "])
def test_field_errors_required_text_empty_or_whitespace(value):
    errors = field_errors({"what_happened": value}, spec(Block.WHAT_HAPPENED), NOW)
    assert errors == {"what_happened": "Please fill this in."}


def test_field_errors_optional_text_may_be_empty():
    assert field_errors({"client_words": ""}, spec(Block.CLIENT_WORDS), NOW) == {}


@pytest.mark.parametrize(
    "block, limit",
    [(Block.WHAT_HAPPENED, 3000), (Block.CLIENT_WORDS, 1500), (Block.ASSOCIATE_NAME, 150),
     (Block.POLICE_REPORT, 60), (Block.ACCOUNTS, 300)],
)
def test_field_errors_text_at_limit_passes_one_over_fails(block, limit):
    assert field_errors({block.value: "x" * limit}, spec(block), NOW) == {}
    errors = field_errors({block.value: "x" * (limit + 1)}, spec(block), NOW)
    assert errors == {
        block.value: f"Please keep this under {limit} characters (now {limit + 1})."
    }


@pytest.mark.parametrize("value", [None, []])
def test_field_errors_checkboxes_empty(value):
    errors = field_errors({"threat_kinds": value}, spec(Block.THREAT_KINDS), NOW)
    assert errors == {"threat_kinds": "Choose at least one."}


def test_field_errors_checkboxes_unknown_option():
    errors = field_errors({"threat_kinds": ["physical", "made_up"]}, spec(Block.THREAT_KINDS),
                          NOW)
    assert errors == {"threat_kinds": "Choose from the listed options."}


def test_field_errors_radio_missing_and_unknown():
    assert field_errors({}, spec(Block.DANGER), NOW) == {"danger": "Please choose one."}
    assert field_errors({"danger": "maybe"}, spec(Block.DANGER), NOW) == {
        "danger": "Choose from the listed options."
    }


def test_field_errors_user_missing():
    assert field_errors({"supervisor": None}, spec(Block.SUPERVISOR), NOW) == {
        "supervisor": "Please pick a person."
    }


def test_field_errors_datetime_missing():
    assert field_errors({}, spec(Block.OCCURRED_AT), NOW) == {
        "occurred_at": "Please pick a date and time."
    }


def test_field_errors_datetime_in_the_future():
    future = NOW + FUTURE_TOLERANCE_SECONDS + 60
    assert field_errors({"occurred_at": future}, spec(Block.OCCURRED_AT), NOW) == {
        "occurred_at": "That time is in the future."
    }


def test_field_errors_datetime_within_clock_skew_tolerance_passes():
    at_edge = NOW + FUTURE_TOLERANCE_SECONDS
    assert field_errors({"occurred_at": at_edge}, spec(Block.OCCURRED_AT), NOW) == {}
    assert field_errors({"occurred_at": NOW - 86400}, spec(Block.OCCURRED_AT), NOW) == {}


ASSESS_OK = {"likelihood": "possible"}


@pytest.mark.parametrize("agency", [None, "", "   "])
def test_field_errors_law_enforcement_without_agency_errors_on_agency(agency):
    answers = {**ASSESS_OK, "action_taken": "law_enforcement", "agency": agency}
    errors = field_errors(answers, STEP_FIELDS[Step.ASSESS], NOW)
    assert errors == {"agency": "You said law enforcement was contacted: name the agency."}


def test_field_errors_law_enforcement_with_agency_passes():
    answers = {**ASSESS_OK, "action_taken": "law_enforcement", "agency": "City PD"}
    assert field_errors(answers, STEP_FIELDS[Step.ASSESS], NOW) == {}


def test_field_errors_supervisor_notified_with_agency_errors_on_action_taken():
    answers = {**ASSESS_OK, "action_taken": "supervisor_notified", "agency": "City PD"}
    errors = field_errors(answers, STEP_FIELDS[Step.ASSESS], NOW)
    assert set(errors) == {"action_taken"}
    assert "Law enforcement contacted" in errors["action_taken"]


def test_field_errors_supervisor_notified_without_agency_passes():
    answers = {**ASSESS_OK, "action_taken": "supervisor_notified", "agency": ""}
    assert field_errors(answers, STEP_FIELDS[Step.ASSESS], NOW) == {}


def test_field_errors_field_error_wins_over_contradiction_on_the_same_block():
    answers = {**ASSESS_OK, "action_taken": "supervisor_notified", "agency": "x" * 151}
    errors = field_errors(answers, STEP_FIELDS[Step.ASSESS], NOW)
    assert errors["agency"].startswith("Please keep this under 150")
    assert "action_taken" in errors


@pytest.mark.parametrize("step", [s for s in Step if s != Step.ASSESS])
def test_field_errors_contradictions_only_on_blocks_of_the_step(step):
    answers = {"action_taken": "law_enforcement", "agency": ""}
    errors = field_errors(answers, STEP_FIELDS[step], NOW)
    assert "agency" not in errors
    answers = {"action_taken": "supervisor_notified", "agency": "City PD"}
    errors = field_errors(answers, STEP_FIELDS[step], NOW)
    assert "action_taken" not in errors


@pytest.mark.parametrize("step", list(Step))
def test_field_errors_keys_are_input_block_ids_of_the_step_view(step):
    view = step_view(step, {}, "d1", BRANCHES)
    input_ids = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    hostile = {
        "action_taken": "supervisor_notified", "agency": "PD", "occurred_at": NOW + 99999,
        "what_happened": "x" * 4000, "threat_kinds": [],
    }
    errors = field_errors(hostile, STEP_FIELDS[step], NOW)
    assert set(errors) <= input_ids
    if step == Step.REVIEW:
        assert errors == {}
    else:
        assert errors  # every other step has a required field left empty


def test_field_errors_full_valid_step_has_no_errors():
    answers = {
        "what_happened": "He said he would hurt me.", "client_words": "",
        "occurred_at": NOW - 600, "threat_channel": "phone", "threat_kinds": ["implied"],
        "accommodation": "Offered a call back.", "client_status": "not_client",
    }
    assert field_errors(answers, STEP_FIELDS[Step.CLIENT_SERVICE], NOW) == {}


def test_field_errors_other_threat_kind_needs_a_short_description():
    answers = {
        "what_happened": "He said he would hurt me.", "occurred_at": NOW - 600,
        "threat_channel": "other", "threat_kinds": ["other"], "accommodation": "Listened.",
        "client_status": "unknown",
    }
    errors = field_errors(answers, STEP_FIELDS[Step.CLIENT_SERVICE], NOW)
    assert errors == {"threat_kind_other": "You chose \"Other\": say what kind, briefly."}
    answers["threat_kind_other"] = "left a dead bird at the door"
    assert field_errors(answers, STEP_FIELDS[Step.CLIENT_SERVICE], NOW) == {}
