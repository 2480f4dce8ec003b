"""Catalog sync against a throttled local Shopify: how close to the bucket's limit do we run?

A fake Shopify on 127.0.0.1 (standins/shopify.py: the real 2026-07 Admin schema,
Shopify's documented leaky bucket and query costs) holds N products with 3 variants each. It
runs in a process of its own, so the peak RSS printed is Luneo's alone. The real job code
(``app.sync.sync_shop``, connector, HTTP, SQLite or PostgreSQL) syncs them twice:

- paged: cursor pagination paced from ``throttleStatus``. Its figure is the elapsed time as a
  ratio to the minimum the throttle permits for the very same requests: a zero-latency client
  that sends each query the instant the bucket holds its requested cost (target <= 1.2).
- bulk: one bulkOperationRunQuery, polled, the JSONL streamed and reassembled. The fake
  makes the export before the clock starts (``FakeStore.export_ahead``) and finishes the
  operation at once, so this is Luneo's own side of a bulk sync. Printed: the
  elapsed time as a ratio to the paged throttle minimum (the floor a full sync of this catalog
  has without a bulk operation), the time until the last response byte arrived (the platform's
  part: requests, throttle waits, the download) and Luneo's own time after it (writing), and
  the peak RSS of the process (``ru_maxrss``) with its growth during the sync.
- incremental (``--mode incremental``): the shop was synced before; ``--changed`` products
  (1,000) were updated since, among ``--products`` in all. Its figure is the elapsed time as a
  ratio to the *throttle floor*: the points those products cost when read 250 per page (Shopify's
  largest page: each product's actual cost plus 3 per page), less the full bucket, at the restore
  rate. It does not depend on the page sizes Luneo chose, so small pages show up in it.

Run: ``.venv/bin/python bench/sync.py [--products 10000] [--large] [--bulk-only]
[--plan plus|advanced|standard] [--database-url postgresql://…]``;
``.venv/bin/python bench/sync.py --mode incremental --plan standard [--changed 1000]``.
``--large`` is 50,000 products. ``--database-url`` names an empty database to migrate and
write (default: a temporary SQLite file). Compare the peak RSS of a 10,000 and a 50,000 run:
the ratio should be about 1 (the JSONL is spooled to disk, products are written 2,000 at a
time).
The bucket holds 20 s of restore (the captured 2000 points at 100/s); Standard at 10,000
products means a ~20-minute run, hence Plus by default.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import astuple
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app import create_app, migrate  # noqa: E402
from app.db import utcnow  # noqa: E402
from app.models import Platform, Product, Shop, Variant  # noqa: E402
from app.sync import run as sync  # noqa: E402
from connectors.shopify import queries  # noqa: E402
from connectors.shopify.client import ShopifyGraphQL  # noqa: E402
from standins.shopify import (  # noqa: E402
    Bucket,
    Call,
    FakeShopify,
    FakeStore,
    admin_schema,
    serve,
    upstream_product,
)

PLANS = {"standard": 100.0, "advanced": 200.0, "plus": 1000.0}  # restore rate, points/second
TOKEN = "shpat_" + "b" * 32
PROFILE: str | None = None  # --profile FILE: cProfile stats of the bulk sync


def throttle_minimum(calls: list[Call], maximum: float, rate: float) -> float:
    """Seconds a zero-latency client needs for these queries under this bucket."""
    elapsed, available = 0.0, maximum
    for call in calls:
        if call.actual is None:  # a throttled attempt: the ideal client never makes one
            continue
        if available < call.requested:
            elapsed += (call.requested - available) / rate
            available = call.requested
        available -= call.actual  # charged the requested cost, refunded the difference
    return elapsed


def make_app(workdir: Path, origin_template: str, database_url: str | None = None) -> Any:
    url = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    migrate.upgrade(url)
    return create_app(
        {
            "ENV": "testing",
            "SECRET_KEY": "bench-" + "x" * 40,
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": workdir / "instance",
            "STORAGE_URL": str(workdir / "files"),
            "SHOPIFY_SHOP_ORIGIN": origin_template,
            "LOG_LEVEL": "WARNING",
        }
    )


def domain_of(bulk: bool) -> str:
    return f"bench-{'bulk' if bulk else 'paged'}-{os.getpid()}.myshopify.com"


def serve_stores(conn: Connection, products: int, rate: float, domains: list[str]) -> None:
    """The fake Shopify's process: its stores, then the calls each one received, on request."""
    admin_schema()
    with serve() as fake:
        stores = {}
        for domain in domains:
            store = fake.add_store(FakeStore(domain, TOKEN, bucket=Bucket(rate * 20, rate)))
            store.add_products(*(upstream_product(n) for n in range(1, products + 1)))
            if "bulk" in domain:  # the platform's export is not Luneo's time: made untimed
                store.export_ahead(queries.BULK_PRODUCTS)
            stores[domain] = store
        conn.send(fake.origin_template)
        while (domain := conn.recv()) is not None:
            conn.send([astuple(call) for call in stores[domain].calls])


class LastResponse:
    """When the last response (GraphQL answer or the bulk file's last byte) arrived."""

    at = 0.0

    @classmethod
    def install(cls) -> None:
        send, stream = ShopifyGraphQL._send, ShopifyGraphQL.stream_lines

        def timed_send(self: ShopifyGraphQL, *args: Any) -> Any:
            try:
                return send(self, *args)
            finally:
                cls.at = time.perf_counter()

        def timed_stream(self: ShopifyGraphQL, url: str) -> Iterator[bytes]:
            yield from stream(self, url)
            cls.at = time.perf_counter()

        ShopifyGraphQL._send = timed_send  # type: ignore[method-assign]
        ShopifyGraphQL.stream_lines = timed_stream  # type: ignore[method-assign]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(
    app: Any, conn: Connection, products: int, rate: float, *, bulk: bool
) -> dict[str, Any]:
    domain = domain_of(bulk)
    with app.app_context():
        from app.extensions import get_db

        with get_db().session() as session:
            shop = Shop(
                platform=Platform.SHOPIFY, domain=domain, access_token=TOKEN, installed_at=utcnow()
            )
            session.add(shop)
        sync.BULK_THRESHOLD = 0 if bulk else 10**9
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        profiler = cProfile.Profile() if PROFILE and bulk else None
        if profiler:
            profiler.enable()
        summary = sync.sync_shop(shop.id, "products", full=True, progress=lambda *_: None)
        if profiler:
            profiler.disable()
            profiler.dump_stats(PROFILE)
        elapsed = time.perf_counter() - started
        with get_db().session() as session:
            stored = session.scalar(select(func.count(Product.id)).filter_by(shop_id=shop.id))
            variants = session.scalar(select(func.count(Variant.id)).filter_by(shop_id=shop.id))
    created = summary["products"]["created"] if summary else None
    if not created == stored == products or variants != 3 * products:
        raise SystemExit(
            f"sync incomplete: {created} created, {stored} stored, {variants} variants"
        )
    conn.send(domain)
    calls = [Call(*call) for call in conn.recv()]
    ok = [c for c in calls if c.actual is not None]
    return {
        "elapsed": elapsed,
        "platform": LastResponse.at - started,
        "requests": len(calls),
        "throttled": len(calls) - len(ok),
        "points": sum(c.actual or 0 for c in ok),
        "minimum": throttle_minimum(calls, rate * 20, rate),
        "rss": peak_rss_mb(),
        "rss_before": rss_before,
    }


CHANGED_AT = "2026-07-05T10:00:00Z"
SYNCED_SINCE = "2026-07-03T00:00:00+00:00"


def product_cost(fake_store: FakeStore) -> int:
    """The actual points one changed product costs in the products query (page overhead out)."""
    probe = FakeStore("probe.myshopify.com", TOKEN)
    probe.add_products(upstream_product(1, updated_at=CHANGED_AT))
    variables = {"first": 1, "variantsFirst": 3, "query": None, "after": None}
    one = probe.graphql({"query": queries.PRODUCTS, "variables": variables})[1]
    variables["first"] = 0
    none = probe.graphql({"query": queries.PRODUCTS, "variables": variables})[1]
    return int(one["extensions"]["cost"]["actualQueryCost"]) - int(
        none["extensions"]["cost"]["actualQueryCost"]
    )


def run_incremental(
    app: Any, fake: FakeShopify, products: int, changed: int, rate: float
) -> dict[str, Any]:
    domain = "bench-incremental.myshopify.com"
    store = fake.add_store(FakeStore(domain, TOKEN, bucket=Bucket(rate * 20, rate)))
    store.add_products(
        *(
            upstream_product(n, updated_at=CHANGED_AT if n <= changed else "2026-07-01T10:00:00Z")
            for n in range(1, products + 1)
        )
    )
    with app.app_context():
        from app.extensions import get_db

        with get_db().session() as session:
            shop = Shop(
                platform=Platform.SHOPIFY,
                domain=domain,
                access_token=TOKEN,
                installed_at=utcnow(),
                extra={"sync": {"products_since": SYNCED_SINCE}},
            )
            session.add(shop)
        started = time.perf_counter()
        summary = sync.sync_shop(shop.id, "products", full=False, progress=lambda *_: None)
        elapsed = time.perf_counter() - started
        with get_db().session() as session:
            stored = session.scalar(select(func.count(Product.id)).filter_by(shop_id=shop.id))
    created = summary["products"]["created"] if summary else None
    if not created == stored == changed:
        raise SystemExit(f"incremental sync incomplete: {created} created, {stored} stored")
    ok = [c for c in store.calls if c.actual is not None]
    pages = -(-changed // 250)
    ideal = changed * product_cost(store) + 3 * pages
    return {
        "elapsed": elapsed,
        "requests": len(store.calls),
        "product_pages": sum(1 for c in store.calls if c.operation == "LuneoProducts"),
        "throttled": len(store.calls) - len(ok),
        "points": sum(c.actual or 0 for c in ok),
        "ideal_points": ideal,
        "floor": max(0.0, ideal - rate * 20) / rate,
        "minimum": throttle_minimum(store.calls, rate * 20, rate),
    }


def main_incremental(args: argparse.Namespace) -> None:
    rate = PLANS[args.plan]
    admin_schema()
    with tempfile.TemporaryDirectory() as tmp, serve() as fake:
        app = make_app(Path(tmp), fake.origin_template)
        print(
            f"incremental: {args.changed} changed of {args.products} products x 3 variants; "
            f"bucket {rate * 20:.0f} points, restore {rate:.0f}/s ({args.plan})"
        )
        r = run_incremental(app, fake, args.products, args.changed, rate)
        ratio = r["elapsed"] / r["floor"] if r["floor"] else float("nan")
        print(
            f"incremental: {r['requests']} requests ({r['product_pages']} product pages, "
            f"{r['throttled']} throttled), {r['points']} points (250-per-page ideal "
            f"{r['ideal_points']}); elapsed {r['elapsed']:.1f} s; throttle floor "
            f"{r['floor']:.1f} s -> ratio {ratio:.3f} (target <= 1.2); minimum for the "
            f"requests made {r['minimum']:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--large", action="store_true", help="50,000 products")
    parser.add_argument("--bulk-only", action="store_true", help="skip the paged sync")
    parser.add_argument("--database-url", help="an empty database (default: temporary SQLite)")
    parser.add_argument("--plan", choices=sorted(PLANS), default="plus")
    parser.add_argument("--platform", choices=("shopify", "woocommerce"), default="shopify")
    parser.add_argument("--latency", type=float, default=0.05, help="WooCommerce: s per request")
    parser.add_argument("--mode", choices=("full", "incremental"), default="full")
    parser.add_argument("--variable", type=int, default=None, help="WooCommerce: variable products")
    parser.add_argument("--changed", type=int, default=1000, help="incremental: changed products")
    parser.add_argument(
        "--concurrency", type=int, default=None, help="WooCommerce: WOO_CONCURRENCY to use"
    )
    parser.add_argument(
        "--variations-route",
        action="store_true",
        help="WooCommerce: the store has GET /variations (WooCommerce 10.3+)",
    )
    parser.add_argument("--profile", help="write cProfile stats of the bulk sync to this file")
    args = parser.parse_args()
    global PROFILE
    PROFILE = args.profile
    if args.mode == "incremental" and args.platform == "shopify":
        main_incremental(args)
        return
    products = 50_000 if args.large else args.products
    if args.platform == "woocommerce":
        from sync_woocommerce import main as woocommerce_main  # bench/, beside this file

        with tempfile.TemporaryDirectory() as tmp:
            woocommerce_main(
                products,
                args.latency,
                make_app,
                Path(tmp),
                variable_products=args.variable,
                concurrency=args.concurrency,
                route=args.variations_route,
            )
        return
    rate = PLANS[args.plan]
    cases = [True] if args.bulk_only else [False, True]
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    fake = multiprocessing.get_context("spawn").Process(
        target=serve_stores, args=(theirs, products, rate, [domain_of(b) for b in cases])
    )
    fake.start()
    LastResponse.install()
    try:
        origin_template = ours.recv()  # the schema is built and the catalog loaded: untimed
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(Path(tmp), origin_template, args.database_url)
            database = (
                "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
            )
            print(
                f"catalog {products} products x 3 variants on {database}; "
                f"bucket {rate * 20:.0f} points, restore {rate:.0f}/s ({args.plan})"
            )
            paged_minimum = None
            if not args.bulk_only:
                paged = run_case(app, ours, products, rate, bulk=False)
                paged_minimum = paged["minimum"]
                ratio = paged["elapsed"] / paged_minimum if paged_minimum else float("nan")
                print(
                    f"paged: {paged['requests']} requests ({paged['throttled']} throttled), "
                    f"{paged['points']} points; elapsed {paged['elapsed']:.1f} s, "
                    f"throttle minimum {paged_minimum:.1f} s -> ratio {ratio:.3f} (target <= 1.2); "
                    f"own time after the last response {paged['elapsed'] - paged['platform']:.2f} s"
                )
            bulk = run_case(app, ours, products, rate, bulk=True)
            own = bulk["elapsed"] - bulk["platform"]
            versus = (
                f" = {bulk['elapsed'] / paged_minimum:.3f} x the paged throttle minimum"
                if paged_minimum
                else ""
            )
            print(
                f"bulk: {bulk['requests']} requests ({bulk['throttled']} throttled); "
                f"elapsed {bulk['elapsed']:.2f} s{versus}; "
                f"until the last response {bulk['platform']:.2f} s "
                f"(ratio {bulk['elapsed'] / bulk['platform']:.3f}), "
                f"Luneo's own time after it {own:.2f} s"
            )
            print(
                f"peak RSS {bulk['rss']:.0f} MB "
                f"(+{bulk['rss'] - bulk['rss_before']:.0f} MB during the bulk sync)"
            )
    finally:
        ours.send(None)
        fake.join(timeout=30)


if __name__ == "__main__":
    main()
