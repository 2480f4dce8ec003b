"""The whole path: a shopper saves a design through the app proxy, orders it, and the partner's
print files are made from exactly what was saved (the uploaded photo included)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Design, DesignStatus, Order, ProductionJob, ProductionStatus, Shop, ShopScope
from app.queue import JobSpec, enqueue
from app.storage import Storage
from standins.shopify import (
    FakeShopify,
    FakeStore,
    serve,
    upstream_line,
    upstream_order,
    upstream_product,
)
from tests.factories import make_shop
from tests.support.workers import run_jobs

from .conftest import document, image, png, proxy_caller, small_template, text

TOKEN = "shpat_" + "c" * 32


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with serve() as server:
        yield server


@pytest.fixture
def settings(settings: dict[str, Any], fake: FakeShopify) -> dict[str, Any]:
    return {**settings, "SHOPIFY_SHOP_ORIGIN": fake.origin_template, "SHOPIFY_MAX_ATTEMPTS": 2}


def test_a_design_saved_through_the_api_becomes_print_files(
    app: Flask, session: Session, storage: Storage, redis: Redis, fake: FakeShopify
) -> None:
    # given a shop whose product 1 is customizable, and a shopper who uploads and saves a design
    shop: Shop = make_shop(session, domain="flow-store.myshopify.com", access_token=TOKEN)
    small_template(session, storage, shop, "gid://shopify/Product/1")
    session.commit()
    proxy = proxy_caller(app.test_client(), shop, customer="8001")
    template_id = proxy.get("/products/1/template").json["id"]
    photo = proxy.post(
        "/uploads", data={"file": (io.BytesIO(png((300, 300), (0, 200, 0))), "me.png")}
    ).json
    doc = document(text("Ada"), image(photo["src"], x_mm=25, y_mm=2, width_mm=12, height_mm=12))
    saved = proxy.post("/designs", json={"template_id": template_id, "document": doc}).json
    assert saved["ready"] is True

    # when the cart's line (with the hidden property) is ordered and synced, and the workers run
    store = fake.add_store(FakeStore(shop.domain, TOKEN))
    mug = upstream_product(1)
    store.add_products(mug)
    properties = {"_luneo_design": saved["design_id"], "Personalization": saved["summary"]}
    line = upstream_line(51, mug, attributes=properties)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    store.add_orders(upstream_order(9, [line], updated_at=now))
    enqueue(redis, JobSpec("sync", "jobs.sync.sync_order", (shop.id, "gid://shopify/Order/9")))
    run_jobs(app, "sync")
    run_jobs(app, "render")

    # then the design is frozen as ordered and its print files are ready, photo and all
    session.expire_all()
    scope = ShopScope(session, shop.id)
    design = session.scalars(select(Design).where(Design.public_id == saved["design_id"])).one()
    assert design.status is DesignStatus.ORDERED
    assert design.customer_ref == "8001"
    order = scope.get_by(Order, external_id="gid://shopify/Order/9")
    assert order is not None
    assert order.items[0].design_id == design.id
    job = scope.get_by(ProductionJob, order_item_id=order.items[0].id)
    assert job is not None
    assert job.status is ProductionStatus.READY, job.error
    files = {f"{f.area_key}.{f.format}": f for f in job.files}
    assert sorted(files) == ["front.pdf", "front.png", "front.preview", "proof.proof"]
    with storage.open(files["front.png"].stored_file.key) as stream:
        printed = Image.open(io.BytesIO(stream.read())).convert("RGBA")
    # 100 DPI with 2 mm bleed: the photo's centre (31 mm, 8 mm) is at (130, 39) px
    assert printed.getpixel((130, 39))[:3] == (0, 200, 0)
    # and the shopper can no longer change what is being printed
    again = proxy.post(
        "/designs",
        json={"template_id": template_id, "document": doc, "design_id": saved["design_id"]},
    )
    assert again.status_code == 409
