"""The worst preview the storefront accepts, through the real API, against a typical one.

A 100 x 100 mm print area on a 1200 x 1200 px mockup (the largest a preview is drawn at:
``PREVIEW_MAX_PX``), default limits (``app/storefront/limits.py``), render budgets off. Each
document below is at one or more of the limits (answered 200, its estimated render cost near the
600 allowed; every glyph stacked onto the canvas, so all of them are drawn). Each figure is the
median of ``--runs`` cold previews (the text changes each call, so the Redis cache misses), as a
ratio to a typical editor preview (a photo and two short texts, cold) and in milliseconds.
Target: the worst accepted preview under 1 s on this machine.

Also shown: the reported attack (12 layers x 2,000 characters on a full circle), which used to
hold a worker 30 s, now a 422 before rendering; and one 40-megapixel PNG photo (the largest
upload): PNG has no shrink-on-load, so it costs its full decode, cut off by the time budget
(``STOREFRONT_PREVIEW_BUDGET_MS``) if it runs past it.

Run: ``.venv/bin/python bench/preview_limits.py [--runs 5]``.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from app.design import parse_design  # noqa: E402
from app.models import (  # noqa: E402
    FileKind,
    PrintArea,
    StoredFile,
    Template,
)
from app.stored_files import store_bytes  # noqa: E402
from app.storefront.limits import estimated_ms  # noqa: E402
from bench.storefront_api import (  # noqa: E402
    jpeg,
    poster_shop,
    query,
    storefront_app,
)

Doc = dict[str, Any]


def picture(size: tuple[int, int], fmt: str) -> bytes:
    image = Image.radial_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt, quality=90) if fmt == "JPEG" else image.save(out, fmt)
    return out.getvalue()


def setup(workdir: Path) -> tuple[Any, int, dict[str, str]]:
    app = storefront_app(
        workdir, STOREFRONT_RENDER_MS_PER_CLIENT=0, STOREFRONT_RENDER_MS_PER_SHOP=0
    )
    with app.app_context():
        from app.extensions import get_session, get_storage

        session = get_session()
        scope, product = poster_shop(session)

        def put(data: bytes, kind: FileKind, ext: str, mime: str) -> StoredFile:
            return store_bytes(
                scope, get_storage(), data, kind=kind, folder="b", extension=ext, content_type=mime
            )

        mockup_id = put(jpeg((1200, 1200)), FileKind.MOCKUP, "jpg", "image/jpeg").id
        photos = {  # shoppers' photos are placed by their storage key
            "typical": put(jpeg((1600, 1200)), FileKind.UPLOAD, "jpg", "image/jpeg").key,
            "jpeg40": put(picture((7200, 5500), "JPEG"), FileKind.UPLOAD, "jpg", "image/jpeg").key,
            "png40": put(picture((7200, 5500), "PNG"), FileKind.UPLOAD, "png", "image/png").key,
        }
        template = scope.add(
            Template(product_id=product.id, name="Poster", max_layers=40, clipart_sets=["animals"])
        )
        template.print_areas.append(
            PrintArea(
                shop_id=scope.shop_id,
                key="front",
                name="Front",
                width_mm=Decimal(100),
                height_mm=Decimal(100),
                mockup_file_id=mockup_id,
                mockup_placement={"x": 0, "y": 0, "width": 1200, "height": 1200},
            )
        )
        session.commit()
        return app, template.id, photos


def letters(count: int, per_line: int) -> str:
    chars = "".join(random.choice(string.ascii_letters) for _ in range(count))
    return "\n".join(chars[i : i + per_line] for i in range(0, count, per_line))


def text(count: int, size_mm: float, per_line: int = 2, **extra: Any) -> Doc:
    """``count`` characters stacked on the canvas (tiny line spacing): every glyph is drawn."""
    layer = {"type": "text", "text": letters(count, per_line), "font": "Inter"}
    layer |= {"size_mm": size_mm, "x_mm": 50, "y_mm": 10, "align": "center"}
    return layer | {"line_spacing": 0.01} | extra


def photo(src: str, n: int = 0, scale: float = 1.0) -> Doc:
    """The photo over the area (``scale`` times it), a little smaller on each call: a new size
    each time, so the process's decoded-pixel cache does not answer for the decode."""
    size = 100 * scale - n * 0.1
    box = {"x_mm": 50 - size / 2, "y_mm": 50 - size / 2, "width_mm": size, "height_mm": size}
    return {"type": "image", "src": src} | box


def clipart(**extra: Any) -> Doc:
    box = {"x_mm": 0, "y_mm": 0, "width_mm": 100, "height_mm": 100}
    return {"type": "clipart", "src": "clipart:animals/paw", "color": "#dc2626"} | box | extra


def document(*layers: Doc) -> Doc:
    return {"version": 1, "areas": {"front": {"layers": list(layers)}}}


def scenarios(photos: dict[str, str]) -> dict[str, Callable[[int], Doc]]:
    """Documents at the default limits (600 characters, 200 curved, 40 layers, 8 photos, an
    estimated render cost of 600), each new on every call."""
    jpeg40 = photos["jpeg40"]
    return {
        "600 characters, 40 mm": lambda n: document(text(300, 40), text(300, 40)),
        "115 curved characters, 9.8 mm": lambda n: document(
            *[text(115, 9.8, per_line=115, arc_degrees=360)]
        ),
        "2 curved letters as large as the area": lambda n: document(
            text(2, 100, per_line=1, arc_degrees=90)
        ),
        "115 turned characters, 9.8 mm": lambda n: document(text(115, 9.8, rotation_deg=33)),
        "30 text layers of 15 characters": lambda n: document(
            *[text(15, 8, per_line=5) for _ in range(30)]
        ),
        "5 photos of 40 MP (JPEG)": lambda n: document(
            *[photo(jpeg40, n * 5 + i) for i in range(5)]
        ),
        "2 turned clipart pieces as large as the area": lambda n: document(
            *[clipart(rotation_deg=10 + n + i) for i in range(2)]
        ),
        "20 clipart pieces as large as the area": lambda n: document(
            *[clipart(width_mm=100 - n * 0.1 - i * 0.01) for i in range(20)]
        ),
        "a photo zoomed to 4 times the area": lambda n: document(photo(jpeg40, n, scale=4)),
        "all at once: 2 photos, 30 curved + 128 straight chars, 20 layers": lambda n: document(
            *[photo(jpeg40, n * 2 + i) for i in range(2)],
            *[text(15, 9.8, per_line=15, arc_degrees=360) for _ in range(2)],
            *[text(8, 8) for _ in range(16)],
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        app, template_id, photos = setup(Path(tmp))
        client = app.test_client()

        def post(doc: Doc) -> tuple[int, float]:
            body = {"template_id": template_id, "area": "front", "document": doc}
            start = time.perf_counter()
            answer = client.post(f"/proxy/previews?{query()}", json=body)
            return answer.status_code, (time.perf_counter() - start) * 1000

        def median(make: Callable[[int], Doc]) -> tuple[set[int], float]:
            results = [post(make(n)) for n in range(runs)]
            return {s for s, _ in results}, statistics.median(ms for _, ms in results)

        def estimate(doc: Doc) -> float:
            with app.app_context():
                from app.extensions import get_session

                row = get_session().get(Template, template_id)
                assert row is not None
                return estimated_ms(row, parse_design(doc))

        typical = lambda n: document(  # noqa: E731
            photo(photos["typical"], n), text(12, 8, per_line=12), text(4, 8, y_mm=85)
        )
        median(typical)  # warm up fonts, libvips and the database
        _, base = median(typical)
        print(f"typical editor preview (cold): {base:.0f} ms (the baseline)")
        worst = 0.0
        for name, make in scenarios(photos).items():
            statuses, ms = median(make)
            worst = max(worst, ms) if statuses == {200} else worst
            cost = estimate(make(0))
            print(
                f"  {name} (estimate {cost:.0f}): {ms:.0f} ms, {ms / base:.1f}x, {sorted(statuses)}"
            )
        print(f"worst accepted preview: {worst:.0f} ms, {worst / base:.1f}x (target < 1000 ms)")

        attack = document(*[text(2000, 6, per_line=2000, arc_degrees=360) for _ in range(12)])
        status, ms = post(attack)
        print(f"the reported attack (12 x 2,000 chars on a circle): {status} in {ms:.0f} ms")
        statuses, ms = median(lambda n: document(photo(photos["png40"], n)))
        print(f"one 40 MP PNG photo: {ms:.0f} ms, answered {sorted(statuses)}")


if __name__ == "__main__":
    main()
