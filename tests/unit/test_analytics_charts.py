"""The inline SVG charts (``app.analytics.charts``): well-formed, named, escaped, to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from app.analytics.charts import _nice_max, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def test_a_line_chart_is_an_image_named_by_its_title_and_description() -> None:
    root = parse(
        line_chart("Funnel <daily>", "Counts & rates", ["a", "b", "c"], [("x", [1, 2, 3])])
    )

    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert (title.text, desc.text) == ("Funnel <daily>", "Counts & rates")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_points_are_placed_to_scale_and_a_gap_breaks_the_line() -> None:
    svg = line_chart("t", "d", ["1", "2", "3", "4", "5"], [("s", [0, 10, None, 5, 10])])
    root = parse(svg)

    lines = root.findall(f"{SVG}polyline")
    dots = root.findall(f"{SVG}circle")
    assert len(lines) == 2
    assert len(dots) == 0
    first, second = (
        [tuple(map(float, p.split(","))) for p in line.get("points", "").split()] for line in lines
    )
    assert len(first) == len(second) == 2
    (x0, y0), (x1, y1) = first
    assert x1 > x0
    assert y1 < y0
    assert second[1][1] == y1  # both 10s at the same height
    assert second[0][1] == (y0 + y1) / 2  # 5 halfway up
    single = line_chart("t", "d", ["1", "2", "3"], [("s", [1, None, 2])])
    assert len(re.findall("<circle", single)) == 2  # a lone point is a dot


def test_text_from_merchants_is_escaped() -> None:
    evil = '<script>alert(1)</script>"'
    svg = bar_chart("t", "d", [(evil, 3.0)]) + line_chart("t", "d", [evil], [(evil, [1])])

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    for chart in (bar_chart("t", "d", [(evil, 3.0)]), line_chart("t", "d", [evil], [(evil, [1])])):
        parse(chart)


def test_bars_are_proportional_and_an_empty_chart_still_draws() -> None:
    root = parse(bar_chart("t", "d", [("a", 10.0), ("b", 5.0), ("c", 0.0)]))
    widths = [float(r.get("width", "0")) for r in root.iter(f"{SVG}rect")]

    assert widths[0] == 2 * widths[1]
    assert widths[2] == 0
    parse(bar_chart("t", "d", []))
    parse(line_chart("t", "d", [], []))
    parse(line_chart("t", "d", ["a"], [("s", [None])], percent=True))


def test_the_axis_ends_on_a_round_number() -> None:
    assert [_nice_max(v) for v in (0, 0.3, 1, 7, 10, 11, 99, 101, 4300)] == [
        1.0,
        0.5,
        1.0,
        10.0,
        10.0,
        20.0,
        100.0,
        200.0,
        5000.0,
    ]


def test_a_chart_is_a_pure_function_of_its_input() -> None:
    args = ("Funnel", "per day", ["a", "b"], [("x", [1.0, 2.0])])

    assert line_chart(*args) == line_chart(*args)
    assert line_chart("Other", "per day", ["a"], []) != line_chart(*args)
