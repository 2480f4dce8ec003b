"""Every ``null`` the Admin schema allows on what Luneo reads gives a clear outcome, never a crash.

For each document Luneo sends (the ones test_shopify_queries validates), the schema's nullable
response paths are listed (tests.support.graphql_nullable); each connector call that reads the
document is then fed a schema-shaped answer with that one path ``null``. The call must end
normally (a record, a SkippedRecord with a stated reason, nothing) or raise a ConnectorError,
never a TypeError/KeyError/AttributeError (issue #16: ``data["events"]["nodes"]`` with
``events: null`` crashed the incremental sync).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from graphql import GraphQLSchema

from connectors.base import ConnectorError, FileLink, SkippedRecord, TrackingInfo
from connectors.shopify import API_VERSION, queries
from connectors.shopify.client import ShopifyGraphQL
from connectors.shopify.connector import ShopifyConnector
from standins.shopify import admin_schema
from tests.support.graphql_nullable import NullablePath, nullable_paths, sample_answer, with_null

SINCE = datetime(2026, 1, 1, tzinfo=UTC)
LINE = "gid://shopify/LineItem/1"
RESULT_URL = "https://storage.example.test/bulk.jsonl"


@dataclass
class Answers:
    """A stand-in for ShopifyGraphQL.execute: one schema-shaped ``data`` per document."""

    data: dict[str, Any]
    bulk_lines: list[bytes] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        expected_cost: float | None = None,
    ) -> Any:
        name = next(n for n, text in queries.ALL.items() if text == query)
        self.sent.append(name)
        return copy.deepcopy(self.data[name])

    def stream_lines(self, url: str) -> Iterator[bytes]:
        assert url == RESULT_URL
        return iter(self.bulk_lines)

    def close(self) -> None:
        pass


def _set(data: Any, path: tuple[str, ...], value: Any) -> None:
    for step in path[:-1]:
        data = data[0] if step == "*" else data[step]
    data[path[-1]] = value


def _bulk_lines(product: Mapping[str, Any]) -> list[bytes]:
    """The JSONL a bulk export writes for one product: the product, then its variants."""
    root = {k: v for k, v in product.items() if k != "variants"}
    lines = [json.dumps(root).encode()]
    for edge in product["variants"]["edges"] or []:
        lines.append(json.dumps({**edge["node"], "__parentId": root["id"]}).encode())
    return lines


def _answers(schema: GraphQLSchema, nulled: NullablePath | None) -> Answers:
    data = {name: sample_answer(schema, text) for name, text in queries.ALL.items()}
    # Nested connections with a second page, so the "rest of" documents are read too.
    for name in ("PRODUCTS", "PRODUCT"):
        root = ("products", "nodes", "*") if name == "PRODUCTS" else ("product",)
        _set(data[name], (*root, "variants", "pageInfo", "hasNextPage"), True)
    for name in ("ORDERS", "ORDER"):
        root = ("orders", "nodes", "*") if name == "ORDERS" else ("order",)
        _set(data[name], (*root, "lineItems", "pageInfo", "hasNextPage"), True)
    _set(data["BULK_OPERATION"], ("bulkOperation", "url"), RESULT_URL)
    if nulled is not None and "userErrors" in nulled.path:  # a refusal, with this part null
        text = queries.ALL[nulled.document]
        data[nulled.document] = sample_answer(schema, text, empty=frozenset())
    if nulled is not None:
        data[nulled.document] = with_null(data[nulled.document], nulled.path)
    product = data["BULK_PRODUCTS"]["products"]["edges"][0]["node"]
    return Answers(data, _bulk_lines(product))


def _drain(result: Any) -> list[Any]:
    if isinstance(result, Iterable) and not isinstance(result, str | bytes | Mapping):
        return list(result)
    return [result]


def _progress(done: int, total: int, message: str) -> None:
    pass


CALLS: dict[str, Callable[[ShopifyConnector], Any]] = {
    "iter_products": lambda c: c.iter_products(SINCE, _progress),
    "get_product": lambda c: c.get_product("gid://shopify/Product/1"),
    "count_products": lambda c: c.count_products(),
    "export_products": lambda c: c.export_products(_progress),
    "iter_deleted_products": lambda c: c.iter_deleted_products(SINCE),
    "iter_orders": lambda c: c.iter_orders(SINCE, _progress),
    "get_order": lambda c: c.get_order("gid://shopify/Order/1"),
    "create_fulfillment": lambda c: c.create_fulfillment(
        "gid://shopify/Order/1", [LINE], TrackingInfo(number="1Z", company="UPS")
    ),
    "update_tracking": lambda c: c.update_tracking(
        "gid://shopify/Order/1",
        [LINE],
        ["gid://shopify/Fulfillment/1"],
        TrackingInfo(number="1Z", url="https://track.test/1Z", company="UPS"),
    ),
    "attach_order_files": lambda c: c.attach_order_files(
        "gid://shopify/Order/1", [FileLink(LINE, "front", "pdf", "https://luneo.test/f")]
    ),
}


def _run(schema: GraphQLSchema, call: str, nulled: NullablePath | None) -> tuple[Answers, Any]:
    answers = _answers(schema, nulled)
    connector = ShopifyConnector(cast(ShopifyGraphQL, answers), sleep=lambda _s: None)
    try:
        return answers, _drain(CALLS[call](connector))
    except ConnectorError as exc:  # a typed refusal is a clear outcome
        return answers, exc


def _documents_read(schema: GraphQLSchema) -> dict[str, set[str]]:
    """Which documents each call sends on the full answers (plus the bulk query's own lines)."""
    read = {call: set(_run(schema, call, None)[0].sent) for call in CALLS}
    read["export_products"].add("BULK_PRODUCTS")
    return read


SCHEMA = admin_schema(API_VERSION)
READ = _documents_read(SCHEMA)
CASES = [
    pytest.param(call, path, id=f"{call}:{path}")
    for name, text in sorted(queries.ALL.items())
    for path in nullable_paths(SCHEMA, name, text)
    for call in sorted(CALLS)
    if name in READ[call]
]


def test_every_document_luneo_sends_is_read_by_some_call() -> None:
    """So no document's nullable fields escape the cases below."""
    assert set().union(*READ.values()) == set(queries.ALL)


def test_the_helper_finds_the_nullable_fields_of_the_issue() -> None:
    paths = {str(p) for p in nullable_paths(SCHEMA, "PRODUCT_DELETIONS", queries.PRODUCT_DELETIONS)}
    assert "PRODUCT_DELETIONS:events" in paths
    products = {str(p) for p in nullable_paths(SCHEMA, "PRODUCTS", queries.PRODUCTS)}
    assert "PRODUCTS:products.nodes.*.featuredMedia" in products
    assert "PRODUCTS:products" not in products  # a non-null connection


@pytest.mark.parametrize("call", sorted(CALLS))
def test_full_answers_give_records(call: str) -> None:
    _answers_sent, outcome = _run(SCHEMA, call, None)
    assert not isinstance(outcome, ConnectorError), outcome
    assert not any(isinstance(item, SkippedRecord) for item in outcome), outcome


@pytest.mark.parametrize(("call", "path"), CASES)
def test_a_null_the_schema_allows_never_crashes_the_connector(
    call: str, path: NullablePath
) -> None:
    _sent, outcome = _run(SCHEMA, call, path)
    if isinstance(outcome, ConnectorError):
        assert str(outcome)
        return
    for item in outcome:
        if isinstance(item, SkippedRecord):
            assert not item.reason.startswith("unexpected shape"), item.reason


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # Optional data: the record is kept without it.
        ("products.nodes.*.featuredMedia", "record"),
        ("products.nodes.*.variants.nodes.*.sku", "record"),
    ],
)
def test_optional_product_fields_keep_the_product(path: str, expected: str) -> None:
    nulled = NullablePath("PRODUCTS", tuple(path.split(".")), "", leaf=False)
    _sent, outcome = _run(SCHEMA, "iter_products", nulled)
    assert [type(item).__name__ for item in outcome] == ["ProductRecord"]


def test_null_events_is_a_platform_error_naming_the_field() -> None:
    nulled = NullablePath("PRODUCT_DELETIONS", ("events",), "EventConnection", leaf=False)
    _sent, outcome = _run(SCHEMA, "iter_deleted_products", nulled)
    assert isinstance(outcome, ConnectorError)
    assert "events" in str(outcome)


def test_orders_keep_their_optional_parts() -> None:
    for path in ("orders.nodes.*.shippingAddress", "orders.nodes.*.email"):
        nulled = NullablePath("ORDERS", tuple(path.split(".")), "", leaf=False)
        _sent, outcome = _run(SCHEMA, "iter_orders", nulled)
        assert [type(item).__name__ for item in outcome] == ["OrderRecord"], path
