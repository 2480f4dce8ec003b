"""Sync jobs end to end: RQ worker -> job -> for_shop -> HTTP -> a local Shopify -> database.

The store is standins.shopify: the real 2026-07 Admin schema executing our documents,
with Shopify's throttle and bulk operations, served on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import sync
from app.models import (
    Design,
    DesignStatus,
    Order,
    OrderItem,
    Platform,
    Product,
    ProductionJob,
    ProductionStatus,
    ProductStatus,
    Shop,
    ShopScope,
    Variant,
)
from app.queue import JobSpec, enqueue, get_queue
from app.sync import archive_missing
from jobs.sync_cli import register_sync_commands
from standins.shopify import (
    FakeShopify,
    FakeStore,
    serve,
    upstream_line,
    upstream_order,
    upstream_product,
)
from tests.factories import make_design, make_product, make_shop, make_template
from tests.support.workers import run_jobs

TOKEN = "shpat_" + "a" * 32


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with serve() as server:
        yield server


@pytest.fixture
def settings(settings: dict[str, Any], fake: FakeShopify) -> dict[str, Any]:
    # The operator setting that points Luneo at a Shopify simulation (as staging does).
    return {**settings, "SHOPIFY_SHOP_ORIGIN": fake.origin_template, "SHOPIFY_MAX_ATTEMPTS": 2}


def now_iso(delta: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def shop_with_store(session: Session, fake: FakeShopify, **shop: Any) -> tuple[Shop, FakeStore]:
    row = make_shop(session, access_token=TOKEN, **shop)
    session.commit()
    return row, fake.add_store(FakeStore(row.domain, TOKEN))


def run(app: Flask, redis: Redis, spec: JobSpec) -> Job:
    job = enqueue(redis, spec)
    run_jobs(app, "sync")
    job.refresh()
    return job


def products_of(session: Session, shop: Shop) -> list[Product]:
    session.expire_all()
    return ShopScope(session, shop.id).all(Product, Product.external_id)


def sync_state(session: Session, shop: Shop) -> dict[str, Any]:
    session.expire_all()
    reloaded = session.get(Shop, shop.id)
    assert reloaded is not None
    state: dict[str, Any] = reloaded.extra["sync"]
    return state


# --------------------------------------------------------------------------- catalog
def test_initial_sync_creates_products_and_variants(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    store.add_products(*(upstream_product(n) for n in (1, 2, 3)))

    job = run(app, redis, sync.initial_sync_spec(shop.id))

    assert job.get_status() == JobStatus.FINISHED
    products = products_of(session, shop)
    assert [p.external_id for p in products] == [f"gid://shopify/Product/{n}" for n in (1, 2, 3)]
    first = products[0]
    assert (first.title, first.handle, first.status, first.vendor, first.product_type) == (
        "Product 1",
        "product-1",
        ProductStatus.ACTIVE,
        "Luneo Test",
        "Mug",
    )
    assert first.image_url == "https://cdn.shopify.test/1.png"
    assert [(v.sku, v.price, v.currency, v.position, v.options) for v in first.variants] == [
        (f"SKU-1-{n}", Decimal("19.90"), "EUR", n, {"Size": str(n)}) for n in (1, 2, 3)
    ]
    assert ShopScope(session, shop.id).count(Variant) == 9
    summary = job.return_value()
    assert summary["products"]["created"] == 3
    state = sync_state(session, shop)
    assert state["state"] == "succeeded"
    assert state["counts"]["products"]["created"] == 3
    assert job.meta["progress"]["message"] in ("products", "orders")


def test_second_sync_changes_nothing(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    store.add_products(*(upstream_product(n) for n in (1, 2)))
    run(app, redis, sync.initial_sync_spec(shop.id))
    before = [
        (p.id, p.updated_at, [(v.id, v.updated_at) for v in p.variants])
        for p in products_of(session, shop)
    ]

    job = run(app, redis, sync.initial_sync_spec(shop.id))

    after = [
        (p.id, p.updated_at, [(v.id, v.updated_at) for v in p.variants])
        for p in products_of(session, shop)
    ]
    assert after == before
    products = job.return_value()["products"]
    assert (products["created"], products["updated"], products["unchanged"]) == (0, 0, 2)


def test_big_catalog_initial_sync_goes_through_a_bulk_operation(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync.run, "BULK_THRESHOLD", 3)
    shop, store = shop_with_store(session, fake)
    store.add_products(*(upstream_product(n, variants=2) for n in range(1, 6)))

    job = run(app, redis, sync.initial_sync_spec(shop.id))

    assert job.return_value()["products"]["created"] == 5
    assert "LuneoBulkRun" in [call.operation for call in store.calls]
    assert "LuneoProducts" not in [call.operation for call in store.calls]
    assert ShopScope(session, shop.id).count(Variant) == 10


def test_incremental_sync_reads_only_what_changed_and_deletes_removed_variants(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    store.add_products(upstream_product(1), upstream_product(2))
    run(app, redis, sync.initial_sync_spec(shop.id))
    # Upstream, product 2 loses a variant and is renamed
    store.add_products(upstream_product(2, variants=2, title="Mug XL", updated_at=now_iso()))

    job = run(app, redis, sync.incremental_sync_spec(shop.id))

    products = job.return_value()["products"]
    assert (products["created"], products["updated"], products["unchanged"]) == (0, 1, 0)
    two = products_of(session, shop)[1]
    assert two.title == "Mug XL"
    assert [v.external_id[-3:] for v in two.variants] == ["001", "002"]


def test_product_deleted_upstream_is_archived_by_its_webhook_job_and_kept_for_orders(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    store.add_products(upstream_product(1), upstream_product(2))
    run(app, redis, sync.initial_sync_spec(shop.id))
    store.delete_product("gid://shopify/Product/1")

    spec = JobSpec("sync", "jobs.sync.archive_product", (shop.id, "gid://shopify/Product/1"))
    job = run(app, redis, spec)

    assert job.return_value()["products"]["archived"] == 1
    gone, kept = products_of(session, shop)
    assert (gone.status, len(gone.variants)) == (ProductStatus.ARCHIVED, 3)
    assert "deleted_upstream_at" in gone.extra
    assert kept.status == ProductStatus.ACTIVE


def test_delete_whose_webhook_was_lost_is_caught_by_reconciliation(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    store.add_products(upstream_product(1), upstream_product(2))
    run(app, redis, sync.initial_sync_spec(shop.id))
    store.delete_product("gid://shopify/Product/2", at=now_iso())

    with app.app_context():
        assert sync.reconcile_all() == 1
    run_jobs(app, "sync")

    statuses = [p.status for p in products_of(session, shop)]
    assert statuses == [ProductStatus.ACTIVE, ProductStatus.ARCHIVED]


def test_full_sync_archives_what_the_store_no_longer_has(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    store.add_products(upstream_product(1), upstream_product(2))
    run(app, redis, sync.initial_sync_spec(shop.id))
    del store.products["gid://shopify/Product/1"]  # gone, and no event left to tell

    job = run(app, redis, sync.initial_sync_spec(shop.id))

    assert job.return_value()["products"]["archived"] == 1
    assert [p.status for p in products_of(session, shop)] == [
        ProductStatus.ARCHIVED,
        ProductStatus.ACTIVE,
    ]


def test_full_listing_never_archives_a_product_created_after_it_began(session: Session) -> None:
    # A products/create webhook synced this one while a long full sync was paging
    shop = make_shop(session)
    make_product(session, shop)
    began = datetime.now(UTC) - timedelta(minutes=10)

    archived = archive_missing(ShopScope(session, shop.id), seen=set(), listed_since=began)

    assert archived == 0


def test_malformed_product_is_skipped_counted_and_the_sync_succeeds(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    broken = upstream_product(2)
    broken["variants"][1]["price"] = "nineteen"
    store.add_products(upstream_product(1), broken, upstream_product(3))

    job = run(app, redis, sync.initial_sync_spec(shop.id))

    products = job.return_value()["products"]
    assert (products["created"], products["skipped"]) == (2, 1)
    assert products["skipped_records"] == [
        {
            "id": "gid://shopify/Product/2",
            "reason": (
                "variant gid://shopify/ProductVariant/2002: amount 'nineteen' is not a number"
            ),
        }
    ]
    assert [p.external_id[-1] for p in products_of(session, shop)] == ["1", "3"]
    assert sync_state(session, shop)["state"] == "succeeded"


# ---------------------------------------------------------------------------- orders
def test_order_with_a_design_links_it_and_waits_for_production(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    mug = upstream_product(1)
    store.add_products(mug)
    run(app, redis, sync.initial_sync_spec(shop.id))
    local_mug = products_of(session, shop)[0]
    design = make_design(session, make_template(session, local_mug), status=DesignStatus.SAVED)
    session.commit()
    lines = [
        upstream_line(11, mug, quantity=2, attributes={"_luneo_design": design.public_id}),
        upstream_line(12, mug),
    ]
    store.add_orders(upstream_order(1, lines, updated_at=now_iso()))

    job = run(
        app, redis, JobSpec("sync", "jobs.sync.sync_order", (shop.id, "gid://shopify/Order/1"))
    )
    run(app, redis, sync.incremental_sync_spec(shop.id))  # the same order again: nothing new

    assert job.return_value()["production_jobs"] == 1
    session.expire_all()
    order = ShopScope(session, shop.id).get_by(Order, external_id="gid://shopify/Order/1")
    assert order is not None
    designed, plain = order.items
    assert (designed.design_id, designed.quantity, designed.product_id) == (
        design.id,
        2,
        local_mug.id,
    )
    assert designed.variant_id == local_mug.variants[0].id
    assert designed.properties == {"_luneo_design": design.public_id}
    assert plain.design_id is None
    assert session.get(Design, design.id).status == DesignStatus.ORDERED  # type: ignore[union-attr]
    production = ShopScope(session, shop.id).all(ProductionJob, ProductionJob.id)
    assert [(p.order_item_id, p.design_id, p.status) for p in production] == [
        (designed.id, design.id, ProductionStatus.QUEUED)
    ]


def test_design_of_another_shop_is_neither_linked_nor_touched(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    other = make_shop(session)
    other_product = make_product(session, other)
    theirs = make_design(session, make_template(session, other_product), status=DesignStatus.SAVED)
    session.commit()
    line = upstream_line(21, None, attributes={"_luneo_design": theirs.public_id})
    store.add_orders(upstream_order(2, [line], updated_at=now_iso()))

    job = run(app, redis, sync.initial_sync_spec(shop.id))

    assert job.return_value()["designs_not_found"] == 1
    session.expire_all()
    assert session.get(Design, theirs.id).status == DesignStatus.SAVED  # type: ignore[union-attr]
    item = session.scalars(select(OrderItem).where(OrderItem.shop_id == shop.id)).one()
    assert item.design_id is None
    assert session.scalars(select(ProductionJob)).all() == []


# ---------------------------------------------------------------------------- failures
def test_refused_token_marks_the_shop_for_reauthorization_without_a_retry_storm(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    store.token = "shpat_rotated"  # the merchant uninstalled/reinstalled: our token is dead
    store.add_products(upstream_product(1))

    job = run(app, redis, sync.initial_sync_spec(shop.id))
    again = run(app, redis, sync.incremental_sync_spec(shop.id))

    assert job.get_status() == JobStatus.FINISHED  # not failed, not scheduled for a retry
    assert again.return_value() is None  # later syncs skip the shop until it is authorized again
    state = sync_state(session, shop)
    assert session.get(Shop, shop.id).needs_reauth is True  # type: ignore[union-attr]
    assert state["state"] == "needs_reauth"
    assert "no longer accepted" in state["last_error"]
    assert store.calls == []  # the 401 came before any query ran; nothing after it
    assert get_queue("sync", redis).scheduled_job_registry.count == 0


def test_store_failing_with_5xx_fails_the_job_for_a_later_retry(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    store.fail_with = [503, 503]

    job = run(app, redis, sync.initial_sync_spec(shop.id))

    assert job.get_status() == JobStatus.SCHEDULED  # RQ retries it with backoff
    state = sync_state(session, shop)
    assert state["state"] == "failed"
    assert state["last_error"].startswith("RetryableError: Shopify still failing after 2 attempts")


def test_job_for_a_deleted_shop_returns_quietly(app: Flask, redis: Redis) -> None:
    job = run(app, redis, sync.initial_sync_spec(987654))

    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() is None


# ------------------------------------------------------------------------------ tenancy
def test_another_shops_rows_are_untouched(
    app: Flask, session: Session, redis: Redis, fake: FakeShopify
) -> None:
    shop, store = shop_with_store(session, fake)
    neighbour = make_shop(session)
    theirs = make_product(session, neighbour)
    theirs.external_id = "gid://shopify/Product/1"  # the same upstream id in another store
    theirs.title = "Neighbour's mug"
    session.commit()
    store.add_products(upstream_product(1, title="My mug"))

    run(app, redis, sync.initial_sync_spec(shop.id))
    run(app, redis, sync.initial_sync_spec(shop.id))  # a full sync archives what is missing...

    session.expire_all()
    assert [p.title for p in products_of(session, shop)] == ["My mug"]
    neighbours = products_of(session, neighbour)
    assert [(p.title, p.status) for p in neighbours] == [("Neighbour's mug", ProductStatus.ACTIVE)]


def test_reconciliation_enqueues_incremental_syncs_for_installed_shops_only(
    session: Session, redis: Redis, app: Flask
) -> None:
    live = make_shop(session)
    make_shop(session, uninstalled_at=datetime.now(UTC))
    make_shop(session, needs_reauth=True)
    woo = make_shop(session, platform=Platform.WOOCOMMERCE, domain="shop.test")
    session.commit()

    with app.app_context():
        count = sync.reconcile_all()

    assert count == 2
    assert sorted(get_queue("sync", redis).job_ids) == sorted(
        [f"sync-incremental-{live.id}", f"sync-incremental-{woo.id}"]
    )


# ----------------------------------------------------------------------------------- cli
def test_cli_syncs_products_with_a_summary(app: Flask, session: Session, fake: FakeShopify) -> None:
    shop, store = shop_with_store(session, fake)
    broken = upstream_product(3, title="")
    store.add_products(upstream_product(1), upstream_product(2), broken)
    register_sync_commands(app.cli)

    result = app.test_cli_runner().invoke(
        args=["sync", "products", "--shop", shop.domain, "--full"]
    )

    assert result.exit_code == 0, result.output
    assert "products: 2 created, 0 updated, 0 unchanged, 0 archived, 1 skipped" in result.output
    assert "skipped gid://shopify/Product/3: product without a title" in result.output


def test_cli_refuses_an_unknown_shop(app: Flask) -> None:
    register_sync_commands(app.cli)

    result = app.test_cli_runner().invoke(args=["sync", "orders", "--shop", "nope.myshopify.com"])

    assert result.exit_code == 1
    assert "no shop with domain nope.myshopify.com" in result.output
