"""A local Shopify for tests, benchmarks and ``luneo dev``: the real Admin schema, the documented
throttle, and the merchant's pages (grant screen, charge confirmation, the admin opening the app).

Documents are executed with graphql-core against the captured 2026-07 Admin schema, so a
field Shopify lacks fails here as it would there. Throttling follows Shopify's documentation:
a leaky bucket per shop (``maximumAvailable``, ``restoreRate``); a query runs only if the bucket
holds its requested cost (objects 1, connections 2 + n x item, scalars 0, mutations 10), and
the difference to its actual cost is refunded afterwards; otherwise THROTTLED. Bulk queries
must select connections through edges > node (the captured validator error) and produce JSONL
with ``__parentId``, children *after all roots* (ungrouped, as ``groupObjects: false`` allows).

Offline tokens follow Shopify's expiring-token flow: ``expiring_grant`` issues an access token
that dies after ``expires_in`` seconds with a refresh token; ``POST /admin/oauth/access_token``
with ``grant_type=refresh_token`` answers a new pair and revokes the old access token and the
refresh token it spent (single-use: reusing it is ``400 invalid_grant``, as is an expired or
revoked one). An expired or replaced access token gets the Admin API's 401.

The authorization-code grant and token exchange answer expiring tokens too. When the server
knows the app (``FakeShopify.app``: API key, secret and URL), it also serves what the merchant
clicks through on Shopify: ``/admin/oauth/authorize`` (Approve redirects to the app's callback
with a ``code`` and the query HMAC signed with the app's secret), the subscription confirmation
page ``confirmationUrl`` points at (Approve/Decline, then back to the subscription's return URL),
and ``/admin/apps/{api_key}/...``, where the admin opens the app as an embedded load (a session
token signed with the secret, the signed query).

One server hosts several stores, addressed by the first path segment, so
``SHOPIFY_SHOP_ORIGIN = "http://127.0.0.1:PORT/{shop}"``.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Visitor,
    build_schema,
    execute_sync,
    get_named_type,
    is_leaf_type,
    parse,
    validate,
    visit,
)
from graphql.error import GraphQLSyntaxError

from standins.shopify_billing import FakeBilling
from standins.shopify_cart_transforms import FakeCartTransforms
from standins.shopify_merchant import AppSide, MerchantPages
from standins.shopify_metafields import FakeMetafields
from standins.shopify_reference import schema_text

API_VERSION = "2026-07"
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 - a name
MAX_QUERY_COST = 1000
INVALID_TOKEN = (  # Shopify's message, not a secret
    "[API] Invalid API key or access token (unrecognized login or wrong password)"  # noqa: S105
)
Json = dict[str, Any]


_SCHEMA_LOCK = threading.Lock()


def admin_schema(version: str = API_VERSION) -> GraphQLSchema:
    """The Admin schema, built once (it takes seconds) however many threads ask at once."""
    with _SCHEMA_LOCK:
        return _build_schema(version)


@functools.cache
def _build_schema(version: str) -> GraphQLSchema:
    return build_schema(schema_text(version), assume_valid=True)


# ------------------------------------------------------------------------------- cost
def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _operation(document: DocumentNode) -> OperationDefinitionNode:
    return next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))


def _arg(node: FieldNode, name: str, variables: Json) -> Any:
    for argument in node.arguments or ():
        if argument.name.value == name:
            value = argument.value
            if value.kind == "variable":
                return variables.get(value.name.value)  # type: ignore[attr-defined]
            return int(value.value) if value.kind == "int_value" else None  # type: ignore[attr-defined]
    return None


def query_cost(
    schema: GraphQLSchema, document: DocumentNode, variables: Json, data: Json | None = None
) -> int:
    """Requested cost (``data`` None) or actual cost of what ``data`` holds."""
    operation = _operation(document)
    if operation.operation == OperationType.MUTATION:
        return 10 * len(operation.selection_set.selections)
    walker = _Cost(schema, _fragments(document), variables, actual=data is not None)
    return walker.selection(operation.selection_set, schema.query_type, data)


@dataclass
class _Cost:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: Json
    actual: bool

    def selection(self, selection_set: SelectionSetNode | None, parent: Any, data: Any) -> int:
        total = 0
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode):
                total += self.field(sel, parent, data)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition
                target = self.schema.get_type(cond.name.value) if cond else parent
                total += self.selection(sel.selection_set, target, data)
            elif isinstance(sel, FragmentSpreadNode):
                fragment = self.fragments[sel.name.value]
                target = self.schema.get_type(fragment.type_condition.name.value)
                total += self.selection(fragment.selection_set, target, data)
        return total

    def field(self, node: FieldNode, parent: Any, data: Any) -> int:
        name = node.name.value
        fields = getattr(parent, "fields", {})
        if name.startswith("__") or name == "pageInfo" or name not in fields:
            return 0
        named = get_named_type(fields[name].type)
        if is_leaf_type(named):
            return 0
        key = node.alias.value if node.alias else name
        value = data.get(key) if isinstance(data, dict) else None
        if self.actual and value is None:
            return 0
        if named.name.endswith("Connection"):
            return 2 + self.connection(node, named, value)
        return 1 + self.selection(node.selection_set, named, value)

    def connection(self, node: FieldNode, conn_type: Any, value: Any) -> int:
        first = _arg(node, "first", self.variables) or _arg(node, "last", self.variables) or 0
        total = 0
        for sel in node.selection_set.selections if node.selection_set else ():
            if not isinstance(sel, FieldNode) or sel.name.value not in ("nodes", "edges"):
                continue
            items_type = get_named_type(conn_type.fields[sel.name.value].type)
            items = (value or {}).get(sel.name.value) or []
            if sel.name.value == "edges":
                node_sel = next(
                    s
                    for s in sel.selection_set.selections  # type: ignore[union-attr]
                    if isinstance(s, FieldNode) and s.name.value == "node"
                )
                node_type = get_named_type(items_type.fields["node"].type)
                items = [edge.get("node") for edge in items]
            else:
                node_sel, node_type = sel, items_type
            if self.actual:
                total += sum(
                    1 + self.selection(node_sel.selection_set, node_type, i) for i in items
                )
            else:
                total += first * (1 + self.selection(node_sel.selection_set, node_type, None))
        return total


# ----------------------------------------------------------------------------- bucket
@dataclass
class Bucket:
    maximum: float = 2000.0
    restore_rate: float = 100.0
    clock: Callable[[], float] = time.monotonic
    available: float = field(init=False)
    at: float = field(init=False)

    def __post_init__(self) -> None:
        self.available, self.at = self.maximum, self.clock()

    def refill(self) -> None:
        now = self.clock()
        self.available = min(self.maximum, self.available + (now - self.at) * self.restore_rate)
        self.at = now

    def status(self) -> Json:
        return {
            "maximumAvailable": self.maximum,
            "currentlyAvailable": int(self.available),
            "restoreRate": self.restore_rate,
        }


# ----------------------------------------------------------------------------- search
def _matches(item: Json, search: str | None) -> bool:
    """The small part of Shopify's search syntax Luneo uses: ``a:>='x' AND b:y``."""
    fields = {
        "updated_at": "updatedAt",
        "created_at": "createdAt",
        "subject_type": "subjectType",
        "action": "action",
    }
    for term in (search or "").split(" AND "):
        if ":" not in term:
            continue
        name, condition = term.split(":", 1)
        op = next((o for o in (">=", "<=", ">", "<") if condition.startswith(o)), "")
        wanted = condition[len(op) :].strip("'\"")
        if name not in fields:
            continue
        have = str(item.get(fields[name]) or "")
        ok = {
            ">=": have >= wanted,
            "<=": have <= wanted,
            ">": have > wanted,
            "<": have < wanted,
            "": have == wanted,
        }[op]
        if not ok:
            return False
    return True


def _cursor(index: int) -> str:
    return base64.b64encode(json.dumps({"i": index}).encode()).decode()


def connection(
    items: list[Any],
    first: int | None = None,
    after: str | None = None,
    view: Callable[[Any], Any] = lambda item: item,
) -> Json:
    start = json.loads(base64.b64decode(after))["i"] + 1 if after else 0
    end = len(items) if first is None else start + first
    page = [view(item) for item in items[start:end]]
    return {
        "nodes": page,
        "edges": [{"node": n, "cursor": _cursor(start + i)} for i, n in enumerate(page)],
        "pageInfo": {
            "hasNextPage": end < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": _cursor(start) if page else None,
            "endCursor": _cursor(start + len(page) - 1) if page else None,
        },
    }


def _connection_resolver(items: list[Any]) -> Callable[..., Json]:
    def resolve(_info: Any, first: int | None = None, after: str | None = None, **_: Any) -> Json:
        return connection(items, first, after)

    return resolve


# ------------------------------------------------------------------------------ store
def upstream_product(
    number: int, *, variants: int = 3, updated_at: str = "2026-07-01T10:00:00Z", **fields: Any
) -> Json:
    """A product as Shopify's GraphQL shows it; ``fields`` override any of its fields."""
    product: Json = {
        "id": f"gid://shopify/Product/{number}",
        "title": f"Product {number}",
        "handle": f"product-{number}",
        "status": "ACTIVE",
        "vendor": "Luneo Test",
        "productType": "Mug",
        "description": f"Description {number}",
        "updatedAt": updated_at,
        "createdAt": updated_at,
        "featuredMedia": {
            "__typename": "MediaImage",
            "preview": {"image": {"url": f"https://cdn.shopify.test/{number}.png"}},
        },
        "variants": [
            {
                "id": f"gid://shopify/ProductVariant/{number}{v:03d}",
                "title": f"Size {v}",
                "sku": f"SKU-{number}-{v}",
                "price": "19.90",
                "position": v,
                "selectedOptions": [{"name": "Size", "value": str(v)}],
            }
            for v in range(1, variants + 1)
        ],
    }
    product.update(fields)
    return product


def upstream_order(
    number: int, lines: list[Json], *, updated_at: str = "2026-07-02T10:00:00Z", **fields: Any
) -> Json:
    """An order with one open fulfillment order holding all its lines."""
    order: Json = {
        "id": f"gid://shopify/Order/{number}",
        "name": f"#{1000 + number}",
        "email": f"buyer{number}@example.com",
        "processedAt": updated_at,
        "createdAt": updated_at,
        "updatedAt": updated_at,
        "cancelledAt": None,
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "totalPriceSet": {"shopMoney": {"amount": "39.80", "currencyCode": "EUR"}},
        "shippingAddress": {
            "name": "Ada Lovelace",
            "address1": "1 Main St",
            "address2": None,
            "city": "Paris",
            "company": None,
            "province": None,
            "provinceCode": None,
            "zip": "75001",
            "countryCodeV2": "FR",
            "phone": None,
        },
        "lineItems": lines,
        "fulfillmentOrders": [
            {
                "id": f"gid://shopify/FulfillmentOrder/{number}",
                "status": "OPEN",
                "assignedLocation": {"location": {"id": "gid://shopify/Location/1"}},
                "lineItems": [
                    {
                        "id": line["id"].replace("LineItem", "FulfillmentOrderLineItem"),
                        "remainingQuantity": line["quantity"],
                        "lineItem": {"id": line["id"]},
                    }
                    for line in lines
                ],
            }
        ],
    }
    order.update(fields)
    return order


def upstream_line(
    number: int,
    product: Json | None,
    *,
    quantity: int = 1,
    attributes: dict[str, str] | None = None,
) -> Json:
    variant = product["variants"][0] if product else None
    return {
        "id": f"gid://shopify/LineItem/{number}",
        "name": f"{product['title']} - {variant['title']}" if product and variant else "Custom",
        "sku": variant["sku"] if variant else None,
        "quantity": quantity,
        "customAttributes": [{"key": k, "value": v} for k, v in (attributes or {}).items()],
        "originalUnitPriceSet": {"shopMoney": {"amount": "19.90", "currencyCode": "EUR"}},
        "product": {"id": product["id"]} if product else None,
        "variant": {"id": variant["id"]} if variant else None,
    }


@dataclass
class Call:
    operation: str
    requested: int
    actual: int | None
    at: float


class FakeStore:
    """One shop's data and its Admin GraphQL endpoint."""

    def __init__(
        self,
        domain: str,
        token: str,
        *,
        bucket: Bucket | None = None,
        currency: str = "EUR",
        bulk_polls: int = 0,
    ) -> None:
        self.domain = domain
        self.token = token
        self.bucket = bucket or Bucket(maximum=1_000_000, restore_rate=1_000_000)
        self.currency = currency
        self.bulk_polls = bulk_polls  # polls answering RUNNING before COMPLETED
        self.base_url = ""
        self.products: dict[str, Json] = {}
        self.orders: dict[str, Json] = {}
        self.events: list[Json] = []
        self.fulfillments: list[Json] = []
        self.tracking_updates: list[Json] = []  # fulfillmentTrackingInfoUpdate calls that took
        self.metafields: dict[tuple[str, str, str], Json] = {}
        self.bulk_operations: dict[str, Json] = {}
        self.bulk_files: dict[str, bytes] = {}
        # Exports computed ahead of time by export_ahead(), taken by the next identical query.
        self.exported: dict[str, list[Json]] = {}
        self.calls: list[Call] = []
        self.billing = FakeBilling(domain)  # app subscriptions and usage records
        self.fail_with: list[int] = []  # HTTP statuses to answer before serving again
        # Offline tokens: ``token`` is the live one; an expiring grant also sets its expiry.
        self.token_expires_at: float | None = None  # time.time() after which ``token`` is dead
        self.refresh_tokens: dict[str, float] = {}  # live (unused) refresh token -> its expiry
        self.client: tuple[str, str] | None = None  # (client_id, secret) checked when set
        self.scope = "read_products,write_orders"
        self.token_requests: list[Json] = []  # grant_type, refresh_token, HTTP status answered
        self.token_delay = 0.0  # seconds the token endpoint takes (to overlap two workers)
        self.codes: dict[str, str] = {}  # authorization code -> the scope approved with it
        self._ids = itertools.count(1)
        self.lock = threading.Lock()
        self.cart_transforms = FakeCartTransforms(
            self.metafields, lambda: {s.strip() for s in self.scope.split(",")}, self._ids
        )
        # metafieldsSet and metafieldDefinitionCreate, on the same metafield table
        self.metafield_api = FakeMetafields(
            self.metafields,
            self._owner_exists,
            lambda: {s.strip() for s in self.scope.split(",")},
            self._ids,
        )

    def _owner_exists(self, owner_id: str) -> bool:
        transforms = {t["id"] for t in self.cart_transforms.transforms}
        return owner_id in self.orders or owner_id in self.products or owner_id in transforms

    # -- offline tokens
    def expiring_grant(
        self, expires_in: float = 3600, refresh_expires_in: float = 7_776_000
    ) -> tuple[str, str]:
        """Issue a new expiring access token and refresh token (revoking the live ones)."""
        self.token = "shpat_" + secrets.token_hex(16)
        self.token_expires_at = time.time() + expires_in
        refresh = "shprt_" + secrets.token_hex(16)
        self.refresh_tokens = {refresh: time.time() + refresh_expires_in}
        return self.token, refresh

    def revoke_refresh_tokens(self) -> None:
        self.refresh_tokens.clear()

    def token_alive(self, token: str | None) -> bool:
        alive = self.token_expires_at is None or time.time() < self.token_expires_at
        return alive and token == self.token

    def access_token_endpoint(self, body: Json) -> tuple[int, Json]:
        """``/admin/oauth/access_token`` for ``grant_type=refresh_token`` (OAuth 2.0 errors)."""
        grant_type, refresh = body.get("grant_type"), body.get("refresh_token")
        time.sleep(self.token_delay)
        status, answer = self._refresh(body, grant_type, refresh)
        self.token_requests.append(
            {"grant_type": grant_type, "refresh_token": refresh, "status": status}
        )
        return status, answer

    def _refresh(self, body: Json, grant_type: Any, refresh: Any) -> tuple[int, Json]:
        if self.client and (body.get("client_id"), body.get("client_secret")) != self.client:
            return 401, {"error": "invalid_client"}
        if grant_type is None and "code" in body:
            return self._code_grant(body.get("code"))
        if grant_type == TOKEN_EXCHANGE_GRANT and self.client:
            return self._exchange(body.get("subject_token"))
        if grant_type != "refresh_token" or not isinstance(refresh, str):
            return 400, {"error": "unsupported_grant_type"}
        expiry = self.refresh_tokens.get(refresh)
        if expiry is None or time.time() >= expiry:
            return 400, {
                "error": "invalid_grant",
                "error_description": "Token has been expired or revoked.",
            }
        ttl = max(1.0, expiry - time.time())
        access, new_refresh = self.expiring_grant()
        return 200, {
            "access_token": access,
            "expires_in": 3600,
            "refresh_token": new_refresh,
            "refresh_token_expires_in": int(ttl),
            "scope": self.scope,
        }

    def issue_code(self, scope: str) -> str:
        """The merchant approved ``scope`` on the grant screen: a single-use code for it."""
        code = secrets.token_hex(16)
        self.codes[code] = scope
        return code

    def _code_grant(self, code: Any) -> tuple[int, Json]:
        scope = self.codes.pop(code, None) if isinstance(code, str) else None
        if scope is None:
            return 400, {"error": "invalid_grant", "error_description": "Invalid code."}
        self.scope = scope
        return self._granted(scope)

    def _exchange(self, subject_token: Any) -> tuple[int, Json]:
        """Token exchange: a session token this app signed for this shop, for a new token."""
        assert self.client is not None
        client_id, secret = self.client
        try:
            claims = jwt.decode(
                str(subject_token), secret, algorithms=["HS256"], audience=client_id
            )
        except jwt.PyJWTError:
            return 400, {"error": "invalid_subject_token"}
        if claims.get("dest") != f"https://{self.domain}":
            return 400, {"error": "invalid_subject_token"}
        return self._granted(self.scope)

    def _granted(self, scope: str) -> tuple[int, Json]:
        access, refresh = self.expiring_grant()
        return 200, {
            "access_token": access,
            "expires_in": 3600,
            "refresh_token": refresh,
            "refresh_token_expires_in": 7_776_000,
            "scope": scope,
        }

    # -- data
    def add_products(self, *products: Json) -> None:
        for product in products:
            self.products[product["id"]] = product

    def delete_product(self, product_id: str, at: str = "2026-07-03T10:00:00Z") -> None:
        del self.products[product_id]
        self.events.append(
            {
                "__typename": "BasicEvent",
                "id": f"gid://shopify/BasicEvent/{next(self._ids)}",
                "subjectId": product_id,
                "subjectType": "PRODUCT",
                "action": "destroy",
                "createdAt": at,
                "message": "Product was deleted.",
            }
        )

    def add_orders(self, *orders: Json) -> None:
        for order in orders:
            self.orders[order["id"]] = order

    # -- views with argument-taking connections
    def _product_view(self, product: Json) -> Json:
        return {**product, "variants": _connection_resolver(product["variants"])}

    def _order_view(self, order: Json) -> Json:
        fulfillment_orders = [
            {**fo, "lineItems": _connection_resolver(fo["lineItems"])}
            for fo in order["fulfillmentOrders"]
        ]
        return {
            **order,
            "lineItems": _connection_resolver(order["lineItems"]),
            "fulfillmentOrders": _connection_resolver(fulfillment_orders),
        }

    def _listing(self, items: list[Json], view: Callable[[Json], Json]) -> Callable[..., Json]:
        def resolve(
            _info: Any,
            first: int | None = None,
            after: str | None = None,
            query: str | None = None,
            sortKey: str | None = None,  # noqa: N803 - GraphQL's argument name
            **_: Any,
        ) -> Json:
            chosen = [i for i in items if _matches(i, query)] if query else list(items)
            if sortKey == "UPDATED_AT":
                chosen.sort(key=lambda i: (i.get("updatedAt") or "", i["id"]))
            elif sortKey == "CREATED_AT":
                chosen.sort(key=lambda i: (i.get("createdAt") or "", i["id"]))
            return connection(chosen, first, after, view)

        return resolve

    def _count(self, items: list[Json]) -> Callable[..., Json]:
        def resolve(_info: Any, query: str | None = None, **_: Any) -> Json:
            return {"count": sum(1 for i in items if _matches(i, query)), "precision": "EXACT"}

        return resolve

    def root(self) -> Json:
        products, orders = list(self.products.values()), list(self.orders.values())
        return {
            "shop": {"currencyCode": self.currency},
            "products": self._listing(products, self._product_view),
            "product": lambda _i, id: (
                self._product_view(self.products[id]) if id in self.products else None
            ),
            "productsCount": self._count(products),
            "orders": self._listing(orders, self._order_view),
            "order": lambda _i, id: (
                self._order_view(self.orders[id]) if id in self.orders else None
            ),
            "ordersCount": self._count(orders),
            "events": self._listing(self.events, lambda e: e),
            "bulkOperation": lambda _i, id: self._poll(id),
            "bulkOperationRunQuery": lambda _i, query, **_: self._run_bulk(query),
            "fulfillmentCreate": lambda _i, fulfillment, **_: self._fulfil(fulfillment),
            "fulfillmentTrackingInfoUpdate": lambda _i, fulfillmentId, trackingInfoInput, **kw: (
                self._update_tracking(fulfillmentId, trackingInfoInput, kw.get("notifyCustomer"))
            ),
            **self.billing.root(),
            **self.cart_transforms.root(),
            **self.metafield_api.root(),
        }

    # -- mutations
    def _fulfil(self, fulfillment: Json) -> Json:
        by_id = {fo["id"]: fo for o in self.orders.values() for fo in o["fulfillmentOrders"]}
        requests = fulfillment["lineItemsByFulfillmentOrder"]
        problem = _fulfillment_problem(by_id, requests)
        if problem:
            return {
                "fulfillment": None,
                "userErrors": [{"field": ["fulfillment"], "message": problem}],
            }
        for request in requests:
            fo = by_id[request["fulfillmentOrderId"]]
            items = {i["id"]: i for i in fo["lineItems"]}
            for wanted in request.get("fulfillmentOrderLineItems") or []:
                items[wanted["id"]]["remainingQuantity"] -= wanted["quantity"]
            done = all(i["remainingQuantity"] == 0 for i in fo["lineItems"])
            fo["status"] = "CLOSED" if done else "IN_PROGRESS"
        tracking = fulfillment.get("trackingInfo")
        info = [{k: tracking.get(k) for k in ("number", "url", "company")}] if tracking else []
        created = {
            "id": f"gid://shopify/Fulfillment/{next(self._ids)}",
            "status": "SUCCESS",
            "trackingInfo": info,
            "input": fulfillment,
        }
        self.fulfillments.append(created)
        return {"fulfillment": created, "userErrors": []}

    def _update_tracking(self, fulfillment_id: str, tracking: Json, notify: bool | None) -> Json:
        """Shopify's ``fulfillmentTrackingInfoUpdate``: the fulfillment's tracking becomes the
        input's (number/url or numbers/urls, company); an unknown id or a URL that is not an
        absolute web address is a user error and nothing changes. The customer is told only
        when ``notifyCustomer`` is true (left out: no notification)."""
        found = next((f for f in self.fulfillments if f["id"] == fulfillment_id), None)
        if found is None:
            return {
                "fulfillment": None,
                "userErrors": [{"field": ["fulfillmentId"], "message": "Fulfillment not found."}],
            }
        one = [tracking["number"]] if tracking.get("number") else []
        numbers = tracking.get("numbers") or one
        urls = tracking.get("urls") or ([tracking["url"]] if tracking.get("url") else [])
        bad = [u for u in urls if not re.match(r"^https?://[^\s/]+", str(u))]
        if bad:
            return {
                "fulfillment": None,
                "userErrors": [
                    {"field": ["trackingInfoInput", "url"], "message": "Url is invalid."}
                ],
            }
        company = tracking.get("company")
        found["trackingInfo"] = [
            {"number": n, "url": urls[i] if i < len(urls) else None, "company": company}
            for i, n in enumerate(numbers)
        ]
        self.tracking_updates.append(
            {"fulfillmentId": fulfillment_id, "input": tracking, "notifyCustomer": notify}
        )
        return {"fulfillment": found, "userErrors": []}

    # -- bulk operations
    def _run_bulk(self, bulk_query: str) -> Json:
        def refuse(message: str) -> Json:
            error = {"field": ["query"], "message": message, "code": "INVALID"}
            return {"bulkOperation": None, "userErrors": [error]}

        try:
            document = parse(bulk_query)
        except GraphQLSyntaxError as exc:
            return refuse(f"Invalid bulk query: {exc.message}")
        if validate(admin_schema(), document):
            return refuse("Invalid bulk query")
        if _selects_nodes(document):
            return refuse(
                "All connection fields in a bulk query must select their contents using "
                "'edges' > 'node', e.g: 'products { edges { node {'. "
                "Selecting via 'nodes' is not supported."
            )
        lines = self.exported.pop(bulk_query, None)
        if lines is None:
            result = execute_sync(admin_schema(), document, root_value=self.root())
            if result.errors:
                return refuse(str(result.errors[0]))
            lines = _flatten(result.data or {})
        op_id = f"gid://shopify/BulkOperation/{next(self._ids)}"
        key = op_id.rsplit("/", 1)[1]
        self.bulk_files[key] = "".join(json.dumps(line) + "\n" for line in lines).encode()
        roots = sum(1 for line in lines if "__parentId" not in line)
        self.bulk_operations[op_id] = {
            "id": op_id,
            "status": "CREATED",
            "type": "QUERY",
            "errorCode": None,
            "objectCount": str(len(lines)),
            "rootObjectCount": str(roots),
            "url": f"{self.base_url}/{self.domain}/bulk/{key}.jsonl" if lines else None,
            "partialDataUrl": None,
            "query": bulk_query,
            "createdAt": "2026-07-19T12:41:45Z",
            "polls": 0,
        }
        return {"bulkOperation": self.bulk_operations[op_id], "userErrors": []}

    def export_ahead(self, bulk_query: str) -> None:
        """Run a bulk query's export now, for the next bulkOperationRunQuery of it to take.

        Shopify exports on its own servers while the app polls; this fake answers in the
        request, where a large catalog's export (pure-Python GraphQL over every node) outlasts
        the client's read timeout. A benchmark of the app's side calls this untimed first.
        """
        result = execute_sync(admin_schema(), parse(bulk_query), root_value=self.root())
        if result.errors:
            raise ValueError(str(result.errors[0]))
        self.exported[bulk_query] = _flatten(result.data or {})

    def _poll(self, op_id: str) -> Json | None:
        op = self.bulk_operations.get(op_id)
        if op is None:
            return None
        op["polls"] += 1
        op["status"] = "COMPLETED" if op["polls"] > self.bulk_polls else "RUNNING"
        view = dict(op)
        if op["status"] != "COMPLETED":
            view["url"] = None
        return view

    # -- the endpoint
    def graphql(self, body: Json) -> tuple[int, Json]:
        """Answer one POST body: (HTTP status, JSON)."""
        schema = admin_schema()
        try:
            document, errors = _checked(body.get("query") or "")
        except GraphQLSyntaxError as exc:
            return 200, {"errors": [{"message": exc.message}]}
        if errors:
            return 200, {"errors": [{"message": message} for message in errors]}
        variables = body.get("variables") or {}
        requested = query_cost(schema, document, variables)
        name = _operation(document).name
        operation = name.value if name else "anonymous"
        if requested > MAX_QUERY_COST:
            message = f"Query cost is {requested}, which exceeds the single query max cost limit"
            return 200, {
                "errors": [
                    {
                        "message": message,
                        "extensions": {
                            "code": "MAX_COST_EXCEEDED",
                            "cost": requested,
                            "maxCost": MAX_QUERY_COST,
                        },
                    }
                ]
            }
        self.bucket.refill()
        if self.bucket.available < requested:
            self.calls.append(Call(operation, requested, None, self.bucket.clock()))
            throttled = {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
            cost = {
                "requestedQueryCost": requested,
                "actualQueryCost": None,
                "throttleStatus": self.bucket.status(),
            }
            return 200, {"errors": [throttled], "extensions": {"cost": cost}}
        self.bucket.available -= requested
        result = execute_sync(schema, document, root_value=self.root(), variable_values=variables)
        data = result.data or {}
        actual = (
            query_cost(schema, document, variables, data)
            if not _is_mutation(document)
            else requested
        )
        self.bucket.available += requested - actual
        self.calls.append(Call(operation, requested, actual, self.bucket.clock()))
        cost = {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": self.bucket.status(),
        }
        answer: Json = {"data": data, "extensions": {"cost": cost}}
        if result.errors:
            answer["errors"] = [
                {
                    "message": e.message,
                    "path": e.path,
                    **({"extensions": e.extensions} if e.extensions else {}),
                }
                for e in result.errors
            ]
        return 200, answer


@functools.lru_cache(maxsize=256)
def _checked(query: str) -> tuple[DocumentNode, tuple[str, ...]]:
    """A document parsed and validated once, however often it is sent."""
    document = parse(query)
    return document, tuple(e.message for e in validate(admin_schema(), document))


def _fulfillment_problem(by_id: dict[str, Json], requests: list[Json]) -> str | None:
    for request in requests:
        fo = by_id.get(request["fulfillmentOrderId"])
        if fo is None or fo["status"] not in ("OPEN", "IN_PROGRESS"):
            return "Fulfillment order is not open"
        items = {i["id"]: i for i in fo["lineItems"]}
        for wanted in request.get("fulfillmentOrderLineItems") or []:
            item = items.get(wanted["id"])
            if item is None or wanted["quantity"] > item["remainingQuantity"]:
                return "Invalid fulfillment order line item quantity requested."
    return None


def _selects_nodes(document: DocumentNode) -> bool:
    found = []

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.name.value == "nodes":
                found.append(node)

    visit(document, Finder())
    return bool(found)


def _is_mutation(document: DocumentNode) -> bool:
    return _operation(document).operation == OperationType.MUTATION


def _flatten(data: Json) -> list[Json]:
    """Bulk JSONL: each node one line, nested connections' nodes as children after all roots."""
    roots: list[Json] = []
    children: list[Json] = []
    for conn in data.values():
        for edge in (conn or {}).get("edges") or []:
            node = dict(edge["node"])
            for key, value in list(node.items()):
                if isinstance(value, dict) and "edges" in value:
                    del node[key]
                    for child in value["edges"]:
                        children.append({**child["node"], "__parentId": node["id"]})
            roots.append(node)
    return roots + children


# ----------------------------------------------------------------------------- server
class FakeShopify:
    """An HTTP server on 127.0.0.1 hosting FakeStores by domain.

    With ``app``, it also serves the merchant's pages for that app (``shopify_merchant``), and
    its stores take only that app's credentials at the token endpoint.
    """

    def __init__(self, app: AppSide | None = None) -> None:
        self.stores: dict[str, FakeStore] = {}
        self.origin = ""
        self.app = app

    def add_store(self, store: FakeStore) -> FakeStore:
        self.stores[store.domain] = store
        self._bind(store)
        return store

    def _bind(self, store: FakeStore) -> None:
        """Tell ``store`` where it is served (its bulk files' and confirmation pages' URLs)."""
        store.base_url = self.origin
        if self.app is not None:
            store.client = (self.app.api_key, self.app.api_secret)
            store.billing.confirmation_origin = f"{self.origin}/{store.domain}"

    @property
    def origin_template(self) -> str:
        return self.origin + "/{shop}"

    def answer(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, str, bytes]:
        """(status, content type, body) for one request; a 302's body is its Location."""
        url = urlsplit(path)
        parts = url.path.strip("/").split("/")
        store = self.stores.get(parts[0]) if parts else None
        if store is None:
            return 404, "text/plain", b"Not Found"
        with store.lock:
            if self.app is not None:
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                form = _form_or_json(headers, raw) if method == "POST" else {}
                pages = MerchantPages(self.app, self.origin)
                page = pages.answer(store, method, parts[1:], query, form)
                if page is not None:
                    return page
            if method == "GET" and len(parts) == 3 and parts[1] == "bulk":
                data = store.bulk_files.get(parts[2].removesuffix(".jsonl"))
                return (
                    (200, "application/jsonl", data)
                    if data is not None
                    else (404, "text/plain", b"")
                )
            if parts[1:] == ["admin", "oauth", "access_token"] and method == "POST":
                status, answer = store.access_token_endpoint(_form_or_json(headers, raw))
                return status, "application/json", json.dumps(answer).encode()
            if parts[1:] != ["admin", "api", API_VERSION, "graphql.json"] or method != "POST":
                return 404, "text/plain", b"Not Found"
            if not store.token_alive(headers.get("X-Shopify-Access-Token")):
                body = {"errors": INVALID_TOKEN}
                return 401, "application/json", json.dumps(body).encode()
            if store.fail_with:
                status = store.fail_with.pop(0)
                return status, "application/json", json.dumps({"errors": "Internal error"}).encode()
            status, answer = store.graphql(json.loads(raw or b"{}"))
            return status, "application/json", json.dumps(answer).encode()


def _form_or_json(headers: Any, raw: bytes) -> Json:
    """The token endpoint takes a JSON body or a form (both are documented)."""
    if "json" in str(headers.get("Content-Type") or ""):
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}


def _handler(fake: FakeShopify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, content_type, body = fake.answer(method, self.path, self.headers, raw)
            self.send_response(status)
            if status == 302:
                self.send_header("Location", body.decode())
                body = b""
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up waiting: its own affair

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            self._serve("POST")

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve(fake: FakeShopify | None = None) -> Iterator[FakeShopify]:
    """Run ``fake`` on 127.0.0.1 (a free port) for the duration of the block."""
    fake = fake or FakeShopify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.origin = f"http://127.0.0.1:{server.server_port}"
    for store in fake.stores.values():
        fake._bind(store)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
