"""The Shopify adapter: GraphQL Admin API in, Luneo records out (no Flask, no database).

Lists page with cursors (``pageInfo.endCursor``) and fetch the rest of a nested connection (a
product's variants, an order's lines) when its first page was not the last. The product listing
(incremental syncs, small catalogs) sizes each page from the cost Shopify reported for the last
one (``paging.ProductPages``). A whole catalog goes
through a bulk operation instead. A malformed record is yielded as a ``SkippedRecord`` so one
bad product never ends a sync.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal, TypeVar

from connectors.base import (
    FileLink,
    FulfillmentResult,
    OrderRecord,
    PlatformError,
    ProductRecord,
    Progress,
    RecordError,
    SkippedRecord,
    TrackingInfo,
)
from connectors.shopify import bulk, queries
from connectors.shopify.client import CostExceeded, ShopifyGraphQL
from connectors.shopify.mapping import node_id, order_record, product_record
from connectors.shopify.paging import PageSize, ProductPages

log = logging.getLogger(__name__)

Json = dict[str, Any]

# Order metafield holding the print-file links (type json), shown on the order in Shopify admin.
FILES_NAMESPACE = "luneo"
FILES_KEY = "print_files"
_FULFILLABLE = {"OPEN", "IN_PROGRESS"}
VARIANT_GID = "gid://shopify/ProductVariant/"

R = TypeVar("R", ProductRecord, OrderRecord)


def search_since(field: str, since: datetime) -> str:
    """Shopify search syntax for "changed at or after ``since``"."""
    stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{field}:>='{stamp}'"


def _connection(data: Any, key: str) -> Json:
    conn = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(conn, dict) or not isinstance(conn.get("pageInfo"), dict):
        raise PlatformError(f"unexpected GraphQL answer: no {key} connection")
    return conn


def _next_cursor(conn: Json) -> str | None:
    page = conn["pageInfo"]
    cursor = page.get("endCursor")
    return cursor if page.get("hasNextPage") and isinstance(cursor, str) else None


class ShopifyConnector:
    def __init__(
        self,
        client: ShopifyGraphQL,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        bulk_timeout: float = 3000.0,
    ) -> None:
        self.client = client
        self.sleep = sleep
        self.clock = clock
        self.bulk_timeout = bulk_timeout

    # ---------------------------------------------------------------------- paging
    def _pages(
        self, query: str, variables: Mapping[str, Any], key: str
    ) -> Iterator[tuple[Json, list[Any]]]:
        """Each page's data and nodes for a top-level connection ``key``, following the cursor.

        The connection is checked before its nodes are read: a nullable one (``events``) that
        came back null is a PlatformError naming it, not a TypeError in the caller.
        """
        after: str | None = None
        while True:
            data = self.client.execute(query, {**variables, "after": after})
            conn = _connection(data, key)
            yield data, list(conn.get("nodes") or [])
            after = _next_cursor(conn)
            if after is None:
                return

    def _rest_of(
        self, query: str, owner: tuple[str, str], key: str, conn: Json, page_size: int
    ) -> list[Any]:
        """A nested connection's nodes: the first page given, the rest fetched by cursor."""
        owner_key, owner_id = owner
        nodes = list(conn.get("nodes") or [])
        after = _next_cursor(conn)
        while after is not None:
            variables = {"id": owner_id, "first": page_size, "after": after}
            data = self.client.execute(query, variables)
            parent = data.get(owner_key)
            if parent is None:  # deleted while we were reading it
                break
            page = _connection(parent, key)
            nodes.extend(page.get("nodes") or [])
            after = _next_cursor(page)
        return nodes

    def _count(self, query: str, key: str, search: str | None) -> int:
        data = self.client.execute(query, {"query": search})
        count = (data.get(key) or {}).get("count")
        return count if isinstance(count, int) else 0

    # --------------------------------------------------------------------- catalog
    def _product(self, node: Any, currency: str) -> ProductRecord:
        variants = self._rest_of(
            queries.PRODUCT_VARIANTS,
            ("product", node_id(node)),
            "variants",
            node["variants"],
            queries.VARIANTS_REST_PAGE,
        )
        return product_record(node, variants, currency)

    def iter_products(
        self, since: datetime | None, progress: Progress | None = None
    ) -> Iterator[ProductRecord | SkippedRecord]:
        search = search_since("updated_at", since) if since else None
        total = self._count(queries.PRODUCTS_COUNT, "productsCount", search) if progress else 0
        done = 0
        for data, nodes in self._product_pages(search):
            currency = data["shop"]["currencyCode"]
            for node in nodes:
                yield _guard("product", node, partial(self._product, node, currency))
                done += 1
            if progress:
                progress(done, total, "products")

    def _product_pages(self, search: str | None) -> Iterator[tuple[Json, list[Any]]]:
        """Each products page, its size chosen from the cost the last answer reported."""
        planner = ProductPages()
        size = planner.size
        after: str | None = None
        refused = 0
        while True:
            variables = {
                "first": size.first,
                "variantsFirst": size.variants_first,
                "query": search,
                "after": after,
            }
            try:
                data = self.client.execute(
                    queries.PRODUCTS, variables, expected_cost=planner.estimate(size)
                )
            except CostExceeded as exc:
                refused += 1
                if refused > 3 or size == PageSize(1, 1):
                    raise
                size = planner.exceeded(size, exc.cost, exc.limit)
                continue
            cost = getattr(self.client, "last_cost", None)  # before a variants query replaces it
            conn = _connection(data, "products")
            nodes = list(conn.get("nodes") or [])
            yield data, nodes
            after = _next_cursor(conn)
            if after is None:
                return
            throttle = cost.throttle if cost else None
            size = planner.observe(
                size,
                [_variant_count(node, size.variants_first) for node in nodes],
                requested=cost.requested if cost else None,
                maximum_available=throttle.maximum if throttle else None,
            )

    def get_product(self, external_id: str) -> ProductRecord | None:
        data = self.client.execute(
            queries.PRODUCT, {"id": external_id, "variantsFirst": queries.VARIANTS_REST_PAGE}
        )
        node = data.get("product")
        return None if node is None else self._product(node, data["shop"]["currencyCode"])

    def count_products(self) -> int:
        return self._count(queries.PRODUCTS_COUNT, "productsCount", None)

    def export_products(
        self, progress: Progress | None = None
    ) -> Iterator[ProductRecord | SkippedRecord]:
        """The whole catalog through a bulk operation: one export instead of thousands of pages."""
        total = self.count_products() if progress else 0
        currency = self.client.execute(queries.SHOP_CURRENCY)["shop"]["currencyCode"]
        operation_id = bulk.start(self.client, queries.BULK_PRODUCTS)
        url = bulk.wait(
            self.client,
            operation_id,
            total=total,
            progress=progress,
            sleep=self.sleep,
            clock=self.clock,
            timeout=self.bulk_timeout,
        )
        if url is None:
            return
        done = 0
        for item in bulk.reassemble(self.client.stream_lines(url)):
            if isinstance(item, bulk.BadLine):
                yield SkippedRecord("product", "?", item.reason)
                continue
            variants = [c for c in item.children if str(c.get("id")).startswith(VARIANT_GID)]
            build = partial(product_record, item.root, variants, currency)
            yield _guard("product", item.root, build)
            done += 1
            if progress and done % 250 == 0:
                progress(done, total, "products")
        if progress:
            progress(done, total, "products")

    def iter_deleted_products(self, since: datetime) -> Iterator[str]:
        search = f"subject_type:PRODUCT AND action:destroy AND {search_since('created_at', since)}"
        variables = {"first": queries.EVENTS_PAGE, "query": search}
        for _data, events in self._pages(queries.PRODUCT_DELETIONS, variables, "events"):
            for event in events:
                subject = event.get("subjectId") if isinstance(event, dict) else None
                if isinstance(subject, str) and event.get("subjectType") == "PRODUCT":
                    yield subject

    # ---------------------------------------------------------------------- orders
    def _order(self, node: Any) -> OrderRecord:
        lines = self._rest_of(
            queries.ORDER_LINES,
            ("order", node_id(node)),
            "lineItems",
            node["lineItems"],
            queries.LINES_REST_PAGE,
        )
        return order_record(node, lines)

    def iter_orders(
        self, since: datetime | None, progress: Progress | None = None
    ) -> Iterator[OrderRecord | SkippedRecord]:
        search = search_since("updated_at", since) if since else None
        total = self._count(queries.ORDERS_COUNT, "ordersCount", search) if progress else 0
        variables = {
            "first": queries.ORDERS_PAGE,
            "linesFirst": queries.LINES_PAGE,
            "query": search,
        }
        done = 0
        for _data, nodes in self._pages(queries.ORDERS, variables, "orders"):
            for node in nodes:
                yield _guard("order", node, partial(self._order, node))
                done += 1
            if progress:
                progress(done, total, "orders")

    def get_order(self, external_id: str) -> OrderRecord | None:
        data = self.client.execute(
            queries.ORDER, {"id": external_id, "linesFirst": queries.LINES_REST_PAGE}
        )
        node = data.get("order")
        return None if node is None else self._order(node)

    # ------------------------------------------------------------------- fulfilment
    def create_fulfillment(
        self, order_id: str, line_ids: Sequence[str], tracking: TrackingInfo
    ) -> FulfillmentResult:
        """One fulfillment per location for the given lines' remaining quantities."""
        order = self.client.execute(queries.FULFILLMENT_ORDERS, {"id": order_id}).get("order")
        if order is None:
            raise PlatformError(f"order {order_id} not found")
        created = []
        for by_order in _lines_by_location(order, set(line_ids)).values():
            fulfillment: Json = {"lineItemsByFulfillmentOrder": by_order, "notifyCustomer": True}
            info = {k: v for k, v in vars(tracking).items() if v}
            if info:
                fulfillment["trackingInfo"] = info
            result = self.client.execute(queries.FULFILLMENT_CREATE, {"fulfillment": fulfillment})
            payload = _payload(result, "fulfillmentCreate")
            _raise_user_errors("fulfillmentCreate", payload.get("userErrors"))
            made = payload.get("fulfillment")
            if not isinstance(made, Mapping) or not isinstance(made.get("id"), str):
                raise PlatformError("fulfillmentCreate answered no fulfillment and no error")
            created.append(made["id"])
        return FulfillmentResult(tuple(created))

    def update_tracking(
        self,
        order_id: str,
        line_ids: Sequence[str],
        fulfillment_ids: Sequence[str],
        tracking: TrackingInfo,
    ) -> None:
        """``fulfillmentTrackingInfoUpdate`` on each fulfillment the shipment created."""
        if not fulfillment_ids:
            raise PlatformError("the shipment has no fulfillment on the order to update")
        info = {k: v for k, v in vars(tracking).items() if v}
        for fulfillment_id in dict.fromkeys(fulfillment_ids):
            variables = {
                "fulfillmentId": fulfillment_id,
                "trackingInfoInput": info,
                "notifyCustomer": True,
            }
            result = self.client.execute(queries.FULFILLMENT_TRACKING_UPDATE, variables)
            payload = _payload(result, "fulfillmentTrackingInfoUpdate")
            _raise_user_errors("fulfillmentTrackingInfoUpdate", payload.get("userErrors"))
            updated = payload.get("fulfillment")
            if not isinstance(updated, Mapping) or not isinstance(updated.get("id"), str):
                raise PlatformError(
                    "fulfillmentTrackingInfoUpdate answered no fulfillment and no error"
                )

    def attach_order_files(self, order_id: str, links: Sequence[FileLink]) -> None:
        value = json.dumps(
            [
                {"line_id": x.line_id, "area": x.area, "format": x.format, "url": x.url}
                for x in links
            ]
        )
        metafield = {
            "ownerId": order_id,
            "namespace": FILES_NAMESPACE,
            "key": FILES_KEY,
            "type": "json",
            "value": value,
        }
        result = self.client.execute(queries.METAFIELDS_SET, {"metafields": [metafield]})
        payload = _payload(result, "metafieldsSet")
        _raise_user_errors("metafieldsSet", payload.get("userErrors"))

    def ensure_webhooks(self, callback_url: str, topics: Sequence[str]) -> list[str]:
        """Nothing to do at runtime: Shopify subscriptions are declared in shopify.app.toml.

        Shopify applies app-level subscriptions to every shop on ``shopify app deploy``; runtime
        registration would drift from that file, which owns scopes and subscriptions.
        """
        return []

    def close(self) -> None:
        self.client.close()


def _guard(
    kind: Literal["product", "order"], node: Any, build: Callable[[], R]
) -> R | SkippedRecord:
    """The record, or a SkippedRecord saying why it could not be built."""
    try:
        return build()
    except RecordError as exc:
        log.warning(
            "skipping malformed %s",
            kind,
            extra={"external_id": exc.external_id, "reason": exc.reason},
        )
        return SkippedRecord(kind, exc.external_id, exc.reason)
    except (KeyError, TypeError, AttributeError) as exc:
        external_id = node.get("id") if isinstance(node, dict) else None
        reason = f"unexpected shape ({type(exc).__name__}: {exc})"
        log.warning(
            "skipping malformed %s", kind, extra={"external_id": external_id, "reason": reason}
        )
        return SkippedRecord(kind, str(external_id or "?"), reason)


def _variant_count(node: Any, variants_first: int) -> int:
    """Variants a listed product came with; one over the page size when it has more."""
    variants = node.get("variants") if isinstance(node, dict) else None
    if not isinstance(variants, dict):
        return 1
    if isinstance(variants.get("pageInfo"), dict) and variants["pageInfo"].get("hasNextPage"):
        return variants_first + 1
    return max(1, len(variants.get("nodes") or []))


def _lines_by_location(order: Json, wanted: set[str]) -> dict[str, list[Json]]:
    """Fulfillment-order line items still to ship for ``wanted`` order lines, by location."""
    groups: dict[str, list[Json]] = {}
    for fo in order["fulfillmentOrders"]["nodes"]:
        if fo.get("status") not in _FULFILLABLE:
            continue
        items = [
            {"id": item["id"], "quantity": item["remainingQuantity"]}
            for item in fo["lineItems"]["nodes"]
            if item["lineItem"]["id"] in wanted and item["remainingQuantity"] > 0
        ]
        if items:
            location = ((fo.get("assignedLocation") or {}).get("location") or {}).get("id") or ""
            groups.setdefault(location, []).append(
                {"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": items}
            )
    return groups


def _payload(data: Any, mutation: str) -> Json:
    """A mutation's payload (nullable in the schema): PlatformError when it came back null."""
    payload = data.get(mutation) if isinstance(data, Mapping) else None
    if not isinstance(payload, dict):
        raise PlatformError(f"unexpected GraphQL answer: {mutation} returned no payload")
    return payload


def _raise_user_errors(mutation: str, errors: Any) -> None:
    if errors:
        messages = "; ".join(str(e.get("message")) for e in errors if isinstance(e, dict))
        raise PlatformError(f"{mutation} refused: {messages}")
