"""The digest's trend chart: incidents per week (bars) and median time to acknowledge (line).

Drawn with Pillow's ``ImageDraw`` in a real font: Debian's DejaVu Sans (``fonts-dejavu-core``)
when it is installed, else the font Pillow ships (``ImageFont.load_default``).
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

from care_bot.domain.metrics import Week

WIDTH, HEIGHT = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 60, 700, 62, 320  # the plot area
WHITE = (255, 255, 255)
BAR_COLOR = (52, 101, 164)
LINE_COLOR = (214, 96, 28)
AXIS_COLOR = (60, 60, 60)
GRID_COLOR = (225, 225, 225)
TEXT_COLOR = (30, 30, 30)
TITLE = "Incidents per week and median time to acknowledge"
TITLE_SIZE, LABEL_SIZE = 18, 12
FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)
TICKS = 4  # grid lines above the zero line

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def font(size: int) -> Font:
    """DejaVu Sans at ``size`` pixels when installed, else Pillow's own default font."""
    for path in FONT_FILES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten that is at least ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return 10.0 * power


def axis_top(value: float) -> float:
    """The top of an axis holding ``value``: ``TICKS`` round steps of at least 1."""
    return TICKS * max(nice_ceiling(value / TICKS), 1.0)


def _tick_label(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def ack_unit(weeks: Sequence[Week]) -> tuple[str, float]:
    """The unit for the time axis: minutes, or hours when the medians run long."""
    longest = max((w.median_ack for w in weeks if w.median_ack is not None), default=0.0)
    return ("H", 3600.0) if longest > 2 * 3600 else ("MIN", 60.0)


def bar_box(index: int, count: int, top_count: float, weeks: int) -> tuple[int, int, int, int]:
    """The pixel box (x0, y0, x1, y1) of week ``index``'s bar."""
    slot = (RIGHT - LEFT) / weeks
    x0 = int(LEFT + index * slot + slot * 0.2)
    x1 = int(LEFT + (index + 1) * slot - slot * 0.2)
    height = int((BOTTOM - TOP) * count / top_count)
    return x0, BOTTOM - height, x1, BOTTOM


def render_chart(weeks: Sequence[Week], zone: str = "UTC") -> bytes:
    """Draw the 12-week trend and return it as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    draw.text((WIDTH // 2, 14), TITLE, fill=TEXT_COLOR, font=font(TITLE_SIZE), anchor="ma")
    top_count = axis_top(max((w.incidents for w in weeks), default=0))
    unit, per = ack_unit(weeks)
    top_time = axis_top(max((w.median_ack / per for w in weeks if w.median_ack is not None),
                            default=0))
    _axes(draw, top_count, top_time)
    points = []
    slot = (RIGHT - LEFT) / max(len(weeks), 1)
    for index, week in enumerate(weeks):
        if week.incidents:
            draw.rectangle(bar_box(index, week.incidents, top_count, len(weeks)), fill=BAR_COLOR)
        label = datetime.fromtimestamp(week.start, ZoneInfo(zone)).strftime("%m/%d")
        centre = int(LEFT + (index + 0.5) * slot)
        draw.text((centre, BOTTOM + 8), label, fill=TEXT_COLOR, font=font(LABEL_SIZE),
                  anchor="ma")
        if week.median_ack is not None:
            y = int(BOTTOM - (BOTTOM - TOP) * (week.median_ack / per) / top_time)
            points.append((centre, y))
    if len(points) > 1:
        draw.line(points, fill=LINE_COLOR, width=3, joint="curve")
    for x, y in points:
        draw.rectangle((x - 3, y - 3, x + 3, y + 3), fill=LINE_COLOR)
    _legend(draw, unit)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _axes(draw: ImageDraw.ImageDraw, top_count: float, top_time: float) -> None:
    """Grid lines with the count ticks on the left and the time ticks on the right."""
    small = font(LABEL_SIZE)
    for tick in range(TICKS + 1):
        y = int(BOTTOM - (BOTTOM - TOP) * tick / TICKS)
        draw.line((LEFT, y, RIGHT, y), fill=GRID_COLOR)
        draw.text((LEFT - 6, y), _tick_label(top_count * tick / TICKS), fill=BAR_COLOR,
                  font=small, anchor="rm")
        draw.text((RIGHT + 6, y), _tick_label(top_time * tick / TICKS), fill=LINE_COLOR,
                  font=small, anchor="lm")
    draw.line((LEFT, TOP, LEFT, BOTTOM), fill=AXIS_COLOR)
    draw.line((RIGHT, TOP, RIGHT, BOTTOM), fill=AXIS_COLOR)
    draw.line((LEFT, BOTTOM, RIGHT, BOTTOM), fill=AXIS_COLOR)


def _legend(draw: ImageDraw.ImageDraw, unit: str) -> None:
    small = font(LABEL_SIZE)
    y = HEIGHT - 26
    draw.rectangle((LEFT, y, LEFT + 12, y + 8), fill=BAR_COLOR)
    draw.text((LEFT + 18, y + 4), "Incidents (left)", fill=TEXT_COLOR, font=small, anchor="lm")
    x = LEFT + 18 + int(draw.textlength("Incidents (left)", font=small)) + 30
    draw.line((x, y + 4, x + 16, y + 4), fill=LINE_COLOR, width=3)
    label = f"Median time to acknowledge, {unit.lower()} (right)"
    draw.text((x + 22, y + 4), label, fill=TEXT_COLOR, font=small, anchor="lm")


def alt_text(weeks: Sequence[Week]) -> str:
    """A plain description of the chart for screen readers."""
    counts = ", ".join(str(w.incidents) for w in weeks)
    return (f"Bar and line chart of the last {len(weeks)} weeks. Incidents per week, oldest "
            f"first: {counts}.")
