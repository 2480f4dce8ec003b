"""Catalog sync against a local WooCommerce with a fixed latency per request.

tests/support/fake_woocommerce.py (REST v3 pagination, OAuth 1.0a over plain HTTP) runs in its own
process on 127.0.0.1 and waits ``--latency`` seconds before every answer. The
real job code (``app.sync.sync_shop``, connector, HTTP, SQLite) syncs N products at 100 per
page. The figure is the elapsed time as a ratio to the latency the pages alone cost when sent one
after the other (pages x latency): 1.0 means Luneo adds nothing; below 1.0 means it overlapped
requests. A second case uses variable products (3 variations each), which cost one more request
each for their variations (REST v3 reads variations per product; see
connectors/woocommerce/connector.py). It reports the requests made against the minimum
(ceil(N / 100) product pages + N variation lists + 1 currency) and the elapsed time against
minimum requests x latency / concurrency (the per-store ``WOO_CONCURRENCY``; target <= 1.2).

Run: ``.venv/bin/python bench/sync.py --platform woocommerce [--products 10000]
[--variable 3000] [--concurrency 4] [--variations-route]``; ``--variations-route`` gives the
store WooCommerce 10.3's ``GET /variations`` (variations of any products by id, 100 a request).
"""

from __future__ import annotations

import math
import multiprocessing
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select

from app.db import utcnow
from app.models import Platform, Product, Shop, Variant
from app.sync import run as sync
from tests.support.fake_woocommerce import FakeWooStore

PER_PAGE = 100


def _handler(
    stores: dict[str, FakeWooStore], latency: float, peak: list[int]
) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()
    in_flight = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes

        def _answer(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size) if size else None
            prefix = self.path.split("/wp-json/", 1)[0]
            store = stores[prefix]
            request = SimpleNamespace(
                url=store.url[: -len(prefix)] + self.path,
                method=self.command,
                body=body,
                headers=self.headers,
            )
            with lock:
                in_flight[0] += 1
                peak[0] = max(peak[0], in_flight[0])
            time.sleep(latency)
            with lock:
                status, headers, text = store._handle(request)
                in_flight[0] -= 1
            data = text.encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, *_args: Any) -> None:
            return

    return Handler


def _store_process(
    conn: Connection, name: str, products: int, variable: bool, latency: float, route: bool
) -> None:
    """The store in its own process, as a real one would be: its CPU is not ours."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    store = FakeWooStore(url=f"{origin}/{name}", variations_route=route)
    for n in range(products):
        if variable:
            store.add_variable(f"Shirt {n}")
        else:
            store.add_simple(f"Mug {n}")
    peak = [0]
    server.RequestHandlerClass = _handler({f"/{name}": store}, latency, peak)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn.send((store.url, store.issue_keys()))
    conn.recv()  # stop
    server.shutdown()
    pages = sum(1 for m, p, _, _ in store.log if (m, p) == ("GET", "products"))
    conn.send({"requests": len(store.log), "pages": pages, "peak": peak[0]})


@contextmanager
def serve(
    name: str, products: int, variable: bool, latency: float, route: bool = False
) -> Iterator[Any]:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(
        target=_store_process,
        args=(child, name, products, variable, latency, route),
        daemon=True,
    )
    process.start()
    url, keys = parent.recv()
    stats: dict[str, Any] = {}
    try:
        yield url, keys, stats
    finally:
        parent.send("stop")
        stats.update(parent.recv())
        process.join(timeout=10)


def run_case(
    app: Any, name: str, products: int, latency: float, *, variable: bool, route: bool = False
) -> dict[str, Any]:
    store = serve(name, products, variable, latency, route)
    with store as (store_url, (key, secret), stats), app.app_context():
        from app.extensions import get_db

        with get_db().session() as session:
            shop = Shop(
                platform=Platform.WOOCOMMERCE,
                domain=f"127.0.0.1/{name}",
                api_key=key,
                access_token=secret,
                installed_at=utcnow(),
                extra={"store_url": store_url},
            )
            session.add(shop)
        started = time.perf_counter()
        summary = sync.sync_shop(shop.id, "products", full=True, progress=lambda *_: None)
        elapsed = time.perf_counter() - started
        with get_db().session() as session:
            stored = session.scalar(select(func.count(Product.id)).filter_by(shop_id=shop.id))
            variants = session.scalar(select(func.count(Variant.id)).filter_by(shop_id=shop.id))
    created = summary["products"]["created"] if summary else None
    expected_variants = products * (3 if variable else 1)
    if not created == stored == products or variants != expected_variants:
        raise SystemExit(
            f"sync incomplete: {created} created, {stored} stored, {variants} variants"
        )
    return {"elapsed": elapsed, **stats}


def report(label: str, result: dict[str, Any], latency: float) -> None:
    baseline = result["pages"] * latency
    serial = result["requests"] * latency
    print(
        f"{label}: {result['requests']} requests ({result['pages']} product pages); "
        f"elapsed {result['elapsed']:.2f} s; pages x latency {baseline:.2f} s -> ratio "
        f"{result['elapsed'] / baseline:.3f}; all requests x latency {serial:.2f} s -> ratio "
        f"{result['elapsed'] / serial:.3f}"
    )


def minimum_requests(products: int, route: bool) -> int:
    """Product pages + variations (3 a product) + the currency. Without GET /variations (before
    WooCommerce 10.3) one list per product; with it, 100 variations a request, page by page."""
    pages = math.ceil(products / PER_PAGE)
    if not route:
        return pages + products + 1
    on_page = [min(PER_PAGE, products - PER_PAGE * p) * 3 for p in range(pages)]
    return pages + sum(math.ceil(n / PER_PAGE) for n in on_page) + 1


def report_minimum(
    result: dict[str, Any], products: int, latency: float, concurrency: int, route: bool
) -> None:
    minimum = minimum_requests(products, route)
    floor = minimum * latency / concurrency
    print(
        f"  vs minimum: {result['requests']} requests / minimum {minimum} = "
        f"{result['requests'] / minimum:.3f}; elapsed {result['elapsed']:.2f} s / (minimum x "
        f"latency / concurrency {concurrency} = {floor:.2f} s) = {result['elapsed'] / floor:.3f} "
        f"(target <= 1.2); most requests in flight at once: {result['peak']}"
    )


def main(
    products: int,
    latency: float,
    make_app: Any,
    workdir: Path,
    variable_products: int | None = None,
    concurrency: int | None = None,
    route: bool = False,
) -> None:
    app = make_app(workdir, "https://{shop}")
    if concurrency is not None:
        app.config["WOO_CONCURRENCY"] = concurrency
    concurrency = int(app.config.get("WOO_CONCURRENCY") or 4)
    ms = latency * 1000
    print(
        f"WooCommerce: {products} products, {PER_PAGE} per page, {ms:.0f} ms per request, "
        f"concurrency {concurrency}"
    )
    if products:
        simple = run_case(app, "simple", products, latency, variable=False)
        report("simple products", simple, latency)
    count = products // 10 if variable_products is None else variable_products
    variable = run_case(app, "variable", count, latency, variable=True, route=route)
    label = "GET /variations by id (WooCommerce 10.3+)" if route else "one list per product"
    report(f"{count} variable products (3 variations each), {label}", variable, latency)
    report_minimum(variable, count, latency, concurrency, route)
