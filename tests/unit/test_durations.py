"""Durations: the "90s" / "15m" / "4h" / "3d" forms used in care.toml."""

from datetime import timedelta

import pytest

from care_bot.domain.durations import format_duration, parse_duration

MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1s", timedelta(seconds=1)),
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("4h", timedelta(hours=4)),
        ("3d", timedelta(days=3)),
        ("007m", timedelta(minutes=7)),
        ("100d", timedelta(days=100)),
    ],
)
def test_parse_duration_reads_each_unit(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", [" 4h", "4h ", "4 h", " 4 h", "\t4h\n", "  4   h  "])
def test_parse_duration_ignores_whitespace_around_and_inside(text):
    assert parse_duration(text) == timedelta(hours=4)


@pytest.mark.parametrize("text", ["0m", "0s", "00d", " 0 h"])
def test_parse_duration_rejects_zero(text):
    with pytest.raises(ValueError, match="must be longer than zero"):
        parse_duration(text)


@pytest.mark.parametrize(
    "value",
    ["5x", "", "   ", "4", "h", "-5m", "+5m", "1.5h", "4H", "4h30m", "15 minutes", "m15",
     "4 4h", 15, 4.0, None, timedelta(hours=4)],
)
def test_parse_duration_rejects_anything_else(value):
    with pytest.raises(ValueError, match="is not a duration like"):
        parse_duration(value)


def test_parse_duration_error_quotes_the_bad_value():
    with pytest.raises(ValueError) as caught:
        parse_duration("5x")

    assert str(caught.value) == "'5x' is not a duration like \"90s\", \"15m\", \"4h\" or \"3d\""


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=1), "1s"),
        (timedelta(seconds=90), "90s"),
        (timedelta(minutes=15), "15m"),
        (timedelta(minutes=90), "90m"),
        (timedelta(hours=1), "1h"),
        (timedelta(hours=36), "36h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=10), "10d"),
        (timedelta(0), "0s"),
    ],
)
def test_format_duration_uses_largest_exact_unit(delta, expected):
    assert format_duration(delta) == expected


@pytest.mark.parametrize("text", ["1s", "90s", "15m", "90m", "4h", "36h", "3d", "10d"])
def test_format_duration_round_trips_canonical_text(text):
    assert format_duration(parse_duration(text)) == text


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("60s", "1m"), ("120m", "2h"), ("24h", "1d"), ("1440m", "1d"), (" 4 h", "4h")],
)
def test_format_duration_normalises_and_keeps_the_value(text, canonical):
    formatted = format_duration(parse_duration(text))

    assert formatted == canonical
    assert parse_duration(formatted) == parse_duration(text)


@pytest.mark.parametrize("minutes", [1, 59, 60, 61, 1439, 1440, 2880, 10081])
def test_parse_duration_round_trips_formatted_minutes(minutes):
    assert parse_duration(format_duration(minutes * MINUTE)) == minutes * MINUTE
