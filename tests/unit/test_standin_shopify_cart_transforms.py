"""The Shopify stand-in answers the cart transform operations the way Shopify documents them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from standins.shopify import FakeStore

CREATE = """
mutation Create($handle: String, $id: String, $metafields: [MetafieldInput!]) {
  cartTransformCreate(functionHandle: $handle, functionId: $id, metafields: $metafields) {
    cartTransform {
      id functionId blockOnFailure
      metafield(namespace: "$app:luneo", key: "config") { value }
    }
    userErrors { field message code }
  }
}
"""
SET = """
mutation Set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { namespace key value }
    userErrors { field message code elementIndex }
  }
}
"""
LIST = "query { cartTransforms(first: 5) { nodes { id functionId } } }"
CONFIG = {"namespace": "$app:luneo", "key": "config", "type": "json", "value": '{"v": 1}'}


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore("mugs.myshopify.com", "shpat_x")
    store.scope = "read_products,write_cart_transforms"
    return store


def _send(store: FakeStore, query: str, **variables: Any) -> dict[str, Any]:
    status, body = store.graphql({"query": query, "variables": variables})
    assert status == 200
    return body


def _errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    return body["data"]["cartTransformCreate"]["userErrors"]


def test_create_by_handle_stores_the_metafield_under_the_apps_namespace(store: FakeStore) -> None:
    body = _send(store, CREATE, handle="surcharge", metafields=[CONFIG])

    created = body["data"]["cartTransformCreate"]
    assert created["userErrors"] == []
    assert created["cartTransform"]["blockOnFailure"] is False
    assert created["cartTransform"]["metafield"] == {"value": '{"v": 1}'}
    owner = created["cartTransform"]["id"]
    assert store.metafields[(owner, "app--1--luneo", "config")]["value"] == '{"v": 1}'
    assert _send(store, LIST)["data"]["cartTransforms"]["nodes"] == [
        {"id": owner, "functionId": store.cart_transforms.functions["surcharge"]}
    ]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"handle": "surcharge", "id": "123"}, "MULTIPLE_FUNCTION_IDENTIFIERS"),
        ({}, "MISSING_FUNCTION_IDENTIFIER"),
        ({"handle": "nope"}, "FUNCTION_NOT_FOUND"),
        ({"id": "123"}, "FUNCTION_NOT_FOUND"),
        (
            {"handle": "surcharge", "metafields": [{**CONFIG, "value": "{not json"}]},
            "INVALID_METAFIELDS",
        ),
    ],
)
def test_create_refusals_are_user_errors_with_their_codes(
    store: FakeStore, variables: dict[str, Any], code: str
) -> None:
    body = _send(store, CREATE, **variables)

    assert [e["code"] for e in _errors(body)] == [code]
    assert body["data"]["cartTransformCreate"]["cartTransform"] is None
    assert store.cart_transforms.transforms == []


def test_a_second_cart_transform_for_the_same_function_is_refused(store: FakeStore) -> None:
    _send(store, CREATE, handle="surcharge")

    body = _send(store, CREATE, handle="surcharge")

    assert [e["code"] for e in _errors(body)] == ["FUNCTION_ALREADY_REGISTERED"]
    assert len(store.cart_transforms.transforms) == 1


@pytest.mark.parametrize("scope", ["read_products", "read_products,read_cart_transforms"])
def test_create_without_the_write_scope_is_access_denied(store: FakeStore, scope: str) -> None:
    store.scope = scope

    body = _send(store, CREATE, handle="surcharge")

    (error,) = body["errors"]
    assert error["extensions"] == {"code": "ACCESS_DENIED"}
    assert "`write_cart_transforms`" in error["message"]
    assert store.cart_transforms.transforms == []


def test_listing_needs_the_read_or_write_scope(store: FakeStore) -> None:
    assert "errors" not in _send(store, LIST)
    store.scope = "read_products"

    assert _send(store, LIST)["errors"][0]["extensions"] == {"code": "ACCESS_DENIED"}


def test_a_shop_on_the_old_checkout_is_access_denied(store: FakeStore) -> None:
    store.cart_transforms.checkout_extensibility = False

    body = _send(store, CREATE, handle="surcharge")

    assert body["errors"][0]["extensions"] == {"code": "ACCESS_DENIED"}
    assert "Checkout Extensibility" in body["errors"][0]["message"]


def test_metafields_set_rewrites_the_config_and_refuses_invalid_json_whole(
    store: FakeStore,
) -> None:
    owner = _send(store, CREATE, handle="surcharge", metafields=[CONFIG])["data"][
        "cartTransformCreate"
    ]["cartTransform"]["id"]
    wanted = {**CONFIG, "ownerId": owner, "value": json.dumps({"v": 1, "key": "ab"})}

    refused = _send(store, SET, metafields=[wanted, {**wanted, "value": "{"}])
    stored = store.cart_transforms.config()
    accepted = _send(store, SET, metafields=[wanted])

    assert refused["data"]["metafieldsSet"]["userErrors"][0]["elementIndex"] == 1
    assert stored == '{"v": 1}'  # nothing of a refused call is written
    assert accepted["data"]["metafieldsSet"]["userErrors"] == []
    assert accepted["data"]["metafieldsSet"]["metafields"][0]["namespace"] == "app--1--luneo"
    assert store.cart_transforms.config() == wanted["value"]
