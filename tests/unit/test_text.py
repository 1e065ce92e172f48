"""Text helpers: escaping user text, clipping without breaking entities, dates and mentions."""

import re

import pytest

from care_bot.views.text import clip, escape, mention, mrkdwn, plain, safe, slack_date
from tests.support.world import START

ENTITY_OR_PLAIN = re.compile(r"^(?:[^&<>]|&amp;|&lt;|&gt;)*…?$")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!channel> help", "&lt;!channel&gt; help"),
        ("<!here>", "&lt;!here&gt;"),
        ("<@U123>", "&lt;@U123&gt;"),
        ("<#C123|general>", "&lt;#C123|general&gt;"),
        ("<https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("&amp; already", "&amp;amp; already"),
        ("*bold* _it_", "*bold* _it_"),
        ("", ""),
        (None, ""),
    ],
)
def test_escape_makes_control_sequences_inert(text, expected):
    assert escape(text) == expected


@pytest.mark.parametrize("text", ["<!channel>", "a<b>c", "<@U1> & <@U2>", "&<>&"])
def test_escape_leaves_no_angle_brackets(text):
    escaped = escape(text)

    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("<b>", 20, "&lt;b&gt;"),
        ("<b>", 9, "&lt;b&gt;"),
        ("<b>", 8, "&lt;b…"),
        ("a&b", 5, "a…"),
        ("a&bc", 7, "a&amp;…"),
        ("plain words here", 10, "plain wor…"),
        (None, 5, ""),
    ],
)
def test_safe_escapes_then_clips(text, limit, expected):
    assert safe(text, limit) == expected


@pytest.mark.parametrize("text", ["&&&&&&&&", "<<<<>>>>", "a & b < c > d", "x" * 10 + "&" * 5])
def test_safe_never_splits_an_entity_at_any_limit(text):
    for limit in range(1, len(escape(text)) + 2):
        result = safe(text, limit)

        assert len(result) <= limit, (limit, result)
        assert ENTITY_OR_PLAIN.match(result), (limit, result)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("hello", 10, "hello"),
        ("hello", 5, "hello"),
        ("hello world", 5, "hell…"),
        ("hello", 1, "…"),
    ],
)
def test_clip_keeps_text_within_the_limit(text, limit, expected):
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


def test_slack_date_has_a_utc_fallback():
    assert slack_date(START) == (
        "<!date^1790000000^{date_short_pretty} {time}|2026-09-21 14:13 UTC>"
    )


def test_slack_date_takes_a_style_and_drops_fractions():
    expected = "<!date^1790000000^{date_long}|2026-09-21 14:13 UTC>"

    assert slack_date(START + 0.9, "{date_long}") == expected


def test_slack_date_without_a_time_is_a_dash():
    assert slack_date(None) == "—"


@pytest.mark.parametrize(("user_id", "expected"), [("U0SUE", "<@U0SUE>"), (None, "—"), ("", "—")])
def test_mention_names_a_user_or_shows_a_dash(user_id, expected):
    assert mention(user_id) == expected


def test_plain_clips_to_the_header_limit():
    obj = plain("x" * 80)

    assert obj["type"] == "plain_text" and obj["emoji"] is True
    assert obj["text"] == "x" * 74 + "…"
    assert plain("short", limit=3)["text"] == "sh…"


def test_mrkdwn_wraps_text():
    assert mrkdwn("*hi*") == {"type": "mrkdwn", "text": "*hi*"}
