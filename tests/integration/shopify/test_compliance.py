"""The mandatory compliance webhooks doing real work, end to end: signed delivery → job →
rows and files. Payloads are Shopify's examples from its "privacy law compliance" docs, with
the shop domain and ids pointed at the rows made here.

The world: in shop A, customer 191167 (john@example.com) saved a design while signed in, bought
it (order matched by customer id), bought a guest design (order matched by email only) and has
an order Shopify lists by id; another customer of shop A, and shop B where the same customer
id and email also exist, must come out untouched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Base
from app.models import (
    Design,
    FileKind,
    Order,
    ProductionFile,
    ProductionJob,
    Shop,
    StoredFile,
    WebhookEvent,
    WebhookStatus,
)
from app.storage import Storage, new_key
from jobs.privacy import customer_data_request, customer_redact, shop_redact
from tests.factories import make_design, make_order, make_product, make_shop, make_template
from tests.integration.shopify.test_webhooks import SHOP, deliver, events
from tests.support.workers import run_jobs

OTHER_SHOP = "other.myshopify.com"
CUSTOMER = {"id": 191167, "email": "john@example.com", "phone": "555-625-1199"}
ADDRESS = {
    "name": "John Smith",
    "address1": "1 Main Street",
    "address2": "",
    "city": "Ottawa",
    "province": "ON",
    "zip": "K1A 0B1",
    "country_code": "CA",
    "phone": "555-625-1199",
}


def data_request_payload(shop: str = SHOP) -> dict[str, Any]:
    return {
        "shop_id": 954889,
        "shop_domain": shop,
        "orders_requested": [299938],
        "customer": CUSTOMER,
        "data_request": {"id": 9999},
    }


def redact_payload(shop: str = SHOP) -> dict[str, Any]:
    return {
        "shop_id": 954889,
        "shop_domain": shop,
        "customer": CUSTOMER,
        "orders_to_redact": [299938],
    }


@dataclass(frozen=True)
class FileRef:
    id: int
    key: str
    shop_id: int


@dataclass(frozen=True)
class World:
    """Ids only: rows the jobs delete cannot be read back through the ORM afterwards."""

    shop_id: int
    other_shop_id: int
    signed_design: int  # customer_ref 191167, with a preview and an uploaded photo
    guest_design: int  # no customer_ref, on the order matched by email
    other_design: int  # another customer of shop A
    their_design: int  # shop B, same customer id
    by_id: int
    by_email: int
    listed: int  # only named in orders_requested / orders_to_redact
    other_order: int
    their_order: int
    # photo (file_id), photo placed by key (src), print file, signed preview, guest preview
    customer_files: tuple[FileRef, ...]
    kept_files: tuple[FileRef, ...]


@pytest.fixture
def storage(app: Flask) -> Storage:
    storage: Storage = app.extensions["luneo.storage"]
    return storage


def put_file(session: Session, storage: Storage, shop: Shop, kind: FileKind) -> StoredFile:
    key = new_key(shop.id, kind.value, "bin")
    stored = storage.put(key, f"{kind.value} of shop {shop.id}".encode(), "image/png")
    row = StoredFile(
        shop_id=shop.id,
        key=key,
        kind=kind,
        content_type="image/png",
        size=stored.size,
        sha256=stored.sha256,
    )
    session.add(row)
    session.flush()
    return row


def produce(session: Session, storage: Storage, order: Order) -> StoredFile:
    """A production job for the order's line, with one print file."""
    item = order.items[0]
    job = ProductionJob(shop_id=order.shop_id, order_item_id=item.id, design_id=item.design_id)
    session.add(job)
    session.flush()
    shop = session.get(Shop, order.shop_id)
    assert shop is not None
    pdf = put_file(session, storage, shop, FileKind.PRINT_PDF)
    session.add(
        ProductionFile(
            production_job_id=job.id, stored_file_id=pdf.id, area_key="front", format="pdf"
        )
    )
    session.flush()
    return pdf


def designed(session: Session, storage: Storage, shop: Shop, **values: Any) -> Design:
    template = make_template(session, make_product(session, shop))
    preview = put_file(session, storage, shop, FileKind.PREVIEW)
    return make_design(session, template, preview_file_id=preview.id, **values)


@pytest.fixture
def world(session: Session, storage: Storage) -> World:
    shop = make_shop(session, domain=SHOP)
    other_shop = make_shop(session, domain=OTHER_SHOP)
    photo = put_file(session, storage, shop, FileKind.UPLOAD)
    placed = put_file(session, storage, shop, FileKind.UPLOAD)  # placed by storage key
    mockup = put_file(session, storage, shop, FileKind.MOCKUP)  # the merchant's, never redacted
    layers = [
        {"type": "image", "file_id": photo.id},
        {"type": "image", "src": placed.key},
        {"type": "clipart", "src": f"file:{mockup.id}"},
    ]
    document = {"version": 1, "areas": {"front": {"layers": layers}}}
    signed = designed(session, storage, shop, customer_ref="191167", document=document)
    guest = designed(session, storage, shop)
    other = designed(session, storage, shop, customer_ref="555")
    theirs = designed(session, storage, other_shop, customer_ref="191167")
    by_id = make_order(
        session,
        shop,
        signed,
        customer_ref="191167",
        email=CUSTOMER["email"],
        shipping_address=ADDRESS,
    )
    by_email = make_order(session, shop, guest, email="John@Example.com", shipping_address=ADDRESS)
    listed = make_order(session, shop, external_id="gid://shopify/Order/299938", email=None)
    other_order = make_order(session, shop, other, customer_ref="555", email="jane@example.com")
    their_order = make_order(
        session, other_shop, theirs, customer_ref="191167", email=CUSTOMER["email"]
    )
    by_id.items[0].properties = {"_luneo_design": signed.public_id, "Engraving": "John"}
    printed = produce(session, storage, by_id)
    kept = [produce(session, storage, other_order), produce(session, storage, their_order)]
    session.commit()
    return World(
        shop_id=shop.id,
        other_shop_id=other_shop.id,
        signed_design=signed.id,
        guest_design=guest.id,
        other_design=other.id,
        their_design=theirs.id,
        by_id=by_id.id,
        by_email=by_email.id,
        listed=listed.id,
        other_order=other_order.id,
        their_order=their_order.id,
        customer_files=refs(
            session,
            photo.id,
            placed.id,
            printed.id,
            signed.preview_file_id,
            guest.preview_file_id,
        ),
        kept_files=refs(
            session,
            *(f.id for f in kept),
            mockup.id,
            other.preview_file_id,
            theirs.preview_file_id,
        ),
    )


def refs(session: Session, *file_ids: int | None) -> tuple[FileRef, ...]:
    rows = [get(session, StoredFile, file_id) for file_id in file_ids if file_id is not None]
    assert len(rows) == len(file_ids)
    return tuple(FileRef(row.id, row.key, row.shop_id) for row in rows)


def get(session: Session, model: Any, row_id: int) -> Any:
    row = session.get(model, row_id)
    assert row is not None
    return row


def only_event(session: Session) -> WebhookEvent:
    [event] = events(session)
    return event


def rerun(app: Flask, session: Session, job: Any, event: WebhookEvent) -> None:
    """Run the job again from the start, as RQ would after a crash."""
    event.status = WebhookStatus.RECEIVED
    session.commit()
    with app.app_context():
        assert job(event.id) == "processed"


def ids(session: Session, model: Any, shop_id: int) -> list[int]:
    session.expire_all()
    stmt = select(model.id).where(model.shop_id == shop_id).order_by(model.id)
    return list(session.scalars(stmt))


# ------------------------------------------------------------------ customers/data_request
def _iso(moment: Any) -> Any:
    return moment.isoformat() if moment is not None else None


def _file(stored: StoredFile) -> dict[str, Any]:
    return {
        "kind": stored.kind.value,
        "content_type": "image/png",
        "size": stored.size,
        "sha256": stored.sha256,
        "created_at": _iso(stored.created_at),
    }


def _design(design: Design, files: list[StoredFile]) -> dict[str, Any]:
    return {
        "id": design.public_id,
        "status": "draft",
        "customer_ref": design.customer_ref,
        "created_at": _iso(design.created_at),
        "updated_at": _iso(design.updated_at),
        "document": design.document,
        "files": [_file(f) for f in sorted(files, key=lambda f: f.id)],
    }


def _order(order: Order, design: str | None, properties: dict[str, Any]) -> dict[str, Any]:
    [item] = order.items
    return {
        "id": order.external_id,
        "name": order.name,
        "email": order.email,
        "customer_ref": order.customer_ref,
        "placed_at": None,
        "cancelled_at": None,
        "currency": "USD",
        "total_price": "0.00",
        "financial_status": "",
        "fulfillment_status": "",
        "shipping_address": order.shipping_address,
        "items": [
            {
                "id": item.external_id,
                "title": "Item",
                "sku": "",
                "quantity": 1,
                "unit_price": "0.00",
                "properties": properties,
                "design": design,
            }
        ],
    }


def expected_export(session: Session, world: World) -> dict[str, Any]:
    session.expire_all()
    signed, guest = (
        get(session, Design, world.signed_design),
        get(session, Design, world.guest_design),
    )
    photo, placed, _, signed_preview, guest_preview = (
        get(session, StoredFile, f.id) for f in world.customer_files
    )
    by_id, by_email = get(session, Order, world.by_id), get(session, Order, world.by_email)
    by_id_properties = {"_luneo_design": signed.public_id, "Engraving": "John"}
    return {
        "format": "luneo.customer-data.v1",
        "shop_domain": SHOP,
        "data_request_id": 9999,
        "requested_at": _iso(only_event(session).received_at),
        "customer": CUSTOMER,
        "orders_requested": [299938],
        "designs": [
            _design(signed, [photo, placed, signed_preview]),
            _design(guest, [guest_preview]),
        ],
        "orders": [
            _order(by_id, signed.public_id, by_id_properties),
            _order(by_email, guest.public_id, {}),
            _order(get(session, Order, world.listed), None, {}),
        ],
    }


def test_data_request_exports_exactly_what_luneo_holds_about_the_customer(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, storage: Storage, world: World
) -> None:
    assert deliver(client, "customers/data_request", data_request_payload()).status_code == 200

    run_jobs(app)

    event = only_event(session)
    assert (event.status, event.error) == (WebhookStatus.PROCESSED, None)
    export = get(session, StoredFile, event.payload["export_file_id"])
    assert (export.shop_id, export.kind, export.content_type) == (
        world.shop_id,
        FileKind.EXPORT,
        "application/json",
    )
    assert export.key.startswith(f"shops/{world.shop_id}/exports/")
    with storage.open(export.key) as stream:
        assert json.load(stream) == expected_export(session, world)


def test_data_request_run_twice_makes_one_export(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, world: World
) -> None:
    deliver(client, "customers/data_request", data_request_payload())
    run_jobs(app)
    first = only_event(session).payload["export_file_id"]

    rerun(app, session, customer_data_request, only_event(session))

    assert only_event(session).payload["export_file_id"] == first
    exports = select(StoredFile.id).where(StoredFile.kind == FileKind.EXPORT)
    assert list(session.scalars(exports)) == [first]


# ------------------------------------------------------------------------ customers/redact
def assert_redacted(session: Session, storage: Storage, world: World) -> None:
    session.expire_all()
    assert ids(session, Design, world.shop_id) == [world.other_design]
    assert ids(session, Design, world.other_shop_id) == [world.their_design]
    for gone in world.customer_files:
        assert session.get(StoredFile, gone.id) is None
        assert not storage.exists(gone.key)
    for kept in world.kept_files:
        assert session.get(StoredFile, kept.id) is not None
        assert storage.exists(kept.key)
    for order_id, address in (
        (world.by_id, {"country_code": "CA"}),
        (world.by_email, {"country_code": "CA"}),
        (world.listed, {}),
    ):
        order = get(session, Order, order_id)
        assert (order.email, order.customer_ref, order.shipping_address) == (None, None, address)
        assert [(i.design_id, i.properties) for i in order.items] == [(None, {})]
        assert "redacted_at" in order.extra
    other = get(session, Order, world.other_order)
    assert (other.email, other.customer_ref, other.items[0].design_id) == (
        "jane@example.com",
        "555",
        world.other_design,
    )
    theirs = get(session, Order, world.their_order)
    assert (theirs.email, theirs.customer_ref, theirs.items[0].design_id) == (
        CUSTOMER["email"],
        "191167",
        world.their_design,
    )


def test_redact_deletes_the_customers_designs_and_files_and_anonymizes_their_orders(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, storage: Storage, world: World
) -> None:
    assert deliver(client, "customers/redact", redact_payload()).status_code == 200

    run_jobs(app)

    assert only_event(session).status is WebhookStatus.PROCESSED
    assert_redacted(session, storage, world)
    # The production job stays (the merchant's record of the work), without the files.
    item_id = get(session, Order, world.by_id).items[0].id
    job = session.scalars(select(ProductionJob).where(ProductionJob.order_item_id == item_id)).one()
    assert (job.design_id, job.files) == (None, [])


def test_redact_run_twice_is_harmless(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, storage: Storage, world: World
) -> None:
    deliver(client, "customers/redact", redact_payload())
    run_jobs(app)

    rerun(app, session, customer_redact, only_event(session))

    assert_redacted(session, storage, world)


def test_redact_deletes_the_customers_earlier_export(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, storage: Storage, world: World
) -> None:
    deliver(client, "customers/data_request", data_request_payload())
    run_jobs(app)
    export = get(session, StoredFile, only_event(session).payload["export_file_id"])
    export_id, key = export.id, export.key

    deliver(client, "customers/redact", redact_payload())
    run_jobs(app)

    session.expire_all()
    assert session.get(StoredFile, export_id) is None
    assert not storage.exists(key)


# ----------------------------------------------------------------------------- shop/redact
def shop_owned_counts(session: Session, shop_id: int) -> dict[str, int]:
    session.expire_all()
    counts = {}
    for table in Base.metadata.sorted_tables:
        if "shop_id" in table.c:
            stmt = select(func.count()).select_from(table).where(table.c.shop_id == shop_id)
            counts[table.name] = int(session.scalar(stmt) or 0)
    return counts


def test_shop_redact_deletes_every_row_and_file_of_the_shop_and_nothing_else(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, storage: Storage, world: World
) -> None:
    stmt = select(StoredFile.key).where(StoredFile.shop_id == world.shop_id)
    keys = list(session.scalars(stmt))
    other_before = shop_owned_counts(session, world.other_shop_id)
    deliver(client, "orders/create", {"id": 1})  # an earlier delivery of the shop
    payload = {"shop_id": 954889, "shop_domain": SHOP}
    assert deliver(client, "shop/redact", payload).status_code == 200

    run_jobs(app)

    assert session.get(Shop, world.shop_id) is None
    assert set(shop_owned_counts(session, world.shop_id).values()) == {0}
    assert len(keys) == 8
    assert [storage.exists(key) for key in keys] == [False] * 8
    assert shop_owned_counts(session, world.other_shop_id) == other_before
    theirs = [f for f in world.kept_files if f.shop_id == world.other_shop_id]
    assert len(theirs) == 2
    assert all(storage.exists(f.key) for f in theirs)
    # What remains is the record of the request itself, detached from the deleted shop.
    [event] = events(session)
    assert (event.topic, event.shop_id, event.status) == (
        "shop/redact",
        None,
        WebhookStatus.PROCESSED,
    )


def test_shop_redact_run_twice_or_for_an_unknown_shop_is_harmless(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, world: World
) -> None:
    deliver(client, "shop/redact", {"shop_id": 954889, "shop_domain": SHOP})
    run_jobs(app)
    other_before = shop_owned_counts(session, world.other_shop_id)

    rerun(app, session, shop_redact, only_event(session))
    response = deliver(client, "shop/redact", {"shop_id": 954889, "shop_domain": SHOP})
    run_jobs(app)

    assert response.status_code == 200
    assert [e.status for e in events(session)] == [WebhookStatus.PROCESSED] * 2
    assert shop_owned_counts(session, world.other_shop_id) == other_before


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("customers/data_request", data_request_payload("gone.myshopify.com")),
        ("customers/redact", redact_payload("gone.myshopify.com")),
    ],
)
def test_customer_requests_for_an_unknown_shop_are_answered(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, topic: str, payload: Any
) -> None:
    response = deliver(client, topic, payload, shop="gone.myshopify.com")
    run_jobs(app)

    assert response.status_code == 200
    event = only_event(session)
    assert (event.shop_id, event.status) == (None, WebhookStatus.IGNORED)
    assert session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_redact_keeps_a_photo_another_customers_design_also_places(
    app: Flask, client: FlaskClient, session: Session, redis: Redis, storage: Storage, world: World
) -> None:
    """Identical bytes uploaded by two shoppers are one row: the other shopper's design keeps it."""
    photo = get(session, StoredFile, world.customer_files[0].id)
    other = get(session, Design, world.other_design)
    other.document = {
        "version": 1,
        "areas": {"front": {"layers": [{"type": "image", "src": photo.key}]}},
    }
    session.commit()

    deliver(client, "customers/redact", redact_payload())
    run_jobs(app)

    assert only_event(session).status is WebhookStatus.PROCESSED
    assert get(session, StoredFile, photo.id) is not None
    assert storage.exists(photo.key)
    gone = world.customer_files[1:]
    assert all(session.get(StoredFile, ref.id) is None for ref in gone)
    assert not any(storage.exists(ref.key) for ref in gone)
