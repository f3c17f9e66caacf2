"""Charts drawn by the server as inline SVG: no script, no chart library, nothing fetched.

The geometry is computed here, as plain data; the template ``_bar_chart.html`` draws it with
a ``<title>`` and a ``<desc>`` that say what it shows, and the same numbers as a table for
screen readers and text browsers.

The SVG holds the bars only and stretches to the width of its frame (``preserveAspectRatio
="none"``); the axis labels are HTML text beside it, so they keep their size in CSS pixels
at any width instead of shrinking with the drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, TOP, BOTTOM = 0, 0, 6, 0  # the labels are outside the drawing; room at the top
BAR_SHARE = 0.8  # of each slot; the rest is the gap between bars


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    """A bar chart's geometry in a ``width`` × ``height`` view box; ``base`` is the y of the
    x axis, ``left`` and ``right`` the x range of the plot."""

    title: str
    description: str
    width: int
    height: int
    left: float
    right: float
    top: float
    base: float
    peak: int
    bars: tuple[Bar, ...]


def _place(index: int, label: str, value: int, slot: float, peak: int, plot_height: float) -> Bar:
    height = plot_height * value / peak if peak else 0.0
    return Bar(
        label=label,
        value=value,
        x=round(LEFT + index * slot + slot * (1 - BAR_SHARE) / 2, 2),
        y=round(TOP + plot_height - height, 2),
        width=round(slot * BAR_SHARE, 2),
        height=round(height, 2),
    )


def describe(points: Sequence[tuple[str, int]], unit: str) -> str:
    """One sentence for the chart's ``<desc>``: the total, the span and the peak."""
    if not points:
        return f"No {unit}."
    total = sum(value for _, value in points)
    peak_label, peak = max(points, key=lambda point: point[1])
    return (
        f"{total} {unit} from {points[0][0]} to {points[-1][0]} ({len(points)} bars); "
        f"the most, {peak}, on {peak_label}."
    )


def bar_chart(
    points: Sequence[tuple[str, int]],
    title: str,
    unit: str = "calls",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> BarChart:
    """Bars for ``(label, value)`` points, left to right, heights in proportion to the
    largest value (which reaches the top of the plot)."""
    peak = max((value for _, value in points), default=0)
    plot_height = height - TOP - BOTTOM
    slot = (width - LEFT - RIGHT) / max(len(points), 1)
    bars = tuple(
        _place(i, label, value, slot, peak, plot_height) for i, (label, value) in enumerate(points)
    )
    return BarChart(
        title=title,
        description=describe(points, unit),
        width=width,
        height=height,
        left=LEFT,
        right=width - RIGHT,
        top=TOP,
        base=height - BOTTOM,
        peak=peak,
        bars=bars,
    )
