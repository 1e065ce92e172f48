"""The PNG writer and its bitmap font: decoded back, pixel by pixel."""

from __future__ import annotations

import pytest

from care_bot.png import BLACK, GLYPH_ADVANCE, Canvas, encode_png, glyph, text_width
from tests.support.png_decode import decode


def test_png_round_trips_size_and_every_pixel():
    canvas = Canvas(7, 5)
    canvas.set(0, 0, (255, 0, 0))
    canvas.set(6, 4, (0, 0, 255))
    decoded = decode(canvas.png())
    assert (decoded.width, decoded.height) == (7, 5)
    assert decoded.pixel(0, 0) == (255, 0, 0)
    assert decoded.pixel(6, 4) == (0, 0, 255)
    assert decoded.pixel(3, 2) == (255, 255, 255)
    assert decoded.count((255, 255, 255)) == 7 * 5 - 2


def test_png_rect_is_inclusive_and_clipped():
    canvas = Canvas(10, 10)
    canvas.rect(8, 8, 20, 20, (0, 128, 0))
    canvas.rect(-5, -5, -1, -1, (1, 2, 3))  # wholly outside: nothing
    decoded = decode(canvas.png())
    assert decoded.count((0, 128, 0)) == 4
    assert decoded.count((1, 2, 3)) == 0


def test_png_line_touches_both_ends_and_the_diagonal():
    canvas = Canvas(20, 20)
    canvas.line(0, 0, 19, 19, BLACK)
    decoded = decode(canvas.png())
    assert all(decoded.pixel(i, i) == BLACK for i in range(20))
    assert decoded.count(BLACK) == 20


def test_png_text_draws_the_glyph_bits():
    canvas = Canvas(20, 10)
    canvas.text(1, 1, "1", BLACK)
    decoded = decode(canvas.png())
    rows = glyph("1")
    for row, bits in enumerate(rows):
        for column in range(5):
            expected = BLACK if bits & (1 << (4 - column)) else (255, 255, 255)
            assert decoded.pixel(1 + column, 1 + row) == expected
    assert decoded.count(BLACK) == sum(bin(bits).count("1") for bits in rows)


def test_png_text_scale_and_width():
    assert text_width("AB") == 2 * GLYPH_ADVANCE - 1
    assert text_width("AB", 2) == 2 * (2 * GLYPH_ADVANCE - 1)
    canvas = Canvas(30, 20)
    canvas.text(0, 0, "I", BLACK, scale=2)
    assert decode(canvas.png()).count(BLACK) == 4 * sum(bin(b).count("1") for b in glyph("I"))


def test_png_lowercase_uses_uppercase_and_unknown_is_blank():
    assert glyph("a") == glyph("A")
    assert glyph("€") == glyph(" ")


def test_png_rejects_mismatched_rows():
    with pytest.raises(ValueError):
        encode_png(2, 2, [b"\x00" * 6])
    with pytest.raises(ValueError):
        Canvas(0, 3)


def test_png_signature_and_crc_are_checked_by_the_decoder():
    data = bytearray(Canvas(3, 3).png())
    data[20] ^= 0xFF  # inside IHDR
    with pytest.raises(ValueError, match="CRC"):
        decode(bytes(data))
