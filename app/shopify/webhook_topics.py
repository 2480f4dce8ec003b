"""Which job handles each Shopify webhook topic, and what of a payload is worth keeping.

The receiver stays thin: it records the delivery and asks ``job_for(topic)`` what to enqueue.
Every job takes the recorded ``WebhookEvent`` id and reads the payload from that row.
"""

from __future__ import annotations

from typing import Any

# Order and product bodies carry the customer's name, email and addresses. The jobs only need
# the ids (they re-read the resource from Shopify), so only the ids are stored: personal data
# kept in webhook rows would sit beyond the reach of customers/redact.
_RESOURCE_FIELDS = ("id", "admin_graphql_api_id", "updated_at")


def job_for(topic: str) -> str | None:
    """The dotted path of the job for ``topic``; None for a topic Luneo does not handle."""
    match topic:
        case "app/uninstalled":
            return "jobs.shopify_events.app_uninstalled"
        case "products/create" | "products/update":
            return "jobs.shopify_events.product_changed"
        case "products/delete":
            return "jobs.shopify_events.product_deleted"
        case "orders/create" | "orders/updated":
            return "jobs.shopify_events.order_changed"
        case "app_subscriptions/update":
            return "jobs.shopify_events.subscription_updated"
        case "customers/data_request":
            return "jobs.privacy.customer_data_request"
        case "customers/redact":
            return "jobs.privacy.customer_redact"
        case "shop/redact":
            return "jobs.privacy.shop_redact"
        case _:
            return None


def body_shop_field(topic: str) -> str | None:
    """The field of the signed body that names the shop, for the topics whose body has one.

    Shopify's documented bodies: app/uninstalled is the shop resource (``myshopify_domain``;
    ``domain`` is the storefront's own domain, not the shop's key), the compliance topics carry
    ``shop_domain``.
    """
    match topic:
        case "app/uninstalled":
            return "myshopify_domain"
        case "shop/redact" | "customers/redact" | "customers/data_request":
            return "shop_domain"
        case _:
            return None


def stored_payload(topic: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What to keep of a delivery's body: ids only for resources, everything else as sent."""
    if topic.startswith(("orders/", "products/")):
        return {key: payload[key] for key in _RESOURCE_FIELDS if key in payload}
    return payload
