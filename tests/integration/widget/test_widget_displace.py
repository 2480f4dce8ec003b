"""The widget's fabric displacement (storefront_widget/src/editor/displace.js) against the
server's (``app.design.displace`` and the raster's remap): the live 2D preview moves the print
along the folds exactly as the preview images do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from app.design import displace
from app.design.vips import from_numpy, remap_grid, to_numpy

from .conftest import WIDGET, run_node_json

DISPLACE_JS = WIDGET / "src" / "editor" / "displace.js"


def _folds(width: int, height: int, seed: int) -> Any:
    """RGBA photo of a fabric: soft diagonal folds plus weave noise."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width]
    tone = 170 + 60 * np.sin((xs + 2 * ys) / 9.0) + rng.integers(-20, 20, (height, width))
    rgb = np.stack([tone, tone * 0.9, tone * 0.8], axis=-1).clip(0, 255)
    return np.concatenate([rgb, np.full((height, width, 1), 255)], axis=-1).astype(np.uint8)


def _art(width: int, height: int) -> Any:
    """RGBA print: a red block with a clear margin and a soft alpha ramp."""
    art = np.zeros((height, width, 4), np.uint8)
    art[2:-2, 3:-3] = (220, 38, 38, 255)
    art[:, : width // 3, 3] = np.linspace(0, 255, width // 3).astype(np.uint8)[None, :] // 2
    art[:, : width // 3, :3] = (30, 90, 200)
    return art


def _widget(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    script = (
        "import { blurRadius, luminance, offsets, displaced } from "
        f"{json.dumps(DISPLACE_JS.as_uri())};\n"
        'import { readFileSync } from "node:fs";\n'
        "const cases = JSON.parse(readFileSync(0, 'utf8'));\n"
        "console.log(JSON.stringify(cases.map((c) => {\n"
        "  const lum = luminance(Uint8ClampedArray.from(c.photo), c.width, c.height);\n"
        "  const off = offsets(lum, c.width, c.height, c.strength);\n"
        "  const out = displaced(Uint8ClampedArray.from(c.art), c.width, c.height, off);\n"
        "  return { radius: blurRadius(c.width, c.height), lum: [...lum], offsets: [...off],"
        " pixels: [...out] };\n"
        "})));\n"
    )
    answer: list[dict[str, Any]] = run_node_json(script, cases, timeout=120)
    return answer


def test_displace_js_moves_the_print_as_the_server(widget_tools: Path) -> None:
    sizes = [(40, 30, 6.0, 1), (81, 57, 14.5, 2), (25, 90, 0.0, 3), (64, 64, 40.0, 4)]
    cases = [
        {
            "width": w,
            "height": h,
            "strength": s,
            "photo": _folds(w, h, seed).ravel().tolist(),
            "art": _art(w, h).ravel().tolist(),
        }
        for w, h, s, seed in sizes
    ]
    for (w, h, strength, seed), theirs in zip(sizes, _widget(cases), strict=True):
        lum = displace.luminance(_folds(w, h, seed))
        offset = displace.offsets(lum, strength)
        assert theirs["radius"] == displace.blur_radius(w, h)
        assert np.allclose(np.array(theirs["lum"]).reshape(h, w), lum, atol=1e-12)
        assert np.allclose(np.array(theirs["offsets"]).reshape(h, w), offset, atol=1e-9)

        xs, ys = displace.sample_grid(offset)
        ours = to_numpy(remap_grid(from_numpy(_art(w, h)).copy(interpretation="srgb"), xs, ys))
        js = np.array(theirs["pixels"]).reshape(h, w, 4)
        alpha = ours[..., 3].astype(int)
        assert np.abs(alpha - js[..., 3]).max() <= 2, f"{w}x{h}: alpha differs"
        opaque = (alpha > 32) & (js[..., 3] > 32)
        colour = np.abs(ours[..., :3].astype(int) - js[..., :3])[opaque]
        assert colour.max() <= 3, f"{w}x{h}: colour differs by {colour.max()}"
        if strength:
            assert np.abs(offset).max() > 0.5  # the folds do move the print in these cases
