"""The storefront API's editor calls, end to end through the app proxy, against the render core.

A shop with a 100 x 100 mm print area on a 1000 x 1000 px mockup, a design with a photo and two
texts. Each figure is the median of ``--runs`` calls through the real view stack (signature
check, rate limit, validation, SQLite, embedded Redis, local storage):

- preview (new document each call) as a ratio to the same render without HTTP (template, mockup
  and photo read from storage, ``preview()``): the API's overhead on a cold preview (<= 1.5);
- preview of an unchanged document (the Redis cache) as a ratio to the cold one (target <= 0.25);
- save design (preflight + preview + stored file + row) and a 12 MP phone-photo upload
  (checked, turned upright, re-encoded), in milliseconds.

Run: ``.venv/bin/python bench/storefront_api.py [--runs 9]``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from PIL import Image  # noqa: E402

from app import create_app, migrate  # noqa: E402
from app.design import RenderInputs, parse_design, preview  # noqa: E402
from app.models import FileKind, PrintArea, Product, Shop, ShopScope, Template  # noqa: E402
from app.product_templates.render_spec import mockups_for, template_spec_from_row  # noqa: E402
from app.production.assets import shop_assets  # noqa: E402
from app.stored_files import store_bytes  # noqa: E402

SECRET = "shpss_bench" + "0" * 24
DOMAIN = "bench.myshopify.com"


def jpeg(size: tuple[int, int]) -> bytes:
    image = Image.radial_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def query() -> str:
    params = {"shop": DOMAIN, "logged_in_customer_id": "", "path_prefix": "/apps/luneo"}
    params["timestamp"] = str(int(time.time()))
    message = "".join(sorted(f"{k}={v}" for k, v in params.items()))
    params["signature"] = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode(params)


def median_ms(call: Callable[[int], Any], runs: int) -> float:
    times = []
    for n in range(runs):
        start = time.perf_counter()
        call(n)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def storefront_app(workdir: Path, **overrides: Any) -> Any:
    """A migrated app on a SQLite file in ``workdir``, its storefront request budgets off."""
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    migrate.upgrade(url)
    return create_app(
        {
            "ENV": "testing",
            "SECRET_KEY": "bench-" + "x" * 40,
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": workdir / "instance",
            "STORAGE_URL": str(workdir / "files"),
            "SHOPIFY_API_SECRET": SECRET,
            "STOREFRONT_RATE_PER_CLIENT": 0,
            "STOREFRONT_RATE_PER_SHOP": 0,
            "LOG_LEVEL": "WARNING",
            **overrides,
        }
    )


def poster_shop(session: Any) -> tuple[ShopScope, Product]:
    """The bench's installed Shopify shop and its one product (flushed, not committed)."""
    shop = Shop(platform="shopify", domain=DOMAIN, installed_at=datetime.now(UTC))
    session.add(shop)
    session.flush()
    scope = ShopScope(session, shop.id)
    product = scope.add(Product(external_id="gid://shopify/Product/1", title="Poster"))
    session.flush()
    return scope, product


def setup(workdir: Path) -> tuple[Any, Template, str]:
    app = storefront_app(workdir)
    with app.app_context():
        from app.extensions import get_session, get_storage

        session = get_session()
        scope, product = poster_shop(session)
        mockup = store_bytes(
            scope,
            get_storage(),
            jpeg((1000, 1000)),
            kind=FileKind.MOCKUP,
            folder="mockup",
            extension="jpg",
            content_type="image/jpeg",
        )
        photo = store_bytes(
            scope,
            get_storage(),
            jpeg((1600, 1200)),
            kind=FileKind.UPLOAD,
            folder="uploads",
            extension="jpg",
            content_type="image/jpeg",
        )
        template = scope.add(Template(product_id=product.id, name="Poster"))
        template.print_areas.append(
            PrintArea(
                shop_id=scope.shop_id,
                key="front",
                name="Front",
                width_mm=Decimal(100),
                height_mm=Decimal(100),
                mockup_file_id=mockup.id,
                mockup_placement={"x": 200, "y": 200, "width": 600, "height": 600},
            )
        )
        session.commit()
        return app, template, photo.key  # shoppers place their photos by storage key


def document(src: str, n: int) -> dict[str, Any]:
    def text(value: str, y: float) -> dict[str, Any]:
        return {"type": "text", "text": value, "font": "Inter", "size_mm": 8, "x_mm": 10, "y_mm": y}

    photo = {"type": "image", "src": src, "x_mm": 10, "y_mm": 30, "width_mm": 60, "height_mm": 45}
    return {
        "version": 1,
        "areas": {"front": {"layers": [photo, text(f"Lisbon {n}", 5), text("2026", 85)]}},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        app, template, src = setup(Path(tmp))
        client = app.test_client()
        body = {"template_id": template.id, "area": "front"}

        def cold(n: int) -> None:
            answer = client.post(
                f"/proxy/previews?{query()}", json={**body, "document": document(src, n)}
            )
            assert answer.status_code == 200, answer.get_data(as_text=True)

        def warm(_n: int) -> None:
            answer = client.post(
                f"/proxy/previews?{query()}", json={**body, "document": document(src, 0)}
            )
            assert answer.status_code == 200

        def save(n: int) -> None:
            doc = document(src, 1000 + n)
            answer = client.post(
                f"/proxy/designs?{query()}", json={"template_id": template.id, "document": doc}
            )
            assert answer.status_code == 201, answer.get_data(as_text=True)

        photo = jpeg((4000, 3000))

        def upload(_n: int) -> None:
            answer = client.post(
                f"/proxy/uploads?{query()}", data={"file": (io.BytesIO(photo), "IMG.jpg")}
            )
            assert answer.status_code == 201, answer.get_data(as_text=True)

        with app.app_context():
            from app.extensions import get_session, get_storage

            scope = ShopScope(get_session(), template.shop_id)
            row = scope.get(Template, template.id)
            assert row is not None
            storage = get_storage()

            def core(n: int) -> None:
                # What a preview job would do: template, mockup and photo from storage, render.
                spec, mockup = template_spec_from_row(row), mockups_for(scope, storage, row)
                inputs = RenderInputs(assets=shop_assets(scope, storage))
                design = parse_design(document(src, 2000 + n))
                preview(design, spec, "front", inputs, mockup=mockup["front"])

            core_ms = median_ms(core, runs)
        cold_ms, warm_ms = median_ms(cold, runs), median_ms(warm, runs)
        save_ms, upload_ms = median_ms(save, runs), median_ms(upload, runs)
    print(
        f"preview via API (cold): {cold_ms:.0f} ms; the same render without HTTP: {core_ms:.0f} ms"
    )
    print(f"  ratio {cold_ms / core_ms:.2f} (target <= 1.5)")
    print(f"preview via API (cached): {warm_ms:.1f} ms; ratio to cold {warm_ms / cold_ms:.3f}")
    print("  (target <= 0.25)")
    print(f"save design (preflight + preview + store): {save_ms:.0f} ms")
    print(f"upload a 12 MP phone photo (check, upright, re-encode): {upload_ms:.0f} ms")


if __name__ == "__main__":
    main()
