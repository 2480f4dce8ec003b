"""The signed price a Shopify cart line carries for its personalization (``_luneo_price``).

Luneo computes a design's surcharge when the design is saved; the widget puts it in the cart
line's attributes beside ``_luneo_design``. Anyone can edit cart attributes, so the amount is
signed with a per-shop key that only Luneo and Luneo's Cart Transform function hold (the key
lives in an app-owned metafield of the shop's cart transform, which storefronts cannot read).
The function (``extensions/surcharge``) checks the signature before it adds the amount to the
line's price, and the order sync checks it again before it calls a line paid.

Format (the function parses exactly this)::

    _luneo_price = "1:<amount>:<currency>:<hex HMAC-SHA256(key, "1|<design>|<amount>|<currency>")>"

``amount`` is a plain decimal in the shop's currency with that currency's places ("4.50",
"500" for JPY); ``design`` is the ``_luneo_design`` value of the same line.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

PRICE_PROPERTY = "_luneo_price"
VERSION = "1"
_TOKEN = re.compile(r"^1:(\d{1,9}(?:\.\d{1,3})?):([A-Z]{3}):([0-9a-f]{64})$")


def shop_key(secret_key: str, shop_domain: str) -> bytes:
    """The shop's 32-byte signing key, derived from the app's secret and the shop's domain."""
    message = f"luneo.cart-transform.v1|{shop_domain.lower()}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).digest()


def _signature(key: bytes, design_id: str, amount: str, currency: str) -> str:
    message = f"{VERSION}|{design_id}|{amount}|{currency}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(key: bytes, design_id: str, amount: Decimal, currency: str) -> str:
    """The attribute value for ``design_id`` charging ``amount`` (already rounded to places)."""
    text = format(amount, "f")
    return f"{VERSION}:{text}:{currency}:{_signature(key, design_id, text, currency)}"


@dataclass(frozen=True)
class SignedPrice:
    amount: Decimal
    currency: str


def verify(key: bytes, design_id: str, value: str | None) -> SignedPrice | None:
    """The price ``value`` signs for ``design_id``; None when missing, malformed or forged."""
    match = _TOKEN.match((value or "").strip())
    if match is None:
        return None
    amount, currency, given = match.groups()
    expected = _signature(key, design_id, amount, currency)
    if not hmac.compare_digest(expected, given):
        return None
    try:
        return SignedPrice(Decimal(amount), currency)
    except InvalidOperation:  # the pattern admits only decimals; kept for the type checker
        return None
