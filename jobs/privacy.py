"""Jobs for Shopify's mandatory compliance topics; the work is ``app.privacy``."""

from __future__ import annotations

from app import privacy


def customer_data_request(event_id: int) -> str:
    """customers/data_request: compile the customer's data into a downloadable export."""
    return privacy.customer_data_request(event_id)


def customer_redact(event_id: int) -> str:
    """customers/redact: delete the customer's designs and files, anonymize their orders."""
    return privacy.customer_redact(event_id)


def shop_redact(event_id: int) -> str:
    """shop/redact (48 hours after uninstall): delete every row and file of the shop."""
    return privacy.shop_redact(event_id)
