"""The stand-in's ``metafieldsSet`` and ``metafieldDefinitionCreate`` answer as Shopify documents
them: all or nothing, the owner must exist, a type or a definition giving one, JSON for json,
``TAKEN`` for a definition made twice, admin access only on an app namespace, the scope."""

from __future__ import annotations

from typing import Any

import pytest

from standins.shopify import FakeStore, upstream_order

SET = """
mutation Set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key value type }
    userErrors { field message code elementIndex }
  }
}
"""
DEFINE = """
mutation Define($definition: MetafieldDefinitionInput!) {
  metafieldDefinitionCreate(definition: $definition) {
    createdDefinition { id namespace key }
    userErrors { field message code }
  }
}
"""
ORDER = "gid://shopify/Order/1"
VALUE = {"ownerId": ORDER, "namespace": "$app", "key": "links", "type": "json", "value": "{}"}
DEFINITION = {
    "namespace": "$app",
    "key": "links",
    "name": "Links",
    "ownerType": "ORDER",
    "type": "json",
    "access": {"admin": "MERCHANT_READ", "customerAccount": "READ"},
}


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore("meta.myshopify.com", "shpat_x")
    store.add_orders(upstream_order(1, []))
    return store


def _send(store: FakeStore, document: str, **variables: Any) -> Any:
    status, body = store.graphql({"query": document, "variables": variables})
    assert status == 200
    return body


def _set(store: FakeStore, *metafields: dict[str, Any]) -> dict[str, Any]:
    return _send(store, SET, metafields=list(metafields))["data"]["metafieldsSet"]


def _define(store: FakeStore, **changes: Any) -> dict[str, Any]:
    body = _send(store, DEFINE, definition={**DEFINITION, **changes})
    return body["data"]["metafieldDefinitionCreate"]


def test_a_metafield_on_an_order_is_stored_in_the_apps_namespace(store: FakeStore) -> None:
    answer = _set(store, VALUE)

    assert answer["userErrors"] == []
    assert answer["metafields"][0]["namespace"] == "app--1"
    assert store.metafields[(ORDER, "app--1", "links")]["value"] == "{}"
    again = _set(store, {**VALUE, "value": '{"a": 1}'})
    assert again["metafields"][0]["id"] == answer["metafields"][0]["id"]  # updated, not doubled


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"ownerId": "gid://shopify/Order/2"}, "ownerId", "INVALID"),  # no such order
        ({"ownerId": "gid://shopify/Customer/1"}, "ownerId", "INVALID"),
        ({"key": "x"}, "key", "INVALID"),
        ({"key": "bad key"}, "key", "INVALID"),
        ({"namespace": "ab"}, "namespace", "INVALID"),
        ({"type": None}, "type", "BLANK"),  # no definition gives it
        ({"type": "colour"}, "type", "INVALID_TYPE"),
        ({"value": "{"}, "value", "INVALID_VALUE"),
    ],
)
def test_bad_input_is_a_user_error_and_nothing_is_written(
    store: FakeStore, change: dict[str, Any], field: str, code: str
) -> None:
    answer = _set(store, VALUE, {**VALUE, "key": "other", **change})

    (error,) = answer["userErrors"]
    assert (error["field"][-1], error["code"], error["elementIndex"]) == (field, code, 1)
    assert store.metafields == {}  # all or nothing


def test_more_than_25_at_once_is_refused(store: FakeStore) -> None:
    answer = _set(store, *[{**VALUE, "key": f"k{n}"} for n in range(26)])

    assert answer["userErrors"][0]["code"] == "LESS_THAN_OR_EQUAL_TO"
    assert store.metafields == {}


def test_a_definition_gives_the_type_and_is_created_once(store: FakeStore) -> None:
    created = _define(store)
    assert created["userErrors"] == []
    assert created["createdDefinition"]["namespace"] == "app--1"

    taken = _define(store)
    assert taken["createdDefinition"] is None
    assert taken["userErrors"][0]["code"] == "TAKEN"
    assert _set(store, {**VALUE, "type": None})["userErrors"] == []  # the definition's type
    wrong = _set(store, {**VALUE, "type": "single_line_text_field", "value": "x"})
    assert wrong["userErrors"][0]["code"] == "INVALID_TYPE"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"key": "x"}, "INVALID"),
        ({"name": " "}, "BLANK"),
        ({"type": "colour"}, "INCLUSION"),
        ({"namespace": "custom"}, "INVALID_INPUT_COMBINATION"),  # admin access: app namespaces
    ],
)
def test_a_bad_definition_is_refused(store: FakeStore, change: dict[str, Any], code: str) -> None:
    answer = _define(store, **change)

    assert answer["createdDefinition"] is None
    assert answer["userErrors"][0]["code"] == code
    assert store.metafield_api.definitions == {}


def test_an_order_definition_needs_an_orders_scope(store: FakeStore) -> None:
    store.scope = "read_products"

    body = _send(store, DEFINE, definition=DEFINITION)

    assert body["errors"][0]["extensions"] == {"code": "ACCESS_DENIED"}
    assert store.metafield_api.definitions == {}
