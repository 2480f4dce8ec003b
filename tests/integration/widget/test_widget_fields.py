"""The widget's materialize (storefront_widget/src/editor/fields.js) against the server's.

The widget redraws its preview from the template fields as the shopper types, with its own copy
of ``app/design/fields.py::materialize``; the server's result is what prints. This runs
fields.js under node on every shared fixture (``tests/fixtures/fields/*.json``:
``{"template", "document", "materialized"}``, made by the server) and compares, layer by layer:
the same layers in the same order with the same values, geometry within 0.01 mm.

Auto-fit sizes differ by design: the browser measures text with the canvas, the server with the
font files and kerning. Here fields.js measures with the server fonts' own advances (per
character, no kerning), so a fitted ``size_mm`` must agree within ``FIT_TOLERANCE`` (3 %,
relative), and the text's ``y_mm`` (centred in its box by its line height) within 0.6 × the size
difference plus 0.01 mm.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.design.fonts import advance_em, default_registry
from tests.integration.widget.conftest import WIDGET, node_env

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "fields"
FIELDS_JS = WIDGET / "src" / "editor" / "fields.js"
GEOMETRY_MM = 0.01
FIT_TOLERANCE = 0.03
IGNORED = {"id", "name"}  # labels of a layer, not what it draws

# Reads {template, document, advances} on stdin; prints materialize's document.
RUNNER = """
import { materialize } from %s;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { template, document, advances } = JSON.parse(input);
const measure = ({ text, font, weight, size_mm }) => {
  const table = advances[font + "|" + (weight || 400)] || {};
  let em = 0;
  for (const ch of Array.from(text)) em += table[ch] ?? 0.5;
  return em * size_mm;
};
process.stdout.write(JSON.stringify(materialize(template, document, { measure })));
"""


def fixtures() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(FIXTURES.glob("*.json"))


def _advances(fixture: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per-character advances (em) of every font a text field may use, for every character
    its value or default could draw (both cases: uppercase fields)."""
    registry = default_registry()
    values = fixture["document"].get("fields") or {}
    table: dict[str, dict[str, float]] = {}
    for field in fixture["template"].get("fields") or []:
        if field.get("kind") != "text":
            continue
        text = str(values.get(field["id"]) or field.get("default") or "")
        chars = set(text) | set(text.upper())
        weight = int(field.get("weight", 400))
        for family in {field.get("font"), *(field.get("fonts") or [])} - {None}:
            face = registry.face(str(family), weight)
            row = table.setdefault(f"{family}|{weight}", {})
            for char in chars:
                index = face.file_index(char) or 0
                row[char] = advance_em(str(face.files[index].path), char)
    return table


def _materialize(fixture: dict[str, Any]) -> dict[str, Any]:
    script = RUNNER % json.dumps(FIELDS_JS.as_uri())
    payload = {**fixture, "advances": _advances(fixture)}
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(payload),
        cwd=WIDGET,
        env=node_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
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
        size_gap = abs(ours["size_mm"] - theirs["size_mm"])
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
