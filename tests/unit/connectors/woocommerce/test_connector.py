"""The WooCommerce adapter against tests.support.fake_woocommerce (REST v3 through `responses`)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import responses

from app.config import defaults
from connectors import for_shop
from connectors.base import (
    AuthError,
    CommerceConnector,
    DeletionFeed,
    FileLink,
    Money,
    PlatformError,
    ProductRecord,
    RetryableError,
    SkippedRecord,
    TrackingInfo,
)
from connectors.http import HttpClient
from connectors.woocommerce import WEBHOOK_TOPICS, WooCommerceConnector, WooREST, http_client_for
from tests.support.fake_woocommerce import FakeWooStore

SECRET = "whsec_" + "s" * 32
HOOK_URL = "https://luneo.test/webhooks/woocommerce/path-token"


@pytest.fixture
def store() -> FakeWooStore:
    return FakeWooStore()


@pytest.fixture
def rsps(store: FakeWooStore) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        store.install(mock)
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_connector(
    store: FakeWooStore, sleeps: list[float], **client: object
) -> WooCommerceConnector:
    key, secret = store.issue_keys()
    rest = WooREST(
        store.url, key, secret, http=HttpClient(), sleep=sleeps.append, rand=lambda: 0.5, **client
    )
    return WooCommerceConnector(rest, webhook_secret=SECRET, currency="USD")


@pytest.fixture
def connector(
    store: FakeWooStore, rsps: responses.RequestsMock, sleeps: list[float]
) -> Iterator[WooCommerceConnector]:
    built = make_connector(store, sleeps)
    yield built
    built.close()


def requests_to(store: FakeWooStore, method: str, path: str) -> list[dict[str, str]]:
    return [query for m, p, query, _ in store.log if m == method and p == path]


def products(items: list[ProductRecord | SkippedRecord]) -> list[ProductRecord]:
    return [item for item in items if isinstance(item, ProductRecord)]


# --------------------------------------------------------------------------- catalog
def test_products_come_with_variations_images_and_the_stores_currency(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    mug = store.add_simple("Mug")
    shirt = store.add_variable("Shirt", sizes=("S", "M", "L"))

    records = list(connector.iter_products(None))

    assert [r.external_id for r in records] == [str(mug["id"]), str(shirt["id"])]
    first, second = products(records)
    assert (first.title, first.handle, first.status, first.product_type) == (
        "Mug",
        "mug",
        "active",
        "Mugs",
    )
    assert first.description == "The Mug & more."
    assert first.image_url == f"https://shop.test/wp-content/uploads/{mug['id']}.jpg"
    assert first.updated_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert [(v.external_id, v.sku, v.price, v.position) for v in first.variants] == [
        (str(mug["id"]), f"SKU-{mug['id']}", Money(Decimal("19.90"), "EUR"), 1)
    ]
    variation_ids = [str(v) for v in shirt["variations"]]
    assert [(v.external_id, v.title, v.price.amount, v.options) for v in second.variants] == [
        (variation_ids[0], "S", Decimal("24.00"), {"Size": "S"}),
        (variation_ids[1], "M", Decimal("25.00"), {"Size": "M"}),
        (variation_ids[2], "L", Decimal("26.00"), {"Size": "L"}),
    ]
    assert requests_to(store, "GET", "products") == [
        {"orderby": "id", "order": "asc", "per_page": "100", "page": "1"}
    ]
    assert requests_to(store, "GET", f"products/{shirt['id']}/variations") == [
        {"orderby": "menu_order", "order": "asc", "per_page": "100", "page": "1"}
    ]
    assert requests_to(store, "GET", f"products/{mug['id']}/variations") == []


@pytest.mark.parametrize(
    ("_case", "count", "pages"),
    [("empty", 0, 1), ("one short page", 7, 1), ("exact page", 100, 1), ("many", 250, 3)],
)
def test_pagination_follows_x_wp_totalpages(
    store: FakeWooStore, connector: WooCommerceConnector, _case: str, count: int, pages: int
) -> None:
    for n in range(count):
        store.add_simple(f"P{n}")
    progress: list[tuple[int, int]] = []

    records = list(
        connector.iter_products(None, lambda done, total, _m: progress.append((done, total)))
    )

    assert len(records) == count
    assert [q["page"] for q in requests_to(store, "GET", "products")] == [
        str(n) for n in range(1, pages + 1)
    ]
    assert progress[-1] == (count, count)


def test_incremental_sync_asks_for_gmt_modified_after(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    store.add_simple("Untouched")  # local time (UTC+2) is after `since`, GMT is not
    old = store.add_simple("Old")
    since = store.tick(3600)
    new = store.add_simple("New", **{})
    store.update_product(new["id"], name="New")
    store.tick(30)
    store.update_product(old["id"], name="Old, renamed")  # modified after `since` too

    records = list(connector.iter_products(since - timedelta(seconds=1)))

    # The store runs at UTC+2: without dates_are_gmt it would have compared local dates.
    assert [r.title for r in products(records)] == ["Old, renamed", "New"]
    query = requests_to(store, "GET", "products")[0]
    assert query["modified_after"] == (since - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert query["dates_are_gmt"] == "true"


def test_a_malformed_product_is_skipped_and_the_rest_continue(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    store.add_simple("Good")
    bad = store.add_simple("Bad", status="mystery")
    store.add_simple("Cheap", price="free")

    records = list(connector.iter_products(None))

    skipped = [r for r in records if isinstance(r, SkippedRecord)]
    assert [r.title for r in products(records)] == ["Good"]
    assert [(s.external_id, s.reason) for s in skipped] == [
        (str(bad["id"]), "unknown product status 'mystery'"),
        (str(bad["id"] + 1), "amount 'free' is not a number"),
    ]


def test_get_product_missing_is_none_and_a_variation_gives_its_parent(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    shirt = store.add_variable("Shirt")

    assert connector.get_product("999999") is None
    record = connector.get_product(str(shirt["variations"][1]))
    assert record is not None
    assert (record.external_id, len(record.variants)) == (str(shirt["id"]), 3)


def test_trashed_products_are_reported_as_deleted(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    keep = store.add_simple("Keep")
    gone = store.add_simple("Gone")
    since = store.tick()
    store.trash_product(gone["id"])

    assert list(connector.iter_deleted_products(since - timedelta(seconds=1))) == [str(gone["id"])]
    listed = [r.external_id for r in connector.iter_products(None)]
    assert listed == [str(keep["id"])]
    trashed = connector.get_product(str(gone["id"]))
    assert trashed is not None
    assert trashed.status == "archived"


# ---------------------------------------------------------------------------- failures
def test_401_is_an_auth_error_without_retries(
    store: FakeWooStore, connector: WooCommerceConnector, sleeps: list[float]
) -> None:
    store.keys.clear()  # the merchant revoked Luneo's keys

    with pytest.raises(AuthError, match="401 woocommerce_rest_cannot_view"):
        list(connector.iter_products(None))
    assert sleeps == []


def test_429_waits_retry_after_and_5xx_backs_off_with_jitter(
    store: FakeWooStore, connector: WooCommerceConnector, sleeps: list[float]
) -> None:
    store.add_simple("Mug")
    store.failures.extend([(429, {"Retry-After": "7"}), (503, {}), (502, {})])

    assert len(list(connector.iter_products(None))) == 1
    assert sleeps == [7.0, 1.5, 3.0]  # Retry-After, then 2**(n-1) halved + rand 0.5 x half


def test_persistent_5xx_ends_in_a_retryable_error(
    store: FakeWooStore, rsps: responses.RequestsMock, sleeps: list[float]
) -> None:
    connector = make_connector(store, sleeps, max_attempts=3)
    store.failures.extend([(500, {})] * 3)

    with pytest.raises(RetryableError, match="after 3 attempts: HTTP 500"):
        connector.get_product("101")
    assert sleeps == [0.75, 1.5]


# ------------------------------------------------------------------------------ orders
def test_orders_map_lines_design_ids_and_addresses(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    mug = store.add_simple("Mug", price="12.50")
    shirt = store.add_variable("Shirt")
    variation = store.variations[shirt["id"]][0]
    order = store.add_order(
        [store.line(mug, design="dsg_abc123"), store.line(shirt, variation, quantity=1)]
    )

    (record,) = list(connector.iter_orders(datetime(2026, 1, 1, tzinfo=UTC)))

    assert not isinstance(record, SkippedRecord)
    assert (record.external_id, record.name, record.email) == (
        str(order["id"]),
        f"#{order['id']}",
        "ada@example.com",
    )
    assert (record.total, record.financial_status, record.fulfillment_status) == (
        Money(Decimal("49.00"), "EUR"),
        "paid",
        "unfulfilled",
    )
    assert record.shipping_address is not None
    assert (record.shipping_address.name, record.shipping_address.country_code) == (
        "Ada Lovelace",
        "FR",
    )
    assert record.shipping_address.phone == "+33 1 23 45 67 89"  # billing's when shipping has none
    first, second = record.lines
    assert (first.product_external_id, first.variant_external_id, first.design_public_id) == (
        str(mug["id"]),
        str(mug["id"]),
        "dsg_abc123",
    )
    assert (first.quantity, first.unit_price) == (2, Money(Decimal("12.50"), "EUR"))
    assert first.properties == {"_luneo_design": "dsg_abc123"}
    assert (second.variant_external_id, second.design_public_id) == (str(variation["id"]), None)
    assert requests_to(store, "GET", "orders")[0]["modified_after"] == "2026-01-01T00:00:00"


def test_a_cancelled_order_carries_a_cancellation_time(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    order = store.add_order([store.line(store.add_simple("Mug"))], status="cancelled")

    record = connector.get_order(str(order["id"]))

    assert record is not None
    assert record.cancelled_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert connector.get_order("424242") is None


# -------------------------------------------------------------------------- fulfilment
def test_fulfillment_adds_a_tracking_note_and_completes_the_order(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    mug = store.add_simple("Mug")
    order = store.add_order([store.line(mug, design="dsg_1")])
    line_id = str(order["line_items"][0]["id"])
    tracking = TrackingInfo(number="1Z999", url="https://track.test/1Z999", company="UPS")

    result = connector.create_fulfillment(str(order["id"]), [line_id], tracking)
    again = connector.create_fulfillment(str(order["id"]), [line_id], tracking)

    (note,) = store.notes[order["id"]]
    assert result.fulfillment_ids == (str(note["id"]),)
    assert again.fulfillment_ids == ()
    assert note["note"] == (
        "Shipped: Mug × 2.\nCarrier: UPS.\nTracking number: 1Z999.\n"
        "Track your parcel: https://track.test/1Z999"
    )
    assert note["customer_note"] is True
    assert store.orders[order["id"]]["status"] == "completed"
    puts = [body for m, p, _, body in store.log if m == "PUT"]
    sent = {line_id: {"carrier": "UPS", "number": "1Z999", "url": "https://track.test/1Z999"}}
    assert puts == [
        {
            "meta_data": [
                {"key": "_luneo_shipped_lines", "value": [line_id]},
                {"key": "_luneo_tracking", "value": sent},
            ],
            "status": "completed",
        }
    ]


def test_corrected_tracking_is_a_customer_note_and_the_tracking_meta_once(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    mug = store.add_simple("Mug")
    order = store.add_order([store.line(mug, design="dsg_1")])
    line_id = str(order["line_items"][0]["id"])
    connector.create_fulfillment(str(order["id"]), [line_id], TrackingInfo("WRONG", None, "UPS"))
    fixed = TrackingInfo(number="1Z999", url="https://track.test/1Z999", company="DHL")

    connector.update_tracking(str(order["id"]), [line_id], ["1"], fixed)
    connector.update_tracking(str(order["id"]), [line_id], ["1"], fixed)  # a retry

    _shipped, note = store.notes[order["id"]]
    assert note["customer_note"] is True
    assert note["note"] == (
        "Tracking updated for: Mug × 2.\nCarrier: DHL.\nTracking number: 1Z999.\n"
        "Track your parcel: https://track.test/1Z999"
    )
    meta = {m["key"]: m["value"] for m in store.orders[order["id"]]["meta_data"]}
    assert meta["_luneo_tracking"] == {
        line_id: {"carrier": "DHL", "number": "1Z999", "url": "https://track.test/1Z999"}
    }


def test_a_partial_shipment_leaves_the_order_processing(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    mug = store.add_simple("Mug")
    order = store.add_order([store.line(mug), store.line(mug)])
    first, second = (str(line["id"]) for line in order["line_items"])

    connector.create_fulfillment(str(order["id"]), [first], TrackingInfo(number="A"))
    assert store.orders[order["id"]]["status"] == "processing"
    connector.create_fulfillment(str(order["id"]), [second], TrackingInfo(number="B"))
    assert store.orders[order["id"]]["status"] == "completed"
    assert len(store.notes[order["id"]]) == 2


def test_print_files_go_in_order_meta_and_a_private_note_once(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    order = store.add_order([store.line(store.add_simple("Mug"))])
    links = [FileLink("7", "front", "pdf", "https://luneo.test/f/1.pdf")]

    connector.attach_order_files(str(order["id"]), links)
    connector.attach_order_files(str(order["id"]), links)

    meta = {m["key"]: m["value"] for m in store.orders[order["id"]]["meta_data"]}
    assert meta["_luneo_print_files"] == [
        {"line_id": "7", "area": "front", "format": "pdf", "url": "https://luneo.test/f/1.pdf"}
    ]
    (note,) = store.notes[order["id"]]
    assert note["note"] == "Luneo print files:\nfront (PDF, line 7): https://luneo.test/f/1.pdf"
    assert note["customer_note"] is False


# ---------------------------------------------------------------------------- webhooks
def test_ensure_webhooks_creates_each_topic_with_the_secret(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    created = connector.ensure_webhooks(HOOK_URL, WEBHOOK_TOPICS)

    assert created == list(WEBHOOK_TOPICS)
    posted = [body for m, p, _, body in store.log if (m, p) == ("POST", "webhooks")]
    assert posted == [
        {
            "name": f"Luneo {topic}",
            "topic": topic,
            "delivery_url": HOOK_URL,
            "secret": SECRET,
            "status": "active",
        }
        for topic in WEBHOOK_TOPICS
    ]
    assert len(store.pings) == 5


def test_ensure_webhooks_repairs_instead_of_duplicating(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    connector.ensure_webhooks(HOOK_URL, WEBHOOK_TOPICS)
    first_id = min(store.webhooks)
    store.webhooks[first_id].update(status="disabled", secret="old")
    store._create_webhook({"topic": "product.created", "delivery_url": HOOK_URL})  # a stray copy
    other = store._create_webhook({"topic": "order.created", "delivery_url": "https://x.test/h"})

    assert connector.ensure_webhooks(HOOK_URL, WEBHOOK_TOPICS) == []

    mine = [h for h in store.webhooks.values() if h["delivery_url"] == HOOK_URL]
    assert sorted(h["topic"] for h in mine) == sorted(WEBHOOK_TOPICS)
    assert {(h["status"], h["secret"]) for h in mine} == {("active", SECRET)}
    assert len(store.webhooks) == 6
    assert other[0] == 201


def test_delete_webhooks_removes_only_luneos(
    store: FakeWooStore, connector: WooCommerceConnector
) -> None:
    connector.ensure_webhooks(HOOK_URL, WEBHOOK_TOPICS)
    store._create_webhook({"topic": "order.created", "delivery_url": "https://x.test/h"})

    assert connector.delete_webhooks(HOOK_URL) == 5
    assert [h["delivery_url"] for h in store.webhooks.values()] == ["https://x.test/h"]
    deletes = [q for m, p, q, _ in store.log if m == "DELETE"]
    assert deletes == [{"force": "true"}] * 5


# -------------------------------------------------------------------- auth and transport
def test_plain_http_loopback_store_is_signed_with_oauth1(sleeps: list[float]) -> None:
    store = FakeWooStore(url="http://127.0.0.1:8089")
    store.add_simple("Local mug")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        store.install(mock)
        connector = make_connector(store, sleeps)
        assert [r.external_id for r in connector.iter_products(None)] == ["101"]
        connector.client._secret = "cs_wrong"
        with pytest.raises(AuthError):
            connector.get_product("101")


def test_a_store_resolving_to_a_private_address_is_refused() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    try:
        client = WooREST(f"https://127.0.0.1:{port}", "ck_x", "cs_x", http=HttpClient())
        with pytest.raises(PlatformError, match="not allowed"):
            client.request("GET", "products")
    finally:
        listener.close()


@pytest.mark.parametrize(
    ("_case", "env", "url", "private_allowed"),
    [
        ("loopback in testing", "testing", "http://127.0.0.1:8089", True),
        ("localhost in development", "development", "http://localhost:8089", True),
        ("loopback in production", "production", "http://127.0.0.1:8089", False),
        ("public store in testing", "testing", "https://shop.test", False),
    ],
)
def test_private_addresses_only_for_loopback_stores_in_dev(
    _case: str, env: str, url: str, private_allowed: bool
) -> None:
    client = http_client_for(url, {"ENV": env})
    adapter = client.session.get_adapter("https://x")
    assert (type(adapter).__name__ == "HTTPAdapter") is private_allowed


def test_woocommerce_connector_implements_the_capabilities(
    connector: WooCommerceConnector,
) -> None:
    assert isinstance(connector, CommerceConnector)
    assert isinstance(connector, DeletionFeed)


def test_for_shop_builds_the_woocommerce_connector_from_the_shop() -> None:
    shop = SimpleNamespace(
        platform="woocommerce",
        domain="shop.test",
        api_key="ck_k",
        access_token="cs_s",
        webhook_secret="w",
        currency="EUR",
        extra={"store_url": "https://shop.test/store"},
    )

    built = for_shop(shop, defaults(ENV="production"))

    assert isinstance(built, WooCommerceConnector)
    assert built.client.base == "https://shop.test/store/wp-json/wc/v3/"
    assert (built.webhook_secret, built.default_currency) == ("w", "EUR")
    built.close()


def test_for_shop_without_keys_asks_to_connect_again() -> None:
    shop = SimpleNamespace(
        platform="woocommerce", domain="shop.test", api_key=None, access_token=None
    )

    with pytest.raises(AuthError, match="connected again"):
        for_shop(shop, defaults())
