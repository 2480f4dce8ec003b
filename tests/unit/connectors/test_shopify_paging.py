"""Product pages sized from the cost Shopify reported: never past 250 nor the cost limit."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest
import responses
from graphql import parse

from connectors.base import PlatformError, ProductRecord
from connectors.shopify import ShopifyConnector, ShopifyGraphQL, queries
from connectors.shopify.paging import MAX_PAGE, QUERY_COST_LIMIT, PageSize, ProductPages
from standins.shopify import (
    MAX_QUERY_COST,
    Bucket,
    FakeStore,
    admin_schema,
    query_cost,
    upstream_product,
)

ORIGIN = "https://example.myshopify.com"
ENDPOINT = f"{ORIGIN}/admin/api/2026-07/graphql.json"


def model(first: int, variants_first: int) -> int:
    overhead, per_product, per_variant = queries.PRODUCTS_COST
    return overhead + first * (per_product + per_variant * variants_first)


# ------------------------------------------------------------------------- the model
@pytest.mark.parametrize(("first", "variants_first"), [(1, 1), (10, 40), (83, 3), (250, 1)])
def test_the_cost_model_is_the_standins_requested_cost(first: int, variants_first: int) -> None:
    variables = {"first": first, "variantsFirst": variants_first}
    document = parse(queries.PRODUCTS)

    assert query_cost(admin_schema(), document, variables) == model(first, variants_first)


# ---------------------------------------------------------------------- the planner
def test_first_page_is_the_fixed_size_then_fits_the_variants_seen() -> None:
    pages = ProductPages()
    assert pages.size == PageSize(queries.PRODUCTS_PAGE, queries.VARIANTS_PAGE)

    following = pages.observe(pages.size, [3] * 10, requested=model(10, 40))

    assert following == PageSize(83, 3)  # (1000 - 3) // (6 + 2 x 3)
    assert pages.estimate(following) == model(83, 3) <= QUERY_COST_LIMIT


def test_a_higher_reported_cost_gives_a_smaller_page() -> None:
    pages = ProductPages()

    following = pages.observe(pages.size, [3] * 10, requested=2 * model(10, 40))

    assert following == PageSize(41, 3)  # Shopify asks twice the model: (1000 - 6) // 24
    assert 2 * model(following.first, 3) <= QUERY_COST_LIMIT


def test_a_cheap_answer_never_gives_more_than_250() -> None:
    pages = ProductPages()

    following = pages.observe(pages.size, [1] * 10, requested=20)

    assert following.first == MAX_PAGE


def test_the_bucket_size_bounds_the_page_when_it_is_under_the_limit() -> None:
    pages = ProductPages()

    following = pages.observe(pages.size, [3] * 10, requested=model(10, 40), maximum_available=500)

    assert following == PageSize(41, 3)  # (500 - 3) // 12
    assert pages.estimate(following) <= 500


def test_a_few_big_products_are_read_separately_rather_than_shrink_every_page() -> None:
    pages = ProductPages()
    counts = [3] * 95 + [101] * 5  # 101: had more variants than the page held

    following = pages.observe(PageSize(100, 100), counts, requested=model(100, 100))

    assert following == PageSize(83, 3)


def test_mostly_big_products_get_room_for_their_variants() -> None:
    pages = ProductPages()

    following = pages.observe(PageSize(10, 40), [30] * 9 + [2], requested=model(10, 40))

    assert following == PageSize(15, 30)  # (1000 - 3) // 66: no product needs a second request


def test_random_costs_and_variants_never_exceed_the_limits() -> None:
    rng = random.Random(22)
    for _ in range(300):
        pages = ProductPages()
        size = pages.size
        for _page in range(5):
            truth = rng.uniform(0.2, 3.0)  # Shopify's cost against the model
            counts = [rng.choice([1, 2, 3, 5, 20, 120]) for _ in range(size.first)]
            counts = [min(c, size.variants_first + 1) for c in counts]
            bucket = rng.choice([None, 300.0, 2000.0, 20000.0])
            size = pages.observe(
                size,
                counts,
                requested=truth * model(size.first, size.variants_first),
                maximum_available=bucket,
            )
            assert 1 <= size.first <= MAX_PAGE
            assert truth * model(size.first, size.variants_first) <= QUERY_COST_LIMIT + 1e-6
            if bucket:
                assert truth * model(size.first, size.variants_first) <= bucket + 1e-6


def test_max_cost_exceeded_takes_the_size_the_reported_cost_allows() -> None:
    pages = ProductPages()
    sent = PageSize(83, 3)

    smaller = pages.exceeded(sent, cost=1500, limit=1000)

    assert smaller.first < sent.first
    assert model(smaller.first, smaller.variants_first) * 1500 / model(83, 3) <= 1000


# -------------------------------------------------------- the connector, answers scripted
def cost(requested: float, available: float = 2000) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": requested / 2,
            "throttleStatus": {
                "maximumAvailable": 2000,
                "currentlyAvailable": available,
                "restoreRate": 100,
            },
        }
    }


def node(n: int, variants: int = 3) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/Product/{n}",
        "title": f"Mug {n}",
        "handle": f"mug-{n}",
        "status": "ACTIVE",
        "vendor": "Luneo",
        "productType": "Mug",
        "description": "",
        "updatedAt": "2026-07-01T10:00:00Z",
        "featuredMedia": None,
        "variants": {
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "nodes": [
                {
                    "id": f"gid://shopify/ProductVariant/{n}{v:03d}",
                    "title": f"Size {v}",
                    "sku": None,
                    "price": "19.90",
                    "position": v,
                    "selectedOptions": [],
                }
                for v in range(1, variants + 1)
            ],
        },
    }


def test_each_page_sent_is_sized_from_the_cost_the_last_answer_reported() -> None:
    sent: list[dict[str, Any]] = []
    answers = [
        (list(range(1, 11)), "c1", cost(model(10, 40))),
        (list(range(11, 94)), "c2", cost(2 * model(83, 3))),  # Shopify charges more than thought
        (list(range(94, 100)), None, cost(100)),
    ]

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        assert re.search(r"query\s+LuneoProducts\b", body["query"])
        sent.append(body["variables"])
        ids, cursor, extensions = answers.pop(0)
        data = {
            "shop": {"currencyCode": "EUR"},
            "products": {
                "pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor},
                "nodes": [node(n) for n in ids],
            },
        }
        return 200, {}, json.dumps({"data": data, "extensions": extensions})

    client = ShopifyGraphQL(ORIGIN, "shpat_test", "2026-07", sleep=lambda _s: None)
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, ENDPOINT, callback=answer)
        records = list(ShopifyConnector(client).iter_products(None))

    assert len(records) == 99
    assert all(isinstance(r, ProductRecord) for r in records)
    sizes = [(v["first"], v["variantsFirst"]) for v in sent]
    assert sizes == [(10, 40), (83, 3), (41, 3)]
    assert [v["after"] for v in sent] == [None, "c1", "c2"]


# ------------------------------------------------------- against the standin's cost model
def standin(store: FakeStore) -> Any:
    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        status, body = store.graphql(json.loads(request.body))
        return status, {}, json.dumps(body)

    return answer


def test_a_thousand_changed_products_take_a_dozen_pages_all_under_the_limit() -> None:
    store = FakeStore("example.myshopify.com", "shpat_test", bucket=Bucket(10**6, 10**6))
    store.add_products(*(upstream_product(n) for n in range(1, 1001)))
    client = ShopifyGraphQL(ORIGIN, "shpat_test", "2026-07", sleep=lambda _s: None)
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, ENDPOINT, callback=standin(store))
        records = list(ShopifyConnector(client).iter_products(None))

    assert len(records) == 1000
    pages = [c for c in store.calls if c.operation == "LuneoProducts"]
    assert all(c.actual is not None and c.requested <= MAX_QUERY_COST for c in pages)
    assert len(pages) == 1 + -(-990 // 83)  # the fixed first page, then 83 a page
    assert len(store.calls) == len(pages)  # no product needed a second request


def test_a_refused_page_is_sent_again_smaller() -> None:
    store = FakeStore("example.myshopify.com", "shpat_test")
    store.add_products(*(upstream_product(n) for n in range(1, 40)))
    client = ShopifyGraphQL(ORIGIN, "shpat_test", "2026-07", sleep=lambda _s: None)
    connector = ShopifyConnector(client)
    original = ProductPages.__init__

    def too_big(self: ProductPages, **kwargs: Any) -> None:
        original(self, **kwargs)
        self.size = PageSize(200, 40)  # requested 17,203: over the limit

    with responses.RequestsMock() as mock, pytest.MonkeyPatch.context() as patch:
        mock.add_callback(responses.POST, ENDPOINT, callback=standin(store))
        patch.setattr(ProductPages, "__init__", too_big)
        records = list(connector.iter_products(None))

    assert len(records) == 39
    first_sent = [c for c in store.calls if c.operation == "LuneoProducts"]
    assert all(c.requested <= MAX_QUERY_COST for c in first_sent)


def test_a_page_refused_again_and_again_ends_in_an_error() -> None:
    refusal = {
        "errors": [
            {
                "message": "Query cost is 5000",
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": 5000, "maxCost": 10},
            }
        ]
    }
    client = ShopifyGraphQL(ORIGIN, "shpat_test", "2026-07", sleep=lambda _s: None)
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, ENDPOINT, json=refusal)
        with pytest.raises(PlatformError, match="Query cost"):
            list(ShopifyConnector(client).iter_products(None))
        assert len(mock.calls) <= 4


def test_a_page_sized_anew_waits_for_its_own_requested_cost_in_the_bucket() -> None:
    now = [100.0]
    slept: list[float] = []
    client = ShopifyGraphQL(
        ORIGIN, "shpat_test", "2026-07", clock=lambda: now[0], sleep=slept.append
    )
    answer = {"data": {"shop": {"currencyCode": "EUR"}}, "extensions": cost(100, available=200)}
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, ENDPOINT, json=answer)
        client.execute(queries.SHOP_CURRENCY)
        client.execute(queries.SHOP_CURRENCY, expected_cost=700)  # the bucket holds 200

    assert slept == [5.0]  # (700 - 200) / 100 per second
