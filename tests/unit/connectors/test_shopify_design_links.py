"""The design links documents are valid for the Admin API version Luneo declares, and the
connector reads Shopify's answers as documented (TAKEN: the definition exists already)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import parse, validate
from graphql.validation import NoDeprecatedCustomRule

from connectors.base import PlatformError
from connectors.shopify import API_VERSION
from connectors.shopify import design_links as api
from standins.shopify import FakeStore, admin_schema, upstream_order


@pytest.mark.parametrize("document", api.DOCUMENTS, ids=lambda d: d.split("(")[0].split()[-1])
def test_every_design_links_document_is_valid_against_the_admin_schema(document: str) -> None:
    assert validate(admin_schema(API_VERSION), parse(document)) == []


@pytest.mark.parametrize("document", api.DOCUMENTS, ids=lambda d: d.split("(")[0].split()[-1])
def test_no_design_links_document_uses_a_deprecated_field(document: str) -> None:
    assert validate(admin_schema(API_VERSION), parse(document), [NoDeprecatedCustomRule]) == []


class StoreClient:
    """The connector's client, answered by the stand-in store in process."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.sent: list[tuple[str, dict[str, Any] | None]] = []

    def execute(self, document: str, variables: dict[str, Any] | None = None) -> Any:
        self.sent.append((document, variables))
        status, body = self.store.graphql({"query": document, "variables": variables or {}})
        assert status == 200
        assert "errors" not in body, body
        return body["data"]

    def close(self) -> None:
        pass


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore("links.myshopify.com", "shpat_x")
    store.add_orders(upstream_order(1, []))
    return store


def test_define_creates_once_then_finds_it_taken(store: FakeStore) -> None:
    client = StoreClient(store)

    assert api.define(client) == api.Defined(created=True)  # type: ignore[arg-type]
    assert api.define(client) == api.Defined(created=False)  # type: ignore[arg-type]
    (definition,) = store.metafield_api.definitions.values()
    assert definition["access"] == {
        "admin": "MERCHANT_READ",
        "customerAccount": "READ",
        "storefront": "NONE",
    }
    assert (definition["namespace"], definition["key"]) == ("app--1", "design_links")


def test_write_sets_the_orders_metafield(store: FakeStore) -> None:
    client = StoreClient(store)

    api.write(client, "gid://shopify/Order/1", json.dumps({"v": 1, "lines": {}}))  # type: ignore[arg-type]

    assert store.metafield_api.value("gid://shopify/Order/1", "$app", "design_links") == {
        "v": 1,
        "lines": {},
    }


def test_a_refusal_is_a_platform_error_with_its_code(store: FakeStore) -> None:
    client = StoreClient(store)

    with pytest.raises(api.DesignLinksRefused) as refused:
        api.write(client, "gid://shopify/Order/404", "{}")  # type: ignore[arg-type]

    assert isinstance(refused.value, PlatformError)
    assert refused.value.code == "INVALID"
    assert "Owner does not exist" in str(refused.value)
