"""The cart transform documents are valid for the Admin API version Luneo declares."""

from __future__ import annotations

import pytest
from graphql import parse, validate
from graphql.validation import NoDeprecatedCustomRule

from connectors.shopify import API_VERSION
from connectors.shopify import cart_transform as api
from standins.shopify import admin_schema


@pytest.mark.parametrize("document", api.DOCUMENTS, ids=lambda d: d.split("(")[0].split()[-1])
def test_every_cart_transform_document_is_valid_against_the_admin_schema(document: str) -> None:
    assert validate(admin_schema(API_VERSION), parse(document)) == []


@pytest.mark.parametrize("document", api.DOCUMENTS, ids=lambda d: d.split("(")[0].split()[-1])
def test_no_cart_transform_document_uses_a_deprecated_field(document: str) -> None:
    assert validate(admin_schema(API_VERSION), parse(document), [NoDeprecatedCustomRule]) == []


def test_the_function_handle_is_the_extensions() -> None:
    import tomllib
    from pathlib import Path

    toml = (
        Path(__file__).resolve().parents[3] / "extensions" / "surcharge" / "shopify.extension.toml"
    )
    (extension,) = tomllib.loads(toml.read_text())["extensions"]

    assert extension["handle"] == api.FUNCTION_HANDLE
