"""Block Kit builders: every view and message Slack would accept, escaped, and private.

Each builder is called with empty, full, and maximum-length hostile answers, with one branch and
with 100 branches configured; everything must pass the Block Kit limit checker. Channel messages
must show user text only escaped, and never the client's name or accounts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from care_bot.config import Branch
from care_bot.domain.care import ACCOUNT_DECISIONS, STEP_ORDER, TASKS, Step
from care_bot.domain.checklist import TaskDone
from care_bot.domain.models import Incident
from care_bot.flows import intake, tracking
from care_bot.ids import Action, Callback
from care_bot.outbox import delivery
from care_bot.views import care_after as care_after_views
from care_bot.views import closing as closing_views
from care_bot.views import danger_modal, messages, report_modal
from care_bot.views import tracking as tracking_views
from care_bot.views.fields import STEP_FIELDS
from care_bot.views.forms import read_answers
from care_bot.views.metadata import decode
from care_bot.views.summary import report_sections
from care_bot.views.text import escape, safe
from tests.support.blockkit import assert_valid_message, assert_valid_view
from tests.support.payloads import state_values
from tests.support.report import STEP_ANSWERS, file_report, submit
from tests.support.world import START, USERS, make_services

# ----------------------------------------------------------------------------- test data

HOSTILE = "<!channel> <@U123> <https://evil|bank> & "
RAW_CONTROL = ("<!channel>", "<@U123>", "<https://evil|bank>", "<!here>")
BARE_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")
STATIC_AMPERSAND = "Corporate Security & Risk"  # the app's own wording, not user text
CLIENT_MARK = "PRIVATECLIENTNAME"
ACCOUNT_MARK = "PRIVATEACCOUNT"


def hostile(length: int, mark: str = "") -> str:
    """Return `mark` followed by hostile Slack control text, exactly `length` characters."""
    text = mark + HOSTILE * (length // len(HOSTILE) + 1)
    return text[:length]


PEOPLE = {
    "supervisor": USERS["sam"], "rxm": USERS["rita"], "market_president": USERS["mark"],
    "ics": USERS["ivy"], "account_officer": USERS["oscar"],
}
ONE_BRANCH = {"downtown": Branch("downtown", "Downtown", "America/New_York", **PEOPLE)}
HUNDRED_BRANCHES = {
    f"branch-{i:03d}": Branch(f"branch-{i:03d}", f"Branch {i:03d} " + "Long Name " * 9)
    for i in range(99)
}
HUNDRED_BRANCHES["hostile"] = Branch("hostile", hostile(120))
BRANCH_SETS = {"no-branches": {}, "one-branch": ONE_BRANCH, "100-branches": HUNDRED_BRANCHES}


def full_answers(branch: str = "downtown") -> dict[str, Any]:
    """Plausible answers to every question."""
    return {
        "danger": "no", "branch": branch, "location_detail": "teller line",
        "what_happened": "Client shouted that he would come back and hurt me.",
        "client_words": "You'll regret this.", "occurred_at": int(START - 600),
        "threat_channel": "in_person", "threat_kinds": ["physical", "abusive", "other"],
        "threat_kind_other": "followed me to my car", "accommodation": "Offered to waive the fee.",
        "likelihood": "likely", "client_status": "unknown", "supervisor_called": ["yes"],
        "did_they": ["weapon", "when_where"],
        "action_taken": "law_enforcement", "agency": "City PD", "officer_name": "Officer Lee",
        "police_report": "PR-1", "associate_name": "Alice Example",
        "associate_position": "Teller", "associate_location": "Downtown",
        **PEOPLE,
        "client_name": CLIENT_MARK + " John Q. Client", "accounts": ACCOUNT_MARK + " ****1234",
        "recommendation": "restrict", "recommendation_note": "Repeated threats.",
    }


def max_hostile_answers(branch: str = "downtown") -> dict[str, Any]:
    """Every text answer at its longest allowed length, full of Slack control sequences."""
    answers = full_answers(branch)
    for specs in STEP_FIELDS.values():
        for spec in specs:
            if spec.kind in ("text", "long_text"):
                answers[spec.block.value] = hostile(spec.max_length)
    answers["client_name"] = hostile(150, CLIENT_MARK)
    answers["accounts"] = hostile(300, ACCOUNT_MARK)
    answers["danger"] = "yes"
    answers["threat_kinds"] = ["physical", "abusive", "implied", "behaviour"]
    return answers


ANSWER_SETS = {"empty": lambda b: {}, "full": full_answers, "max-hostile": max_hostile_answers}


def first_branch(branches) -> str:
    return next(iter(branches), "other")


def strings(value: Any) -> Iterator[str]:
    """Yield every string inside nested dicts and lists."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def mrkdwn_texts(surface: dict) -> list[str]:
    """Return the fallback text and every mrkdwn text of a message or view."""
    found = [surface["text"]] if isinstance(surface.get("text"), str) else []

    def walk(value):
        if isinstance(value, dict):
            if value.get("type") == "mrkdwn":
                found.append(value["text"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(surface.get("blocks"))
    return found


def assert_escaped(surface: dict) -> None:
    """Fail when user text could ping, link or format: raw control sequences or a bare &."""
    for text in mrkdwn_texts(surface):
        for raw in RAW_CONTROL:
            assert raw not in text, f"raw {raw!r} in {text[:120]!r}"
        own_text_removed = text.replace(STATIC_AMPERSAND, "")
        assert not BARE_AMPERSAND.search(own_text_removed), f"unescaped & in {text[:120]!r}"


def assert_private(surface: dict) -> None:
    """Fail when the client's name or accounts appear anywhere in a surface."""
    dumped = json.dumps(surface)
    assert CLIENT_MARK not in dumped
    assert ACCOUNT_MARK not in dumped
    assert "John Q. Client" not in dumped


def assert_inputs_fit(view: dict) -> None:
    """Fail on pre-filled text longer than its input allows (Slack rejects the view)."""
    for block in view["blocks"]:
        element = block.get("element") or {}
        if "initial_value" in element:
            assert len(element["initial_value"]) <= element["max_length"], block["block_id"]


# ----------------------------------------------------------------------------- report steps


@pytest.mark.parametrize("branch_set", BRANCH_SETS)
@pytest.mark.parametrize("answer_set", ANSWER_SETS)
@pytest.mark.parametrize("step", list(Step))
def test_step_view_is_valid(step, answer_set, branch_set):
    branches = BRANCH_SETS[branch_set]
    answers = ANSWER_SETS[answer_set](first_branch(branches))
    view = report_modal.step_view(step, answers, "draft-1", branches)
    assert_valid_view(view)
    assert_inputs_fit(view)
    assert_escaped({"blocks": view["blocks"]})
    assert view["callback_id"] == Callback.REPORT_STEP.value
    assert view["notify_on_close"] is True
    assert decode(view["private_metadata"]).step == step.value
    assert decode(view["private_metadata"]).draft_id == "draft-1"
    has_back = any(b.get("block_id") == "navigation" for b in view["blocks"])
    assert has_back == (step != Step.SAFETY)


@pytest.mark.parametrize("branch_set", ["one-branch", "100-branches"])
@pytest.mark.parametrize("step", STEP_ORDER[:-1])
def test_step_view_prefills_every_answer_of_its_step(step, branch_set):
    branches = BRANCH_SETS[branch_set]
    answers = full_answers(first_branch(branches))
    view = report_modal.step_view(step, answers, "draft-1", branches)
    untouched = read_answers(state_values(view, {}))
    expected = {spec.block.value: answers[spec.block.value] for spec in STEP_FIELDS[step]}
    assert untouched == expected


def test_step_view_with_no_answers_prefills_nothing():
    view = report_modal.step_view(Step.CLIENT_SERVICE, {}, "d", ONE_BRANCH)
    for block in view["blocks"]:
        element = block.get("element") or {}
        assert not {"initial_value", "initial_option", "initial_options",
                    "initial_user", "initial_date_time"} & set(element)


def test_step_view_with_100_branches_lists_them_all_within_the_option_limit():
    view = report_modal.step_view(Step.SAFETY, {}, "d", HUNDRED_BRANCHES)
    select = next(b for b in view["blocks"] if b.get("block_id") == "branch")["element"]
    assert select["type"] == "static_select"
    values = [option["value"] for option in select["options"]]
    assert len(values) == 100
    assert report_modal.OTHER_BRANCH not in values


def test_step_view_with_fewer_branches_offers_another_location():
    few = dict(list(HUNDRED_BRANCHES.items())[:3])
    view = report_modal.step_view(Step.SAFETY, {}, "d", few)
    select = next(b for b in view["blocks"] if b.get("block_id") == "branch")["element"]
    assert select["options"][-1]["value"] == report_modal.OTHER_BRANCH
    assert all(len(option["text"]["text"]) <= 75 for option in select["options"])


def test_step_view_with_100_branches_lets_every_branch_be_chosen():
    assert len(HUNDRED_BRANCHES) == 100
    last = list(HUNDRED_BRANCHES)[-1]
    view = report_modal.step_view(Step.SAFETY, {"branch": last}, "d", HUNDRED_BRANCHES)
    assert_valid_view(view)
    select = next(b for b in view["blocks"] if b.get("block_id") == "branch")["element"]
    groups = select.get("option_groups") or [{"options": select.get("options", [])}]
    values = {option["value"] for group in groups for option in group["options"]}
    assert set(HUNDRED_BRANCHES) <= values
    assert select["initial_option"]["value"] == last


def test_step_view_without_branches_leaves_the_branch_select_out():
    view = report_modal.step_view(Step.SAFETY, {}, "d", {})
    assert "branch" not in {b.get("block_id") for b in view["blocks"]}


def test_step_view_clips_overlong_stored_answers_to_the_input_limit():
    answers = {"what_happened": "x" * 5000, "associate_name": "y" * 400}
    for step in (Step.CLIENT_SERVICE, Step.REPORT):
        view = report_modal.step_view(step, answers, "d", {})
        assert_valid_view(view)
        assert_inputs_fit(view)


def test_review_step_shows_the_client_details_to_the_reporter():
    view = report_modal.step_view(Step.REVIEW, full_answers(), "d", ONE_BRANCH)
    text = "\n".join(mrkdwn_texts({"blocks": view["blocks"]}))
    assert CLIENT_MARK + " John Q. Client" in text
    assert ACCOUNT_MARK + " ****1234" in text
    assert view["submit"]["text"] == "Submit report"


def test_review_step_escapes_client_details_too():
    view = report_modal.step_view(Step.REVIEW, max_hostile_answers(), "d", ONE_BRANCH)
    text = "\n".join(mrkdwn_texts({"blocks": view["blocks"]}))
    assert escape(CLIENT_MARK + HOSTILE)[:60] in text
    assert_escaped({"blocks": view["blocks"]})


# ----------------------------------------------------------------------------- other modals


@pytest.mark.parametrize("step", list(Step))
def test_resume_view_is_valid_for_every_step(step):
    view = report_modal.resume_view("d" * 32, START, step)
    assert_valid_view(view)
    actions = {e["action_id"]: e["value"] for b in view["blocks"] if b["type"] == "actions"
               for e in b["elements"]}
    assert actions == {Action.RESUME_DRAFT.value: "d" * 32,
                       Action.DISCARD_DRAFT.value: "d" * 32,
                       Action.HOME_DANGER.value: "home"}  # the one-tap alert is never hidden
    assert report_modal.STEP_TITLES[step] in view["blocks"][0]["text"]["text"]


def test_emergency_view_is_valid_and_names_the_reference():
    incident, _states = incident_in_state("alerted", full_answers())
    view = danger_modal.emergency_view(incident, "d" * 32, "U0SAM")
    assert_valid_view(view)
    assert view["callback_id"] == Callback.EMERGENCY.value
    assert view["notify_on_close"] is True
    assert incident.ref in json.dumps(view["blocks"])
    assert "911" in view["blocks"][0]["text"]["text"]
    assert view["submit"]["text"] == "I'm safe now"
    assert view["title"]["text"] == "Danger alert"  # never "sent" before Slack took it
    assert "Sending your alert…" in view["blocks"][1]["text"]["text"]
    told = view["blocks"][2]["text"]["text"]
    assert "Corporate Security & Risk and <@U0SAM> (your supervisor)" in told
    assert "What happens next" in told and "The first responder who takes this alert" in told
    labels = [e["text"]["text"] for b in view["blocks"] if b["type"] == "actions"
              for e in b["elements"]]
    assert labels == ["I have called 911 / law enforcement", "I can't call: please call for me",
                      "Finish the report"]


def test_emergency_view_without_a_supervisor_names_the_supervisors_on_duty():
    incident, _states = incident_in_state("alerted", full_answers())
    view = danger_modal.emergency_view(incident, "d" * 32, None, "+1 555 010 0199")
    assert_valid_view(view)
    text = view["blocks"][2]["text"]["text"]
    assert "and the supervisors on duty" in text and "+1 555 010 0199" in text


@pytest.mark.parametrize("danger", [False, True])
def test_confirmation_view_is_valid(danger):
    view = report_modal.confirmation_view("CARE-2026-0042", danger)
    assert_valid_view(view)
    assert view["blocks"][0]["text"]["text"] == "Saved as CARE-2026-0042"
    assert ("call 911" in view["blocks"][1]["text"]["text"]) == danger
    assert "submit" not in view


@pytest.mark.parametrize("message", [
    intake.SAVE_FAILED_VIEW_TEXT,
    "This report could not be found. Type `/threat` to start again.",
    "x" * 3000,
])
def test_error_view_is_valid(message):
    view = report_modal.error_view(message)
    assert_valid_view(view)
    assert view["blocks"][0]["text"]["text"] == message


def open_incident(**changes) -> Incident:
    """An open, submitted incident with full answers."""
    base = Incident(7, "CARE-2026-0007", USERS["alice"], "open", False, "downtown",
                    full_answers(), START, START)
    return replace(base, **changes)


CHECKLIST_TASKS = [task for task in TASKS if task.via_checklist]


@pytest.mark.parametrize("count", range(len(CHECKLIST_TASKS) + 1))
@pytest.mark.parametrize("can_decide, can_close", [(False, False), (True, False),
                                                   (False, True), (True, True)])
def test_checklist_view_is_valid_with_any_number_of_tasks(count, can_decide, can_close):
    tasks = CHECKLIST_TASKS[:count]
    states = {t.key: TaskDone("U0SAM", START, "n") for t in TASKS if t not in tasks}
    view = tracking_views.checklist_view(open_incident(), states, tasks, can_decide, can_close)
    assert_valid_view(view)
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    if tasks:
        options = inputs[0]["element"]["options"]
        assert [o["value"] for o in options] == [t.key for t in tasks]
        assert view["submit"]["text"] == "Save"
    else:
        assert inputs == []
        assert "submit" not in view
    buttons = [e["action_id"] for b in view["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert (Action.DECIDE_ACCOUNT.value in buttons) == can_decide
    assert (Action.CLOSE_EARLY.value in buttons) == can_close
    assert decode(view["private_metadata"]).incident_id == 7


def test_decision_view_is_valid_and_offers_the_three_decisions():
    view = tracking_views.decision_view(open_incident())
    assert_valid_view(view)
    radio = next(b for b in view["blocks"] if b.get("block_id") == "decision")["element"]
    assert [o["value"] for o in radio["options"]] == list(ACCOUNT_DECISIONS)
    rationale = next(b for b in view["blocks"] if b.get("block_id") == "rationale")
    assert rationale["optional"] is False
    assert decode(view["private_metadata"]).incident_id == 7


@pytest.mark.parametrize("owners", [None, [], ["U0MARK"]])
def test_close_early_view_is_valid_and_requires_a_reason(owners):
    view = closing_views.close_early_view(open_incident(), owners)
    assert_valid_view(view)
    reason = next(b for b in view["blocks"] if b.get("block_id") == "reason")
    assert reason["optional"] is False
    assert view["callback_id"] == Callback.CLOSE_EARLY.value
    assert decode(view["private_metadata"]).incident_id == 7


def test_close_early_view_says_the_account_decision_stays_with_management():
    intro = closing_views.close_early_view(open_incident(), ["U0MARK"])["blocks"][0]["text"]
    assert "*The account decision stays open* with Delivery / local management (<@U0MARK>)" \
        in intro["text"]
    assert "closes the incident" not in intro["text"]
    whole = closing_views.close_early_view(open_incident(), None)["blocks"][0]["text"]["text"]
    assert "This closes the incident" in whole and "account decision" not in whole


@pytest.mark.parametrize("title", ["Closed", "Not allowed", "A title far longer than 24 chars"])
def test_notice_view_is_valid(title):
    view = tracking_views.notice_view(title, "You can't do that. " * 100)
    assert_valid_view(view)


# ----------------------------------------------------------------------------- messages


def done_states(*keys: str) -> dict[str, TaskDone]:
    return {key: TaskDone("U0SAM", START + 60, "keep" if key == "account_decision" else "")
            for key in keys}


def incident_in_state(state: str, answers: dict) -> tuple[Incident, dict]:
    """Return an incident in one of the states a parent message can show, and its tasks."""
    base = Incident(3, "CARE-2026-0003", USERS["alice"], "open", answers.get("danger") == "yes",
                    answers.get("branch"), answers, START, START)
    acked = {"acknowledged_by": USERS["sam"], "acknowledged_at": START + 60}
    if state == "alerted":
        return replace(base, status="alerted", danger=True, submitted_at=None), {}
    if state == "alerted-acknowledged":
        return replace(base, status="alerted", danger=True, submitted_at=None, **acked), \
            done_states("acknowledged")
    if state == "open":
        return base, {}
    if state == "acknowledged":
        return replace(base, **acked), done_states("acknowledged", "reported_hr")
    if state == "overdue":
        return replace(base, overdue=True), {}
    if state == "closed-early":
        return replace(base, status="closed", closed_by=USERS["sec"], closed_at=START + 99,
                       close_reason=hostile(1000), **acked), done_states("acknowledged")
    if state == "closed":
        return replace(base, status="closed", closed_by="care-bot", closed_at=START + 99,
                       **acked), done_states(*(t.key for t in TASKS))
    raise AssertionError(state)


PARENT_STATES = ["alerted", "alerted-acknowledged", "open", "acknowledged", "overdue",
                 "closed-early", "closed"]


@pytest.mark.parametrize("branch_set", ["one-branch", "100-branches"])
@pytest.mark.parametrize("answer_set", ANSWER_SETS)
@pytest.mark.parametrize("state", PARENT_STATES)
def test_parent_message_is_valid_escaped_and_private(state, answer_set, branch_set):
    branches = BRANCH_SETS[branch_set]
    answers = ANSWER_SETS[answer_set](first_branch(branches))
    incident, states = incident_in_state(state, answers)
    next_due = None if incident.status == "closed" else START + 900
    message = messages.parent_message(incident, states, next_due, branches)
    assert_valid_message(message)
    assert_escaped(message)
    assert_private(message)


@pytest.mark.parametrize(
    "state, status_text, buttons",
    [
        ("alerted", "*Awaiting acknowledgement*", [Action.ACKNOWLEDGE.value]),
        ("alerted-acknowledged", "*Acknowledged* by <@U0SAM>",
         [Action.REPORT_TO_HR.value, Action.UPDATE_CHECKLIST.value]),
        ("open", "*Awaiting acknowledgement*", [Action.ACKNOWLEDGE.value]),
        ("acknowledged", "*Acknowledged* by <@U0SAM>",
         [Action.REPORT_TO_HR.value, Action.UPDATE_CHECKLIST.value]),
        ("overdue", ":red_circle: *overdue*", [Action.ACKNOWLEDGE.value]),
        ("closed-early", "*Closed* by <@U0SEC>", []),
        ("closed", "*Closed* by <@care-bot>", []),
    ],
)
def test_parent_message_shows_status_and_buttons_of_each_state(state, status_text, buttons):
    incident, states = incident_in_state(state, full_answers())
    message = messages.parent_message(incident, states, None, ONE_BRANCH, "supervisors")
    texts = "\n".join(mrkdwn_texts(message))
    assert status_text in texts
    shown = [e["action_id"] for b in message["blocks"] if b["type"] == "actions"
             for e in b["elements"]]
    assert shown == buttons
    assert ("in immediate danger" in texts) == state.startswith("alerted")
    assert ("C · report completed" in texts) == (not state.startswith("alerted"))


def test_parent_message_closed_early_shows_the_escaped_reason():
    incident, states = incident_in_state("closed-early", full_answers())
    texts = "\n".join(mrkdwn_texts(messages.parent_message(incident, states, None, ONE_BRANCH)))
    assert safe(hostile(1000), 500) in texts


def test_parent_message_shows_the_next_reminder_while_open():
    incident, states = incident_in_state("open", full_answers())
    message = messages.parent_message(incident, states, START + 900, ONE_BRANCH)
    assert f"next reminder <!date^{int(START + 900)}^{{time}}|" in json.dumps(message)


@pytest.mark.parametrize("branch_set", ["one-branch", "100-branches"])
@pytest.mark.parametrize("answer_set", ANSWER_SETS)
def test_report_details_is_valid_escaped_and_private(answer_set, branch_set):
    branches = BRANCH_SETS[branch_set]
    answers = ANSWER_SETS[answer_set](first_branch(branches))
    incident, _ = incident_in_state("open", answers)
    message = messages.report_details(incident, branches)
    assert_valid_message(message)
    assert_escaped(message)
    assert_private(message)
    assert "Client and account details are kept private" in json.dumps(message)


def test_report_details_with_3000_char_answers_keeps_every_section_line():
    answers = {**full_answers(), "what_happened": hostile(3000),
               "client_words": hostile(1500), "accommodation": hostile(1500)}
    message = messages.report_details(open_incident(answers=answers), ONE_BRANCH)
    assert_valid_message(message)
    c_section = message["blocks"][1]["text"]["text"]
    assert ("*Kinds:* Physical, verbal or written threat, Abusive language, "
            "Other: followed me to my car\n*Client:* Not known") in c_section
    assert c_section.endswith("*Supervisor:* called over while it happened")


def test_report_details_with_many_short_lines_keeps_every_line_and_every_escape():
    answers = {**full_answers(), "what_happened": ("x" + "&\n" * 1500)[:3000],
               "client_words": "&\n" * 750, "accommodation": "&\n" * 750}
    message = messages.report_details(open_incident(answers=answers), ONE_BRANCH)
    assert_valid_message(message)
    c_section = message["blocks"][1]["text"]["text"]
    assert "*Kinds:* Physical" in c_section
    assert_escaped(message)


@pytest.mark.parametrize("length", [1, 2999, 3000, 3001, 6000])
def test_thread_note_is_valid_at_any_length(length):
    message = messages.thread_note(escape(hostile(length))[:length])
    assert_valid_message(message)
    assert len(message["blocks"][0]["text"]["text"]) <= 3000


def test_reporter_confirmation_is_valid_and_names_the_reference():
    message = messages.reporter_confirmation(open_incident())
    assert_valid_message(message)
    assert "CARE-2026-0007" in message["text"]
    assert_private(message)


@pytest.mark.parametrize("support", ["EAP: 1-800-555-0100", hostile(3000)])
def test_wellbeing_checkin_is_valid_and_escaped(support):
    message = care_after_views.checkin(open_incident(), support, 1)
    assert_valid_message(message)
    assert_escaped(message)
    assert "CARE-2026-0007" in message["text"]


def test_report_sections_fit_the_section_limit_with_hostile_answers():
    for include_private in (False, True):
        for text in report_sections(max_hostile_answers(), ONE_BRANCH, include_private):
            assert 0 < len(text) <= 3000


# ----------------------------------------------------------------------------- end to end


HOSTILE_OVERRIDES = {
    "safety": {"location_detail": hostile(150)},
    "client_service": {
        "what_happened": hostile(3000), "client_words": hostile(1500),
        "accommodation": hostile(1500),
    },
    "assess": {"action_taken": "law_enforcement", "agency": hostile(150),
               "officer_name": hostile(150)},
    "report": {"associate_name": hostile(150), "associate_position": hostile(150),
               "associate_location": hostile(150),
               "client_name": hostile(150, CLIENT_MARK),
               "accounts": hostile(300, ACCOUNT_MARK),
               "recommendation_note": hostile(1000)},
}


def sent_messages(slack) -> list[dict]:
    return [*slack.posts, *slack.updates]


@pytest.mark.parametrize("danger", [False, True])
def test_every_channel_message_of_a_hostile_report_is_valid_escaped_and_private(
    tmp_path, danger
):
    services, slack, clock = make_services(tmp_path)
    file_report(services, overrides=HOSTILE_OVERRIDES, danger=danger)
    delivery.deliver_due(services)
    clock.advance(60)
    tracking.acknowledge(services, USERS["sam"], 1, "channel")
    tracking.complete_tasks(services, USERS["sam"], 1, ["reported_hr"], hostile(1000))
    tracking.close_early(services, USERS["sec"], 1, hostile(1000))
    delivery.deliver_due(services)
    assert len(slack.posts) >= 10
    assert len(slack.updates) >= 2
    for message in sent_messages(slack):
        assert_valid_message({"text": message["text"], "blocks": message["blocks"]})
        assert_escaped(message)
        assert_private(message)
    assert any(escape(HOSTILE) in text for m in sent_messages(slack) for text in mrkdwn_texts(m))


@pytest.mark.parametrize("danger", [False, True])
def test_outbox_rows_of_a_submitted_report_never_hold_client_details(tmp_path, danger):
    services, _slack, _clock = make_services(tmp_path)
    file_report(services, danger=danger)
    with services.store.reading() as db:
        rows = list(db.query("SELECT key, payload FROM outbox"))
        stored = json.loads(db.execute("SELECT answers FROM incidents").fetchone()[0])
    assert len(rows) >= 5
    for row in rows:
        assert "John Q. Client" not in row["payload"], row["key"]
        assert "****1234" not in row["payload"], row["key"]
    assert stored["client_name"] == "John Q. Client"  # kept with the report, only there


def test_delivered_messages_of_a_report_never_show_client_details(tmp_path):
    services, slack, _clock = make_services(tmp_path)
    file_report(services)
    delivery.deliver_due(services)
    dumped = json.dumps(slack.posts)
    assert "John Q. Client" not in dumped
    assert "****1234" not in dumped
    assert "Client shouted" in dumped  # the report itself did reach the thread


def test_review_step_of_a_real_draft_shows_client_details_to_the_reporter(tmp_path):
    services, _slack, _clock = make_services(tmp_path)
    start = intake.start_report(services, USERS["alice"])
    intake.prefill_profile(services, start.draft_id, USERS["alice"])
    view = start.view
    for step in STEP_ORDER[:-1]:
        view = submit(services, USERS["alice"], view, STEP_ANSWERS[step.value]).view
    assert decode(view["private_metadata"]).step == "review"
    assert_valid_view(view)
    dumped = json.dumps(view)
    assert "John Q. Client" in dumped
    assert "Checking ****1234" in dumped


def test_report_details_carry_a_full_length_narrative_in_full():
    long_text = ("He said he would wait for me outside. " * 80)[:3000]
    incident = open_incident()
    message = messages.report_details(
        replace(incident, answers={**incident.answers, "what_happened": long_text}), {})
    assert_valid_message(message)
    pieces = [line[1:] for block in message["blocks"]
              if block["text"]["text"].startswith("*What happened")
              for line in block["text"]["text"].split("\n") if line.startswith(">")]
    assert "".join(pieces) == long_text


def test_report_details_of_an_earlier_long_form_report_still_show_its_answers():
    legacy = {**full_answers(), "supervisor_contacted": "yes", "credible": "yes",
              "valid": "no", "likely": "unsure"}
    del legacy["likelihood"]
    text = json.dumps(messages.report_details(open_incident(answers=legacy), ONE_BRANCH))
    assert "Supervisor already contacted:* Yes" in text
    assert "Is the threat credible? Yes" in text and "Is it likely to be acted upon? Not sure" in (
        text)
