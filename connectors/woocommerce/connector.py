"""The WooCommerce adapter: REST API v3 in, Luneo records out (no Flask, no database).

Lists are read ``per_page=100`` in id order (so a product added mid-sync lands on a later page
instead of shifting the pages already read), with ``modified_after`` + ``dates_are_gmt`` for
incremental runs. A variable product's variations come from its own
``products/<id>/variations?per_page=100``: REST v3 has no documented way to read several
products' variations in one request (``/products`` lists post type ``product`` only, so
``type=variation`` is not one of its types and ``include=<variation ids>`` finds nothing; the
``batch`` endpoints only write), so a sync costs ceil(products / 100) product pages plus, per
variable product, ceil(variations / 100) variation pages: the minimum. Those requests run in
parallel, up to the client's ``concurrency`` (``WOO_CONCURRENCY``) in flight: a page's variation
lists are queued as soon as the page arrives, while the caller still stores the page before it,
so the store is kept busy across page boundaries. A malformed record is yielded as a
``SkippedRecord`` so one bad product never ends a sync.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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
from connectors.woocommerce.client import PER_PAGE, WooREST
from connectors.woocommerce.mapping import (
    is_variable,
    order_record,
    product_record,
)

log = logging.getLogger(__name__)

FILES_META = "_luneo_print_files"  # order meta with the print-file links
SHIPPED_META = "_luneo_shipped_lines"  # order meta: line ids Luneo has reported shipped
TRACKING_META = "_luneo_tracking"  # order meta: {line id: {carrier, number, url}} as last sent
R = TypeVar("R", ProductRecord, OrderRecord)
Fetch = Callable[[], list[Any]]  # a product's variations, once fetched
# a page's products with their fetches, and the futures to cancel if nobody reads them
Staged = tuple[list[tuple[Any, Fetch | None]], list[Future[Any]]]


def gmt_param(moment: datetime) -> str:
    """``modified_after`` as WooCommerce reads it with ``dates_are_gmt=true``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def meta_value(resource: Mapping[str, Any], key: str) -> Any:
    for meta in resource.get("meta_data") or []:
        if isinstance(meta, Mapping) and meta.get("key") == key:
            return meta.get("value")
    return None


def _since(since: datetime | None) -> dict[str, Any]:
    return {"modified_after": gmt_param(since), "dates_are_gmt": True} if since else {}


class WooCommerceConnector:
    def __init__(
        self,
        client: WooREST,
        *,
        webhook_secret: str | None = None,
        currency: str = "USD",
        variation_workers: int | None = None,
    ) -> None:
        """``variation_workers``: threads fetching variations (default: the client's concurrency;
        the client's semaphore bounds the requests in flight either way)."""
        self.client = client
        self.webhook_secret = webhook_secret
        self.default_currency = currency
        self._currency: str | None = None
        self._all_variations: bool | None = None  # GET /variations exists (None: not asked yet)
        default = getattr(client, "concurrency", 1)
        workers = variation_workers if variation_workers is not None else default
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, workers), thread_name_prefix="woo-variations"
        )

    # --------------------------------------------------------------------- catalog
    @property
    def currency(self) -> str:
        """The store's currency (product prices carry none); the shop's stored one if unknown."""
        if self._currency is None:
            try:
                data = self.client.get_optional("data/currencies/current")
            except PlatformError:
                data = None
            code = data.get("code") if isinstance(data, dict) else None
            self._currency = code if isinstance(code, str) and len(code) == 3 else None
            self._currency = self._currency or self.default_currency
        return self._currency

    def _variations(self, product_id: str) -> list[Any]:
        params = {"orderby": "menu_order", "order": "asc"}
        try:
            pages = self.client.pages(f"products/{product_id}/variations", params)
            return [item for page in pages for item in page.items]
        except PlatformError as exc:  # deleted meanwhile, or a broken variation endpoint
            raise RecordError(product_id, f"variations unreadable ({exc})") from None

    def _variations_by_ids(self, ids: Sequence[str]) -> list[Any] | None:
        """Up to 100 variations of any products, by id, from ``GET /variations`` (WooCommerce
        10.3+); None when the store has no such route."""
        params = {"include": ",".join(ids), "per_page": PER_PAGE}
        reply = self.client.request("GET", "variations", params=params)
        if reply.status == 404 and _error_code(reply.body) == "rest_no_route":
            return None
        if not 200 <= reply.status < 300 or not isinstance(reply.body, list):
            raise PlatformError(f"GET variations answered HTTP {reply.status}")
        return reply.body

    def _variations_by_ids_now(self, ids: Sequence[str]) -> list[Any]:
        """As ``_variations_by_ids`` once the route is known to exist (its loss is an error)."""
        found = self._variations_by_ids(ids)
        if found is None:
            raise PlatformError("GET variations is no longer routed")
        return found

    def _stage(self, nodes: Sequence[Any]) -> Staged:
        """A page's products, each with the fetch of its variations queued (None: it has none).

        Variations come 100 at a time from ``/variations?include=`` when the store has that
        route (one request per 100 variations of the page), else one list per product.
        """
        wanted: dict[str, list[str]] = {}
        for node in nodes:
            variable = is_variable(node) and node.get("variations") != []
            if variable and str(node.get("id", "")).isdigit():
                wanted[str(node["id"])] = _variation_ids(node)
        fetches: dict[str, Fetch] = {}
        futures: list[Future[Any]] = []
        listed = [vid for ids in wanted.values() for vid in ids]
        if self._all_variations is not False and wanted and all(wanted.values()):
            chunks = [listed[i : i + PER_PAGE] for i in range(0, len(listed), PER_PAGE)]
            chunk_futures: list[Future[Any]] = []
            if self._all_variations is None:  # the first page asks once whether the route exists
                try:
                    first = self._variations_by_ids(chunks[0])
                except PlatformError:
                    first = None
                self._all_variations = first is not None
                log.info("variations by id: %s", "yes" if first is not None else "no")
                if first is not None:
                    answered: Future[Any] = Future()
                    answered.set_result(first)
                    chunk_futures.append(answered)
            if self._all_variations:
                chunk_futures += [
                    self._pool.submit(self._variations_by_ids_now, chunk)
                    for chunk in chunks[len(chunk_futures) :]
                ]
                futures.extend(chunk_futures)
                where: dict[str, Future[Any]] = {}
                for chunk, future in zip(chunks, chunk_futures, strict=True):
                    where.update(dict.fromkeys(chunk, future))
                for pid, ids in wanted.items():
                    fetches[pid] = partial(_gather, pid, ids, [where[i] for i in ids])
        if not fetches:
            for pid in wanted:
                future = self._pool.submit(self._variations, pid)
                futures.append(future)
                fetches[pid] = partial(_result, future)
        return [(node, fetches.get(str(node.get("id", "")))) for node in nodes], futures

    def _records(
        self, staged: Sequence[tuple[Any, Fetch | None]], currency: str
    ) -> Iterator[ProductRecord | SkippedRecord]:
        """The staged products with their variations, in page order."""
        for node, fetch in staged:

            def build(node: Any = node, fetch: Fetch | None = fetch) -> ProductRecord:
                return product_record(node, fetch() if fetch else [], currency)

            yield _guard("product", node, build)

    def iter_products(
        self, since: datetime | None, progress: Progress | None = None
    ) -> Iterator[ProductRecord | SkippedRecord]:
        """Products in id order; page N+1's variations are queued before page N is handed out."""
        params = {"orderby": "id", "order": "asc", **_since(since)}
        currency = self.currency
        done = 0
        held: list[tuple[Staged, int | None]] = []  # the page handed out, the one queued
        try:
            for page in self.client.pages("products", params):
                held.append((self._stage(page.items), page.total))
                if len(held) == 2:
                    done = yield from self._hand_out(held[0], currency, done, progress)
                    held.pop(0)
            if held:
                yield from self._hand_out(held[0], currency, done, progress)
                held.clear()
        finally:  # stopped early or failed: drop the variation fetches nobody will read
            for (_staged, futures), _total in held:
                for future in futures:
                    future.cancel()

    def _hand_out(
        self,
        held: tuple[Staged, int | None],
        currency: str,
        done: int,
        progress: Progress | None,
    ) -> Generator[ProductRecord | SkippedRecord, None, int]:
        (staged, _futures), total = held
        yield from self._records(staged, currency)
        done += len(staged)
        if progress:
            progress(done, total or done, "products")
        return done

    def get_product(self, external_id: str) -> ProductRecord | None:
        """One product (a variation's id gives its parent), or None if it no longer exists."""
        node = self.client.get_optional(f"products/{external_id}")
        if node is None:
            return None
        parent = str(node.get("parent_id") or "") if isinstance(node, dict) else ""
        if isinstance(node, dict) and node.get("type") == "variation" and parent.isdigit():
            return self.get_product(parent)
        variations = self._variations(external_id) if is_variable(node) else []
        return product_record(node, variations, self.currency)

    def iter_deleted_products(self, since: datetime) -> Iterator[str]:
        """Products moved to the trash since ``since`` (what product.deleted reports).

        Permanently deleted products leave no trace: a full sync archives those. A store that
        refuses ``status=trash`` just reports nothing here.
        """
        params = {"status": "trash", "orderby": "id", "order": "asc", **_since(since)}
        try:
            for page in self.client.pages("products", params):
                for node in page.items:
                    if isinstance(node, dict) and str(node.get("id", "")).isdigit():
                        yield str(node["id"])
        except PlatformError as exc:
            log.info("no trash listing from this store", extra={"error": str(exc)})

    # ---------------------------------------------------------------------- orders
    def iter_orders(
        self, since: datetime | None, progress: Progress | None = None
    ) -> Iterator[OrderRecord | SkippedRecord]:
        params = {"orderby": "id", "order": "asc", **_since(since)}
        done = 0
        for page in self.client.pages("orders", params):
            for node in page.items:
                yield _guard("order", node, partial(order_record, node))
            done += len(page.items)
            if progress:
                progress(done, page.total or done, "orders")

    def get_order(self, external_id: str) -> OrderRecord | None:
        node = self.client.get_optional(f"orders/{external_id}")
        return None if node is None else order_record(node)

    def _order(self, order_id: str) -> dict[str, Any]:
        order = self.client.get_optional(f"orders/{order_id}")
        if not isinstance(order, dict):
            raise PlatformError(f"order {order_id} not found")
        return order

    # ------------------------------------------------------------------- fulfilment
    def create_fulfillment(
        self, order_id: str, line_ids: Sequence[str], tracking: TrackingInfo
    ) -> FulfillmentResult:
        """A customer note with the tracking; the order is ``completed`` once every line shipped.

        WooCommerce has no per-line fulfilment, so the lines Luneo reported shipped are kept in
        the order meta ``_luneo_shipped_lines``: a line already there is skipped, and the status
        changes only when no line is left to ship.
        """
        order = self._order(order_id)
        lines = _live_lines(order)
        shipped = {str(x) for x in _as_list(meta_value(order, SHIPPED_META))}
        wanted = [i for i in dict.fromkeys(line_ids) if i in lines and i not in shipped]
        if not wanted:
            return FulfillmentResult(())
        text = shipping_note([lines[i] for i in wanted], tracking)
        note = self.client.call(
            "POST", f"orders/{order_id}/notes", json={"note": text, "customer_note": True}
        )
        now_shipped = sorted(shipped | set(wanted), key=lambda x: (len(x), x))
        sent = {**_tracking_meta(order), **{i: _tracking_value(tracking) for i in wanted}}
        update: dict[str, Any] = {
            "meta_data": [
                {"key": SHIPPED_META, "value": now_shipped},
                {"key": TRACKING_META, "value": sent},
            ]
        }
        if set(lines) <= set(now_shipped) and order.get("status") != "completed":
            update["status"] = "completed"
        self.client.call("PUT", f"orders/{order_id}", json=update)
        return FulfillmentResult((str(note.get("id", "")) if isinstance(note, dict) else "",))

    def update_tracking(
        self,
        order_id: str,
        line_ids: Sequence[str],
        fulfillment_ids: Sequence[str],
        tracking: TrackingInfo,
    ) -> None:
        """A customer note with the corrected tracking, and the order meta ``_luneo_tracking``
        updated; lines whose meta already holds this tracking are not told twice."""
        order = self._order(order_id)
        sent = _tracking_meta(order)
        value = _tracking_value(tracking)
        wanted = [i for i in dict.fromkeys(line_ids) if sent.get(i) != value]
        if not wanted:
            return
        lines = _live_lines(order)
        text = tracking_update_note([lines[i] for i in wanted if i in lines], tracking)
        self.client.call(
            "POST", f"orders/{order_id}/notes", json={"note": text, "customer_note": True}
        )
        meta = {"key": TRACKING_META, "value": {**sent, **dict.fromkeys(wanted, value)}}
        self.client.call("PUT", f"orders/{order_id}", json={"meta_data": [meta]})

    def attach_order_files(self, order_id: str, links: Sequence[FileLink]) -> None:
        """Order meta ``_luneo_print_files`` plus a private note listing the links."""
        value = [
            {"line_id": x.line_id, "area": x.area, "format": x.format, "url": x.url} for x in links
        ]
        if meta_value(self._order(order_id), FILES_META) == value:
            return  # attached already: no second note
        meta = {"meta_data": [{"key": FILES_META, "value": value}]}
        self.client.call("PUT", f"orders/{order_id}", json=meta)
        lines = [f"{x.area} ({x.format.upper()}, line {x.line_id}): {x.url}" for x in links]
        note = "Luneo print files:\n" + "\n".join(lines)
        self.client.call(
            "POST", f"orders/{order_id}/notes", json={"note": note, "customer_note": False}
        )

    # --------------------------------------------------------------------- webhooks
    def _webhooks_at(self, delivery_url: str) -> list[dict[str, Any]]:
        return [
            hook
            for page in self.client.pages("webhooks")
            for hook in page.items
            if isinstance(hook, dict) and hook.get("delivery_url") == delivery_url
        ]

    def ensure_webhooks(self, callback_url: str, topics: Sequence[str]) -> list[str]:
        """Create the missing subscriptions; re-arm existing ones (active, current secret).

        The secret is write-only in WooCommerce's API, so an existing webhook is always given
        ours again; duplicates for the same topic are deleted.
        """
        if not self.webhook_secret:
            raise PlatformError("no webhook secret for this store")
        existing = self._webhooks_at(callback_url)
        created = []
        for topic in dict.fromkeys(topics):
            same = [hook for hook in existing if hook.get("topic") == topic]
            if not same:
                self.client.call("POST", "webhooks", json=self._webhook_body(topic, callback_url))
                created.append(topic)
                continue
            repair = {"status": "active", "secret": self.webhook_secret}
            self.client.call("PUT", f"webhooks/{same[0]['id']}", json=repair)
            for extra in same[1:]:
                self.client.call("DELETE", f"webhooks/{extra['id']}", params={"force": True})
        return created

    def _webhook_body(self, topic: str, delivery_url: str) -> dict[str, Any]:
        return {
            "name": f"Luneo {topic}",
            "topic": topic,
            "delivery_url": delivery_url,
            "secret": self.webhook_secret,
            "status": "active",
        }

    def delete_webhooks(self, callback_url: str) -> int:
        """Remove every webhook pointing at ``callback_url`` (disconnect); how many went."""
        hooks = self._webhooks_at(callback_url)
        for hook in hooks:
            self.client.call("DELETE", f"webhooks/{hook['id']}", params={"force": True})
        return len(hooks)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.client.close()


def _variation_ids(node: Mapping[str, Any]) -> list[str]:
    """The variation ids a product lists (in menu order); empty if any is not an id."""
    ids = [str(v) for v in _as_list(node.get("variations"))]
    return ids if ids and all(v.isdigit() for v in ids) else []


def _error_code(body: Any) -> str | None:
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _result(future: Future[list[Any]]) -> list[Any]:
    return future.result()


def _gather(product_id: str, ids: Sequence[str], futures: Sequence[Future[Any]]) -> list[Any]:
    """A product's variations out of the by-id lists, in the order the product lists them."""
    found: dict[str, Any] = {}
    try:
        for future in dict.fromkeys(futures):
            for item in future.result() or []:
                if isinstance(item, dict) and item.get("id") is not None:
                    found[str(item["id"])] = item
    except PlatformError as exc:
        raise RecordError(product_id, f"variations unreadable ({exc})") from None
    return [found[i] for i in ids if i in found]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _live_lines(order: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The order's line items still to be delivered (refunded-away lines have quantity 0)."""
    lines = {}
    for line in order.get("line_items") or []:
        if not isinstance(line, Mapping) or not str(line.get("id", "")).isdigit():
            continue
        if not isinstance(line.get("quantity"), int) or line["quantity"] > 0:
            lines[str(line["id"])] = line
    return lines


def _tracking_meta(order: Mapping[str, Any]) -> dict[str, Any]:
    value = meta_value(order, TRACKING_META)
    return dict(value) if isinstance(value, Mapping) else {}


def _tracking_value(tracking: TrackingInfo) -> dict[str, str | None]:
    return {"carrier": tracking.company, "number": tracking.number, "url": tracking.url}


def tracking_update_note(lines: Sequence[Mapping[str, Any]], tracking: TrackingInfo) -> str:
    """The customer note for corrected tracking: which items, the carrier and the tracking."""
    items = ", ".join(f"{line.get('name', '')} × {line.get('quantity', 1)}" for line in lines)
    parts = [f"Tracking updated for: {items}." if items else "Tracking updated."]
    if tracking.company:
        parts.append(f"Carrier: {tracking.company}.")
    if tracking.number:
        parts.append(f"Tracking number: {tracking.number}.")
    if tracking.url:
        parts.append(f"Track your parcel: {tracking.url}")
    return "\n".join(parts)


def shipping_note(lines: Sequence[Mapping[str, Any]], tracking: TrackingInfo) -> str:
    """The customer note for a shipment: what was shipped, the carrier and the tracking."""
    items = ", ".join(f"{line.get('name', '')} × {line.get('quantity', 1)}" for line in lines)
    parts = [f"Shipped: {items}."]
    if tracking.company:
        parts.append(f"Carrier: {tracking.company}.")
    if tracking.number:
        parts.append(f"Tracking number: {tracking.number}.")
    if tracking.url:
        parts.append(f"Track your parcel: {tracking.url}")
    return "\n".join(parts)


def _guard(
    kind: Literal["product", "order"], node: Any, build: Callable[[], R]
) -> R | SkippedRecord:
    """The record, or a SkippedRecord saying why it could not be built."""
    try:
        return build()
    except RecordError as exc:
        external_id, reason = exc.external_id, exc.reason
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        external_id = str(node.get("id") or "?") if isinstance(node, dict) else "?"
        reason = f"unexpected shape ({type(exc).__name__}: {exc})"
    if external_id == "?" and isinstance(node, dict) and node.get("id") is not None:
        external_id = str(node["id"])
    log.warning("skipping malformed %s", kind, extra={"external_id": external_id, "reason": reason})
    return SkippedRecord(kind, external_id, reason)
