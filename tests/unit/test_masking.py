"""Client identity kept out of free text (issue 17, part 2): the masking rules."""

from __future__ import annotations

import json

import pytest

from care_bot.domain.masking import account_refs, mask, masked_answers, name_parts
from care_bot.views import messages
from tests.support.world import START


def test_the_issue_example_names_neither_the_client_nor_the_account():
    text = "Jordan Marlowe (acct ending 4417) said he would wait for me outside."
    assert mask(text, "Jordan Marlowe", "") == (
        "[client] (acct ending [account]) said he would wait for me outside.")


@pytest.mark.parametrize("name, text, expected", [
    ("Jordan Marlowe", "JORDAN came in; marlowe left", "[client] came in; [client] left"),
    ("Renée Dupré", "Renée yelled at me, then dupré left",
     "[client] yelled at me, then [client] left"),
    ("Anne-Marie O'Neil", "Anne-Marie shouted, O'Neil left, Marie came back",
     "[client] shouted, [client] left, [client] came back"),
    ("José Ng", "José and Ng came in", "[client] and Ng came in"),  # parts under 3 letters kept
    ("Al Jordan", "Alan spoke to Jordanna", "Alan spoke to Jordanna"),  # whole words only
])
def test_names_with_accents_hyphens_and_apostrophes(name, text, expected):
    assert mask(text, name) == expected


def test_name_parts_are_the_full_name_and_parts_of_three_letters_or_more():
    assert name_parts("Anne-Marie O'Neil") == ["Anne-Marie O'Neil", "Anne-Marie", "O'Neil",
                                               "Marie", "Anne"]
    assert name_parts("Jo Bo") == ["Jo Bo"]
    assert name_parts("  ") == []


def test_accounts_typed_and_digit_runs_after_account_words():
    assert account_refs("Checking ****1234, savings 99887766") == [
        "****1234", "99887766", "1234"]
    text = "He showed ****1234, then said account no. 5555 6666 and card 4444"
    assert mask(text, "", "Checking ****1234") == (
        "He showed [account], then said account no. [account] and card 4444")
    assert mask("ending in 12-34-56", "", "") == "ending in [account]"
    assert mask("he waited 30 minutes at 1200 Main St", "", "") == (
        "he waited 30 minutes at 1200 Main St")


def test_client_sharing_the_associates_name_masks_only_free_text():
    answers = {"client_name": "Alice Smith", "associate_name": "Alice Smith",
               "what_happened": "He said Alice Smith owes him money. Alice called security."}
    masked = masked_answers(answers)
    assert masked["what_happened"] == "He said [client] owes him money. [client] called security."
    assert masked["associate_name"] == "Alice Smith"  # the reporter's own field is not free text
    assert answers["what_happened"].startswith("He said Alice")  # the original is untouched


def test_every_free_text_answer_is_masked_and_private_fields_kept():
    answers = {"client_name": "Jordan Marlowe", "accounts": "4417",
               **{key: "Jordan, 4417" for key in ("what_happened", "client_words",
                                                  "accommodation", "threat_kind_other",
                                                  "recommendation_note")}}
    masked = masked_answers(answers)
    for key in ("what_happened", "client_words", "accommodation", "threat_kind_other",
                "recommendation_note"):
        assert masked[key] == "[client], [account]"
    assert masked["client_name"] == "Jordan Marlowe"


def test_report_details_for_supervisors_carry_no_name_or_account():
    from care_bot.domain.masking import masked_incident
    from care_bot.domain.models import Incident
    incident = Incident(1, "CARE-2026-0001", "U0ALICE", "open", False, None, {
        "client_name": "Jordan Marlowe", "accounts": "acct 4417",
        "what_happened": "Jordan Marlowe (acct ending 4417) said he would wait outside.",
        "threat_kinds": ["other"], "threat_kind_other": "Marlowe followed me"}, START, START)
    shown = json.dumps(messages.report_details(masked_incident(incident), {}))
    assert "Marlowe" not in shown and "Jordan" not in shown and "4417" not in shown
    assert "[client]" in shown and "[account]" in shown
    full = json.dumps(messages.report_details(incident, {}))
    assert "Jordan Marlowe (acct ending 4417)" in full


@pytest.mark.parametrize("text, expected", [
    ("Told Jordan's officer", "Told [client]'s officer"),  # a possessive is still the name
    ("by Marlowe\u2019s truck", "by [client]\u2019s truck"),  # a typographic apostrophe
    ("Marlowes and Jordanna came", "Marlowes and Jordanna came"),  # every part: whole words
    ("JordanMarlowe wrote", "JordanMarlowe wrote"),
])
def test_every_name_part_is_matched_as_a_whole_word_possessives_included(text, expected):
    assert mask(text, "Jordan Marlowe") == expected
