"""Row ids as clients send them: whole numbers within the database's 32-bit ``integer`` range.

PostgreSQL refuses a larger number outright (``integer out of range``), so an id past 2**31 - 1
can name no row: the URL converter answers 404 for it and ``row_id`` returns None for it,
before any query is made.
"""

from __future__ import annotations

from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1  # every primary key is a PostgreSQL integer (app/models/base.py)


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in every route: digits up to ``DB_INT_MAX``; a larger number is a 404.

    It raises NotFound itself rather than werkzeug's ValidationError: that one makes the router
    answer 405 whenever a rule of another method has the same path.
    """

    def to_python(self, value: str) -> int:
        if len(value) > len(str(DB_INT_MAX)) or int(value) > DB_INT_MAX:
            raise NotFound("There is nothing with this number.")
        return int(super().to_python(value))


def in_range(value: int) -> bool:
    return 0 < value <= DB_INT_MAX


def row_id(value: Any) -> int | None:
    """A positive id (a JSON number or a string of digits) a row could have, else None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not in_range(value):
        return None
    return value


def parse_row_id(text: str) -> int:
    """``request.form.get(name, type=parse_row_id)``: ValueError (hence None) unless a row id."""
    value = row_id(text)
    if value is None:
        raise ValueError("not a row id")
    return value
