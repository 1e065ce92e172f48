"""The digest's trend chart: incidents per week (bars) and median time to acknowledge (line)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

from care_bot.metrics import Week
from care_bot.png import Canvas, text_width

WIDTH, HEIGHT = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 60, 700, 62, 320  # the plot area
BAR_COLOR = (52, 101, 164)
LINE_COLOR = (214, 96, 28)
AXIS_COLOR = (60, 60, 60)
GRID_COLOR = (225, 225, 225)
TEXT_COLOR = (30, 30, 30)
TITLE = "Incidents per week and median time to acknowledge"


TICKS = 4  # grid lines above the zero line


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
    canvas = Canvas(WIDTH, HEIGHT)
    canvas.text((WIDTH - text_width(TITLE, 2)) // 2, 14, TITLE, TEXT_COLOR, scale=2)
    top_count = axis_top(max((w.incidents for w in weeks), default=0))
    unit, per = ack_unit(weeks)
    top_time = axis_top(max((w.median_ack / per for w in weeks if w.median_ack is not None),
                                default=0))
    for tick in range(TICKS + 1):
        y = int(BOTTOM - (BOTTOM - TOP) * tick / TICKS)
        canvas.line(LEFT, y, RIGHT, y, GRID_COLOR)
        left_label = _tick_label(top_count * tick / TICKS)
        canvas.text(LEFT - 6 - text_width(left_label), y - 3, left_label, BAR_COLOR)
        canvas.text(RIGHT + 6, y - 3, _tick_label(top_time * tick / TICKS), LINE_COLOR)
    canvas.line(LEFT, TOP, LEFT, BOTTOM, AXIS_COLOR)
    canvas.line(RIGHT, TOP, RIGHT, BOTTOM, AXIS_COLOR)
    canvas.line(LEFT, BOTTOM, RIGHT, BOTTOM, AXIS_COLOR)
    points = []
    slot = (RIGHT - LEFT) / max(len(weeks), 1)
    for index, week in enumerate(weeks):
        if week.incidents:
            canvas.rect(*bar_box(index, week.incidents, top_count, len(weeks)), BAR_COLOR)
        label = datetime.fromtimestamp(week.start, ZoneInfo(zone)).strftime("%m/%d")
        centre = int(LEFT + (index + 0.5) * slot)
        canvas.text(centre - text_width(label) // 2, BOTTOM + 8, label, TEXT_COLOR)
        if week.median_ack is not None:
            y = int(BOTTOM - (BOTTOM - TOP) * (week.median_ack / per) / top_time)
            points.append((centre, y))
    for (x0, y0), (x1, y1) in pairwise(points):
        canvas.line(x0, y0, x1, y1, LINE_COLOR, width=3)
    for x, y in points:
        canvas.rect(x - 3, y - 3, x + 3, y + 3, LINE_COLOR)
    _legend(canvas, unit)
    return canvas.png()


def _legend(canvas: Canvas, unit: str) -> None:
    y = HEIGHT - 26
    canvas.rect(LEFT, y, LEFT + 12, y + 8, BAR_COLOR)
    canvas.text(LEFT + 18, y + 1, "Incidents (left)", TEXT_COLOR)
    x = LEFT + 18 + text_width("Incidents (left)") + 30
    canvas.line(x, y + 4, x + 16, y + 4, LINE_COLOR, width=3)
    label = f"Median time to acknowledge, {unit.lower()} (right)"
    canvas.text(x + 22, y + 1, label, TEXT_COLOR)


def alt_text(weeks: Sequence[Week]) -> str:
    """A plain description of the chart for screen readers."""
    counts = ", ".join(str(w.incidents) for w in weeks)
    return (f"Bar and line chart of the last {len(weeks)} weeks. Incidents per week, oldest "
            f"first: {counts}.")
