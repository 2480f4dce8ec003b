"""Where an ordered line stands with its personalization (``Personalization``), decided at sync.

A line's ``_luneo_design`` is only text the cart carried: anyone can put any design id there.
So a design is linked to a line only when it is a design of *this* shop, and it counts as
DESIGNED only when it was made for the line's product and its surcharge was charged:

* Shopify: ``_luneo_price`` must verify (``app.shopify.surcharge_token``, the per-shop key) for
  that design id, in the order's currency, for at least the amount Luneo computes from the saved
  design (``quote_design``). The Cart Transform function added exactly that signed amount.
* WooCommerce: ``_luneo_surcharge`` (written by the plugin from Luneo's own server answer, never
  from the browser) must be at least the computed amount.
* A design whose computed surcharge is 0 is paid whatever the line says.

A design of another product of the shop is linked but UNPAID: nothing is frozen or produced
unless the merchant releases it. An id that names no design of this shop is ignored. A line of
a product whose template was active when the order was placed, with no usable design, is
MISSING (the shopper is sent a link to add it, ``app.sync.recovery``). Everything else is NONE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from app.db import as_utc
from app.design import DesignError
from app.models import Design, Personalization, Platform, Shop, ShopScope, Template
from app.product_templates.pricing import quote_design
from app.shopify import surcharge_token
from connectors.base import SURCHARGE_PROPERTY

CURRENCY_PROPERTY = "_luneo_currency"  # WooCommerce: the currency the plugin charged in
MAX_AMOUNT = Decimal("1000000")


@dataclass(frozen=True)
class Verdict:
    """What the sync writes on one line."""

    personalization: Personalization
    design: Design | None  # linked to the line (None: no usable design)
    surcharge: Decimal | None  # what the line proves was charged, per unit (None: nothing)
    expected: Decimal | None  # what Luneo computes from the design, per unit

    @property
    def may_produce(self) -> bool:
        return self.personalization in (Personalization.DESIGNED, Personalization.RECOVERED)


@dataclass(frozen=True)
class PaidCheck:
    """How one shop's order lines prove the surcharge they were charged."""

    platform: Platform
    price_key: bytes | None  # Shopify: the shop's key for ``_luneo_price``

    @classmethod
    def for_shop(cls, shop: Shop, secret_key: str) -> PaidCheck:
        key = None
        if shop.platform is Platform.SHOPIFY and secret_key:
            key = surcharge_token.shop_key(secret_key, shop.domain)
        return cls(shop.platform, key)

    def charged(
        self, properties: Mapping[str, str], design_id: str, currency: str
    ) -> Decimal | None:
        """The surcharge per unit the line proves was charged, in ``currency``; None if none."""
        if self.platform is Platform.SHOPIFY:
            if self.price_key is None:
                return None
            value = properties.get(surcharge_token.PRICE_PROPERTY)
            signed = surcharge_token.verify(self.price_key, design_id, value)
            return signed.amount if signed is not None and signed.currency == currency else None
        if self.platform is Platform.WOOCOMMERCE:
            charged_in = (properties.get(CURRENCY_PROPERTY) or currency).strip().upper()
            amount = _amount(properties.get(SURCHARGE_PROPERTY))
            return amount if charged_in == currency else None
        return None


def _amount(raw: str | None) -> Decimal | None:
    try:
        amount = Decimal((raw or "").strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        return None
    return amount.quantize(Decimal("0.01"))


def expected_surcharge(scope: ShopScope, design: Design, currency: str) -> Decimal | None:
    """Luneo's own price for the saved design (None: its template is gone or it cannot be read,
    then the line is held as UNPAID for the merchant to decide)."""
    template = scope.get(Template, design.template_id) if design.template_id else None
    if template is None:
        return None
    try:
        return quote_design(template, design.document, currency).total
    except (DesignError, ValueError, KeyError, TypeError):
        return None


def customizable_when(template: Template | None, placed_at: datetime | None) -> bool:
    """Whether the product could be personalized when the order was placed (an order older
    than its template never gets a recovery e-mail)."""
    if template is None or not template.is_active:
        return False
    if placed_at is None:
        return True
    created = as_utc(template.created_at)
    return created is None or created <= as_utc(placed_at)


def decide(
    scope: ShopScope,
    *,
    product_id: int | None,
    design: Design | None,
    properties: Mapping[str, str],
    currency: str,
    customizable: bool,
    check: PaidCheck,
    known_expected: Decimal | None = None,
) -> Verdict:
    """The line's state from what the platform sent (see the module docstring).

    ``known_expected``: the amount computed when this design was first linked to the line; kept,
    so a template whose prices change after the order never turns a paid line unpaid.
    """
    if design is None:
        state = Personalization.MISSING if customizable else Personalization.NONE
        return Verdict(state, None, None, None)
    expected = (
        known_expected
        if known_expected is not None
        else expected_surcharge(scope, design, currency)
    )
    charged = check.charged(properties, design.public_id, currency)
    if product_id is None or design.product_id != product_id:
        return Verdict(Personalization.UNPAID, design, charged, expected)
    if expected is None:
        return Verdict(Personalization.UNPAID, design, charged, None)
    if expected == 0:
        return Verdict(Personalization.DESIGNED, design, charged or Decimal("0.00"), expected)
    paid = charged is not None and charged >= expected
    state = Personalization.DESIGNED if paid else Personalization.UNPAID
    return Verdict(state, design, charged, expected)
