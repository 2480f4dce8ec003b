"""Fixtures for the render core: the installed fonts, small templates, in-memory pictures."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from PIL import Image

from app.design import FontRegistry, FontsNotInstalled, RenderInputs, TemplateSpec


@pytest.fixture(scope="session")
def fonts() -> FontRegistry:
    try:
        return FontRegistry.load()
    except FontsNotInstalled as exc:
        pytest.fail(f"{exc}\nThe design tests render real fonts: run scripts/install-assets first.")


def template(**area: Any) -> TemplateSpec:
    """One print area ("front"); small by default so the tests stay fast."""
    values = {
        "key": "front",
        "width_mm": 50,
        "height_mm": 30,
        "dpi": 150,
        "bleed_mm": 3,
        "safe_margin_mm": 3,
    }
    if "allowed_fonts" in area:
        area["fonts"] = area.pop("allowed_fonts")
    extra = {
        k: area.pop(k)
        for k in (
            "fonts",
            "colors",
            "min_image_dpi",
            "low_dpi_policy",
            "max_layers",
            "clipart_sets",
        )
        if k in area
    }
    return TemplateSpec.from_dict({"print_areas": [{**values, **area}], **extra})


def design(*layers: Mapping[str, Any], area: str = "front") -> dict[str, Any]:
    return {"version": 1, "areas": {area: {"layers": [dict(layer) for layer in layers]}}}


def assets(files: Mapping[str, bytes]) -> Callable[[str], bytes]:
    def read(ref: str) -> bytes:
        return files[ref]

    return read


@pytest.fixture
def inputs_for(fonts: FontRegistry) -> Callable[[Mapping[str, bytes]], RenderInputs]:
    return lambda files: RenderInputs(assets(files), fonts)


def picture(
    size: tuple[int, int], color: tuple[int, ...] = (0, 128, 255), fmt: str = "PNG"
) -> bytes:
    mode = "RGBA" if len(color) == 4 else "RGB"
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def rect(
    x: float, y: float, w: float, h: float, fill: str = "#ff0000", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "shape",
        "shape": "rect",
        "fill": fill,
        "x_mm": x,
        "y_mm": y,
        "width_mm": w,
        "height_mm": h,
        **extra,
    }


def text(value: str, **extra: Any) -> dict[str, Any]:
    layer = {"type": "text", "text": value, "font": "Inter", "size_mm": 8, "x_mm": 5, "y_mm": 5}
    return {**layer, **extra}
