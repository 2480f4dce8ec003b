"""The stand-in store's cart transforms: ``cartTransforms`` and ``cartTransformCreate``.

As Shopify documents them for the Admin API 2026-07: an app sees only its own cart transforms and
has at most one per function; creating one needs the ``write_cart_transforms`` scope *and* a shop
upgraded to Checkout Extensibility, and Shopify answers a missing one with a top-level
``ACCESS_DENIED`` error, not a userError. The function is named by ``functionHandle`` (the
extension's handle) or ``functionId``, never both. Metafields live in the store's metafield table
(``metafieldsSet`` writes the same table), ``$app:`` namespaces resolved to the app's own.

``run_on_cart`` prices a cart the way checkout would: it runs the deployed function (the built
Wasm, through ``standins.cart_transform_runner``) with the cart transform's config metafield.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from graphql import GraphQLError

Json = dict[str, Any]

APP_ID = 1  # the app's API client id in `app--{id}--` namespaces
ACCESS_DENIED = (
    "Access denied for {field} field. Required access: `{scope}` access scope. Also: The shop "
    "must have upgraded to Checkout Extensibility and the user must have products and "
    "preferences permission to create a cart transform function."
)


def app_namespace(namespace: str | None) -> str:
    """``$app:luneo`` (or no namespace: the app-reserved one) as Shopify stores it."""
    if not namespace or namespace == "$app":
        return f"app--{APP_ID}"
    if namespace.startswith("$app:"):
        return f"app--{APP_ID}--{namespace.removeprefix('$app:')}"
    return namespace


class FakeCartTransforms:
    """One shop's cart transforms, reading and writing ``metafields`` (the store's table)."""

    def __init__(
        self,
        metafields: dict[tuple[str, str, str], Json],
        scopes: Callable[[], set[str]],
        ids: itertools.count[int],
    ) -> None:
        self.metafields = metafields
        self._scopes = scopes
        self._ids = ids
        self.checkout_extensibility = True  # False: the shop still runs checkout.liquid
        # The app's deployed functions by handle (`shopify app deploy` registers them).
        self.functions: dict[str, str] = {"surcharge": str(uuid.uuid5(uuid.NAMESPACE_URL, "s"))}
        self.transforms: list[Json] = []

    def root(self) -> Json:
        return {
            "cartTransforms": self._list,
            "cartTransformCreate": lambda _i, **args: self._create(args),
        }

    # -- reading
    def _allowed(self, field: str, scope: str) -> None:
        granted = self._scopes()
        implied = scope.replace("read_", "write_", 1)  # a write scope grants its read scope
        if scope not in granted and implied not in granted:
            raise GraphQLError(
                ACCESS_DENIED.format(field=field, scope=scope),
                extensions={"code": "ACCESS_DENIED"},
            )

    def view(self, transform: Json) -> Json:
        owner = transform["id"]

        def metafield(_info: Any, key: str, namespace: str | None = None) -> Json | None:
            return self.metafields.get((owner, app_namespace(namespace), key))

        return {**transform, "metafield": metafield}

    def _list(self, _info: Any, first: int | None = None, **_: Any) -> Json:
        from standins.shopify import connection

        self._allowed("cartTransforms", "read_cart_transforms")
        return connection(self.transforms, first, view=self.view)

    def config(self, key: str = "config", namespace: str = "$app:luneo") -> str | None:
        """The value of the (only) cart transform's metafield, as the function would read it."""
        if not self.transforms:
            return None
        stored = self.metafields.get((self.transforms[0]["id"], app_namespace(namespace), key))
        return None if stored is None else str(stored["value"])

    # -- cartTransformCreate
    def _create(self, args: Json) -> Json:
        self._allowed("cartTransformCreate", "write_cart_transforms")
        if not self.checkout_extensibility:
            raise GraphQLError(
                ACCESS_DENIED.format(field="cartTransformCreate", scope="write_cart_transforms"),
                extensions={"code": "ACCESS_DENIED"},
            )
        handle, function_id = args.get("functionHandle"), args.get("functionId")
        if handle is not None and function_id is not None:
            return _refused(
                None,
                "Only one of function_id or function_handle can be provided, not both.",
                "MULTIPLE_FUNCTION_IDENTIFIERS",
            )
        if handle is None and function_id is None:
            return _refused(
                None,
                "Either function_id or function_handle must be provided.",
                "MISSING_FUNCTION_IDENTIFIER",
            )
        if handle is not None:
            function_id = self.functions.get(handle)
            if function_id is None:
                return _refused(
                    ["functionHandle"],
                    f"Could not find function with handle: {handle}.",
                    "FUNCTION_NOT_FOUND",
                )
        elif function_id not in self.functions.values():
            return _refused(
                ["functionId"],
                f"Could not find function with ID: {function_id}.",
                "FUNCTION_NOT_FOUND",
            )
        if any(t["functionId"] == function_id for t in self.transforms):
            return _refused(
                ["functionId" if handle is None else "functionHandle"],
                "Could not enable cart transform because it is already registered",
                "FUNCTION_ALREADY_REGISTERED",
            )
        metafields = args.get("metafields") or []
        for metafield in metafields:
            if metafield_problem(metafield):
                return _refused(
                    ["metafields"], "Could not create or update metafields.", "INVALID_METAFIELDS"
                )
        transform_id = f"gid://shopify/CartTransform/{next(self._ids)}"
        transform = {
            "id": transform_id,
            "functionId": function_id,
            "blockOnFailure": bool(args.get("blockOnFailure") or False),
        }
        self.transforms.append(transform)
        for metafield in metafields:
            self.store(transform_id, metafield)
        return {"cartTransform": self.view(transform), "userErrors": []}

    def store(self, owner: str, metafield: Json) -> Json:
        namespace = app_namespace(metafield.get("namespace"))
        stored = {
            "id": f"gid://shopify/Metafield/{next(self._ids)}",
            "namespace": namespace,
            "key": metafield["key"],
            "value": metafield["value"],
            "type": metafield.get("type") or "single_line_text_field",
            "ownerId": owner,
        }
        self.metafields[(owner, namespace, metafield["key"])] = stored
        return stored

    def run_on_cart(self, lines: list[Any], rate: Decimal | str = "1.0") -> dict[str, Decimal]:
        """Unit prices of ``lines`` (``cart_transform_runner.CartLine``) after the function ran."""
        from standins import cart_transform_runner as runner

        if not self.transforms:  # no cart transform: Shopify runs nothing
            return {line.id: Decimal(str(line.unit_price)) for line in lines}
        output = runner.run_cart_transform(lines, self.config(), rate)
        return runner.unit_prices(lines, output)


def metafield_problem(metafield: Json) -> str | None:
    """Why Shopify would refuse this metafield input (type json must hold JSON), else None."""
    import json

    key = str(metafield.get("key") or "")
    if not 2 <= len(key) <= 64:
        return "Key must be 2-64 characters"
    if metafield.get("type") == "json":
        try:
            json.loads(str(metafield.get("value")))
        except ValueError:
            return "Value is invalid JSON"
    return None


def _refused(field: list[str] | None, message: str, code: str) -> Json:
    return {
        "cartTransform": None,
        "userErrors": [{"field": field, "message": message, "code": code}],
    }
