"""The order's ``design_links`` metafield: the shopper's private links to change each designed
line, for the order status page (``extensions/order-preview``) through the Admin API.

Pure GraphQL: a ``ShopifyGraphQL`` in, plain results out (no Flask, no database). Every document
is validated against the captured Admin schema of ``API_VERSION`` in the tests.

The metafield is app-owned (namespace ``$app``): no other app and no storefront can read it, the
merchant only reads it, and its definition gives the Customer Account API read access, so the
customer account extension gets it as one of its ``appMetafields`` — on the order status page of
the customer who owns the order, and nowhere else. Shopify answers ``metafieldDefinitionCreate``
for a definition that already exists with the user error code ``TAKEN``: that is success here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.base import PlatformError
from connectors.shopify.client import ShopifyGraphQL

NAMESPACE = "$app"  # the app-reserved namespace (``app--{app id}`` at Shopify)
KEY = "design_links"
METAFIELD_TYPE = "json"
OWNER_TYPE = "ORDER"
ALREADY_DEFINED = "TAKEN"

DEFINITION_CREATE = """
mutation LuneoDesignLinksDefinition($definition: MetafieldDefinitionInput!) {
  metafieldDefinitionCreate(definition: $definition) {
    createdDefinition { id namespace key }
    userErrors { field message code }
  }
}
"""

LINKS_SET = """
mutation LuneoDesignLinks($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key }
    userErrors { field message code }
  }
}
"""

DOCUMENTS = (DEFINITION_CREATE, LINKS_SET)

DEFINITION: dict[str, Any] = {
    "namespace": NAMESPACE,
    "key": KEY,
    "name": "Luneo design change links",
    "description": "The customer's private link to change each personalised item's design "
    "until it is made (shown on the order status page).",
    "ownerType": OWNER_TYPE,
    "type": METAFIELD_TYPE,
    "access": {"admin": "MERCHANT_READ", "customerAccount": "READ"},
}


class DesignLinksRefused(PlatformError):
    """Shopify refused the definition or the value (its userErrors, in words); ``code`` is the
    first error's code, if any."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Defined:
    created: bool  # False: it existed already (TAKEN)


def _payload(data: Any, mutation: str) -> dict[str, Any]:
    payload = data.get(mutation) if isinstance(data, dict) else None
    if not isinstance(payload, dict):
        raise PlatformError(f"unexpected GraphQL answer: {mutation} returned no payload")
    return payload


def _errors(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in payload.get("userErrors") or [] if isinstance(e, dict)]


def _refused(mutation: str, errors: list[dict[str, Any]]) -> DesignLinksRefused:
    message = "; ".join(str(e.get("message")) for e in errors)
    return DesignLinksRefused(f"{mutation} refused: {message}", errors[0].get("code"))


def define(client: ShopifyGraphQL) -> Defined:
    """Create the metafield definition (customer account read access); an existing one is
    fine. ``DesignLinksRefused`` for any other refusal."""
    data = client.execute(DEFINITION_CREATE, {"definition": DEFINITION})
    payload = _payload(data, "metafieldDefinitionCreate")
    errors = _errors(payload)
    if not errors:
        return Defined(created=True)
    if all(e.get("code") == ALREADY_DEFINED for e in errors):
        return Defined(created=False)
    raise _refused("metafieldDefinitionCreate", errors)


def write(client: ShopifyGraphQL, order_id: str, value: str) -> None:
    """Set the order's ``design_links`` metafield to ``value`` (JSON text)."""
    metafield = {
        "ownerId": order_id,
        "namespace": NAMESPACE,
        "key": KEY,
        "type": METAFIELD_TYPE,
        "value": value,
    }
    data = client.execute(LINKS_SET, {"metafields": [metafield]})
    payload = _payload(data, "metafieldsSet")
    errors = _errors(payload)
    if errors:
        raise _refused("metafieldsSet", errors)
