"""Orders with personalized lines: a Shopify shop behind the local stand-in, a customizable mug
(with a 4.00 surcharge), designs, the mail outbox, and running the order sync as its webhook does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer
from app.models import Design, DesignStatus, Order, Shop, ShopScope, Template
from app.queue import JobSpec, enqueue
from app.shopify import surcharge_token
from standins.shopify import FakeShopify, FakeStore, serve, upstream_product
from tests.factories import make_design, make_product, make_shop, make_template
from tests.support.workers import run_jobs

TOKEN = "shpat_" + "d" * 32
SURCHARGE = Decimal("4.00")
DOCUMENT = {
    "version": 1,
    "areas": {
        "front": {
            "layers": [
                {"type": "text", "text": "Ada", "font": "Inter", "size_mm": 6, "x_mm": 4, "y_mm": 4}
            ]
        }
    },
}


def now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with serve() as server:
        yield server


@pytest.fixture
def settings(settings: dict[str, Any], fake: FakeShopify) -> dict[str, Any]:
    return {**settings, "SHOPIFY_SHOP_ORIGIN": fake.origin_template, "SHOPIFY_MAX_ATTEMPTS": 2}


@pytest.fixture
def outbox(app: Flask) -> ConsoleMailer:
    mailer = app.extensions["luneo.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    return mailer


@dataclass
class Mugs:
    """A shop with a customizable mug (product 1) and a customizable cup (product 2) upstream."""

    app: Flask
    session: Session
    redis: Redis
    shop: Shop
    store: FakeStore
    mug: dict[str, Any]
    cup: dict[str, Any]
    plate: dict[str, Any]  # not customizable
    mug_template: Template
    cup_template: Template

    @property
    def scope(self) -> ShopScope:
        return ShopScope(self.session, self.shop.id)

    def design(self, template: Template | None = None, **overrides: Any) -> Design:
        values: dict[str, Any] = {"document": DOCUMENT, "status": DesignStatus.SAVED}
        design = make_design(self.session, template or self.mug_template, **{**values, **overrides})
        self.session.commit()
        return design

    def price(self, design: Design, amount: str = "4.00", currency: str = "EUR") -> str:
        key = surcharge_token.shop_key(self.app.config["SECRET_KEY"], self.shop.domain)
        return surcharge_token.sign(key, design.public_id, Decimal(amount), currency)

    def sync(self, number: int) -> Order:
        """The order's webhook job: the narrow sync, then whatever it queued on ``default``."""
        gid = f"gid://shopify/Order/{number}"
        enqueue(self.redis, JobSpec("sync", "jobs.sync.sync_order", (self.shop.id, gid)))
        run_jobs(self.app, "sync")
        run_jobs(self.app, "default")
        self.session.expire_all()
        order = self.scope.get_by(Order, external_id=gid)
        assert order is not None
        return order


@pytest.fixture
def mugs(app: Flask, session: Session, redis: Redis, fake: FakeShopify) -> Mugs:
    shop = make_shop(session, domain="mug-store.myshopify.com", access_token=TOKEN, currency="EUR")
    store = fake.add_store(FakeStore(shop.domain, TOKEN))
    upstream = [upstream_product(n, variants=1) for n in (1, 2, 3)]
    store.add_products(*upstream)
    templates = []
    for number, title in ((1, "Mug"), (2, "Cup")):
        product = make_product(
            session, shop, external_id=f"gid://shopify/Product/{number}", title=title
        )
        made_before_any_order = datetime.now(UTC) - timedelta(hours=1)
        templates.append(
            make_template(session, product, surcharge=SURCHARGE, created_at=made_before_any_order)
        )
    make_product(session, shop, external_id="gid://shopify/Product/3", title="Plate")
    session.commit()
    return Mugs(app, session, redis, shop, store, *upstream, *templates)
