"""Shopify's captured reference data, carried in the checkout under ``standins/data/shopify``.

The Admin GraphQL schema of the API version Luneo pins (the Shopify stand-in executes documents
against it, in the tests and under ``luneo dev``) and the captured responses the tests use,
xz-compressed (``scripts/refresh-shopify-reference`` replaces them for the next API version).
Nothing here reads outside the repository: a fresh clone has everything the tests need.
"""

from __future__ import annotations

import json
import lzma
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parent / "data" / "shopify"
SCHEMAS = REFERENCE / "admin-graphql"
FIXTURES = REFERENCE / "fixtures"


def _read(path: Path) -> str:
    if not path.exists():
        raise FileNotFoundError(
            f"Shopify reference data not found at {path}: run scripts/refresh-shopify-reference"
        )
    return lzma.decompress(path.read_bytes()).decode()


def schema_text(version: str) -> str:
    """The Admin GraphQL schema (SDL) of ``version``."""
    return _read(SCHEMAS / version / "schema.graphql.xz")


def fixture(name: str) -> Any:
    """The captured JSON document ``name`` (e.g. ``bulk-operation-run-query-concurrency-limit``)."""
    return json.loads(_read(FIXTURES / f"{name}.json.xz"))
