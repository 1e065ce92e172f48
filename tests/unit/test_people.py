"""People of concern: name normalisation, account references, matching and the trend line."""

import pytest

from care_bot.domain import people
from care_bot.domain.people import LIKELY, SAME, Identity, account_refs, compare, normalise_name


@pytest.mark.parametrize(("typed", "expected"), [
    ("Jordan Marlowe", "jordan marlowe"),
    ("  JORDAN   marlowe ", "jordan marlowe"),
    ("Jördan Márlowe", "jordan marlowe"),  # accents
    ("Jordan A. Marlowe", "jordan marlowe"),  # a middle initial
    ("Jordan A Marlowe", "jordan marlowe"),
    ("Marlowe, Jordan", "jordan marlowe"),  # surname first
    ("Mr. Jordan Marlowe", "jordan marlowe"),  # a title
    ("Anne-Marie O'Brien", "anne marie obrien"),  # hyphen splits, apostrophe joins
    ("Anne Marie OBrien", "anne marie obrien"),
    ("Zoë Ångström-Ñúñez", "zoe angstrom nunez"),
    ("J. Marlowe", "j marlowe"),  # a first initial is kept
    ("", ""),
])
def test_normalise_name_ignores_case_accents_spacing_and_middle_initials(typed, expected):
    assert normalise_name(typed) == expected


@pytest.mark.parametrize(("typed", "full", "endings"), [
    ("Checking ****1234", set(), {"1234"}),
    ("checking x1234 and savings xx-5678", set(), {"1234", "5678"}),
    ("Checking ****1234, opened 2019, branch 07", set(), {"1234"}),  # a year, 2 digits
    ("acct ending in 2019", set(), {"2019"}),  # a year-like ending with a cue counts
    ("card 4111-1111-1111-1234", {"4111111111111234"}, {"1234"}),
    ("account 000123456789 since 2015", {"123456789"}, {"6789"}),
    ("ref 98761234x", set(), set()),  # digits glued to letters are not an account
    ("max1234", set(), set()),
    ("12345", {"12345"}, {"2345"}),
    ("no accounts", set(), set()),
    (None, set(), set()),
])
def test_account_refs_find_endings_among_other_digits(typed, full, endings):
    found = account_refs(typed)
    assert set(found.full) == full
    assert set(found.endings) == endings


def _who(name, accounts=""):
    return people.identity_of({"client_name": name, "accounts": accounts})


def test_compare_same_name_and_ending_is_the_same_person_despite_spelling():
    assert compare(_who("Jördan  A. MARLOWE", "Savings ****1234"),
                   _who("Jordan Marlowe", "checking x1234"))[0] == SAME


def test_compare_same_account_number_is_the_same_person_whatever_the_name():
    assert compare(_who("J Marlowe", "acct 555123456"), _who("Someone Else", "555123456")) \
        == (SAME, "the same account number")


def test_compare_same_name_other_ending_is_only_a_suggestion():
    assert compare(_who("Jordan Marlowe", "****1234"), _who("Jordan Marlowe", "****9999"))[0] \
        == LIKELY
    assert compare(_who("Jordan Marlowe"), _who("Jordan Marlowe"))[0] == LIKELY


def test_compare_initial_and_full_first_name_is_a_likely_same_name():
    assert compare(_who("J. Marlowe", "****1234"), _who("Jordan Marlowe", "****1234")) \
        == (LIKELY, "a likely-same name")
    assert compare(_who("Jordan Lee Marlowe"), _who("Jordan Marlowe"))[0] == LIKELY


def test_compare_other_people_do_not_match():
    assert compare(_who("Jordan Marlowe", "****1234"), _who("Casey Marlowe", "****1234")) is None
    assert compare(_who("Jordan Marlowe", "****1234"), _who("Jordan Marsh", "****1234")) is None
    ending_only = Identity("", account_refs("****1234"))
    assert compare(ending_only, ending_only) is None  # an ending alone links nobody


def test_identity_of_a_report_naming_nobody_is_none():
    assert people.identity_of({"client_unknown": ["unknown"]}) is None
    assert people.identity_of({"accounts": "****1234"}) is None  # an ending alone says little


def test_match_keys_and_digests_are_keyed_only_with_a_secret():
    keys = people.match_keys(_who("Jordan Marlowe", "****1234 and 555123456"))
    assert keys == [("account", "555123456"), ("name_ending", "jordan marlowe|1234"),
                    ("name_ending", "jordan marlowe|3456"), ("name", "jordan marlowe"),
                    ("initial", "j marlowe")]
    plain = people.digest("name", "jordan marlowe", None)
    keyed = people.digest("name", "jordan marlowe", b"k1")
    assert plain != keyed != people.digest("name", "jordan marlowe", b"k2")
    assert "marlowe" not in keyed


def test_compare_keys_of_a_purged_report():
    assert people.compare_keys(["name", "name_ending"])[0] == SAME
    assert people.compare_keys(["initial"])[0] == LIKELY
    assert people.compare_keys([]) is None


def test_trend_line_counts_and_names_the_escalation_without_a_score():
    day = people.DAY
    now = 100 * day
    line = people.trend_line([(now - 20 * day, ["abusive"]), (now - 9 * day, ["abusive"]),
                              (now - 1 * day, ["physical", "abusive"])], now)
    assert line == "3 reports in 30 days, verbal → physical"
    older = people.trend_line([(now - 90 * day, ["behaviour"]), (now, ["implied"])], now)
    assert older == "2 reports in all, 1 in the last 30 days, behaviour → implied"
    assert isinstance(Identity("a", people.Accounts()).words, list)


def test_business_deadline_counts_only_open_hours():
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from care_bot.config import Branch, BusinessHours
    from care_bot.domain import ladder

    zone = ZoneInfo("America/New_York")
    branch = Branch("d", "Downtown", "America/New_York",
                    BusinessHours(time(9), time(17), (0, 1, 2, 3, 4)))
    friday_3pm = datetime(2026, 12, 4, 15, 0, tzinfo=zone).timestamp()
    due = ladder.business_deadline(friday_3pm, 4 * 3600, branch)
    assert datetime.fromtimestamp(due, zone) == datetime(2026, 12, 7, 11, 0, tzinfo=zone)
    assert ladder.business_deadline(friday_3pm, 60, None) == friday_3pm + 60
