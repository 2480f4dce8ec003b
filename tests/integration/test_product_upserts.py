"""Set-based product upserts (``app.sync.store.upsert_products``) and the bulk sync that feeds
them in bounded batches: statements per batch, idempotence, changed fields, variants moving and
going, older listings against newer rows, and two syncs of one shop at once (separate
connections, on SQLite and PostgreSQL)."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, event, func, select, text
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Product, ProductStatus, Shop, ShopScope, Variant
from app.sync import run as sync_run
from app.sync import store
from connectors.base import Money, ProductRecord, VariantRecord
from connectors.shopify.connector import ShopifyConnector
from standins.shopify import FakeShopify, FakeStore, serve, upstream_product
from tests.factories import make_shop

T0 = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
TOKEN = "shpat_" + "c" * 32


def variant(n: int, k: int, price: str = "19.90") -> VariantRecord:
    return VariantRecord(
        external_id=f"gid://shopify/ProductVariant/{n * 1000 + k}",
        title=f"Size {k}",
        sku=f"SKU-{n}-{k}",
        price=Money(Decimal(price), "EUR"),
        position=k,
        options={"Size": str(k)},
    )


def record(
    n: int,
    *,
    title: str | None = None,
    updated_at: datetime = T0,
    variants: tuple[VariantRecord, ...] | None = None,
) -> ProductRecord:
    return ProductRecord(
        external_id=f"gid://shopify/Product/{n}",
        title=title or f"Mug {n}",
        handle=f"mug-{n}",
        status="active",
        vendor="Luneo",
        product_type="Mug",
        description="A mug",
        image_url=f"https://cdn.test/{n}.png",
        updated_at=updated_at,
        variants=variants if variants is not None else tuple(variant(n, k) for k in (1, 2, 3)),
    )


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """Every statement the session's connection sends, as SQL text."""
    seen: list[str] = []
    connection = session.connection()

    def count(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(sql.lstrip().split()[0].upper())

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", count)


def rows(session: Session, shop: Shop) -> dict[str, tuple[Product, list[Variant]]]:
    session.expire_all()
    products = ShopScope(session, shop.id).all(Product, Product.external_id)
    return {p.external_id: (p, sorted(p.variants, key=lambda v: v.external_id)) for p in products}


# ------------------------------------------------------------------- statements per batch
@pytest.mark.parametrize(("products", "batch"), [(100, 40), (400, 200)])
def test_upsert_issues_a_bounded_number_of_statements_per_batch(
    session: Session, monkeypatch: pytest.MonkeyPatch, products: int, batch: int
) -> None:
    monkeypatch.setattr(store, "UPSERT_BATCH", batch)
    shop = make_shop(session)
    session.flush()
    batches = -(-products // batch)
    with statements(session) as sent:
        outcomes = store.upsert_products(
            ShopScope(session, shop.id), [record(n) for n in range(1, products + 1)]
        )
    assert outcomes == ["created"] * products
    # Per batch: read products, read variants (by id), write products, write variants; on
    # PostgreSQL each write first readies its staging table (create if missing, empty it) and
    # COPYs the rows in (the COPY goes by the driver, not counted here).
    per_write = 3 if session.get_bind().dialect.name == "postgresql" else 1
    assert len(sent) <= (4 + 2 * per_write) * batches, sent
    assert sent.count("INSERT") == 2 * batches
    assert "UPDATE" not in sent
    assert session.scalar(select(func.count(Variant.id)).filter_by(shop_id=shop.id)) == 3 * products


def test_on_postgresql_a_long_sync_plans_its_reads_for_the_rows_there_are_now(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver prepares a statement run five times; the server may then keep one generic plan
    made while the tables were empty, and scan the whole shop per batch (50,000 products took
    5x the time of 25,000). A sync's statements are not prepared; the connection's setting is
    restored afterwards."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    monkeypatch.setattr(store, "UPSERT_BATCH", 10)
    shop = make_shop(session)
    session.flush()
    driver = session.connection().connection.driver_connection
    threshold = driver.prepare_threshold
    store.upsert_products(ShopScope(session, shop.id), [record(n) for n in range(1, 121)])
    prepared = session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
    assert [sql for sql in prepared if "products" in sql or "variants" in sql] == []
    assert driver.prepare_threshold == threshold == 5


def test_a_second_upsert_changes_nothing_and_writes_nothing(session: Session) -> None:
    shop = make_shop(session)
    session.flush()
    scope = ShopScope(session, shop.id)
    store.upsert_products(scope, [record(n) for n in range(1, 11)])
    before = {
        k: (p.id, p.updated_at, p.synced_at, [(v.id, v.updated_at) for v in vs])
        for k, (p, vs) in rows(session, shop).items()
    }

    with statements(session) as sent:
        outcomes = store.upsert_products(scope, [record(n) for n in range(1, 11)])

    assert outcomes == ["unchanged"] * 10
    assert set(sent) <= {"SELECT"}, sent
    after = {
        k: (p.id, p.updated_at, p.synced_at, [(v.id, v.updated_at) for v in vs])
        for k, (p, vs) in rows(session, shop).items()
    }
    assert after == before


def test_changed_fields_are_updated_and_variants_move_go_and_arrive(session: Session) -> None:
    shop = make_shop(session)
    session.flush()
    scope = ShopScope(session, shop.id)
    store.upsert_products(scope, [record(n) for n in (1, 2, 3)])
    kept = {v.external_id: v.id for _, vs in rows(session, shop).values() for v in vs}

    later = T0 + timedelta(hours=1)
    outcomes = store.upsert_products(
        scope,
        [
            # renamed; its variant 1 costs more, variant 3 is gone, variant 2 of product 2 joins
            record(
                1,
                title="Mug XL",
                updated_at=later,
                variants=(variant(1, 1, "24.90"), variant(1, 2), variant(2, 2)),
            ),
            record(2, updated_at=later, variants=(variant(2, 1), variant(2, 3), variant(2, 4))),
            record(3),
        ],
    )

    assert outcomes == ["updated", "updated", "unchanged"]
    stored = rows(session, shop)
    one, one_variants = stored["gid://shopify/Product/1"]
    assert (one.title, one.platform_updated_at) == ("Mug XL", later)
    assert [(v.external_id[-4:], v.price) for v in one_variants] == [
        ("1001", Decimal("24.90")),
        ("1002", Decimal("19.90")),
        ("2002", Decimal("19.90")),
    ]
    # Rows keep their ids: updated in place, the moved one re-parented, not re-created.
    assert {v.external_id: v.id for v in one_variants} == {
        v.external_id: kept[v.external_id] for v in one_variants
    }
    _two, two_variants = stored["gid://shopify/Product/2"]
    assert [v.external_id[-4:] for v in two_variants] == ["2001", "2003", "2004"]
    assert (
        session.scalar(
            select(func.count(Variant.id)).filter_by(
                external_id="gid://shopify/ProductVariant/1003"
            )
        )
        == 0
    )


def test_an_older_listing_never_overwrites_a_newer_product(session: Session) -> None:
    shop = make_shop(session)
    session.flush()
    scope = ShopScope(session, shop.id)
    newer = T0 + timedelta(minutes=5)
    store.upsert_products(scope, [record(1, title="New title", updated_at=newer)])

    outcomes = store.upsert_products(
        scope, [record(1, title="Old title", variants=(variant(1, 1),)), record(2)]
    )

    assert outcomes == ["unchanged", "created"]
    product, variants = rows(session, shop)["gid://shopify/Product/1"]
    assert (product.title, product.platform_updated_at, len(variants)) == ("New title", newer, 3)


def test_a_product_listed_twice_in_one_batch_is_one_row(session: Session) -> None:
    shop = make_shop(session)
    session.flush()
    outcomes = store.upsert_products(
        ShopScope(session, shop.id), [record(1), record(1, title="Mug again")]
    )
    assert outcomes == ["created", "unchanged"]
    (product, _), *rest = rows(session, shop).values()
    assert (product.title, rest) == ("Mug again", [])


# ---------------------------------------------------------- bulk sync in bounded batches
@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with serve() as server:
        yield server


@pytest.fixture
def settings(settings: dict[str, Any], fake: FakeShopify) -> dict[str, Any]:
    return {**settings, "SHOPIFY_SHOP_ORIGIN": fake.origin_template, "SHOPIFY_MAX_ATTEMPTS": 2}


def test_bulk_export_is_streamed_in_bounded_batches_and_deletions_archive_as_before(
    app: Flask, session: Session, fake: FakeShopify, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = make_shop(session, access_token=TOKEN)
    session.commit()
    upstream = fake.add_store(FakeStore(shop.domain, TOKEN))
    upstream.add_products(*(upstream_product(n) for n in range(1, 12)))
    monkeypatch.setattr(sync_run, "BULK_THRESHOLD", 0)
    monkeypatch.setattr(sync_run, "PRODUCT_BATCH", 4)
    sizes: list[int] = []
    upsert = sync_run.upsert_products

    def counted(scope: ShopScope, records: Any) -> Any:
        sizes.append(len(records))
        return upsert(scope, records)

    monkeypatch.setattr(sync_run, "upsert_products", counted)
    exported = ShopifyConnector.export_products
    kinds: list[bool] = []

    def watched(self: ShopifyConnector, *args: Any) -> Any:
        records = exported(self, *args)
        kinds.append(inspect.isgenerator(records))
        return records

    monkeypatch.setattr(ShopifyConnector, "export_products", watched)

    with app.app_context():
        first = sync_run.sync_shop(shop.id, "products", full=True, progress=lambda *_: None)
    assert kinds == [True]  # records arrive one by one, never as one list
    assert sizes == [4, 4, 3]  # three transactions of at most PRODUCT_BATCH products
    assert first is not None
    assert first["products"]["created"] == 11

    # Two products deleted upstream (webhooks lost): the next full sync archives them, once.
    for gone in (3, 7):
        del upstream.products[f"gid://shopify/Product/{gone}"]
    sizes.clear()
    with app.app_context():
        second = sync_run.sync_shop(shop.id, "products", full=True, progress=lambda *_: None)
    assert second is not None
    assert (second["products"]["unchanged"], second["products"]["archived"]) == (9, 2)
    assert sizes == [4, 4, 1]
    stored = rows(session, shop)
    archived = sorted(k for k, (p, _) in stored.items() if p.status is ProductStatus.ARCHIVED)
    assert archived == ["gid://shopify/Product/3", "gid://shopify/Product/7"]
    assert all(len(vs) == 3 for _, vs in stored.values())  # kept, for the orders


# ------------------------------------------------------------------------------ races
@pytest.fixture
def database(migrated_database_url: str) -> Iterator[Database]:
    db = Database(migrated_database_url)
    yield db
    db.engine.dispose()


@pytest.fixture
def racing_shop(database: Database) -> Iterator[int]:
    with database.session() as setup:
        shop = make_shop(setup)
        setup.flush()
        shop_id = shop.id
    yield shop_id
    with database.session() as cleanup:
        cleanup.execute(delete(Shop).where(Shop.id == shop_id))


def _race(database: Database, shop_id: int, *listings: list[ProductRecord]) -> list[BaseException]:
    start = threading.Barrier(len(listings))
    errors: list[BaseException] = []

    def sync(records: list[ProductRecord]) -> None:
        try:
            start.wait(10)
            for at in range(0, len(records), 50):  # one transaction per batch, as a sync does
                with database.session() as session:
                    store.upsert_products(ShopScope(session, shop_id), records[at : at + 50])
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=sync, args=(records,)) for records in listings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_two_syncs_of_one_shop_at_once_make_each_row_once(
    database: Database, racing_shop: int
) -> None:
    listing = [record(n) for n in range(1, 301)]
    assert _race(database, racing_shop, listing, list(reversed(listing))) == []
    with database.session() as session:
        products = session.scalar(select(func.count(Product.id)).filter_by(shop_id=racing_shop))
        variants = session.scalar(select(func.count(Variant.id)).filter_by(shop_id=racing_shop))
        misplaced = session.scalar(
            select(func.count(Variant.id))
            .join(Product, Variant.product_id == Product.id)
            .where(Variant.shop_id == racing_shop, Variant.sku.not_like("SKU-%"))
        )
    assert (products, variants, misplaced) == (300, 900, 0)


def test_a_webhook_sync_racing_a_full_sync_keeps_the_newer_product(
    database: Database, racing_shop: int
) -> None:
    with database.session() as session:
        store.upsert_products(ShopScope(session, racing_shop), [record(n) for n in range(1, 201)])
    newer = T0 + timedelta(minutes=3)
    full = [record(n, title=f"Listed {n}", updated_at=T0) for n in range(1, 201)]
    webhook = [record(n, title=f"Edited {n}", updated_at=newer) for n in range(1, 201, 10)]
    assert _race(database, racing_shop, full, webhook) == []
    with database.session() as session:
        titles = dict(
            session.execute(
                select(Product.external_id, Product.title).filter_by(shop_id=racing_shop)
            ).all()
        )
    edited = {f"gid://shopify/Product/{n}" for n in range(1, 201, 10)}
    assert len(titles) == 200
    assert all(titles[k].startswith("Edited") for k in edited)
    assert all(titles[k].startswith("Listed") for k in titles.keys() - edited)
