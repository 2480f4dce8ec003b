"""The shop's cart transform (Luneo's ``surcharge`` function) through the Admin API.

Pure GraphQL: a ``ShopifyGraphQL`` in, plain records out (no Flask, no database). Every document
here is validated against the captured Admin schema of ``API_VERSION`` in the tests. An app has
at most one cart transform per shop and ``cartTransforms`` lists only the calling app's, so the
first one listed is Luneo's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.base import PlatformError
from connectors.shopify.client import AccessDenied, ShopifyGraphQL

FUNCTION_HANDLE = "surcharge"  # extensions/surcharge/shopify.extension.toml
NAMESPACE = "$app:luneo"  # app-owned: storefronts cannot read it, the function can
KEY = "config"
METAFIELD_TYPE = "json"

CART_TRANSFORMS = """
query LuneoCartTransforms {
  cartTransforms(first: 5) {
    nodes {
      id
      functionId
      blockOnFailure
      metafield(namespace: "$app:luneo", key: "config") { value }
    }
  }
}
"""

CART_TRANSFORM_CREATE = """
mutation LuneoCartTransformCreate($functionHandle: String!, $metafields: [MetafieldInput!]) {
  cartTransformCreate(
    functionHandle: $functionHandle
    blockOnFailure: false
    metafields: $metafields
  ) {
    cartTransform { id functionId blockOnFailure }
    userErrors { field message code }
  }
}
"""

CONFIG_SET = """
mutation LuneoCartTransformConfig($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key }
    userErrors { field message code }
  }
}
"""

DOCUMENTS = (CART_TRANSFORMS, CART_TRANSFORM_CREATE, CONFIG_SET)


class CartTransformRefused(PlatformError):
    """Shopify refused to create or configure the cart transform (its userErrors, in words).

    ``code`` is the first error's code (``FUNCTION_NOT_FOUND``, ``INPUT_INVALID``…), if any.
    """

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CartTransform:
    id: str
    function_id: str
    block_on_failure: bool
    config: str | None  # the metafield's value as stored, None when it has none


def _execute(client: ShopifyGraphQL, document: str, variables: dict[str, Any] | None = None) -> Any:
    """``client.execute``, with Shopify's ACCESS_DENIED as a refusal: cartTransformCreate needs
    the write_cart_transforms scope *and* a shop on Checkout Extensibility."""
    try:
        return client.execute(document, variables)
    except AccessDenied as exc:
        raise CartTransformRefused(str(exc), "ACCESS_DENIED") from None


def _refused(payload: dict[str, Any]) -> None:
    errors = payload.get("userErrors") or []
    if errors:
        message = "; ".join(str(e.get("message")) for e in errors)
        raise CartTransformRefused(message, errors[0].get("code"))


def find(client: ShopifyGraphQL) -> CartTransform | None:
    """Luneo's cart transform on the shop, or None when there is none yet."""
    nodes = (_execute(client, CART_TRANSFORMS).get("cartTransforms") or {}).get("nodes") or []
    if not nodes:
        return None
    node = nodes[0]
    metafield = node.get("metafield") or {}
    return CartTransform(
        id=str(node["id"]),
        function_id=str(node.get("functionId") or ""),
        block_on_failure=bool(node.get("blockOnFailure")),
        config=metafield.get("value"),
    )


def create(client: ShopifyGraphQL, config: str) -> CartTransform:
    """Activate the ``surcharge`` function on the shop, carrying ``config`` in its metafield.

    ``blockOnFailure: false``: if the function ever fails, carts go on at the base price (the
    order sync then holds the unpaid line) instead of checkout breaking.
    """
    metafield = {"namespace": NAMESPACE, "key": KEY, "type": METAFIELD_TYPE, "value": config}
    variables = {"functionHandle": FUNCTION_HANDLE, "metafields": [metafield]}
    payload = _execute(client, CART_TRANSFORM_CREATE, variables).get("cartTransformCreate")
    if not isinstance(payload, dict):
        raise PlatformError("cartTransformCreate answered without a payload")
    _refused(payload)
    node = payload.get("cartTransform")
    if not isinstance(node, dict):
        raise PlatformError("cartTransformCreate answered without a cart transform")
    return CartTransform(
        id=str(node["id"]),
        function_id=str(node.get("functionId") or ""),
        block_on_failure=bool(node.get("blockOnFailure")),
        config=config,
    )


def set_config(client: ShopifyGraphQL, transform_id: str, config: str) -> None:
    """Replace the config metafield of the cart transform ``transform_id``."""
    metafield = {
        "ownerId": transform_id,
        "namespace": NAMESPACE,
        "key": KEY,
        "type": METAFIELD_TYPE,
        "value": config,
    }
    payload = _execute(client, CONFIG_SET, {"metafields": [metafield]}).get("metafieldsSet")
    if not isinstance(payload, dict):
        raise PlatformError("metafieldsSet answered without a payload")
    _refused(payload)
