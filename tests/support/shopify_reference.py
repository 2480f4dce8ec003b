"""Where Shopify's captured reference data lives: ``../shared/shopify`` beside the checkout
(as on CI), or ``LUNEO_SHOPIFY_REFERENCE``. Tests that need it fail loudly when it is missing."""

from __future__ import annotations

import os
from pathlib import Path

REFERENCE = Path(
    os.environ.get("LUNEO_SHOPIFY_REFERENCE")
    or Path(__file__).resolve().parents[3] / "shared" / "shopify"
)
SCHEMAS = REFERENCE / "admin-graphql"
FIXTURES = REFERENCE / "fixtures"


def require(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"Shopify reference data not found at {path}: check out shared/ beside the repository "
            "or set LUNEO_SHOPIFY_REFERENCE"
        )
    return path
