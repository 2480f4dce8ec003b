"""Shopify's mandatory compliance topics, doing the work they ask for (run by ``jobs.privacy``).

* ``customers/data_request``: everything Luneo holds about the customer for that shop (designs
  with their documents, orders with their lines and shipping address) as one JSON file in
  storage (a StoredFile of kind export); its id goes on the event as ``export_file_id`` for the
  admin to link.
* ``customers/redact``: the customer's designs and their files are deleted (previews, uploads
  the documents point at, files produced for their production jobs, earlier exports); their
  orders stay for the merchant's books but lose email, customer id, address (country kept)
  and line properties.
* ``shop/redact``: every row and file of the shop goes (rows by the cascade from ``shops``).

A customer is matched by customer id (``customer_ref`` holds the numeric id; a gid is accepted
too), by email, and by the orders Shopify lists. Every query goes through the shop's ShopScope,
and each job is safe to run again: a second run finds nothing left to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.design.refs import referenced_file_ids, referenced_srcs
from app.extensions import get_db, get_redis, get_storage
from app.formatting import iso
from app.models import (
    Design,
    FileKind,
    Order,
    Platform,
    ProductionJob,
    Shop,
    ShopScope,
    StoredFile,
    WebhookEvent,
    WebhookStatus,
)
from app.production.assets import stored_file_for_ref
from app.queue import cancel_shop_jobs
from app.retention import DocumentRefs
from app.storage import Storage, new_key
from app.stored_files import delete_pending_bytes, queue_byte_deletions
from app.webhook_events import event_shop, ignored, installed_since, run_event

CUSTOMER_GID = "gid://shopify/Customer/"
ORDER_GID = "gid://shopify/Order/"
EXPORT_FORMAT = "luneo.customer-data.v1"
KEPT_ADDRESS_FIELDS = ("country", "country_code")  # enough for tax and statistics, names no one


# ------------------------------------------------------------------ whom a request is about
def _numeric_id(value: Any, gid_prefix: str) -> str | None:
    """``191167`` from 191167, "191167" or "gid://shopify/Customer/191167"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if isinstance(value, str):
        text = value.strip().removeprefix(gid_prefix)
        return text if text.isdigit() else None
    return None


def _both_forms(value: Any, gid_prefix: str) -> set[str]:
    number = _numeric_id(value, gid_prefix)
    return {number, f"{gid_prefix}{number}"} if number else set()


@dataclass(frozen=True)
class Subject:
    """The customer a request names, in the forms Luneo's rows hold."""

    customer_id: str | None
    refs: frozenset[str]  # customer_ref values: the numeric id and its gid
    email: str | None  # lower-cased
    order_refs: frozenset[str]  # order external ids: numeric and gid forms

    @classmethod
    def from_payload(cls, payload: dict[str, Any], orders_key: str) -> Subject:
        customer = payload.get("customer")
        customer = customer if isinstance(customer, dict) else {}
        email = customer.get("email")
        orders = payload.get(orders_key)
        order_refs: set[str] = set()
        for order_id in orders if isinstance(orders, list) else []:
            order_refs |= _both_forms(order_id, ORDER_GID)
        return cls(
            customer_id=_numeric_id(customer.get("id"), CUSTOMER_GID),
            refs=frozenset(_both_forms(customer.get("id"), CUSTOMER_GID)),
            email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
            order_refs=frozenset(order_refs),
        )

    def same_customer(self, other: Subject) -> bool:
        return bool(self.refs & other.refs) or (
            self.email is not None and self.email == other.email
        )


def matching_orders(scope: ShopScope, subject: Subject) -> list[Order]:
    conditions: list[ColumnElement[bool]] = []
    if subject.refs:
        conditions.append(Order.customer_ref.in_(subject.refs))
    if subject.email:
        conditions.append(func.lower(Order.email) == subject.email)
    if subject.order_refs:
        conditions.append(Order.external_id.in_(subject.order_refs))
    if not conditions:
        return []
    return list(
        scope.session.scalars(scope.select(Order).where(or_(*conditions)).order_by(Order.id))
    )


def matching_designs(scope: ShopScope, subject: Subject, orders: Iterable[Order]) -> list[Design]:
    """Designs saved by the signed-in customer, and those on the customer's order lines."""
    on_orders = {item.design_id for order in orders for item in order.items if item.design_id}
    conditions: list[ColumnElement[bool]] = []
    if subject.refs:
        conditions.append(Design.customer_ref.in_(subject.refs))
    if on_orders:
        conditions.append(Design.id.in_(on_orders))
    if not conditions:
        return []
    stmt = scope.select(Design).where(or_(*conditions)).order_by(Design.id)
    return list(scope.session.scalars(stmt))


def _files(scope: ShopScope, ids: Iterable[int]) -> list[StoredFile]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    stmt = scope.select(StoredFile).where(StoredFile.id.in_(wanted)).order_by(StoredFile.id)
    return list(scope.session.scalars(stmt))


SHOPPER_FILE_KINDS = frozenset({FileKind.UPLOAD, FileKind.AI_IMAGE})


def design_file_ids(scope: ShopScope, designs: Iterable[Design]) -> set[int]:
    """The shopper's own files behind these designs: previews, uploads and generated images.

    The merchant's mockups are placed by many designs and are never the shopper's data."""
    ids: set[int] = set()
    for design in designs:
        ids |= referenced_file_ids(design.document)
        for ref in referenced_srcs(design.document):
            stored = stored_file_for_ref(scope, ref)
            if stored is not None and stored.kind in SHOPPER_FILE_KINDS:
                ids.add(stored.id)
        if design.preview_file_id is not None:
            ids.add(design.preview_file_id)
    return ids


# ------------------------------------------------------------------- customers/data_request
def _file_record(stored: StoredFile) -> dict[str, Any]:
    return {
        "kind": stored.kind.value,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
        "created_at": iso(stored.created_at),
    }


def _design_record(
    scope: ShopScope, design: Design, files: dict[int, StoredFile]
) -> dict[str, Any]:
    own = sorted(design_file_ids(scope, [design]) & files.keys())
    return {
        "id": design.public_id,
        "status": design.status.value,
        "customer_ref": design.customer_ref,
        "created_at": iso(design.created_at),
        "updated_at": iso(design.updated_at),
        "document": design.document,
        "files": [_file_record(files[file_id]) for file_id in own],
    }


def _order_record(order: Order, public_ids: dict[int, str]) -> dict[str, Any]:
    return {
        "id": order.external_id,
        "name": order.name,
        "email": order.email,
        "customer_ref": order.customer_ref,
        "placed_at": iso(order.placed_at),
        "cancelled_at": iso(order.cancelled_at),
        "currency": order.currency,
        "total_price": str(order.total_price),
        "financial_status": order.financial_status,
        "fulfillment_status": order.fulfillment_status,
        "shipping_address": order.shipping_address,
        "items": [
            {
                "id": item.external_id,
                "title": item.title,
                "sku": item.sku,
                "quantity": item.quantity,
                "unit_price": str(item.unit_price),
                "properties": item.properties,
                "design": public_ids.get(item.design_id) if item.design_id else None,
            }
            for item in order.items
        ],
    }


def compile_export(scope: ShopScope, event: WebhookEvent, subject: Subject) -> dict[str, Any]:
    """What Luneo holds about the request's customer in this shop, as plain JSON."""
    orders = matching_orders(scope, subject)
    designs = matching_designs(scope, subject, orders)
    files = {f.id: f for f in _files(scope, design_file_ids(scope, designs))}
    public_ids = {design.id: design.public_id for design in designs}
    request = event.payload.get("data_request")
    return {
        "format": EXPORT_FORMAT,
        "shop_domain": event.shop_domain,
        "data_request_id": request.get("id") if isinstance(request, dict) else None,
        "requested_at": iso(event.received_at),
        "customer": event.payload.get("customer"),
        "orders_requested": event.payload.get("orders_requested") or [],
        "designs": [_design_record(scope, design, files) for design in designs],
        "orders": [_order_record(order, public_ids) for order in orders],
    }


def store_export(
    scope: ShopScope, storage: Storage, export: dict[str, Any], name: str
) -> StoredFile:
    body = json.dumps(export, indent=2, sort_keys=True, ensure_ascii=False).encode()
    key = new_key(scope.shop_id, "exports", "json")
    stored = storage.put(key, body, "application/json")
    row = StoredFile(
        key=key,
        kind=FileKind.EXPORT,
        content_type="application/json",
        size=stored.size,
        sha256=stored.sha256,
        original_name=name,
    )
    scope.add(row)
    scope.session.flush()
    return row


def _data_request(session: Session, event: WebhookEvent) -> WebhookStatus:
    shop = event_shop(session, event)
    if shop is None:
        return ignored(event, "unknown shop: Luneo holds no data for it")
    scope = ShopScope(session, shop.id)
    done = event.payload.get("export_file_id")
    if type(done) is int and scope.get(StoredFile, done) is not None:
        return WebhookStatus.PROCESSED  # exported by an earlier run
    subject = Subject.from_payload(event.payload, "orders_requested")
    export = compile_export(scope, event, subject)
    name = f"customer-{subject.customer_id or 'unknown'}-data.json"
    stored = store_export(scope, get_storage(), export, name)
    event.payload = {**event.payload, "export_file_id": stored.id}
    return WebhookStatus.PROCESSED


def customer_data_request(event_id: int) -> str:
    """customers/data_request: compile the customer's data into a downloadable export."""
    return run_event(event_id, _data_request)


# ------------------------------------------------------------------------ customers/redact
def delete_files(scope: ShopScope, files: list[StoredFile], deleted: list[str]) -> None:
    """Rows now, bytes once this transaction commits (``app.stored_files``): a crash between
    the two leaves a pending deletion the next drain finishes, never a row naming lost bytes.
    The keys are added to ``deleted`` for the caller to drain after its commit."""
    if not files:
        return
    queue_byte_deletions(scope.session, scope.shop_id, [(f.key, f.size) for f in files])
    ids = [stored.id for stored in files]
    scope.session.execute(
        delete(StoredFile).where(StoredFile.shop_id == scope.shop_id, StoredFile.id.in_(ids))
    )
    deleted.extend(stored.key for stored in files)


def drain_deleted_bytes(keys: list[str]) -> None:
    """After a redaction committed: remove the bytes of exactly the rows it deleted."""
    if keys:
        with get_db().session() as session:
            delete_pending_bytes(session, get_storage(), keys=keys)


def not_placed_elsewhere(
    scope: ShopScope, files: list[StoredFile], leaving: Iterable[int]
) -> list[StoredFile]:
    """The files no staying design places or previews: identical bytes another shopper
    uploaded are one row, and theirs to keep."""
    gone = set(leaving)
    refs = DocumentRefs(scope.shop_id)
    previews: set[int | None] = set()
    stmt = select(Design.id, Design.document, Design.preview_file_id).where(
        Design.shop_id == scope.shop_id
    )
    for row in scope.session.execute(stmt.execution_options(yield_per=1000)):
        if row.id not in gone:
            refs.add(row.document)
            previews.add(row.preview_file_id)
    return [f for f in files if f.id not in previews and not refs.names(f.id, f.key)]


def _production_file_ids(scope: ShopScope, designs: list[Design], orders: list[Order]) -> set[int]:
    design_ids = [design.id for design in designs]
    item_ids = [item.id for order in orders for item in order.items]
    if not design_ids and not item_ids:
        return set()
    stmt = scope.select(ProductionJob).where(
        or_(ProductionJob.design_id.in_(design_ids), ProductionJob.order_item_id.in_(item_ids))
    )
    return {f.stored_file_id for job in scope.session.scalars(stmt) for f in job.files}


def _earlier_export_ids(session: Session, shop_id: int, subject: Subject) -> set[int]:
    """Exports made for this customer's data requests: they hold the same personal data."""
    stmt = select(WebhookEvent).where(
        WebhookEvent.shop_id == shop_id, WebhookEvent.topic == "customers/data_request"
    )
    ids: set[int] = set()
    for request in session.scalars(stmt):
        file_id = request.payload.get("export_file_id")
        asked = Subject.from_payload(request.payload, "orders_requested")
        if type(file_id) is int and subject.same_customer(asked):
            ids.add(file_id)
    return ids


def anonymize(order: Order, redacted_at: str) -> None:
    """Keep the order for the merchant's books; drop everything that names the customer."""
    order.email = None
    order.customer_ref = None
    address = order.shipping_address or {}
    order.shipping_address = {k: address[k] for k in KEPT_ADDRESS_FIELDS if k in address}
    order.extra = {"redacted_at": redacted_at, **(order.extra or {})}
    for item in order.items:
        item.properties = {}


def _redact_customer(session: Session, event: WebhookEvent, deleted: list[str]) -> WebhookStatus:
    shop = event_shop(session, event)
    if shop is None:
        return ignored(event, "unknown shop: Luneo holds no data for it")
    scope = ShopScope(session, shop.id)
    subject = Subject.from_payload(event.payload, "orders_to_redact")
    orders = matching_orders(scope, subject)
    designs = matching_designs(scope, subject, orders)
    file_ids = design_file_ids(scope, designs) | _production_file_ids(scope, designs, orders)
    file_ids |= _earlier_export_ids(session, shop.id, subject)
    design_ids = [design.id for design in designs]
    delete_files(scope, not_placed_elsewhere(scope, _files(scope, file_ids), design_ids), deleted)
    redacted_at = utcnow().isoformat()
    for order in orders:
        anonymize(order, redacted_at)
        for item in order.items:
            if item.design_id in design_ids:
                item.design_id = None
    if design_ids:  # order lines and production jobs elsewhere let go by ON DELETE SET NULL
        session.execute(delete(Design).where(Design.shop_id == shop.id, Design.id.in_(design_ids)))
    return WebhookStatus.PROCESSED


def customer_redact(event_id: int) -> str:
    """customers/redact: delete the customer's designs and files, anonymize their orders."""
    deleted: list[str] = []
    outcome = run_event(event_id, lambda session, event: _redact_customer(session, event, deleted))
    drain_deleted_bytes(deleted)
    return outcome


# ----------------------------------------------------------------------------- shop/redact
def _forget_unknown_shop_events(session: Session, event: WebhookEvent) -> None:
    """Deliveries recorded while the shop was unknown: theirs too, except redaction requests."""
    session.execute(
        delete(WebhookEvent).where(
            WebhookEvent.platform == Platform.SHOPIFY,
            WebhookEvent.shop_id.is_(None),
            WebhookEvent.shop_domain == event.shop_domain,
            WebhookEvent.topic != "shop/redact",
        )
    )


def _redact_shop(session: Session, event: WebhookEvent, deleted: list[str]) -> WebhookStatus:
    shop = event_shop(session, event)
    if shop is not None and shop.is_installed and installed_since(shop, event):
        return ignored(event, "the shop installed Luneo again after this request")
    event.shop_id = None  # this record of the request outlives the shop's rows
    session.flush()
    if shop is not None:
        cancel_shop_jobs(get_redis(), shop.id)
        scope = ShopScope(session, shop.id)
        delete_files(scope, scope.all(StoredFile, StoredFile.id), deleted)
        session.execute(delete(Shop).where(Shop.id == shop.id))  # rows go by ON DELETE CASCADE
    if event.shop_domain:
        _forget_unknown_shop_events(session, event)
    return WebhookStatus.PROCESSED


def shop_redact(event_id: int) -> str:
    """shop/redact (48 hours after uninstall): delete every row and file of the shop."""
    deleted: list[str] = []
    outcome = run_event(event_id, lambda session, event: _redact_shop(session, event, deleted))
    drain_deleted_bytes(deleted)
    return outcome
