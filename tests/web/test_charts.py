"""The server-drawn bar chart: one bar per point, heights in proportion, a description."""

from __future__ import annotations

from itertools import pairwise

from robotrace.web.charts import BOTTOM, LEFT, RIGHT, TOP, bar_chart, describe


def test_each_point_gets_a_bar_in_proportion_to_the_largest():
    chart = bar_chart([("a", 2), ("b", 0), ("c", 8), ("d", 4)], "Calls", width=420, height=130)
    plot_height = 130 - TOP - BOTTOM
    assert [bar.label for bar in chart.bars] == ["a", "b", "c", "d"]
    assert [bar.height for bar in chart.bars] == [plot_height / 4, 0, plot_height, plot_height / 2]
    assert all(bar.y + bar.height == chart.base for bar in chart.bars)  # all stand on the axis
    assert chart.peak == 8 and chart.bars[2].y == TOP


def test_bars_fill_the_plot_left_to_right_without_overlapping():
    chart = bar_chart([(str(i), i) for i in range(30)], "Calls", width=720)
    xs = [(bar.x, bar.x + bar.width) for bar in chart.bars]
    assert xs[0][0] >= LEFT and xs[-1][1] <= 720 - RIGHT
    assert all(right < next_left for (_, right), (next_left, _) in pairwise(xs))


def test_no_points_make_an_empty_chart():
    chart = bar_chart([], "Calls")
    assert chart.bars == () and chart.peak == 0 and chart.description == "No calls."


def test_the_description_says_total_span_and_peak():
    text = describe([("2020-04-01", 3), ("2020-04-02", 0), ("2020-04-03", 5)], "calls")
    assert text == "8 calls from 2020-04-01 to 2020-04-03 (3 bars); the most, 5, on 2020-04-03."
