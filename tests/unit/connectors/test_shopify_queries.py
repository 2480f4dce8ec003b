"""Every GraphQL document Luneo sends is valid for the Admin API version Luneo declares."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from graphql import FieldNode, GraphQLSchema, Visitor, parse, validate, visit
from graphql.validation import NoDeprecatedCustomRule

from app.config import SHOPIFY_API_VERSION
from connectors.shopify import API_VERSION, queries
from standins.shopify import MAX_QUERY_COST, admin_schema, query_cost

REPO = Path(__file__).resolve().parents[3]
DOCUMENTS = sorted(queries.ALL.items())

# The page sizes each paged document is sent with (the connector's own constants).
PAGE_VARIABLES = {
    "PRODUCTS": {"first": queries.PRODUCTS_PAGE, "variantsFirst": queries.VARIANTS_PAGE},
    "PRODUCT": {"variantsFirst": queries.VARIANTS_REST_PAGE},
    "PRODUCT_VARIANTS": {"first": queries.VARIANTS_REST_PAGE},
    "PRODUCT_DELETIONS": {"first": queries.EVENTS_PAGE},
    "ORDERS": {"first": queries.ORDERS_PAGE, "linesFirst": queries.LINES_PAGE},
    "ORDER": {"linesFirst": queries.LINES_REST_PAGE},
    "ORDER_LINES": {"first": queries.LINES_REST_PAGE},
}


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return admin_schema(API_VERSION)


def test_luneo_declares_one_api_version_everywhere() -> None:
    toml = tomllib.loads((REPO / "shopify.app.toml").read_text())

    assert API_VERSION == SHOPIFY_API_VERSION == toml["webhooks"]["api_version"] == "2026-07"


@pytest.mark.parametrize(("_case", "document"), DOCUMENTS, ids=[name for name, _ in DOCUMENTS])
def test_document_is_valid_against_the_declared_admin_schema(
    schema: GraphQLSchema, _case: str, document: str
) -> None:
    assert validate(schema, parse(document)) == []


@pytest.mark.parametrize(("_case", "document"), DOCUMENTS, ids=[name for name, _ in DOCUMENTS])
def test_document_uses_no_deprecated_field(
    schema: GraphQLSchema, _case: str, document: str
) -> None:
    assert validate(schema, parse(document), [NoDeprecatedCustomRule]) == []


@pytest.mark.parametrize("name", sorted(PAGE_VARIABLES))
def test_paged_document_stays_under_the_single_query_cost_limit(
    schema: GraphQLSchema, name: str
) -> None:
    document = parse(queries.ALL[name])
    variables = PAGE_VARIABLES[name]

    assert 0 < query_cost(schema, document, variables) <= MAX_QUERY_COST


def test_bulk_query_selects_connections_through_edges_not_nodes() -> None:
    # Shopify refuses bulk queries selecting `nodes` (captured: bulk-operation-run-query-validators)
    selected: list[str] = []

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            selected.append(node.name.value)

    visit(parse(queries.BULK_PRODUCTS), Fields())

    assert "nodes" not in selected
    assert selected.count("edges") == 2  # products and their variants: one nesting level
    assert "first" not in queries.BULK_PRODUCTS


def test_every_document_in_the_module_is_listed_for_validation() -> None:
    documents = {
        name
        for name, value in vars(queries).items()
        if name.isupper() and not name.startswith("_") and isinstance(value, str) and "{" in value
    }

    assert documents == set(queries.ALL)
