"""The shopper's change links on Shopify's order status page (``app.sync.design_links``): the
order sync that offers the e-mail also queues the job writing the order's app-owned
``$app``/``design_links`` metafield, created with its definition (Customer Account API: read)
once per shop, against the local Shopify stand-in (which validates every document against the
captured 2026-07 Admin schema and answers userErrors as Shopify documents them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from app.accounts.mailer import ConsoleMailer
from app.models import Order, OrderItem, ShopScope
from app.queue import JobSpec, enqueue
from app.sync import order_edits
from app.sync.order_edits import save_edit_window
from standins.shopify import FakeShopify, FakeStore, upstream_line, upstream_order
from tests.factories import make_product, make_shop
from tests.support.workers import run_jobs

from .conftest import TOKEN, Mugs, now_stamp

OWNER = "gid://shopify/Order/1"
STORED = ("app--1", "design_links")  # `$app` as Shopify stores it for this app
DEFINE, WRITE = "LuneoDesignLinksDefinition", "LuneoDesignLinks"


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {**settings, "PUSH_RETRY_INTERVALS": "0,0,0"}


def links(store: FakeStore, owner: str = OWNER) -> Any:
    return store.metafield_api.value(owner, "$app", "design_links")


def calls(store: FakeStore, name: str) -> int:
    return sum(1 for call in store.calls if call.operation == name)


def designed_order(mugs: Mugs, number: int = 1, **fields: Any) -> tuple[str, str]:
    """An order with two designed lines and one plain one; the designs' ids."""
    one, two = mugs.design(), mugs.design()
    lines = [
        upstream_line(
            10 * number + n,
            mugs.mug,
            attributes={"_luneo_design": d.public_id, "_luneo_price": mugs.price(d)},
        )
        for n, d in enumerate((one, two), start=1)
    ]
    lines.append(upstream_line(10 * number + 9, mugs.plate))
    mugs.store.add_orders(upstream_order(number, lines, updated_at=now_stamp(), **fields))
    return one.public_id, two.public_id


def test_an_order_sync_writes_each_lines_private_link_on_the_order(
    app: Flask, mugs: Mugs, outbox: ConsoleMailer
) -> None:
    first, second = designed_order(mugs)

    order = mugs.sync(1)

    value = links(mugs.store)
    assert value["v"] == 1
    assert set(value["lines"]) == {first, second}  # the plain line has nothing to change
    by_line = {item.external_id: item for item in order.items}
    for design, entry in value["lines"].items():
        item = by_line[entry["line"]]
        assert item.properties["_luneo_design"] == design
        assert entry["until"] is None  # the default window: until a partner starts
        prefix = "https://mug-store.myshopify.com/apps/luneo/order-design/"
        assert entry["url"].startswith(prefix)
        # the very link the e-mail carries: it opens this line, for the shopper
        line = order_edits.open_line(
            mugs.session, app.config["SECRET_KEY"], entry["url"][len(prefix) :]
        )
        assert (line.item.id, line.by, line.closed) == (item.id, "shopper", None)
    stored = mugs.store.metafields[(OWNER, *STORED)]
    assert stored["type"] == "json"
    assert len(outbox.outbox) == 2  # the e-mails still go
    definition = mugs.store.metafield_api.definitions[("ORDER", *STORED)]
    assert definition["access"]["customerAccount"] == "READ"
    assert definition["access"]["admin"] == "MERCHANT_READ"
    assert definition["type"] == "json"


def test_a_window_in_hours_says_when_it_closes(mugs: Mugs) -> None:
    save_edit_window(mugs.shop, "hours", "48")
    mugs.session.commit()
    placed = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    designed_order(mugs, processedAt=placed.strftime("%Y-%m-%dT%H:%M:%SZ"))

    mugs.sync(1)

    (until,) = {e["until"] for e in links(mugs.store)["lines"].values()}
    assert datetime.fromisoformat(until) == placed + timedelta(hours=48)  # the order's time


def test_the_definition_is_created_once_per_shop(mugs: Mugs) -> None:
    designed_order(mugs, 1)
    mugs.sync(1)
    designed_order(mugs, 2)

    mugs.sync(2)

    assert links(mugs.store, "gid://shopify/Order/2") is not None
    assert calls(mugs.store, DEFINE) == 1
    assert calls(mugs.store, WRITE) == 2


def test_a_definition_shopify_already_has_is_fine(mugs: Mugs) -> None:
    # e.g. the shop reinstalled Luneo: Shopify kept the definition, Luneo's row forgot it
    designed_order(mugs, 1)
    mugs.sync(1)
    mugs.shop.extra = {k: v for k, v in (mugs.shop.extra or {}).items() if k != "design_links"}
    mugs.session.commit()
    designed_order(mugs, 2)

    mugs.sync(2)

    assert calls(mugs.store, DEFINE) == 2  # the second answered TAKEN
    assert links(mugs.store, "gid://shopify/Order/2") is not None
    mugs.session.refresh(mugs.shop)
    assert mugs.shop.extra["design_links"]["defined"] is True


def test_a_store_that_is_down_gets_the_links_when_the_job_is_retried(
    app: Flask, mugs: Mugs
) -> None:
    designed_order(mugs)
    enqueue(mugs.redis, JobSpec("sync", "jobs.sync.sync_order", (mugs.shop.id, OWNER)))
    run_jobs(app, "sync")
    # SHOPIFY_MAX_ATTEMPTS is 2: the first run fails whole, the retry gets through
    mugs.store.fail_with = [503, 503, 502]

    run_jobs(app, "default")

    assert mugs.store.fail_with == []
    assert set(links(mugs.store)["lines"])
    assert calls(mugs.store, WRITE) == 1


def test_only_this_shops_order_is_touched(app: Flask, mugs: Mugs, fake: FakeShopify) -> None:
    other = make_shop(mugs.session, domain="other-store.myshopify.com", access_token=TOKEN)
    make_product(mugs.session, other, external_id="gid://shopify/Product/1", title="Mug")
    mugs.session.commit()
    theirs = fake.add_store(FakeStore(other.domain, TOKEN))
    theirs.add_products(mugs.mug)
    theirs.add_orders(upstream_order(1, [upstream_line(11, mugs.mug)], updated_at=now_stamp()))
    designed_order(mugs)

    mugs.sync(1)

    assert links(mugs.store) is not None
    assert theirs.metafields == {}
    assert theirs.calls == []
    assert theirs.metafield_api.definitions == {}


def test_no_links_when_the_order_offers_no_change(mugs: Mugs) -> None:
    save_edit_window(mugs.shop, "off", None)
    mugs.session.commit()
    designed_order(mugs)

    mugs.sync(1)

    assert links(mugs.store) is None
    assert calls(mugs.store, DEFINE) == calls(mugs.store, WRITE) == 0


def test_an_order_without_designs_writes_nothing(mugs: Mugs) -> None:
    mugs.store.add_orders(
        upstream_order(1, [upstream_line(11, mugs.plate)], updated_at=now_stamp())
    )

    mugs.sync(1)

    assert mugs.store.metafields == {}
    assert calls(mugs.store, DEFINE) == 0


def test_shopify_refusing_the_value_is_not_retried(app: Flask, mugs: Mugs) -> None:
    designed_order(mugs)
    enqueue(mugs.redis, JobSpec("sync", "jobs.sync.sync_order", (mugs.shop.id, OWNER)))
    run_jobs(app, "sync")
    del mugs.store.orders[OWNER]  # deleted at Shopify meanwhile: "Owner does not exist."

    run_jobs(app, "default")

    assert calls(mugs.store, WRITE) == 1  # refused once, not retried
    assert mugs.store.metafields == {}
    order = ShopScope(mugs.session, mugs.shop.id).get_by(Order, external_id=OWNER)
    assert order is not None
    assert all(isinstance(i, OrderItem) for i in order.items)
