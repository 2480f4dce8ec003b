"""Cropping on the canvas (storefront_widget/src/editor/crop.js): dragging a side of a picture's
box crops or uncrops the picture on that side only. What the shopper sees as the rule: every part
of the picture still shown stays exactly where it was on the product, whatever the picture's
quarter turn, flips and the layer's rotation; the crop stops at the picture's edges and at 5 %.

The placement below is written independently from the print's definition (app/design/images.py
and adjust.py: crop, then turn clockwise, then flip, scaled into the box, then the box rotated
about its centre)."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

from .conftest import WIDGET, run_node_json

CROP_JS = WIDGET / "src" / "editor" / "crop.js"
SIZE = (1800, 1200)  # the picture's pixels


def _move(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    script = (
        f"import {{ moveSide, uncropped }} from {json.dumps(CROP_JS.as_uri())};\n"
        'import { readFileSync } from "node:fs";\n'
        "const cases = JSON.parse(readFileSync(0, 'utf8'));\n"
        "console.log(JSON.stringify(cases.map((c) => ({\n"
        "  moved: moveSide(c.layer, c.side, c.d, c.size),\n"
        "  room: uncropped(c.layer, c.size),\n"
        "}))));\n"
    )
    answer: list[dict[str, Any]] = run_node_json(script, cases)
    return answer


def _on_area(layer: dict[str, Any], u: float, v: float) -> tuple[float, float] | None:
    """Where the picture's point (u, v) (fractions of the whole picture) lands on the area, in
    mm, or None when the crop hides it."""
    c = layer.get("crop") or {"x": 0, "y": 0, "width": 1, "height": 1}
    a = (u - c["x"]) / c["width"]
    b = (v - c["y"]) / c["height"]
    if not (-1e-9 <= a <= 1 + 1e-9 and -1e-9 <= b <= 1 + 1e-9):
        return None
    # centred, in units of the cropped picture's width and height
    x, y = a - 0.5, b - 0.5
    turn = layer.get("turn", 0)
    for _ in range(turn // 90):  # a quarter clockwise (y points down): (x, y) -> (-y, x)
        x, y = -y, x
    if layer.get("flip_x"):
        x = -x
    if layer.get("flip_y"):
        y = -y
    # the turned picture fills the box: its width along the box's width
    bx = x * layer["width_mm"]
    by = y * layer["height_mm"]
    angle = math.radians(layer.get("rotation_deg", 0))
    cx = layer["x_mm"] + layer["width_mm"] / 2
    cy = layer["y_mm"] + layer["height_mm"] / 2
    return (
        cx + bx * math.cos(angle) - by * math.sin(angle),
        cy + bx * math.sin(angle) + by * math.cos(angle),
    )


def _layer(rng: random.Random, turn: int, flip_x: bool, flip_y: bool) -> dict[str, Any]:
    crop = {"x": 0.1, "y": 0.05, "width": 0.6, "height": 0.7}
    # an unframed box has the cropped picture's proportions (turned)
    w_px, h_px = crop["width"] * SIZE[0], crop["height"] * SIZE[1]
    if turn in (90, 270):
        w_px, h_px = h_px, w_px
    width = rng.uniform(40, 120)
    layer: dict[str, Any] = {
        "type": "image",
        "x_mm": rng.uniform(-10, 60),
        "y_mm": rng.uniform(-10, 40),
        "width_mm": width,
        "height_mm": width * h_px / w_px,
        "rotation_deg": rng.choice([0, 17.5, -90, 133]),
        "crop": crop,
    }
    if turn:
        layer["turn"] = turn
    if flip_x:
        layer["flip_x"] = True
    if flip_y:
        layer["flip_y"] = True
    return layer


CASES = [
    {"layer": _layer(random.Random(i), turn, fx, fy), "side": side, "d": d, "size": SIZE}
    for i, (turn, fx, fy, side, d) in enumerate(
        itertools.product(
            (0, 90, 180, 270),
            (False, True),
            (False, True),
            ("left", "right", "top", "bottom"),
            (6.0, -4.0),
        )
    )
]


def test_what_stays_shown_stays_where_it_was(widget_tools: Path) -> None:
    grid = [(u / 10, v / 10) for u in range(11) for v in range(11)]
    for case, answer in zip(CASES, _move(CASES), strict=True):
        before, after = case["layer"], {**case["layer"], **answer["moved"]}
        if answer["moved"].get("crop") is None:
            after.pop("crop", None)
        kept = 0
        for u, v in grid:
            old, new = _on_area(before, u, v), _on_area(after, u, v)
            if old is not None and new is not None:
                kept += 1
                flips = (before.get("flip_x"), before.get("flip_y"))
                where = f"{case['side']} turn={before.get('turn')} flips={flips} at ({u}, {v})"
                assert new[0] == pytest.approx(old[0], abs=0.05), where
                assert new[1] == pytest.approx(old[1], abs=0.05), where
        assert kept > 20
        # the dragged side moved by d (inwards positive), outwards no further than the picture
        expected = max(case["d"], -answer["room"][case["side"]])
        moved = after["width_mm"] if case["side"] in ("left", "right") else after["height_mm"]
        was = before["width_mm"] if case["side"] in ("left", "right") else before["height_mm"]
        assert was - moved == pytest.approx(expected, abs=0.05)


def test_the_crop_stops_at_the_pictures_edge_and_at_five_percent(widget_tools: Path) -> None:
    layer = _layer(random.Random(7), 0, False, False)
    far = [
        {"layer": layer, "side": "left", "d": -1000.0, "size": SIZE},
        {"layer": layer, "side": "left", "d": 1000.0, "size": SIZE},
        {"layer": {**layer, "crop": None}, "side": "right", "d": -50.0, "size": SIZE},
    ]
    out, inside, full = _move(far)
    assert out["moved"]["crop"]["x"] == 0
    assert out["moved"]["crop"]["width"] == pytest.approx(0.7)
    # what was cropped away on the left was 0.1 of the picture: the box grew by as much
    assert out["room"]["left"] == pytest.approx(layer["width_mm"] * 0.1 / 0.6, rel=1e-3)
    assert out["moved"]["width_mm"] == pytest.approx(layer["width_mm"] * 0.7 / 0.6, rel=1e-3)
    assert inside["moved"]["crop"]["width"] == pytest.approx(0.05)
    assert inside["moved"]["crop"]["x"] == pytest.approx(0.65)
    # an uncropped picture cannot grow: no crop, same box
    assert full["moved"].get("crop") is None
    assert full["moved"]["width_mm"] == pytest.approx(layer["width_mm"])
