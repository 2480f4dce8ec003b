"""The Shopify adapter: paging edges, bulk JSONL reassembly, order lines, fulfilment payloads."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import responses

from app.config import defaults
from connectors import for_shop
from connectors.base import (
    AuthError,
    CatalogExport,
    CommerceConnector,
    DeletionFeed,
    FileLink,
    Money,
    OrderRecord,
    PlatformError,
    ProductRecord,
    RetryableError,
    SkippedRecord,
    TrackingInfo,
)
from connectors.shopify import ShopifyConnector, ShopifyGraphQL, bulk, queries
from standins.shopify_reference import fixture

ORIGIN = "https://example.myshopify.com"
ENDPOINT = f"{ORIGIN}/admin/api/2026-07/graphql.json"

FULL_BUCKET = {
    "cost": {
        "requestedQueryCost": 10,
        "actualQueryCost": 10,
        "throttleStatus": {
            "maximumAvailable": 2000,
            "currentlyAvailable": 1990,
            "restoreRate": 100,
        },
    }
}


class ScriptedShopify:
    """Answers each operation (by name) from a queue of data; records what was sent."""

    def __init__(self) -> None:
        self.answers: dict[str, list[Any]] = defaultdict(list)
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def on(self, operation: str, *data: Any) -> None:
        self.answers[operation].extend(data)

    def operations(self) -> list[str]:
        return [name for name, _ in self.sent]

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        match = re.search(r"(?:query|mutation)\s+(\w+)", body["query"])
        name = match.group(1) if match else "anonymous"
        self.sent.append((name, body["variables"]))
        data = self.answers[name].pop(0)
        return 200, {}, json.dumps({"data": data, "extensions": FULL_BUCKET})


@pytest.fixture
def shopify() -> Any:
    with responses.RequestsMock() as mock:
        scripted = ScriptedShopify()
        mock.add_callback(responses.POST, ENDPOINT, callback=scripted)
        scripted.mock = mock  # type: ignore[attr-defined]
        yield scripted


@pytest.fixture
def connector() -> ShopifyConnector:
    client = ShopifyGraphQL(ORIGIN, "shpat_test", "2026-07", sleep=lambda _s: None)
    return ShopifyConnector(client, sleep=lambda _s: None)


def variant(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/ProductVariant/{n}",
        "title": f"Size {n}",
        "sku": f"SKU-{n}",
        "price": "19.90",
        "position": n,
        "selectedOptions": [{"name": "Size", "value": str(n)}],
        **fields,
    }


def page_of(nodes: list[Any], cursor: str | None = None) -> dict[str, Any]:
    return {"pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor}, "nodes": nodes}


def product(n: int, variants: list[Any] | None = None, more: str | None = None) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/Product/{n}",
        "title": f"Mug {n}",
        "handle": f"mug-{n}",
        "status": "ACTIVE",
        "vendor": "Luneo",
        "productType": "Mug",
        "description": "A mug",
        "updatedAt": "2026-07-01T10:00:00Z",
        "featuredMedia": {"preview": {"image": {"url": f"https://cdn.test/{n}.png"}}},
        "variants": page_of(variants if variants is not None else [variant(n * 10)], more),
    }


def products_page(nodes: list[Any], cursor: str | None = None) -> dict[str, Any]:
    return {"shop": {"currencyCode": "EUR"}, "products": page_of(nodes, cursor)}


# ------------------------------------------------------------------------------- paging
def test_empty_catalog_is_one_request_and_no_records(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    shopify.on("LuneoProducts", products_page([]))

    assert list(connector.iter_products(None)) == []
    assert shopify.operations() == ["LuneoProducts"]


def test_exactly_one_page_is_one_request(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    shopify.on("LuneoProducts", products_page([product(1), product(2)]))

    records = list(connector.iter_products(None))

    assert [r.external_id for r in records] == [
        "gid://shopify/Product/1",
        "gid://shopify/Product/2",
    ]
    assert shopify.sent == [
        (
            "LuneoProducts",
            {"first": 10, "variantsFirst": 40, "query": None, "after": None},
        )
    ]


def test_many_pages_follow_the_end_cursor_until_the_last(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    shopify.on(
        "LuneoProducts",
        products_page([product(1)], cursor="c1"),
        products_page([product(2)], cursor="c2"),
        products_page([product(3)]),
    )

    records = list(connector.iter_products(datetime(2026, 7, 1, 12, 30, tzinfo=UTC)))

    assert [r.external_id[-1] for r in records] == ["1", "2", "3"]
    assert [variables["after"] for _, variables in shopify.sent] == [None, "c1", "c2"]
    assert {variables["query"] for _, variables in shopify.sent} == {
        "updated_at:>='2026-07-01T12:30:00Z'"
    }


def test_progress_counts_products_against_the_shop_total(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    shopify.on("LuneoProductsCount", {"productsCount": {"count": 2, "precision": "EXACT"}})
    shopify.on("LuneoProducts", products_page([product(1)], "c1"), products_page([product(2)]))
    seen: list[tuple[int, int, str]] = []

    list(connector.iter_products(None, lambda *args: seen.append(args)))

    assert seen == [(1, 2, "products"), (2, 2, "products")]


def test_a_product_with_more_variants_than_one_page_gets_them_all(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    shopify.on("LuneoProducts", products_page([product(1, [variant(1), variant(2)], more="v2")]))
    shopify.on(
        "LuneoProductVariants",
        {"product": {"variants": page_of([variant(3)], "v3")}},
        {"product": {"variants": page_of([variant(4)])}},
    )

    (record,) = connector.iter_products(None)

    assert isinstance(record, ProductRecord)
    assert [v.sku for v in record.variants] == ["SKU-1", "SKU-2", "SKU-3", "SKU-4"]
    assert shopify.sent[1] == (
        "LuneoProductVariants",
        {"id": "gid://shopify/Product/1", "first": 250, "after": "v2"},
    )


def test_product_is_mapped_to_a_record_with_money_as_decimal(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    shopify.on("LuneoProducts", products_page([product(7, [variant(70, price="24.5")])]))

    (record,) = connector.iter_products(None)

    assert record == ProductRecord(
        external_id="gid://shopify/Product/7",
        title="Mug 7",
        handle="mug-7",
        status="active",
        vendor="Luneo",
        product_type="Mug",
        description="A mug",
        image_url="https://cdn.test/7.png",
        updated_at=datetime(2026, 7, 1, 10, 0, tzinfo=UTC),
        variants=(
            record.variants[0].__class__(
                external_id="gid://shopify/ProductVariant/70",
                title="Size 70",
                sku="SKU-70",
                price=Money(Decimal("24.5"), "EUR"),
                position=70,
                options={"Size": "70"},
            ),
        ),
    )


@pytest.mark.parametrize(
    ("_case", "broken", "reason"),
    [
        ("price not a number", {"variants": page_of([variant(1, price="abc")])}, "not a number"),
        ("no title", {"title": ""}, "without a title"),
        ("unknown status", {"status": "EXPLODED"}, "unknown product status"),
        ("bad timestamp", {"updatedAt": "yesterday"}, "not ISO 8601"),
        ("no variants connection", {"variants": None}, "unexpected shape"),
    ],
)
def test_malformed_product_is_yielded_as_skipped_and_the_rest_continue(
    shopify: ScriptedShopify, connector: ShopifyConnector, _case: str, broken: dict, reason: str
) -> None:
    shopify.on("LuneoProducts", products_page([product(1), {**product(2), **broken}, product(3)]))

    records = list(connector.iter_products(None))

    assert [type(r).__name__ for r in records] == [
        "ProductRecord",
        "SkippedRecord",
        "ProductRecord",
    ]
    skipped = records[1]
    assert isinstance(skipped, SkippedRecord)
    assert skipped.external_id == "gid://shopify/Product/2"
    assert reason in skipped.reason


def test_missing_product_is_none(shopify: ScriptedShopify, connector: ShopifyConnector) -> None:
    shopify.on("LuneoProductById", {"shop": {"currencyCode": "EUR"}, "product": None})

    assert connector.get_product("gid://shopify/Product/404") is None


def test_deleted_products_come_from_destroy_events(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    event = {
        "subjectId": "gid://shopify/Product/9",
        "subjectType": "PRODUCT",
        "action": "destroy",
        "createdAt": "2026-07-03T10:00:00Z",
    }
    shopify.on("LuneoProductDeletions", {"events": page_of([event, {}])})

    deleted = list(connector.iter_deleted_products(datetime(2026, 7, 1, tzinfo=UTC)))

    assert deleted == ["gid://shopify/Product/9"]
    assert shopify.sent[0][1]["query"] == (
        "subject_type:PRODUCT AND action:destroy AND created_at:>='2026-07-01T00:00:00Z'"
    )


# --------------------------------------------------------------------------------- bulk
def jsonl(*objects: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(o).encode() + b"\n" for o in objects)


def test_bulk_export_runs_polls_streams_and_reassembles_variants_under_products(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    url = "https://storage.googleapis.com/shopify-tiers-assets/bulk-1.jsonl?Signature=x"
    running = {"id": "gid://shopify/BulkOperation/1", "status": "RUNNING", "url": None}
    done = {**running, "status": "COMPLETED", "url": url, "rootObjectCount": "2"}
    shopify.on("LuneoShopCurrency", {"shop": {"currencyCode": "EUR"}})
    shopify.on(
        "LuneoBulkRun", {"bulkOperationRunQuery": {"bulkOperation": running, "userErrors": []}}
    )
    shopify.on("LuneoBulkOperation", {"bulkOperation": running}, {"bulkOperation": done})
    p1, p2 = product(1), product(2)
    for p in (p1, p2):
        del p["variants"]
    # Ungrouped output: a child may come before its parent, parents interleave.
    shopify.mock.get(  # type: ignore[attr-defined]
        url,
        body=jsonl(
            {**variant(21), "__parentId": p2["id"]},
            p1,
            {**variant(11), "__parentId": p1["id"]},
            p2,
            {"id": "gid://shopify/MediaImage/5", "alt": "", "__parentId": p1["id"]},
            {**variant(12), "__parentId": p1["id"]},
        ),
    )

    records = list(connector.export_products())

    assert [(r.external_id, [v.sku for v in r.variants]) for r in records] == [  # type: ignore[union-attr]
        ("gid://shopify/Product/1", ["SKU-11", "SKU-12"]),
        ("gid://shopify/Product/2", ["SKU-21"]),
    ]
    assert shopify.operations() == [
        "LuneoShopCurrency",
        "LuneoBulkRun",
        "LuneoBulkOperation",
        "LuneoBulkOperation",
    ]
    assert shopify.sent[1][1] == {"query": queries.BULK_PRODUCTS}


def test_reassembly_of_the_captured_shopify_bulk_result() -> None:
    capture = fixture("bulk-operation-root-count-and-search-filters")
    body = capture["run"]["result"]["body"].encode()

    trees = list(bulk.reassemble(body.splitlines()))

    assert len(trees) == 1
    tree = trees[0]
    assert isinstance(tree, bulk.Tree)
    assert tree.root == {
        "id": "gid://shopify/Product/10243914727730",
        "title": "Bulk root count bulk-root-mrrsb7hi-1xi0i",
    }
    assert [child["id"] for child in tree.children] == [
        "gid://shopify/ProductVariant/51487966167346",
        "gid://shopify/MediaImage/44070521766194",
        "gid://shopify/Metafield/45212993749298",
    ]


def test_unreadable_bulk_line_is_flagged_and_the_rest_is_kept() -> None:
    lines = [
        b'{"id":"gid://shopify/Product/1"}',
        b"{not json",
        b'{"id":"v","__parentId":"gid://shopify/Product/1"}',
    ]

    items = list(bulk.reassemble(lines))

    assert items[0] == bulk.BadLine("unreadable line in the bulk result")
    assert items[1] == bulk.Tree(
        {"id": "gid://shopify/Product/1"}, [{"id": "v", "__parentId": "gid://shopify/Product/1"}]
    )


def test_bulk_export_with_no_objects_yields_nothing(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    done = {"id": "gid://shopify/BulkOperation/2", "status": "COMPLETED", "url": None}
    shopify.on("LuneoShopCurrency", {"shop": {"currencyCode": "EUR"}})
    shopify.on("LuneoBulkRun", {"bulkOperationRunQuery": {"bulkOperation": done, "userErrors": []}})
    shopify.on("LuneoBulkOperation", {"bulkOperation": done})

    assert list(connector.export_products()) == []


def test_bulk_operation_already_running_is_retryable(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    # The shape Shopify answers with (captured: bulk-operation-run-query-concurrency-limit)
    capture = fixture("bulk-operation-run-query-concurrency-limit")
    shopify.on("LuneoShopCurrency", {"shop": {"currencyCode": "EUR"}})
    shopify.on("LuneoBulkRun", capture["sixthRun"]["response"]["data"])

    with pytest.raises(RetryableError, match="already in progress"):
        list(connector.export_products())


@pytest.mark.parametrize(
    ("_case", "status", "code", "error"),
    [
        ("access revoked", "FAILED", "ACCESS_DENIED", AuthError),
        ("shopify failed", "FAILED", "INTERNAL_SERVER_ERROR", RetryableError),
        ("cancelled", "CANCELED", None, RetryableError),
    ],
)
def test_failed_bulk_operation_raises_by_its_error_code(
    shopify: ScriptedShopify,
    connector: ShopifyConnector,
    _case: str,
    status: str,
    code: str | None,
    error: type[Exception],
) -> None:
    op = {"id": "gid://shopify/BulkOperation/3", "status": status, "errorCode": code, "url": None}
    shopify.on("LuneoShopCurrency", {"shop": {"currencyCode": "EUR"}})
    shopify.on("LuneoBulkRun", {"bulkOperationRunQuery": {"bulkOperation": op, "userErrors": []}})
    shopify.on("LuneoBulkOperation", {"bulkOperation": op})

    with pytest.raises(error):
        list(connector.export_products())


# ------------------------------------------------------------------------------- orders
def line(n: int, attributes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/LineItem/{n}",
        "name": "Mug 1 - Size 10",
        "sku": "SKU-10",
        "quantity": 2,
        "customAttributes": attributes,
        "originalUnitPriceSet": {"shopMoney": {"amount": "19.90", "currencyCode": "EUR"}},
        "product": {"id": "gid://shopify/Product/1"},
        "variant": {"id": "gid://shopify/ProductVariant/10"},
    }


def order(lines: list[Any], more: str | None = None) -> dict[str, Any]:
    return {
        "id": "gid://shopify/Order/5",
        "name": "#1005",
        "email": "ada@example.com",
        "processedAt": "2026-07-02T09:00:00Z",
        "updatedAt": "2026-07-02T09:05:00Z",
        "cancelledAt": None,
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "totalPriceSet": {"shopMoney": {"amount": "39.80", "currencyCode": "EUR"}},
        "shippingAddress": None,
        "lineItems": page_of(lines, more),
    }


def test_order_line_carries_its_properties_and_the_luneo_design_id(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    attributes = [
        {"key": "_luneo_design", "value": " d_AbC123 "},
        {"key": "Gift note", "value": "Happy birthday"},
    ]
    shopify.on("LuneoOrders", {"orders": page_of([order([line(1, attributes), line(2, [])])])})

    (record,) = connector.iter_orders(None)

    assert isinstance(record, OrderRecord)
    first, second = record.lines
    assert first.design_public_id == "d_AbC123"
    assert first.properties == {"_luneo_design": " d_AbC123 ", "Gift note": "Happy birthday"}
    assert first.unit_price == Money(Decimal("19.90"), "EUR")
    assert first.variant_external_id == "gid://shopify/ProductVariant/10"
    assert second.design_public_id is None
    assert record.total == Money(Decimal("39.80"), "EUR")
    assert (record.financial_status, record.fulfillment_status) == ("paid", "unfulfilled")


def test_order_with_more_lines_than_one_page_gets_them_all(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    shopify.on("LuneoOrderById", {"order": order([line(1, [])], more="l1")})
    shopify.on("LuneoOrderLines", {"order": {"lineItems": page_of([line(2, [])])}})

    record = connector.get_order("gid://shopify/Order/5")

    assert record is not None
    assert [x.external_id[-1] for x in record.lines] == ["1", "2"]


# --------------------------------------------------------------------------- fulfilment
def fulfillment_orders() -> dict[str, Any]:
    def fo(n: int, status: str, items: list[tuple[int, int]]) -> dict[str, Any]:
        return {
            "id": f"gid://shopify/FulfillmentOrder/{n}",
            "status": status,
            "assignedLocation": {"location": {"id": "gid://shopify/Location/1"}},
            "lineItems": {
                "nodes": [
                    {
                        "id": f"gid://shopify/FulfillmentOrderLineItem/{n}{line_no}",
                        "remainingQuantity": remaining,
                        "lineItem": {"id": f"gid://shopify/LineItem/{line_no}"},
                    }
                    for line_no, remaining in items
                ]
            },
        }

    return {
        "order": {
            "id": "gid://shopify/Order/5",
            "fulfillmentOrders": {
                "nodes": [
                    fo(1, "OPEN", [(1, 2), (2, 0), (3, 1)]),
                    fo(2, "CLOSED", [(1, 1)]),
                ]
            },
        }
    }


def test_fulfillment_is_created_for_the_remaining_quantity_of_the_given_lines_with_tracking(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    shopify.on("LuneoFulfillmentOrders", fulfillment_orders())
    created = {"id": "gid://shopify/Fulfillment/9", "status": "SUCCESS", "trackingInfo": []}
    shopify.on(
        "LuneoFulfillmentCreate", {"fulfillmentCreate": {"fulfillment": created, "userErrors": []}}
    )
    tracking = TrackingInfo(number="1Z999AA1", url="https://ups.test/1Z999AA1", company="UPS")

    result = connector.create_fulfillment(
        "gid://shopify/Order/5", ["gid://shopify/LineItem/1", "gid://shopify/LineItem/2"], tracking
    )

    assert result.fulfillment_ids == ("gid://shopify/Fulfillment/9",)
    assert shopify.sent[0] == ("LuneoFulfillmentOrders", {"id": "gid://shopify/Order/5"})
    assert shopify.sent[1] == (
        "LuneoFulfillmentCreate",
        {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [
                    {
                        "fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1",
                        "fulfillmentOrderLineItems": [
                            {"id": "gid://shopify/FulfillmentOrderLineItem/11", "quantity": 2}
                        ],
                    }
                ],
                "notifyCustomer": True,
                "trackingInfo": {
                    "number": "1Z999AA1",
                    "url": "https://ups.test/1Z999AA1",
                    "company": "UPS",
                },
            }
        },
    )


def test_lines_already_fulfilled_send_no_mutation(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    shopify.on("LuneoFulfillmentOrders", fulfillment_orders())

    result = connector.create_fulfillment(
        "gid://shopify/Order/5", ["gid://shopify/LineItem/2"], TrackingInfo(number="1Z")
    )

    assert result.fulfillment_ids == ()
    assert shopify.operations() == ["LuneoFulfillmentOrders"]


def test_fulfillment_user_errors_raise(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    shopify.on("LuneoFulfillmentOrders", fulfillment_orders())
    error = {"field": ["fulfillment"], "message": "Fulfillment order is not open"}
    shopify.on(
        "LuneoFulfillmentCreate",
        {"fulfillmentCreate": {"fulfillment": None, "userErrors": [error]}},
    )

    with pytest.raises(PlatformError, match="not open"):
        connector.create_fulfillment(
            "gid://shopify/Order/5", ["gid://shopify/LineItem/3"], TrackingInfo()
        )


def test_print_file_links_are_set_as_one_json_order_metafield(
    shopify: ScriptedShopify, connector: ShopifyConnector
) -> None:
    saved = {"metafields": [{"id": "gid://shopify/Metafield/1"}], "userErrors": []}
    shopify.on("LuneoOrderFiles", {"metafieldsSet": saved})
    link = FileLink("gid://shopify/LineItem/1", "front", "pdf", "https://luneo.test/f/1.pdf")

    connector.attach_order_files("gid://shopify/Order/5", [link])

    (metafield,) = shopify.sent[0][1]["metafields"]
    assert {k: v for k, v in metafield.items() if k != "value"} == {
        "ownerId": "gid://shopify/Order/5",
        "namespace": "luneo",
        "key": "print_files",
        "type": "json",
    }
    assert json.loads(metafield["value"]) == [
        {
            "line_id": "gid://shopify/LineItem/1",
            "area": "front",
            "format": "pdf",
            "url": "https://luneo.test/f/1.pdf",
        }
    ]


# ------------------------------------------------------------------------------ contract
def test_shopify_connector_implements_the_capabilities(connector: ShopifyConnector) -> None:
    assert isinstance(connector, CommerceConnector)
    assert isinstance(connector, CatalogExport)
    assert isinstance(connector, DeletionFeed)
    assert connector.ensure_webhooks("https://luneo.test/webhooks/shopify", ["orders/create"]) == []


def test_for_shop_builds_the_shopify_connector_from_the_operator_origin() -> None:
    shop = SimpleNamespace(platform="shopify", domain="example.myshopify.com", access_token="t")

    built = for_shop(shop, {**defaults(), "SHOPIFY_SHOP_ORIGIN": "http://127.0.0.1:8081/{shop}"})

    assert isinstance(built, ShopifyConnector)
    assert built.client.endpoint == (
        "http://127.0.0.1:8081/example.myshopify.com/admin/api/2026-07/graphql.json"
    )


def test_for_shop_defaults_to_the_shops_own_https_origin() -> None:
    shop = SimpleNamespace(platform="shopify", domain="example.myshopify.com", access_token="t")

    built = for_shop(shop, defaults())

    assert built.client.endpoint == ENDPOINT  # type: ignore[attr-defined]


def test_for_shop_without_a_token_asks_for_reauthorization() -> None:
    shop = SimpleNamespace(platform="shopify", domain="example.myshopify.com", access_token=None)

    with pytest.raises(AuthError):
        for_shop(shop, defaults())
