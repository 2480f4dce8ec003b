"""Bulk personalization: one design with ``{{column}}`` placeholders + CSV rows → N documents.

Placeholders are filled in text layers' ``text`` and in image/clipart ``src`` refs (a photo per
row), and in the document's ``fields`` values (a text, a clipart ref, a photo's ``src``); nothing
else in the document changes, so every row renders with the same layout. With a template that
has fields, each filled row's field layers are drawn from its values (``fields.materialize``). Each
row is validated on its own: a bad row becomes a DesignError carrying its CSV line number, and
the others go on.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.design.document import Design, parse_design
from app.design.errors import DesignError
from app.design.fields import materialize
from app.design.template import TemplateSpec

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
FILLED_FIELDS = {"text": "text", "image": "src", "clipart": "src"}
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Row:
    number: int  # 1 for the first data row
    line: int  # the CSV file line the row ends on (the header is line 1)
    values: Mapping[str, str]
    problem: str | None = None  # kept, and refused when filled: the line is then reported


@dataclass(frozen=True)
class Item:
    """One row's outcome: its design, or the error that keeps it from being rendered."""

    row: Row
    design: Design | None = None
    error: DesignError | None = None


def read_rows(text: str) -> tuple[list[str], list[Row]]:
    """The header and the data rows of a CSV (UTF-8, a BOM tolerated; blank lines skipped)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = [name.strip() for name in next(reader, [])]
    if not any(header):
        raise DesignError("csv", "the CSV file is empty: its first line must name the columns")
    duplicated = sorted({name for name in header if header.count(name) > 1 and name})
    if duplicated:
        raise DesignError("csv", f"columns named twice: {', '.join(duplicated)}")
    rows: list[Row] = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) >= MAX_ROWS:
            raise DesignError("csv", f"more than {MAX_ROWS} rows; split the file")
        problem = None
        if len(record) != len(header):
            problem = f"has {len(record)} values for {len(header)} columns"
        values = dict(zip(header, record, strict=False))
        rows.append(Row(len(rows) + 1, reader.line_num, values, problem))
    return header, rows


def placeholders(document: Mapping[str, Any]) -> set[str]:
    """Every column name the document's fillable fields refer to."""
    names: set[str] = set()
    values = [value for _, _, _, value in _fillable(document)]
    values += [value for _, _, value in _fillable_values(document)]
    for value in values:
        names.update(match.strip() for match in PLACEHOLDER.findall(value))
    return names


def check_columns(document: Mapping[str, Any], header: list[str]) -> None:
    """Refuse the whole run when the design needs a column the CSV does not have."""
    missing = sorted(placeholders(document) - set(header))
    if missing:
        raise DesignError(
            "csv",
            f"the design uses {', '.join('{{' + m + '}}' for m in missing)} but the CSV has "
            f"no such column (columns: {', '.join(header)})",
        )


def fill(document: Mapping[str, Any], row: Row) -> dict[str, Any]:
    """A copy of ``document`` with the row's values in place of its placeholders."""
    if row.problem:
        raise DesignError(f"line {row.line}", row.problem)
    filled = copy.deepcopy(dict(document))

    def sub(value: str) -> str:
        return PLACEHOLDER.sub(lambda m: _value(row, m.group(1).strip()), value)

    for area, index, field, value in _fillable(filled):
        filled["areas"][area]["layers"][index][field] = sub(value)
    for key, photo, value in _fillable_values(filled):
        if photo:
            filled["fields"][key]["src"] = sub(value)
        else:
            filled["fields"][key] = sub(value)
    return filled


def _value(row: Row, column: str) -> str:
    value = row.values.get(column)
    if value is None:
        raise DesignError(f"line {row.line}", f"no value for column {column!r}")
    return value


def expand(
    document: Mapping[str, Any], rows: list[Row], template: TemplateSpec | None = None
) -> Iterator[Item]:
    """Each row's validated design, or its error (with the line number in the error's path).

    With a ``template`` that has fields, each row's field layers come from its field values."""
    for row in rows:
        try:
            filled = fill(document, row)
            if template is not None and template.fields:
                filled = materialize(template, filled)
            yield Item(row, design=parse_design(filled))
        except DesignError as exc:
            yield Item(row, error=_on_line(exc, row))


def _on_line(error: DesignError, row: Row) -> DesignError:
    if error.path.startswith("line "):
        return error
    where = f"line {row.line}: {error.path}" if error.path else f"line {row.line}"
    return DesignError(where, error.message, others=error.others)


def _fillable_values(document: Mapping[str, Any]) -> Iterator[tuple[str, bool, str]]:
    """(field id, is a photo's src, value) of each field value holding a placeholder."""
    values = document.get("fields")
    if not isinstance(values, Mapping):
        return
    for key, value in values.items():
        if isinstance(value, str) and PLACEHOLDER.search(value):
            yield str(key), False, value
        elif isinstance(value, Mapping):
            src = value.get("src")
            if isinstance(src, str) and PLACEHOLDER.search(src):
                yield str(key), True, src


def _fillable(document: Mapping[str, Any]) -> Iterator[tuple[str, int, str, str]]:
    """(area, layer index, field, value) of each text/src holding a placeholder."""
    areas = document.get("areas")
    if not isinstance(areas, Mapping):
        return
    for area, content in areas.items():
        layers = content.get("layers") if isinstance(content, Mapping) else None
        for index, layer in enumerate(layers if isinstance(layers, list) else []):
            if not isinstance(layer, Mapping):
                continue
            field = FILLED_FIELDS.get(str(layer.get("type")), "")
            value = layer.get(field)
            if field and isinstance(value, str) and PLACEHOLDER.search(value):
                yield str(area), index, field, value
