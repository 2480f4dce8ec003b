"""Which job handles each WooCommerce webhook topic, and what of a payload is worth keeping.

Every job takes the recorded ``WebhookEvent`` id and re-reads the resource from the store, so
only ids are kept: product and order bodies carry customers' names and addresses.
"""

from __future__ import annotations

from typing import Any

_RESOURCE_FIELDS = ("id", "parent_id", "type", "status", "date_modified_gmt")


def job_for(topic: str) -> str | None:
    """The dotted path of the job for ``topic``; None for a topic Luneo does not handle."""
    match topic:
        case "product.created" | "product.updated" | "product.restored":
            return "jobs.woocommerce_events.product_changed"
        case "product.deleted":
            return "jobs.woocommerce_events.product_deleted"
        case "order.created" | "order.updated" | "order.restored":
            return "jobs.woocommerce_events.order_changed"
        case _:
            return None


def stored_payload(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: payload[key] for key in _RESOURCE_FIELDS if key in payload}
