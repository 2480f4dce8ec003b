"""Print renders vs plain libvips: time and memory of each case as a ratio to a baseline.

Cases (each side writes the same file into a fresh folder, as ``luneo render`` does):

- ``poster-png``: an A3 area at 300 DPI + 3 mm bleed (3579 x 5031 px), a 24-megapixel photo
  over the bleed box and three lines of text; RGBA PNG, sRGB profile, DPI, zlib level 6.
- ``poster-tiff``: the same, flattened on white, through FOGRA39 (black point compensation, the
  default output condition), LZW TIFF.
- ``poster-pdf``: the same as a print PDF (photo embedded at the print DPI, live text, subset
  tags by ``pdfx.finish_pdf``). libvips writes no PDF: its baseline is the photo drawn at the
  print size and deflated (a PNG), which is what the PDF's image stream holds.
- ``poster-pdf-cmyk``: the PDF/X-4 (photo through FOGRA39 as DeviceCMYK); its baseline the
  photo through the same profile, deflated (a TIFF).
- ``mug-png``: an 11 oz mug wrap, 216 x 95 mm at 300 DPI, the photo and a name.
- ``bulk-png``: 50 CSV rows (``app.design.bulk``) of a 90 x 50 mm label at 300 DPI, the photo
  and each row's name; the baseline composites and saves the same 50 files.

Luneo's side is ``app.design.outputs.write_output`` (the production code path of ``luneo
render``); the baseline is the same work written directly against pyvips (``thumbnail`` +
``text`` + ``composite`` + a file save; the operation cache off on both sides). Each run is
its own subprocess so its peak RSS is its own; memory is the peak's growth over the RSS once
imports are done (also printed: whole-process peaks). Targets (issue #20): time <= 1.2x,
memory <= 1.5x. Also: time per preview render on an 800x600 mockup.

Run: ``.venv/bin/python bench/render.py [--runs 3] [--case poster-png ...]``.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "app" / "design" / "fonts" / "build"
FOGRA39 = ROOT / "app" / "design" / "icc" / "FOGRA39.icc"  # Luneo's default output condition
BPC = {"black_point_compensation": True}
TIME_TARGET, MEMORY_TARGET = 1.2, 1.5
BULK_ROWS = 50
Text = tuple[str, str, float, float, float, str]  # text, font file, size mm, x mm, y mm, colour
FAMILIES = {
    "inter": ("Inter", 700, "normal"),
    "playfair-display": ("Playfair Display", 400, "italic"),
    "pacifico": ("Pacifico", 400, "normal"),
}
INTER = "inter/inter-latin-700-normal.ttf"
PACIFICO = "pacifico/pacifico-latin-400-normal.ttf"


@dataclass(frozen=True)
class Product:
    width_mm: float
    height_mm: float
    bleed_mm: float
    dpi: int
    texts: tuple[Text, ...]

    def size_px(self) -> tuple[int, int]:
        per_mm = self.dpi / 25.4
        return (
            round((self.width_mm + 2 * self.bleed_mm) * per_mm),
            round((self.height_mm + 2 * self.bleed_mm) * per_mm),
        )


POSTER = Product(297.0, 420.0, 3.0, 300, (
    ("Summer in Lisbon", INTER, 24.0, 20.0, 40.0, "#ffffff"),
    ("Alfama, July 2026", "playfair-display/playfair-display-latin-400-italic.ttf", 14.0, 20.0,
     80.0, "#fef3c7"),
    ("with love, Sam", PACIFICO, 12.0, 20.0, 380.0, "#ffffff"),
))  # fmt: skip
MUG = Product(216.0, 95.0, 2.0, 300, (("For Grandma Rosa", PACIFICO, 14.0, 30.0, 50.0, "#ffffff"),))
LABEL = Product(90.0, 50.0, 2.0, 300, (("{{name}}", INTER, 8.0, 6.0, 30.0, "#ffffff"),))
NAMES = [f"Guest {n:02d}" for n in range(1, BULK_ROWS + 1)]
CASES = {  # name: (product, format, rows)
    "poster-png": (POSTER, "png", 1),
    "poster-tiff": (POSTER, "tiff", 1),
    "poster-pdf": (POSTER, "pdf", 1),
    "poster-pdf-cmyk": (POSTER, "pdf-cmyk", 1),
    "mug-png": (MUG, "png", 1),
    "bulk-png": (LABEL, "png", BULK_ROWS),
}


def _rss_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _design(product: Product) -> dict[str, Any]:
    bleed = product.bleed_mm
    full = {"width_mm": product.width_mm + 2 * bleed, "height_mm": product.height_mm + 2 * bleed}
    photo = {"type": "image", "src": "photo.jpg", "x_mm": -bleed, "y_mm": -bleed, **full}
    layers: list[dict[str, Any]] = [photo]
    for text, font, size, x, y, color in product.texts:
        family, weight, style = FAMILIES[font.split("/")[0]]
        face = {"font": family, "weight": weight, "style": style}
        place = {"size_mm": size, "x_mm": x, "y_mm": y, "color": color}
        layers.append({"type": "text", "text": text, **face, **place})
    return {"version": 1, "areas": {"print": {"layers": layers}}}


def _template(product: Product) -> dict[str, Any]:
    area = {"key": "print", "width_mm": product.width_mm, "height_mm": product.height_mm,
            "dpi": product.dpi, "bleed_mm": product.bleed_mm, "safe_margin_mm": 5,
            "mockup_placement": {"x": 290, "y": 60, "width": 220, "height": 311}}  # fmt: skip
    return {"print_areas": [area]}


def run_luneo(case: str, photo: Path, out: Path) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from app.design import (  # noqa: PLC0415
        RenderInputs,
        TemplateSpec,
        default_registry,
        directory_assets,
        parse_design,
    )
    from app.design.bulk import expand, read_rows  # noqa: PLC0415
    from app.design.outputs import FORMATS, Request, write_output  # noqa: PLC0415
    from app.design.vips import for_print_runs  # noqa: PLC0415

    product, fmt, rows = CASES[case]
    for_print_runs()  # as ``luneo render`` and the production job do
    inputs = RenderInputs(directory_assets(photo.parent), default_registry())
    template = TemplateSpec.from_dict(_template(product))
    start_rss, start = _rss_bytes(), time.perf_counter()
    if rows == 1:
        request = Request(parse_design(_design(product)), template, "print", inputs)
        write_output(fmt, request, out / f"print{FORMATS[fmt].suffix}")
    else:
        _, csv_rows = read_rows("name\n" + "\n".join(NAMES) + "\n")
        for item in expand(_design(product), csv_rows, template):
            assert item.design is not None, item.error
            request = Request(item.design, template, "print", inputs)
            write_output(fmt, request, out / f"{item.row.number:02d}{FORMATS[fmt].suffix}")
    return _figures(start, start_rss)


def run_vips(case: str, photo: Path, out: Path) -> dict[str, float]:
    import pyvips  # noqa: PLC0415
    from PIL import ImageCms  # noqa: PLC0415

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    pyvips.cache_set_max(0)  # the same operation cache as Luneo's side
    product, fmt, rows = CASES[case]
    start_rss, start = _rss_bytes(), time.perf_counter()
    per_mm = product.dpi / 25.4
    width, height = product.size_px()
    for row in range(rows):
        base = pyvips.Image.thumbnail(str(photo), width, height=height, crop="centre", size="force")
        if fmt == "pdf":  # the photo's pixels at the print size, deflated
            base.pngsave(str(out / "print.png"), compression=6)
            continue
        if fmt == "pdf-cmyk":  # the same through the CMYK profile
            cmyk = base.icc_transform(str(FOGRA39), intent="relative", **BPC)
            cmyk.tiffsave(str(out / "print.tif"), compression="deflate")
            continue
        layers, xs, ys = [], [], []
        for text, font, size, x, y, color in product.texts:
            text = text.replace("{{name}}", NAMES[row])
            mask = pyvips.Image.text(
                text, fontfile=str(FONTS / font), font=f"x {size * 72 / 25.4:.2f}", dpi=product.dpi
            )
            rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
            layers.append(mask.new_from_image(rgb).bandjoin(mask).copy(interpretation="srgb"))
            xs.append(round((x + product.bleed_mm) * per_mm))
            ys.append(round((y + product.bleed_mm) * per_mm))
        base = base.bandjoin(255).copy(interpretation="srgb")
        image = base.composite(layers, "over", x=xs, y=ys).cast("uchar")
        image = image.copy(xres=per_mm, yres=per_mm)
        image.set_type(pyvips.GValue.blob_type, "icc-profile-data", srgb)
        if fmt == "tiff":
            cmyk = image.flatten(background=[255, 255, 255]).cast("uchar")
            cmyk = cmyk.icc_transform(str(FOGRA39), embedded=True, intent="relative", **BPC)
            cmyk.tiffsave(str(out / f"{row:02d}.tif"), compression="lzw")
        else:
            image.pngsave(str(out / f"{row:02d}.png"), compression=6)
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
    template = TemplateSpec.from_dict(_template(POSTER))
    design = parse_design(_design(POSTER))
    assets, fonts = directory_assets(photo.parent), default_registry()
    timings = {}
    for label, cache in (("cold", None), ("warm", PixelCache())):
        inputs = RenderInputs(assets, fonts, cache)
        preview(design, template, "print", inputs, mockup)  # fonts loaded (and cache filled)
        for fmt in ("png", "webp"):
            start = time.perf_counter()
            for _ in range(renders):
                preview(design, template, "print", inputs, mockup, image_format=fmt)
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


def _child(side: str, case: str, photo: Path, out: Path) -> dict[str, float]:
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, __file__, "--side", side, "--case", case]
    command += ["--photo", str(photo), "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["file_mb"] = sum(f.stat().st_size for f in out.iterdir()) / 2**20
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case", action="append", choices=list(CASES))
    parser.add_argument("--no-preview", action="store_true")
    parser.add_argument("--side", choices=["luneo", "vips", "preview"])
    parser.add_argument("--photo", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.side:
        if args.side == "preview":
            figures = run_preview(args.photo, 10)
        else:
            runner = {"luneo": run_luneo, "vips": run_vips}[args.side]
            figures = runner(args.case[0], args.photo, args.out)
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "photo.jpg"
        _make_photo(photo)
        print(f"median of {args.runs} runs; ratio = Luneo / libvips "
              f"(targets: time <= {TIME_TARGET}x, memory <= {MEMORY_TARGET}x)")  # fmt: skip
        for case in args.case or list(CASES):
            runs: dict[str, list[dict[str, float]]] = {"luneo": [], "vips": []}
            for n in range(args.runs):
                for side in runs:  # interleaved, so a noisy neighbour hurts both sides alike
                    runs[side].append(_child(side, case, photo, Path(tmp) / f"{case}-{side}-{n}"))
            _report(case, runs)
        if not args.no_preview:
            _report_previews(_child("preview", "poster-png", photo, Path(tmp) / "preview"))


def _report(case: str, runs: dict[str, list[dict[str, float]]]) -> None:
    med = {
        side: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for side, rs in runs.items()
    }
    span = {
        side: {k: (min(r[k] for r in rs), max(r[k] for r in rs)) for k in rs[0]}
        for side, rs in runs.items()
    }
    print(case)
    for side in ("luneo", "vips"):
        m, s = med[side], span[side]
        print(f"  {side:6} {m['seconds']:6.2f} s ({s['seconds'][0]:.2f}-{s['seconds'][1]:.2f})  "
              f"peak growth {m['peak_growth_mb']:5.0f} MB ({s['peak_growth_mb'][0]:.0f}-"
              f"{s['peak_growth_mb'][1]:.0f})  whole process {m['peak_mb']:4.0f} MB  "
              f"files {m['file_mb']:5.1f} MB")  # fmt: skip
    luneo, vips = med["luneo"], med["vips"]
    time_ratio = luneo["seconds"] / vips["seconds"]
    memory_ratio = luneo["peak_growth_mb"] / vips["peak_growth_mb"]
    print(f"  ratio  time {time_ratio:.2f}x {_mark(time_ratio, TIME_TARGET)}   memory "
          f"{memory_ratio:.2f}x {_mark(memory_ratio, MEMORY_TARGET)}   (whole process "
          f"{luneo['peak_mb'] / vips['peak_mb']:.2f}x)")  # fmt: skip


def _mark(ratio: float, target: float) -> str:
    return "ok" if ratio <= target else f"OVER {target}x"


def _report_previews(previews: dict[str, float]) -> None:
    print("preview on an 800x600 mockup, per render:")
    for label, what in (
        ("cold", "photo decoded each time"),
        ("warm", "photo kept in a PixelCache"),
    ):
        print(f"  {label}: {previews[label + '_png_ms']:4.0f} ms PNG, "
              f"{previews[label + '_webp_ms']:4.0f} ms WebP  ({what})")  # fmt: skip


if __name__ == "__main__":
    main()
