"""The digest chart: size, bars proportional to counts, the median line drawn."""

from __future__ import annotations

import io

from PIL import Image

from care_bot.domain.metrics import Week
from care_bot.views import chart

WEEK = 7 * 86400


def decode(data: bytes) -> Image.Image:
    """Open PNG bytes with Pillow (``verify`` first: a bad chunk or CRC raises)."""
    Image.open(io.BytesIO(data)).verify()
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.mode == "RGB"
    return image


def pixels_of(image: Image.Image, color: tuple[int, int, int]) -> int:
    counts = image.getcolors(image.width * image.height)
    return next((n for n, found in counts if found == color), 0)


def _weeks(counts, medians):
    pairs = enumerate(zip(counts, medians, strict=True))
    return [Week(1_790_000_000 + i * WEEK, c, m) for i, (c, m) in pairs]


def test_chart_is_a_png_of_the_chart_size():
    image = decode(chart.render_chart(_weeks([0] * 12, [None] * 12)))
    assert image.size == (chart.WIDTH, chart.HEIGHT)
    assert image.getpixel((0, 0)) == (255, 255, 255)


def test_chart_bars_are_proportional_and_absent_for_empty_weeks():
    counts = [0, 1, 2, 8] + [0] * 8
    image = decode(chart.render_chart(_weeks(counts, [None] * 12)))
    top = chart.axis_top(8)
    for index, count in enumerate(counts):
        x0, y0, x1, y1 = chart.bar_box(index, max(count, 1), top, 12)
        middle = (x0 + x1) // 2
        column = [image.getpixel((middle, y)) == chart.BAR_COLOR for y in range(chart.TOP, y1)]
        assert sum(column) == (y1 - y0 if count else 0)
    tallest = chart.bar_box(3, 8, top, 12)
    assert tallest[1] == chart.TOP  # 8 of 8: full height


def test_chart_draws_the_median_line_only_where_there_are_acks():
    medians = [None] * 6 + [600.0, 1200.0, 300.0, None, None, 900.0]
    with_line = decode(chart.render_chart(_weeks([1] * 12, medians)))
    without = decode(chart.render_chart(_weeks([1] * 12, [None] * 12)))
    assert pixels_of(with_line, chart.LINE_COLOR) > pixels_of(without, chart.LINE_COLOR) + 100
    # the first half has no acknowledgements: no orange inside the plot there
    half = (chart.LEFT + chart.RIGHT) // 2
    assert not any(with_line.getpixel((x, y)) == chart.LINE_COLOR
                   for x in range(chart.LEFT + 1, half - 40)
                   for y in range(chart.TOP, chart.BOTTOM))


def test_chart_time_unit_switches_to_hours_for_long_medians():
    assert chart.ack_unit(_weeks([1], [3600.0])) == ("MIN", 60.0)
    assert chart.ack_unit(_weeks([1], [3 * 3600.0])) == ("H", 3600.0)


def test_chart_nice_ceiling_and_axis_top():
    assert [chart.nice_ceiling(v) for v in (0, 1, 3, 7, 11, 23, 240)] == [1, 1, 5, 10, 20, 50, 500]
    assert [chart.axis_top(v) for v in (0, 3, 4, 5, 7, 9, 30)] == [4, 4, 4, 8, 8, 20, 40]


def test_chart_alt_text_lists_the_counts():
    assert "1, 2, 3" in chart.alt_text(_weeks([1, 2, 3], [None] * 3))


def _title_ink(image: Image.Image) -> int:
    """Dark pixels in the title's band: the title was drawn in a real font."""
    band = image.crop((0, 0, chart.WIDTH, chart.TOP - 20)).convert("L")
    return sum(band.histogram()[:128])


def test_chart_writes_its_title_in_dejavu_or_pillows_own_font(monkeypatch):
    weeks = _weeks([1] * 12, [None] * 12)
    assert _title_ink(decode(chart.render_chart(weeks))) > 300
    monkeypatch.setattr(chart, "FONT_FILES", ("/nonexistent/DejaVuSans.ttf",))
    chart.font.cache_clear()
    try:
        fallback = chart.font(chart.TITLE_SIZE)
        assert _title_ink(decode(chart.render_chart(weeks))) > 300
    finally:
        chart.font.cache_clear()
    assert getattr(fallback, "size", None) == chart.TITLE_SIZE  # Pillow's font, at that size
