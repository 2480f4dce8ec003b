"""The order sync decides each WooCommerce line's personalization from the plugin's hidden meta:
``_luneo_design`` and ``_luneo_surcharge`` (the amount the plugin charged, from Luneo's answer).

Orders arrive as the fake store's signed ``order.created`` webhooks, then the jobs run.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer
from app.models import (
    Design,
    DesignStatus,
    Order,
    OrderItem,
    Personalization,
    Product,
    ProductionJob,
    Shop,
    ShopScope,
    Template,
)
from app.woocommerce.storefront_keys import ensure_storefront_key
from tests.factories import make_design, make_product, make_template
from tests.support.fake_woocommerce import FakeWooStore
from tests.support.workers import run_jobs

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
BEFORE_THE_ORDERS = datetime(2026, 1, 1, tzinfo=UTC)  # the fake store's clock starts in March


@pytest.fixture
def outbox(app: Flask) -> ConsoleMailer:
    mailer = app.extensions["luneo.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    return mailer


def customizable(
    session: Session, shop: Shop, store: FakeWooStore, name: str
) -> tuple[dict[str, Any], Product, Template]:
    upstream = store.add_simple(name)
    product = make_product(session, shop, external_id=str(upstream["id"]), title=name)
    template = make_template(
        session, product, surcharge=Decimal("4.00"), created_at=BEFORE_THE_ORDERS
    )
    session.commit()
    return upstream, product, template


def with_meta(line: dict[str, Any], **meta: str) -> dict[str, Any]:
    for key, value in meta.items():
        line["meta_data"].append(
            {"id": len(line["meta_data"]) + 1, "key": key, "value": value, "display_key": key}
        )
    return line


def synced(
    app: Flask, client: FlaskClient, session: Session, store: FakeWooStore, shop: Shop, order: Any
) -> list[OrderItem]:
    ((path, body, headers),) = store.deliveries("order.created", order["id"])
    assert client.post(path, data=body, headers=headers).status_code == 200
    run_jobs(app, "default", "sync")
    run_jobs(app, "default")
    session.expire_all()
    stored = ShopScope(session, shop.id).get_by(Order, external_id=str(order["id"]))
    assert stored is not None
    return sorted(stored.items, key=lambda item: int(item.external_id))


def saved(session: Session, template: Template) -> Design:
    design = make_design(session, template, document=DOCUMENT, status=DesignStatus.SAVED)
    session.commit()
    return design


def test_the_plugins_surcharge_decides_paid_or_unpaid(
    app: Flask,
    client: FlaskClient,
    session: Session,
    store: FakeWooStore,
    connected: Shop,
    outbox: ConsoleMailer,
) -> None:
    mug, _product, template = customizable(session, connected, store, "Mug")
    cup, _cup_product, cup_template = customizable(session, connected, store, "Cup")
    paid, unpaid, short, foreign_currency, wrong_product = (
        saved(session, t) for t in (template, template, template, template, cup_template)
    )
    lines = [
        with_meta(store.line(mug, design=paid.public_id), _luneo_surcharge="4.00"),
        store.line(mug, design=unpaid.public_id),
        with_meta(store.line(mug, design=short.public_id), _luneo_surcharge="3.99"),
        with_meta(
            store.line(mug, design=foreign_currency.public_id),
            _luneo_surcharge="4.00",
            _luneo_currency="USD",
        ),
        with_meta(store.line(mug, design=wrong_product.public_id), _luneo_surcharge="4.00"),
        store.line(mug),
        store.line(cup, quantity=1) | {"product_id": 0},  # a line of a product Luneo never saw
    ]
    order = store.add_order(lines)

    items = synced(app, client, session, store, connected, order)

    assert [item.personalization for item in items] == [
        Personalization.DESIGNED,
        Personalization.UNPAID,
        Personalization.UNPAID,
        Personalization.UNPAID,
        Personalization.UNPAID,
        Personalization.MISSING,
        Personalization.NONE,
    ]
    assert [item.surcharge for item in items[:5]] == [
        Decimal("4.00"),
        None,
        Decimal("3.99"),
        None,
        Decimal("4.00"),
    ]
    assert items[0].expected_surcharge == Decimal("4.00")
    scope = ShopScope(session, connected.id)
    assert [job.order_item_id for job in scope.all(ProductionJob)] == [items[0].id]
    statuses = []
    for design in (paid, unpaid, wrong_product):
        session.refresh(design)
        statuses.append(design.status)
    assert statuses == [DesignStatus.ORDERED, DesignStatus.SAVED, DesignStatus.SAVED]
    (message,) = [m for m in outbox.outbox if m.subject.startswith("Add your design")]
    assert message.to == "ada@example.com"
    assert "https://luneo.test/recover/" in message.text
    # the paid line's shopper gets the link to change their design, on Luneo's own page
    (change,) = [m for m in outbox.outbox if m.subject.startswith("Change your design")]
    assert change.to == "ada@example.com"
    assert "https://luneo.test/order-design/" in change.text

    # the order webhook again: nothing new, no second e-mail
    ((path, body, headers),) = store.deliveries("order.updated", order["id"])
    client.post(path, data=body, headers=headers)
    run_jobs(app, "default", "sync")
    run_jobs(app, "default")
    assert len(outbox.outbox) == 2
    assert scope.count(ProductionJob) == 1


def test_a_recovery_page_on_woocommerce_keeps_the_stores_draft_key(
    app: Flask,
    client: FlaskClient,
    session: Session,
    store: FakeWooStore,
    connected: Shop,
    outbox: ConsoleMailer,
) -> None:
    mug, _product, _template = customizable(session, connected, store, "Mug")
    order = store.add_order([store.line(mug)])
    synced(app, client, session, store, connected, order)
    (message,) = outbox.outbox
    path = message.text.split("https://luneo.test", 1)[1].split()[0]

    page = client.get(path)

    assert page.status_code == 200
    assert '"platform": "woocommerce"' in page.text
    assert f'"productId": "{mug["id"]}"' in page.text


def _plugin_calls(client: FlaskClient, shop: Shop, product_id: str, version: str) -> int:
    """A call the store's plugin makes server to server (its key, its origin, its version)."""
    answer = client.get(
        f"/storefront/v1/products/{product_id}/template",
        headers={
            "X-Luneo-Key": ensure_storefront_key(shop),
            "Origin": "https://shop.test",
            "X-Luneo-Plugin": version,
        },
    )
    return answer.status_code


def test_a_store_whose_plugin_hosts_the_page_gets_links_to_it(
    app: Flask,
    client: FlaskClient,
    session: Session,
    store: FakeWooStore,
    connected: Shop,
    outbox: ConsoleMailer,
) -> None:
    mug, _product, _template = customizable(session, connected, store, "Mug")
    session.commit()
    assert _plugin_calls(client, connected, str(mug["id"]), "1.1.0") == 200
    session.refresh(connected)
    assert connected.plugin_version == "1.1.0"
    order = store.add_order([store.line(mug)])
    synced(app, client, session, store, connected, order)

    (message,) = outbox.outbox
    (token,) = re.findall(r"https://shop\.test/\?luneo_recover=(\S+)", message.text)
    assert "https://luneo.test/recover/" not in message.text
    # what the plugin asks, server to server, to render the page on the store
    context = client.get(f"/recover/{token}/context", headers={"Origin": "https://shop.test"})
    assert context.status_code == 200
    assert context.json == {
        "shop": connected.name or connected.domain,
        "order": order_name(session, connected, order),
        "item": "Mug",
        "platform": "woocommerce",
        "productId": str(mug["id"]),
        "variantId": str(mug["id"]),
    }
    assert context.headers["Cache-Control"] == "no-store"


def order_name(session: Session, shop: Shop, order: dict[str, Any]) -> str:
    stored = ShopScope(session, shop.id).get_by(Order, external_id=str(order["id"]))
    assert stored is not None
    return stored.name


@pytest.mark.parametrize("version", ["1.0.0", "1.1", "1.1.0-beta", "1.1.0<b>", "", "9" * 40])
def test_a_store_on_an_older_or_unnamed_plugin_gets_luneos_own_page(
    app: Flask,
    client: FlaskClient,
    session: Session,
    store: FakeWooStore,
    connected: Shop,
    outbox: ConsoleMailer,
    version: str,
) -> None:
    mug, _product, _template = customizable(session, connected, store, "Mug")
    assert _plugin_calls(client, connected, str(mug["id"]), version) == 200
    session.refresh(connected)
    assert connected.plugin_version == ("1.0.0" if version == "1.0.0" else None)
    synced(app, client, session, store, connected, store.add_order([store.line(mug)]))

    (message,) = outbox.outbox
    assert "https://luneo.test/recover/" in message.text
    assert "luneo_recover" not in message.text


def test_only_the_stores_own_key_and_origin_name_its_plugin(
    client: FlaskClient, session: Session, store: FakeWooStore, connected: Shop
) -> None:
    mug, _product, _template = customizable(session, connected, store, "Mug")
    ensure_storefront_key(connected)
    session.commit()
    headers = {"Origin": "https://shop.test", "X-Luneo-Plugin": "1.1.0"}

    wrong_key = client.get(
        f"/storefront/v1/products/{mug['id']}/template",
        headers={**headers, "X-Luneo-Key": "lpk_" + "x" * 32},
    )
    other_origin = client.get(
        f"/storefront/v1/products/{mug['id']}/template",
        headers={**headers, "X-Luneo-Key": connected.storefront_key, "Origin": "https://evil.test"},
    )

    assert (wrong_key.status_code, other_origin.status_code) == (401, 403)
    session.refresh(connected)
    assert connected.plugin_version is None


def test_the_recovery_surface_answers_the_stores_origin_only(
    app: Flask,
    client: FlaskClient,
    session: Session,
    store: FakeWooStore,
    connected: Shop,
    outbox: ConsoleMailer,
) -> None:
    """The page on the store calls Luneo across origins: CORS for that store, nobody else."""
    mug, _product, _template = customizable(session, connected, store, "Mug")
    synced(app, client, session, store, connected, store.add_order([store.line(mug)]))
    (message,) = outbox.outbox
    path = message.text.split("https://luneo.test", 1)[1].split()[0]
    template = f"{path}/products/{mug['id']}/template"
    preflight = {"Access-Control-Request-Method": "POST"}

    from_store = client.get(template, headers={"Origin": "https://shop.test"})
    from_elsewhere = client.get(template, headers={"Origin": "https://evil.test"})
    store_preflight = client.options(
        f"{path}/attach", headers={"Origin": "https://shop.test", **preflight}
    )
    evil_preflight = client.options(
        f"{path}/attach", headers={"Origin": "https://evil.test", **preflight}
    )
    forged_preflight = client.options(
        "/recover/forged.token-value-1234567890/attach",
        headers={"Origin": "https://shop.test", **preflight},
    )

    assert from_store.status_code == 200
    assert from_store.headers["Access-Control-Allow-Origin"] == "https://shop.test"
    assert "Origin" in from_store.headers["Vary"]
    assert from_elsewhere.status_code == 200  # the token is the credential; no browser reads it
    assert "Access-Control-Allow-Origin" not in from_elsewhere.headers
    assert store_preflight.status_code == 204
    assert store_preflight.headers["Access-Control-Allow-Origin"] == "https://shop.test"
    assert "Content-Type" in store_preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in store_preflight.headers["Access-Control-Allow-Methods"]
    assert evil_preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in evil_preflight.headers
    assert forged_preflight.status_code == 404
    assert "Access-Control-Allow-Origin" not in forged_preflight.headers


def test_the_plugin_gets_the_change_links_for_the_buyers_order_only(
    app: Flask,
    client: FlaskClient,
    session: Session,
    store: FakeWooStore,
    connected: Shop,
    outbox: ConsoleMailer,
) -> None:
    """The thank-you page's "Edit your design" (the plugin asks server to server): the store's
    key and origin are public, so the order's own key (WooCommerce's ``order_key``) is what
    proves the buyer; only its hash is kept."""
    mug, _product, template = customizable(session, connected, store, "Mug")
    paid = saved(session, template)
    order = store.add_order(
        [
            with_meta(store.line(mug, design=paid.public_id), _luneo_surcharge="4.00"),
            store.line(mug),
        ]
    )
    items = synced(app, client, session, store, connected, order)
    stored = items[0].order
    assert order["order_key"] not in str(stored.extra)
    headers = {"X-Luneo-Key": ensure_storefront_key(connected), "Origin": "https://shop.test"}
    url = "/storefront/v1/order-edits"

    answer = client.post(
        url, json={"order_id": order["id"], "order_key": order["order_key"]}, headers=headers
    )

    assert answer.status_code == 200, answer.json
    (line,) = answer.json["lines"]  # the missing line has no design to change
    assert (line["item"], line["open"], line["message"]) == (items[0].external_id, True, None)
    assert line["url"].startswith("https://luneo.test/order-design/")
    assert client.get(line["url"].removeprefix("https://luneo.test")).status_code == 200
    for body in (
        {"order_id": order["id"], "order_key": "wc_order_guessed"},
        {"order_id": order["id"] + 1000, "order_key": order["order_key"]},
    ):
        refused = client.post(url, json=body, headers=headers)
        assert refused.status_code == 404
        assert refused.json["error"]["code"] == "order_not_found"
    for body in ({"order_id": order["id"]}, {"order_id": None, "order_key": "x"}, []):
        assert client.post(url, json=body, headers=headers).status_code == 400
    elsewhere = {**headers, "Origin": "https://evil.test"}
    keyed = {"order_id": order["id"], "order_key": order["order_key"]}
    assert client.post(url, json=keyed, headers=elsewhere).status_code in (401, 403)
