"""Shopify-side helpers for tests, built from Shopify's documentation (not from our code)."""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt

from tests.conftest import SHOPIFY_API_KEY, SHOPIFY_API_SECRET


def session_token(shop: str, *, secret: str = SHOPIFY_API_SECRET, **overrides: Any) -> str:
    """An App Bridge session token as Shopify documents its payload (HS256, signed with the
    app's API secret)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": SHOPIFY_API_KEY,
        "sub": "42",
        "exp": now + 60,
        "nbf": now - 1,
        "iat": now - 1,
        "jti": secrets.token_hex(8),
        "sid": secrets.token_hex(16),
    }
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256")
