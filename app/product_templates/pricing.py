"""A design's surcharge in the shop's currency: the one amount every surface charges.

The storefront answers it with a save (and signs it for Shopify's Cart Transform), the WordPress
plugin reads it server to server, and the order sync compares what was paid with it. Each line
is rounded to the currency's places (ROUND_HALF_UP) and the total is the sum of the rounded
lines, so the lines a shopper sees always add up.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.design.pricing import Quote, QuoteLine, quote
from app.models import Template
from app.product_templates.catalog_options import currency_places
from app.product_templates.render_spec import template_spec_from_row


def quote_design(template: Template, document: Mapping[str, Any], currency: str) -> Quote:
    """The surcharge of ``document`` on ``template``, rounded to ``currency``'s places.

    Raises DesignError when the stored template cannot be read (the caller decides)."""
    exact = quote(template_spec_from_row(template), document)
    step = Decimal(1).scaleb(-currency_places(currency))
    rounded = (
        QuoteLine(line.label, line.amount.quantize(step, rounding=ROUND_HALF_UP), line.kind)
        for line in exact.lines
    )
    return Quote(tuple(line for line in rounded if line.amount))  # a line rounded away: none


def money(amount: Decimal, currency: str) -> str:
    """An amount as the API writes it: a string with the currency's places ("4.50", "500")."""
    step = Decimal(1).scaleb(-currency_places(currency))
    return format(amount.quantize(step, rounding=ROUND_HALF_UP), "f")


def price_json(priced: Quote, currency: str) -> dict[str, Any]:
    """``{"currency", "total", "lines": [{"label", "amount", "kind"}]}``, amounts as strings."""
    return {
        "currency": currency,
        "total": money(priced.total, currency),
        "lines": [
            {"label": line.label, "amount": money(line.amount, currency), "kind": line.kind}
            for line in priced.lines
        ],
    }
