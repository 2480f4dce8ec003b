"""The widget's design model (storefront_widget/src/editor/model.js) and the server's document
agree (issue #19): every key the widget keeps is one the schema allows, ``hidden`` and
``locked`` survive the widget's cleaning and the server's parsing, new pictures go under the
texts, and each layer is named for what it is. model.js runs under node."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.design import parse_design
from app.design.document import schema
from tests.integration.widget.conftest import WIDGET, run_node_json

MODEL_JS = WIDGET / "src" / "editor" / "model.js"

RUNNER = """
import { cleanLayer, insertIndex, layerLabel } from %s;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { layers, keys } = JSON.parse(input);
const t = (key, vars) => key + (vars ? ":" + JSON.stringify(vars) : "");
const kept = {};
for (const [type, names] of Object.entries(keys)) {
  const full = { type };
  const flags = ["hidden", "locked"];
  for (const name of names.filter((n) => n !== "type")) full[name] = flags.includes(name) || 1;
  kept[type] = Object.keys(cleanLayer(full)).filter((k) => k !== "type");
}
process.stdout.write(JSON.stringify({
  cleaned: layers.map(cleanLayer),
  labels: layers.map((l) => layerLabel(l, t)),
  under: layers.map((l) => insertIndex(layers, l)),
  kept,
}));
"""

TEXT = {"type": "text", "text": "  Happy\n birthday ", "font": "Inter", "size_mm": 8}
PLACED = {"x_mm": 1, "y_mm": 2, "width_mm": 10, "height_mm": 5}
PHOTO = {"type": "image", "src": "shops/1/upload/2026/12/abc.png", "name": "IMG_1.jpg", **PLACED}
AI = {"type": "image", "src": "shops/1/ai/2026/12/xyz.png", "name": "a fox reading", **PLACED}
CLIPART = {"type": "clipart", "src": "clipart:love/heart", "name": "Heart", **PLACED}


def _run(layers: list[dict[str, Any]], keys: dict[str, list[str]]) -> dict[str, Any]:
    result: dict[str, Any] = run_node_json(
        RUNNER % json.dumps(MODEL_JS.as_uri()), {"layers": layers, "keys": keys}
    )
    return result


def _schema_keys(kind: str) -> list[str]:
    layer = schema()["$defs"][kind]
    return sorted(layer["properties"])


def test_model_js_keeps_only_what_the_schema_allows_and_hidden_and_locked(
    widget_tools: Path,
) -> None:
    keys = {kind: _schema_keys(kind) for kind in ("text", "image", "clipart")}
    hidden = {**TEXT, "x_mm": 3, "y_mm": 4, "hidden": True, "locked": True, "extra": 1}

    result = _run([hidden, PHOTO], keys)

    for kind, kept in result["kept"].items():
        assert set(kept) <= set(keys[kind]), kind  # nothing the server would refuse
        assert {"hidden", "locked"} <= set(kept), kind
    [text, photo] = result["cleaned"]
    assert (text["hidden"], text["locked"]) == (True, True)
    assert "extra" not in text
    parsed = parse_design({"version": 1, "areas": {"front": {"layers": [text, photo]}}})
    assert [layer.hidden for layer in parsed.areas["front"]] == [True, False]


def test_names_say_what_a_layer_is_and_pictures_go_under_the_texts(widget_tools: Path) -> None:
    layers = [CLIPART, TEXT, PHOTO, {**TEXT, "text": ""}, AI]

    result = _run(layers, {})

    assert result["labels"] == [
        "Heart",
        "Happy birthday",
        "layer_image",
        "layer_text_empty",
        'layer_ai:{"prompt":"a fox reading"}',
    ]
    # A picture goes where the lowest text is (index 1), a text on top of everything.
    assert result["under"] == [1, 5, 1, 5, 1]
