"""WooCommerce catalog reads: the fewest requests REST v3 allows, in parallel, never more in
flight than the store's concurrency, and the store's Retry-After obeyed."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest
import responses

from app.config import defaults
from connectors.base import ProductRecord
from connectors.http import HttpClient
from connectors.woocommerce import WooCommerceConnector, WooREST, connector_for
from connectors.woocommerce.client import CONCURRENCY
from tests.support.fake_woocommerce import FakeWooStore


def minimum_requests(products: int, variations: int) -> int:
    """Product pages, one variation list page per 100 variations of each, the currency (a store
    without WooCommerce 10.3's GET /variations: the probe for it is one more request)."""
    return math.ceil(products / 100) + products * math.ceil(variations / 100) + 1 + 1


def minimum_by_id(products: int, variations: int) -> int:
    """WooCommerce 10.3+: product pages, 100 variations a request by id per page, the currency."""
    pages = math.ceil(products / 100)
    per_page = [min(100, products - 100 * p) * variations for p in range(pages)]
    return pages + sum(math.ceil(n / 100) for n in per_page) + 1


def connector(store: FakeWooStore, sleeps: list[float], **client: Any) -> WooCommerceConnector:
    key, secret = store.issue_keys()
    rest = WooREST(
        store.url, key, secret, http=HttpClient(), sleep=sleeps.append, rand=lambda: 0.5, **client
    )
    return WooCommerceConnector(rest, currency="USD")


@pytest.mark.parametrize(("products", "variations"), [(250, 3), (4, 120), (101, 1)])
def test_requests_for_n_products_with_m_variations_are_the_minimum(
    products: int, variations: int
) -> None:
    store = FakeWooStore()
    for n in range(products):
        store.add_variable(f"Shirt {n}", sizes=tuple(f"V{i}" for i in range(variations)))
    sleeps: list[float] = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        store.install(rsps)
        woo = connector(store, sleeps)
        try:
            records = list(woo.iter_products(None))
        finally:
            woo.close()

    assert len(records) == products
    assert all(isinstance(r, ProductRecord) and len(r.variants) == variations for r in records)
    assert len(store.log) == minimum_requests(products, variations)
    assert all(
        query.get("per_page") == "100"
        for _m, _p, query, _b in store.log
        if _p != "data/currencies/current"
    )


@pytest.mark.parametrize(("products", "variations"), [(250, 3), (4, 120), (101, 1), (30, 7)])
def test_a_store_with_the_variations_route_reads_them_100_at_a_time(
    products: int, variations: int
) -> None:
    store = FakeWooStore(variations_route=True)
    made = [
        store.add_variable(f"Shirt {n}", sizes=tuple(f"V{i}" for i in range(variations)))
        for n in range(products)
    ]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        store.install(rsps)
        woo = connector(store, [])
        try:
            records = [r for r in woo.iter_products(None) if isinstance(r, ProductRecord)]
        finally:
            woo.close()

    assert len(store.log) == minimum_by_id(products, variations)
    assert not [p for _m, p, _q, _b in store.log if p.endswith("/variations")]
    for record, product in zip(records, made, strict=True):
        listed = [str(v["id"]) for v in store.variations[product["id"]]]
        assert [v.external_id for v in record.variants] == listed


def test_a_variation_missing_from_the_by_id_answer_is_left_out_not_the_product() -> None:
    store = FakeWooStore(variations_route=True)
    product = store.add_variable("Shirt")
    gone = store.variations[product["id"]].pop(1)  # deleted after the product was listed
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        store.install(rsps)
        woo = connector(store, [])
        try:
            (record,) = woo.iter_products(None)
        finally:
            woo.close()

    assert isinstance(record, ProductRecord)
    assert str(gone["id"]) not in {v.external_id for v in record.variants}
    assert len(record.variants) == 2


def test_records_come_in_page_order_with_their_own_variations() -> None:
    store = FakeWooStore()
    made = [store.add_variable(f"Shirt {n}") for n in range(230)]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        store.install(rsps)
        woo = connector(store, [], concurrency=6)
        try:
            records = [r for r in woo.iter_products(None) if isinstance(r, ProductRecord)]
        finally:
            woo.close()

    assert [r.external_id for r in records] == [str(p["id"]) for p in made]
    for record, product in zip(records, made, strict=True):
        wanted = {str(v["id"]) for v in store.variations[product["id"]]}
        assert {v.external_id for v in record.variants} == wanted


# ------------------------------------------------------------------- concurrency bound
class CountingServer:
    """FakeWooStore over real HTTP on 127.0.0.1, each answer after ``latency``, counting the
    requests in flight at once."""

    def __init__(self, store: FakeWooStore, latency: float) -> None:
        self.store, self.latency = store, latency
        self.lock = threading.Lock()
        self.in_flight = self.peak = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                with outer.lock:
                    outer.in_flight += 1
                    outer.peak = max(outer.peak, outer.in_flight)
                try:
                    time.sleep(outer.latency)
                    request = SimpleNamespace(
                        url=outer.origin + self.path, method="GET", body=None, headers=self.headers
                    )
                    with outer.lock:
                        status, headers, text = outer.store._handle(request)
                finally:
                    with outer.lock:
                        outer.in_flight -= 1
                data = text.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> CountingServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def served() -> Iterator[tuple[FakeWooStore, CountingServer]]:
    store = FakeWooStore(url="http://127.0.0.1:1/shop")  # the real origin is set below
    with CountingServer(store, latency=0.02) as server:
        store.url = f"{server.origin}/shop"
        store.api = f"{store.url}/wp-json/wc/v3/"
        for n in range(150):
            store.add_variable(f"Shirt {n}")
        yield store, server


@pytest.mark.parametrize("concurrency", [1, 3, 8])
def test_never_more_requests_in_flight_than_the_concurrency(
    served: tuple[FakeWooStore, CountingServer], concurrency: int
) -> None:
    store, server = served
    settings = {**defaults(), "ENV": "testing", "WOO_CONCURRENCY": concurrency}
    key, secret = store.issue_keys()
    woo = connector_for(store.url, key, secret, settings, currency="USD")
    try:
        assert woo.client.concurrency == concurrency
        records = list(woo.iter_products(None))
    finally:
        woo.close()

    assert len(records) == 150
    assert len(store.log) == minimum_requests(150, 3)  # per product: the store is 9.8
    assert server.peak <= concurrency  # never past it
    assert server.peak >= min(concurrency, 2)  # and in parallel when allowed (timing-proof)


def test_the_default_concurrency_is_declared_in_the_config() -> None:
    assert defaults()["WOO_CONCURRENCY"] == CONCURRENCY == 4


# -------------------------------------------------------------------------- Retry-After
@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_with_retry_after_wait_that_long_then_retry(status: int) -> None:
    store = FakeWooStore()
    store.add_variable("Shirt")
    sleeps: list[float] = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        store.install(rsps)
        woo = connector(store, sleeps)
        store.failures.extend([(status, {"Retry-After": "7"}), (status, {"Retry-After": "2"})])
        try:
            records = list(woo.iter_products(None))
        finally:
            woo.close()

    assert sleeps == [7.0, 2.0]
    assert len(records) == 1
    assert isinstance(records[0], ProductRecord)
    assert len(store.log) == minimum_requests(1, 3) + 2  # the two refused attempts, repeated


def test_pages_requested_further_ahead_still_come_in_order() -> None:
    store = FakeWooStore()
    for n in range(430):
        store.add_simple(f"Mug {n}")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        store.install(rsps)
        key, secret = store.issue_keys()
        rest = WooREST(store.url, key, secret, http=HttpClient(), concurrency=3)
        try:
            pages = list(rest.pages("products", {"orderby": "id", "order": "asc"}, ahead=3))
        finally:
            rest.close()

    assert [p.number for p in pages] == [1, 2, 3, 4, 5]
    ids = [item["id"] for p in pages for item in p.items]
    assert ids == sorted(ids)
    assert len(ids) == 430
    assert len(store.log) == 5
