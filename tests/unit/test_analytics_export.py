"""The analytics CSV (``app.analytics.export``) and the report's periods."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from app.analytics.events import design_usage
from app.analytics.export import cell, csv_lines
from app.analytics.report import Period
from app.models import EventKind


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("Inter", "Inter"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_a_cell_never_starts_a_formula(value: str, written: str) -> None:
    assert cell(value) == written


def test_the_csv_quotes_and_defuses_what_it_writes() -> None:
    counters = [
        (date(2026, 1, 2), 7, "font", '=HYPERLINK("x"),"a', 3),
        (date(2026, 1, 2), 0, "editor_opened", "", 5),
    ]
    text = "".join(
        csv_lines(counters, {7: 'Mug, "big"'}, [(date(2026, 1, 2), "EUR", Decimal("12.5"))])
    )
    rows = list(csv.reader(io.StringIO(text)))

    assert rows == [
        ["day", "template_id", "template", "event", "key", "count"],
        ["2026-01-02", "7", 'Mug, "big"', "font", '\'=HYPERLINK("x"),"a', "3"],
        ["2026-01-02", "", "", "editor_opened", "", "5"],
        ["2026-01-02", "", "", "surcharge_revenue", "EUR", "12.50"],
    ]


def test_periods_end_today_and_group_long_ranges_by_week() -> None:
    today = date(2026, 12, 6)  # a Sunday
    week = Period.ending(today, "7d")
    year = Period.ending(today, "12m")
    forced = Period.ending(today, "90d", "day")
    unknown = Period.ending(today, "forever", "hour")

    assert (week.start, week.by, len(week.buckets())) == (date(2026, 11, 30), "day", 7)
    assert (year.start, year.by) == (date(2025, 12, 7), "week")
    assert year.buckets()[0] == date(2025, 12, 1)  # the Monday of its first week
    assert all(b.weekday() == 0 for b in year.buckets())
    assert (forced.by, len(forced.buckets())) == ("day", 90)
    assert (unknown.key, unknown.by) == ("30d", "day")


def test_design_usage_reads_fonts_clipart_colours_and_pictures_never_the_text() -> None:
    document = {
        "version": 1,
        "areas": {
            "front": {
                "layers": [
                    {"type": "text", "text": "Ada Lovelace", "font": "Inter", "color": "#ABC"},
                    {"type": "clipart", "src": "clipart:love/heart", "color": "#000000"},
                    {"type": "image", "src": "file:12", "color": "#ffffff"},
                    {"type": "image", "src": "shops/1/upload/x.png"},
                    {"type": "shape", "fill": "not a colour"},
                    "junk",
                ]
            },
            "back": "junk",
        },
    }

    used, files = design_usage(document)

    assert dict(used) == {
        (EventKind.FONT, "Inter"): 1,
        (EventKind.COLOUR, "#aabbcc"): 1,
        (EventKind.CLIPART, "clipart:love/heart"): 1,
        (EventKind.COLOUR, "#000000"): 1,
    }
    assert files == {12}
    assert "Ada Lovelace" not in repr(used)
    assert design_usage(None) == (design_usage({})[0], set())
