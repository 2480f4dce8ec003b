"""The analytics CSV: every counter of a period, then the surcharge revenue per day.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and tab or carriage
return) as a formula, so text that can come from a merchant or a design (template names, font
families, clipart refs) is written with a leading apostrophe when it starts with one of them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("day", "template_id", "template", "event", "key", "count")


def cell(value: str) -> str:
    """Text as a spreadsheet shows it and never runs it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_lines(
    counters: Iterable[tuple[date, int, str, str, int]],
    names: dict[int, str],
    revenue: Iterable[tuple[date, str, Decimal]],
) -> Iterator[str]:
    """The CSV text, one line at a time (header first). Revenue rows have event
    ``surcharge_revenue``, the currency as key and the amount as count."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(row: Iterable[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        return buffer.getvalue()

    yield line(HEADER)
    for day, template_id, kind, key, count in counters:
        name = names.get(template_id, "")
        yield line((day.isoformat(), template_id or "", cell(name), kind, cell(key), count))
    for day, currency, amount in revenue:
        yield line((day.isoformat(), "", "", "surcharge_revenue", cell(currency), f"{amount:.2f}"))
