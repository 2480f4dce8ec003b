"""An order synced from a (local) Shopify flows to downloadable print files, and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import click
import pytest
from flask import Flask
from redis import Redis
from sqlalchemy.orm import Session

from app.models import DesignStatus, Order, Product, ProductionJob, ProductionStatus, ShopScope
from app.queue import JobSpec, enqueue, get_queue
from app.storage import Storage
from jobs.production_cli import register_production_commands
from standins.shopify import (
    FakeShopify,
    FakeStore,
    serve,
    upstream_line,
    upstream_order,
    upstream_product,
)
from tests.factories import make_design, make_shop
from tests.support.workers import run_jobs

from .conftest import RECT, drain, make_setup, small_template, text

TOKEN = "shpat_" + "b" * 32


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with serve() as server:
        yield server


@pytest.fixture
def settings(settings: dict[str, Any], fake: FakeShopify) -> dict[str, Any]:
    return {**settings, "SHOPIFY_SHOP_ORIGIN": fake.origin_template, "SHOPIFY_MAX_ATTEMPTS": 2}


def test_an_ordered_design_flows_from_the_order_webhook_sync_to_ready_files(
    app: Flask, session: Session, storage: Storage, redis: Redis, fake: FakeShopify
) -> None:
    # given a shop whose customizable mug has a saved design
    shop = make_shop(session, access_token=TOKEN)
    template = small_template(session, storage, shop)
    document = {"version": 1, "areas": {"front": {"layers": [RECT, text("Ada")]}}}
    design = make_design(session, template, document=document, status=DesignStatus.SAVED)
    session.commit()
    store = fake.add_store(FakeStore(shop.domain, TOKEN))
    product = session.get(Product, template.product_id)
    assert product is not None
    mug = upstream_product(1, id=product.external_id)  # the line is of the design's product
    store.add_products(mug)
    line = upstream_line(31, mug, attributes={"_luneo_design": design.public_id})
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    store.add_orders(upstream_order(7, [line], updated_at=now))

    # when the order is synced (as its webhook asks), then the workers run
    enqueue(redis, JobSpec("sync", "jobs.sync.sync_order", (shop.id, "gid://shopify/Order/7")))
    run_jobs(app, "sync")
    waiting = get_queue("render", redis)
    assert waiting.count == 1
    rq_job = waiting.jobs[0]
    assert rq_job.meta == {"shop_id": shop.id}
    drain(app)

    # then the line's production job is ready with its print files
    session.expire_all()
    order = ShopScope(session, shop.id).get_by(Order, external_id="gid://shopify/Order/7")
    assert order is not None
    job = ShopScope(session, shop.id).get_by(ProductionJob, order_item_id=order.items[0].id)
    assert job is not None
    assert rq_job.id == f"render-{job.id}"
    assert job.status is ProductionStatus.READY
    assert sorted(f"{f.area_key}.{f.format}" for f in job.files) == [
        "front.pdf",
        "front.png",
        "front.preview",
        "proof.proof",
    ]
    assert waiting.count == 0


@pytest.fixture
def luneo(app: Flask) -> click.Group:
    @click.group()
    def cli() -> None:
        """A stand-in for the luneo group."""

    register_production_commands(cli)
    return cli


def test_cli_retries_a_failed_job_and_runs_it_now(
    app: Flask, session: Session, storage: Storage, redis: Redis, luneo: click.Group
) -> None:
    setup = make_setup(session, storage)
    setup.job.move_to(ProductionStatus.FAILED, error="storage was down")
    session.commit()

    args = ["production", "retry", str(setup.job.id), "--now"]
    result = app.test_cli_runner().invoke(luneo, args)

    assert result.exit_code == 0, result.output
    assert f"job {setup.job.id}: ready (4 files)" in result.output
    session.expire_all()
    job = session.get(ProductionJob, setup.job.id)
    assert job is not None
    assert job.status is ProductionStatus.READY


def test_cli_enqueues_every_queued_job(
    app: Flask, session: Session, storage: Storage, redis: Redis, luneo: click.Group
) -> None:
    first, second = make_setup(session, storage), make_setup(session, storage)
    second.job.move_to(ProductionStatus.FAILED, error="x")
    session.commit()

    result = app.test_cli_runner().invoke(luneo, ["production", "run", "--all-queued"])

    assert result.exit_code == 0, result.output
    assert get_queue("render", redis).job_ids == [f"render-{first.job.id}"]


def test_cli_refuses_to_retry_a_ready_job(
    app: Flask, session: Session, storage: Storage, redis: Redis, luneo: click.Group
) -> None:
    setup = make_setup(session, storage)
    setup.job.move_to(ProductionStatus.RENDERING)
    setup.job.move_to(ProductionStatus.READY)
    session.commit()

    result = app.test_cli_runner().invoke(luneo, ["production", "retry", str(setup.job.id)])

    assert result.exit_code == 1
    assert f"production job {setup.job.id} is ready; it is not retried" in result.output
    assert get_queue("render", redis).count == 0
