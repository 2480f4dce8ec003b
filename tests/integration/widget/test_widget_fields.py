"""The widget's materialize (storefront_widget/src/editor/fields.js) against the server's.

The widget redraws its preview from the template fields as the shopper types, with its own copy
of ``app/design/fields.py::materialize``; the server's result is what prints. This runs
fields.js under node on every shared fixture (``tests/fixtures/fields/*.json``:
``{"template", "document", "materialized"}``, made by the server) and compares, layer by layer:
the same layers in the same order with the same values, geometry within 0.01 mm.

Auto-fit sizes may differ by design: the browser measures text with the canvas (the same font
files, its own shaping), the server with FreeType and kerning. Here fields.js is given the
server's own width of every line the server drew (``line_widths_em``), per character advances
for anything else, so the sizes agree exactly in practice; the test allows ``FIT_TOLERANCE``
(3 %, relative) on a fitted ``size_mm`` — what the browser's metrics may differ by — and on the
text's position as much as that size difference moves it (0.6 × lines × the difference).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from app.design.fonts import advance_em, default_registry
from app.design.text_layout import line_widths_em, split_lines
from tests.integration.widget.conftest import WIDGET, run_node_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "fields"
FIELDS_JS = WIDGET / "src" / "editor" / "fields.js"
GEOMETRY_MM = 0.01
FIT_TOLERANCE = 0.03
IGNORED = {"id", "name"}  # labels of a layer, not what it draws

# Reads {template, document, lines, advances} on stdin; prints materialize's document. The measure
# answers a line's width in mm: the server's width of that line when known, else per character.
RUNNER = """
import { materialize } from %s;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { template, document, lines, advances } = JSON.parse(input);
const measure = ({ text, font, weight, size_mm }) => {
  const key = font + "|" + (weight || 400);
  const known = (lines[key] || {})[text];
  if (known !== undefined) return known * size_mm;
  let em = 0;
  for (const ch of Array.from(text)) em += (advances[key] || {})[ch] ?? 0.5;
  return em * size_mm;
};
process.stdout.write(JSON.stringify(materialize(template, document, { measure })));
"""


def fixtures() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(FIXTURES.glob("*.json"))


def _metrics(fixture: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The server's widths (em) of the lines it drew, by font and weight; and per-character
    advances of every font a text field may use, for every character its value could draw."""
    registry = default_registry()
    lines: dict[str, dict[str, float]] = {}
    for area in fixture["materialized"]["areas"].values():
        for layer in area["layers"]:
            if layer.get("type") == "text" and layer.get("field"):
                face = registry.face(layer["font"], int(layer.get("weight", 400)))
                row = lines.setdefault(f"{layer['font']}|{layer.get('weight', 400)}", {})
                for line, em in zip(
                    split_lines(layer["text"]), line_widths_em(layer["text"], face), strict=True
                ):
                    row[line] = em
    values = fixture["document"].get("fields") or {}
    advances: dict[str, dict[str, float]] = {}
    for field in fixture["template"].get("fields") or []:
        if field.get("kind") != "text":
            continue
        text = str(values.get(field["id"]) or field.get("default") or "")
        chars = set(text) | set(text.upper())
        weight = int(field.get("weight", 400))
        for family in {field.get("font", "Inter"), *(field.get("fonts") or [])}:
            face = registry.face(str(family), weight)
            row = advances.setdefault(f"{family}|{weight}", {})
            for char in chars:
                index = face.file_index(char) or 0
                row[char] = advance_em(str(face.files[index].path), char)
    return lines, advances


def _materialize(fixture: dict[str, Any]) -> dict[str, Any]:
    script = RUNNER % json.dumps(FIELDS_JS.as_uri())
    lines, advances = _metrics(fixture)
    payload = {**fixture, "lines": lines, "advances": advances}
    result: dict[str, Any] = run_node_json(script, payload)
    return result


def _same(ours: Any, theirs: Any, where: str, tolerance: float = GEOMETRY_MM) -> None:
    if isinstance(theirs, bool) or not isinstance(theirs, int | float):
        if isinstance(theirs, dict) and isinstance(ours, dict):
            assert set(ours) == set(theirs), f"{where}: keys {sorted(ours)} != {sorted(theirs)}"
            for key in theirs:
                _same(ours[key], theirs[key], f"{where}.{key}", tolerance)
            return
        assert ours == theirs, f"{where}: {ours!r} != {theirs!r}"
        return
    assert isinstance(ours, int | float), f"{where}: {ours!r} is not a number"
    assert math.isclose(ours, theirs, abs_tol=tolerance), f"{where}: {ours} != {theirs}"


def _compare_layer(ours: dict[str, Any], theirs: dict[str, Any], where: str) -> None:
    keys, mine = set(theirs) - IGNORED, set(ours) - IGNORED
    assert mine == keys, f"{where}: keys {sorted(mine)} != {sorted(keys)}"
    size_gap = 0.0
    if theirs.get("type") == "text" and "size_mm" in theirs:
        lines = len(split_lines(theirs["text"]))
        size_gap = abs(ours["size_mm"] - theirs["size_mm"]) * lines
        assert size_gap <= FIT_TOLERANCE * theirs["size_mm"] + GEOMETRY_MM, (
            f"{where}.size_mm: {ours['size_mm']} != {theirs['size_mm']} (auto-fit tolerance)"
        )
    for key in keys - {"size_mm"}:
        tolerance = GEOMETRY_MM + (0.6 * size_gap if key in ("y_mm", "x_mm") else 0)
        _same(ours[key], theirs[key], f"{where}.{key}", tolerance)


@pytest.mark.parametrize("path", fixtures(), ids=lambda p: p.stem)
def test_fields_js_materializes_as_the_server(widget_tools: Path, path: Path) -> None:
    fixture = json.loads(path.read_text(encoding="utf-8"))
    ours, theirs = _materialize(fixture), fixture["materialized"]
    assert set(ours["areas"]) == set(theirs["areas"])
    for key, area in theirs["areas"].items():
        mine = ours["areas"][key]["layers"]
        assert len(mine) == len(area["layers"]), (
            f"areas.{key}: {[la.get('field') for la in mine]} != "
            f"{[la.get('field') for la in area['layers']]}"
        )
        for i, (a, b) in enumerate(zip(mine, area["layers"], strict=True)):
            _compare_layer(a, b, f"areas.{key}.layers[{i}]")


def test_there_are_shared_fixtures() -> None:
    """The comparison above runs on the server's fixtures (tests/fixtures/fields/, i18-core)."""
    if not FIXTURES.is_dir():
        pytest.skip("tests/fixtures/fields/ comes with the server's fields.py (branch i18-core)")
    assert fixtures(), "tests/fixtures/fields/ holds no fixture"
