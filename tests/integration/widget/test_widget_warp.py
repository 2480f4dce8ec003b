"""The widget's cylinder warp (storefront_widget/src/editor/warp.js) against the server's
(``app.design.warp``): the live 2D preview bends the wrap exactly as the preview images do."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from app.design.warp import Cylinder

from .conftest import WIDGET, run_node_json

WARP_JS = WIDGET / "src" / "editor" / "warp.js"
CASES = [
    {"cylinder": {"circumference_mm": c, "offset_mm": o}, "width_mm": w, "width_px": px}
    for c, o, w, px in (
        (257.61, 0, 200, 340),
        (257.61, 64.4, 200, 340),
        (257.61, -100, 200, 280),
        (120.0, 10, 100, 97),
        (900.0, 0, 250, 640),
    )
]
TS = [-1.2, -1.0, -0.999, -0.5, -0.1, 0.0, 0.25, 0.7071, 0.99, 1.0, 1.01]


def _widget(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    script = (
        f"import {{ sourceMm, centrePxPerMm }} from {json.dumps(WARP_JS.as_uri())};\n"
        'import { readFileSync } from "node:fs";\n'
        "const cases = JSON.parse(readFileSync(0, 'utf8'));\n"
        f"const ts = {json.dumps(TS)};\n"
        "console.log(JSON.stringify(cases.map((c) => ({\n"
        "  sources: ts.map((t) => sourceMm(c.cylinder, t, c.width_mm)),\n"
        "  centre: centrePxPerMm(c.cylinder, c.width_px),\n"
        "}))));\n"
    )
    answer: list[dict[str, Any]] = run_node_json(script, cases)
    return answer


def test_warp_js_bends_the_wrap_as_the_server(widget_tools: Path) -> None:
    for case, theirs in zip(CASES, _widget(CASES), strict=True):
        cylinder = Cylinder(**case["cylinder"])
        ours = [cylinder.source_mm(t, case["width_mm"]) for t in TS]
        for t, mine, js in zip(TS, ours, theirs["sources"], strict=True):
            where = f"{case} at t={t}"
            assert (mine is None) == (js is None), f"{where}: {mine} != {js}"
            if mine is not None:
                assert math.isclose(mine, js, abs_tol=1e-9), f"{where}: {mine} != {js}"
        centre = cylinder.centre_px_per_mm(case["width_px"])
        assert math.isclose(theirs["centre"], centre, rel_tol=1e-12)
