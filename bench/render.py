"""Print render vs plain libvips: an A3 area at 300 DPI, 3 mm bleed, a photo and three texts.

Both sides make the same file: an RGBA PNG of 3579 x 5031 px with the photo covering the bleed
box and three lines of text on top, sRGB profile and DPI set, zlib level 6. Luneo's side is
``app.design.print_png`` (the production code path); the baseline is the same composite written
directly against pyvips (``thumbnail`` + ``text`` + ``composite``), which is what Luneo
measures print-size work against. Each run is its own subprocess so its peak RSS is its own;
memory is the peak's growth over the RSS once imports are done (also printed: whole-process
peaks). Targets: time <= 1.5x, memory <= 2x. Also: time per preview render on an 800x600 mockup.

Run: ``.venv/bin/python bench/render.py [--runs 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WIDTH_MM, HEIGHT_MM, BLEED_MM, DPI = 297.0, 420.0, 3.0, 300
TEXTS = [  # (text, font file, size mm, x mm, y mm, colour)
    ("Summer in Lisbon", "inter/inter-latin-700-normal.ttf", 24.0, 20.0, 40.0, "#ffffff"),
    (
        "Alfama, July 2026",
        "playfair-display/playfair-display-latin-400-italic.ttf",
        14.0,
        20.0,
        80.0,
        "#fef3c7",
    ),
    ("with love, Sam", "pacifico/pacifico-latin-400-normal.ttf", 12.0, 20.0, 380.0, "#ffffff"),
]
FAMILIES = {
    "inter": ("Inter", 700, "normal"),
    "playfair-display": ("Playfair Display", 400, "italic"),
    "pacifico": ("Pacifico", 400, "normal"),
}


def _rss_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _design() -> dict[str, Any]:
    full = {"width_mm": WIDTH_MM + 2 * BLEED_MM, "height_mm": HEIGHT_MM + 2 * BLEED_MM}
    photo = {"type": "image", "src": "photo.jpg", "x_mm": -BLEED_MM, "y_mm": -BLEED_MM, **full}
    layers: list[dict[str, Any]] = [photo]
    for text, font, size, x, y, color in TEXTS:
        family, weight, style = FAMILIES[font.split("/")[0]]
        face = {"font": family, "weight": weight, "style": style}
        place = {"size_mm": size, "x_mm": x, "y_mm": y, "color": color}
        layers.append({"type": "text", "text": text, **face, **place})
    return {"version": 1, "areas": {"poster": {"layers": layers}}}


def _template() -> dict[str, Any]:
    area = {"key": "poster", "width_mm": WIDTH_MM, "height_mm": HEIGHT_MM, "dpi": DPI,
            "bleed_mm": BLEED_MM, "safe_margin_mm": 5,
            "mockup_placement": {"x": 290, "y": 60, "width": 220, "height": 311}}  # fmt: skip
    return {"print_areas": [area]}


def run_luneo(photo: Path, out: Path) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from app.design import (  # noqa: PLC0415
        RenderInputs,
        TemplateSpec,
        default_registry,
        directory_assets,
        parse_design,
        print_png,
    )

    inputs = RenderInputs(directory_assets(photo.parent), default_registry())
    template, design = TemplateSpec.from_dict(_template()), parse_design(_design())
    start_rss, start = _rss_bytes(), time.perf_counter()
    out.write_bytes(print_png(design, template, "poster", inputs))
    return _figures(start, start_rss)


def run_vips(photo: Path, out: Path) -> dict[str, float]:
    import pyvips  # noqa: PLC0415
    from PIL import ImageCms  # noqa: PLC0415

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    fonts = ROOT / "app" / "design" / "fonts" / "build"
    start_rss, start = _rss_bytes(), time.perf_counter()
    per_mm = DPI / 25.4
    width, height = (
        round((WIDTH_MM + 2 * BLEED_MM) * per_mm),
        round((HEIGHT_MM + 2 * BLEED_MM) * per_mm),
    )
    base = pyvips.Image.thumbnail(str(photo), width, height=height, crop="centre", size="force")
    base = base.bandjoin(255).copy(interpretation="srgb")
    layers, xs, ys = [], [], []
    for text, font, size, x, y, color in TEXTS:
        mask = pyvips.Image.text(
            text, fontfile=str(fonts / font), font=f"x {size * 72 / 25.4:.2f}", dpi=DPI
        )
        rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
        layers.append(mask.new_from_image(rgb).bandjoin(mask).copy(interpretation="srgb"))
        xs.append(round((x + BLEED_MM) * per_mm))
        ys.append(round((y + BLEED_MM) * per_mm))
    image = base.composite(layers, "over", x=xs, y=ys).cast("uchar").copy(xres=per_mm, yres=per_mm)
    image.set_type(pyvips.GValue.blob_type, "icc-profile-data", srgb)
    out.write_bytes(image.pngsave_buffer(compression=6))
    return _figures(start, start_rss)


def run_preview(photo: Path, renders: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    import pyvips  # noqa: PLC0415

    from app.design import (  # noqa: PLC0415
        PixelCache,
        RenderInputs,
        TemplateSpec,
        default_registry,
        directory_assets,
        parse_design,
        preview,
    )

    mockup = bytes((pyvips.Image.black(800, 600, bands=3) + 235).cast("uchar").pngsave_buffer())
    template, design = TemplateSpec.from_dict(_template()), parse_design(_design())
    assets, fonts = directory_assets(photo.parent), default_registry()
    timings = {}
    for label, cache in (("cold", None), ("warm", PixelCache())):
        inputs = RenderInputs(assets, fonts, cache)
        preview(design, template, "poster", inputs, mockup)  # fonts loaded (and cache filled)
        for fmt in ("png", "webp"):
            start = time.perf_counter()
            for _ in range(renders):
                preview(design, template, "poster", inputs, mockup, image_format=fmt)
            timings[f"{label}_{fmt}_ms"] = (time.perf_counter() - start) * 1000 / renders
    return timings


def _figures(start: float, start_rss: int) -> dict[str, float]:
    return {
        "seconds": time.perf_counter() - start,
        "peak_growth_mb": (_peak_bytes() - start_rss) / 2**20,
        "peak_mb": _peak_bytes() / 2**20,
    }


def _make_photo(path: Path) -> None:
    """A 24-megapixel camera-like JPEG (noise over gradients, so it compresses like a photo)."""
    import pyvips  # noqa: PLC0415

    width, height = 4000, 6000
    noise = pyvips.Image.gaussnoise(width, height, sigma=30, mean=0)
    ramp_x = pyvips.Image.xyz(width, height)[0] * (200 / width)
    ramp_y = pyvips.Image.xyz(width, height)[1] * (200 / height)
    rgb = (ramp_x + noise + 30).bandjoin([ramp_y + noise + 20, (ramp_x + ramp_y) / 2 + noise])
    rgb.cast("uchar").copy(interpretation="srgb").jpegsave(str(path), Q=90)


def _child(side: str, photo: Path, out: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--side", side, "--photo", str(photo), "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--side", choices=["luneo", "vips", "preview"])
    parser.add_argument("--photo", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.side:
        runner = {"luneo": run_luneo, "vips": run_vips}.get(args.side)
        figures = runner(args.photo, args.out) if runner else run_preview(args.photo, 10)
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "photo.jpg"
        _make_photo(photo)
        runs: dict[str, list[dict[str, float]]] = {"luneo": [], "vips": []}
        for _ in range(args.runs):
            for side in runs:  # interleaved, so a noisy neighbour hurts both sides alike
                runs[side].append(_child(side, photo, Path(tmp) / f"{side}.png"))
        sizes = {side: (Path(tmp) / f"{side}.png").stat().st_size / 2**20 for side in runs}
        previews = _child("preview", photo, Path(tmp) / "unused")
    _report(runs, sizes, previews)


def _report(
    runs: dict[str, list[dict[str, float]]], sizes: dict[str, float], previews: dict[str, float]
) -> None:
    med = {
        side: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for side, rs in runs.items()
    }
    luneo, vips = med["luneo"], med["vips"]
    print(
        f"A3 @ {DPI} dpi + {BLEED_MM:g} mm bleed, photo + 3 texts; "
        f"median of {len(runs['luneo'])} runs"
    )
    for side in ("luneo", "vips"):
        m = med[side]
        print(f"  {side:6} {m['seconds']:6.2f} s   peak growth {m['peak_growth_mb']:6.0f} MB   "
              f"whole process {m['peak_mb']:6.0f} MB   file {sizes[side]:5.1f} MB")  # fmt: skip
    time_ratio = luneo["seconds"] / vips["seconds"]
    memory_ratio = luneo["peak_growth_mb"] / vips["peak_growth_mb"]
    print(f"  time   ratio {time_ratio:.2f}x  (target <= 1.5x)")
    print(f"  memory ratio {memory_ratio:.2f}x  (target <= 2x; whole process "
          f"{luneo['peak_mb'] / vips['peak_mb']:.2f}x)")  # fmt: skip
    print("  preview on an 800x600 mockup, per render:")
    for label, what in (
        ("cold", "photo decoded each time"),
        ("warm", "photo kept in a PixelCache"),
    ):
        print(f"    {label}: {previews[label + '_png_ms']:4.0f} ms PNG, "
              f"{previews[label + '_webp_ms']:4.0f} ms WebP  ({what})")  # fmt: skip


if __name__ == "__main__":
    main()
