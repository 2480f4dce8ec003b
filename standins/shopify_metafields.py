"""The stand-in store's metafields: ``metafieldsSet`` and ``metafieldDefinitionCreate``.

As Shopify documents them for the Admin API 2026-07:

* ``metafieldsSet`` is all or nothing: any invalid input and nothing is written, each problem a
  userError naming its ``elementIndex``. The owner must exist (an order, a product or a cart
  transform of this shop); at most 25 metafields a call; key 2-64 and namespace 3-255
  characters of letters, digits, ``-`` and ``_``; ``type`` may be left out only when a
  definition gives it, and must equal the definition's when one exists; a ``json`` value must be
  JSON.
* ``metafieldDefinitionCreate``: key and namespace as above, a name, a known type; the same
  owner type, namespace and key twice is ``TAKEN``; ``access.admin`` can be set only on an
  app-owned namespace. Creating an ``ORDER`` definition needs an orders scope (Shopify answers a
  top-level ``ACCESS_DENIED`` otherwise).

``$app`` and ``$app:sub`` namespaces (or none: the app-reserved one) are stored as Shopify stores
them, ``app--{id}`` and ``app--{id}--sub`` (``shopify_cart_transforms.app_namespace``).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

from standins.shopify_cart_transforms import app_namespace

Json = dict[str, Any]

MAX_SET = 25
TYPES = frozenset(
    {
        "json",
        "single_line_text_field",
        "multi_line_text_field",
        "boolean",
        "number_integer",
        "number_decimal",
        "url",
        "date",
        "date_time",
    }
)
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_OWNERS = {"Order": "ORDER", "Product": "PRODUCT", "CartTransform": "CARTTRANSFORM"}
_SCOPES = {"ORDER": ("read_orders", "write_orders"), "PRODUCT": ("read_products", "write_products")}


def owner_type(owner_id: str) -> str | None:
    """``gid://shopify/Order/1`` -> ``ORDER`` (None: not a resource metafields go on here)."""
    match = re.match(r"^gid://shopify/([A-Za-z]+)/\d+$", owner_id or "")
    return _OWNERS.get(match.group(1)) if match else None


def _name_problem(value: str, low: int, high: int, label: str) -> str | None:
    if not low <= len(value) <= high:
        return f"{label} must be {low}-{high} characters long"
    if not _NAME.match(value):
        return f"{label} contains one or more invalid characters"
    return None


def _namespace_problem(namespace: str | None) -> str | None:
    if not namespace or namespace == "$app":
        return None
    if namespace.startswith("$app:"):
        return _name_problem(namespace.removeprefix("$app:"), 1, 250, "Namespace")
    return _name_problem(namespace, 3, 255, "Namespace")


class FakeMetafields:
    """One shop's metafields (the table ``FakeStore.metafields``) and their definitions."""

    def __init__(
        self,
        metafields: dict[tuple[str, str, str], Json],
        owner_exists: Callable[[str], bool],
        scopes: Callable[[], set[str]],
        ids: itertools.count[int],
    ) -> None:
        self.metafields = metafields
        self.definitions: dict[tuple[str, str, str], Json] = {}
        self._owner_exists = owner_exists
        self._scopes = scopes
        self._ids = ids

    def root(self) -> Json:
        return {
            "metafieldsSet": lambda _i, metafields: self.set(metafields),
            "metafieldDefinitionCreate": lambda _i, definition: self.define(definition),
        }

    def value(self, owner: str, namespace: str | None, key: str) -> Any:
        """The stored value's JSON, as the extension would read it (None: there is none)."""
        stored = self.metafields.get((owner, app_namespace(namespace), key))
        return None if stored is None else json.loads(stored["value"])

    # -- metafieldsSet
    def _problems(self, index: int, metafield: Json) -> list[Json]:
        def error(field: str, message: str, code: str) -> Json:
            return {
                "field": ["metafields", str(index), field],
                "message": message,
                "code": code,
                "elementIndex": index,
            }

        owner = str(metafield.get("ownerId") or "")
        kind = owner_type(owner)
        if kind is None or not self._owner_exists(owner):
            return [error("ownerId", "Owner does not exist.", "INVALID")]
        found: list[Json] = []
        key = str(metafield.get("key") or "")
        if problem := _name_problem(key, 2, 64, "Key"):
            found.append(error("key", problem, "INVALID"))
        if problem := _namespace_problem(metafield.get("namespace")):
            found.append(error("namespace", problem, "INVALID"))
        definition = self.definitions.get((kind, app_namespace(metafield.get("namespace")), key))
        given = metafield.get("type")
        wanted = given or (definition or {}).get("type")
        if wanted is None:
            found.append(error("type", "Type can't be blank.", "BLANK"))
        elif wanted not in TYPES or (definition is not None and wanted != definition["type"]):
            found.append(error("type", "Type must be one of the definition's.", "INVALID_TYPE"))
        elif wanted == "json":
            try:
                json.loads(str(metafield.get("value")))
            except ValueError:
                found.append(error("value", "Value is invalid JSON", "INVALID_VALUE"))
        return found

    def set(self, metafields: list[Json]) -> Json:
        if len(metafields) > MAX_SET:
            message = f"Exceeded the maximum metafields input limit of {MAX_SET}."
            error = {"field": ["metafields"], "message": message, "code": "LESS_THAN_OR_EQUAL_TO"}
            return {"metafields": [], "userErrors": [{**error, "elementIndex": None}]}
        errors = [e for i, m in enumerate(metafields) for e in self._problems(i, m)]
        if errors:
            return {"metafields": [], "userErrors": errors}
        return {"metafields": [self.store(m) for m in metafields], "userErrors": []}

    def store(self, metafield: Json) -> Json:
        owner, key = metafield["ownerId"], metafield["key"]
        namespace = app_namespace(metafield.get("namespace"))
        kind = owner_type(owner) or ""
        definition = self.definitions.get((kind, namespace, key)) or {}
        previous = self.metafields.get((owner, namespace, key))
        stored = {
            "id": previous["id"] if previous else f"gid://shopify/Metafield/{next(self._ids)}",
            "namespace": namespace,
            "key": key,
            "value": metafield["value"],
            "type": metafield.get("type") or definition.get("type"),
            "ownerId": owner,
        }
        self.metafields[(owner, namespace, key)] = stored
        return stored

    # -- metafieldDefinitionCreate
    def define(self, definition: Json) -> Json:
        kind = definition["ownerType"]
        needs = _SCOPES.get(kind)
        if needs is not None and not set(needs) & self._scopes():
            raise GraphQLError(
                f"Access denied for metafieldDefinitionCreate field. Required access: "
                f"`{needs[1]}` access scope.",
                extensions={"code": "ACCESS_DENIED"},
            )
        given_namespace = definition.get("namespace")
        namespace = app_namespace(given_namespace)
        key = str(definition.get("key") or "")

        def refused(field: str, message: str, code: str) -> Json:
            error = {"field": ["definition", field], "message": message, "code": code}
            return {"createdDefinition": None, "userErrors": [error]}

        if problem := _name_problem(key, 2, 64, "Key"):
            return refused("key", problem, "INVALID")
        if problem := _namespace_problem(given_namespace):
            return refused("namespace", problem, "INVALID")
        if not str(definition.get("name") or "").strip():
            return refused("name", "Name can't be blank.", "BLANK")
        if definition.get("type") not in TYPES:
            return refused("type", "Type isn't included in the list.", "INCLUSION")
        access = definition.get("access") or {}
        if access.get("admin") and not namespace.startswith("app--"):
            return refused(
                "access",
                "Admin access can only be specified on metafield definitions that have an "
                "app namespace.",
                "INVALID_INPUT_COMBINATION",
            )
        if (kind, namespace, key) in self.definitions:
            return refused(
                "key",
                f"Key is in use for {kind.title()} metafields on the '{given_namespace}' "
                "namespace.",
                "TAKEN",
            )
        created = {
            "id": f"gid://shopify/MetafieldDefinition/{next(self._ids)}",
            "namespace": namespace,
            "key": key,
            "name": definition["name"],
            "type": definition["type"],
            "ownerType": kind,
            "access": {
                "admin": access.get("admin") or "MERCHANT_READ_WRITE",
                "customerAccount": access.get("customerAccount") or "NONE",
                "storefront": access.get("storefront") or "NONE",
            },
        }
        self.definitions[(kind, namespace, key)] = created
        return {
            "createdDefinition": {k: created[k] for k in ("id", "namespace", "key")},
            "userErrors": [],
        }
