"""The order page's personalization per line (thumbnail, charged vs expected, the state in plain
words), its two actions ("Send the link again", "Produce anyway") and the dashboard's counts.

The actions are admin JSON writes: CSRF with the cookie session as every other admin write,
another shop's order item is not found, and the link is not sent again within minutes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer
from app.models import (
    Design,
    DesignStatus,
    FileKind,
    Order,
    OrderItem,
    Personalization,
    Product,
    ProductionJob,
    ProductionStatus,
    Shop,
    ShopScope,
)
from app.signing import Purpose, verify
from tests.factories import make_design, make_order, make_template
from tests.integration.production.conftest import png, put_file
from tests.support.workers import run_jobs

SENT = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


@dataclass
class Lines:
    order: Order
    designed: OrderItem
    missing: OrderItem
    unpaid: OrderItem


def _line(order: Order, shop: Shop, number: int, **values: object) -> OrderItem:
    item = OrderItem(shop_id=shop.id, external_id=f"line-{number}", title=f"Mug {number}", **values)
    order.items.append(item)
    return item


@pytest.fixture
def lines(session: Session, app: Flask, shop: Shop, product: Product) -> Lines:
    storage = app.extensions["luneo.storage"]
    template = make_template(session, product)
    preview = put_file(session, storage, shop, png((64, 64)), FileKind.PREVIEW)
    paid = make_design(session, template, status=DesignStatus.ORDERED, preview_file_id=preview.id)
    held = make_design(session, template, status=DesignStatus.SAVED)
    order = make_order(session, shop, email="ada@example.com", currency="EUR")
    order.items.clear()
    four = Decimal("4.00")
    designed = _line(
        order,
        shop,
        1,
        product_id=product.id,
        design_id=paid.id,
        personalization=Personalization.DESIGNED,
        surcharge=four,
        expected_surcharge=four,
        properties={"Name": "Ada <3", "Ink": "Charcoal", "_luneo_design": paid.public_id},
    )
    missing = _line(
        order,
        shop,
        2,
        product_id=product.id,
        personalization=Personalization.MISSING,
        recovery_sent_at=SENT,
    )
    unpaid = _line(
        order,
        shop,
        3,
        product_id=product.id,
        design_id=held.id,
        personalization=Personalization.UNPAID,
        expected_surcharge=four,
    )
    session.commit()
    return Lines(order, designed, missing, unpaid)


@pytest.fixture
def outbox(app: Flask) -> ConsoleMailer:
    mailer = app.extensions["luneo.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    return mailer


def row(html: str, external_id: str) -> str:
    start = html.index(f'data-item="{external_id}"')
    return html[start : html.index("</tr>", start)]


def test_the_order_page_says_where_each_line_stands(
    cookie_client: FlaskClient, lines: Lines
) -> None:
    page = cookie_client.get(f"/admin/orders/{lines.order.id}")

    assert page.status_code == 200
    designed, missing, unpaid = (row(page.text, f"line-{n}") for n in (1, 2, 3))
    assert 'alt="Design for Mug 1" width="240"' in designed
    assert "Designed and paid" in designed
    assert "Personalization: €4.00 charged (expected €4.00)" in designed
    # What the shopper chose, escaped, in the cart's order; hidden properties stay hidden.
    assert "<dt>Name</dt><dd>Ada &lt;3</dd></div><div><dt>Ink</dt><dd>Charcoal</dd>" in designed
    assert "_luneo_design" not in designed
    assert "Waiting for the shopper&#39;s design — link sent Dec 5, 2026" in missing
    assert "Send the link again" in missing
    assert "Produce anyway" not in missing
    assert "Surcharge not paid — production on hold" in unpaid
    assert "Personalization: nothing charged (expected €4.00)" in unpaid
    assert "Produce anyway" in unpaid


def test_send_the_link_again(
    app: Flask,
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    lines: Lines,
    outbox: ConsoleMailer,
) -> None:
    url = f"/api/admin/order-items/{lines.missing.id}/recovery-link"

    assert cookie_client.post(url).status_code == 403  # no CSRF token
    sent = cookie_client.post(url, headers=csrf)
    assert sent.status_code == 202, sent.json
    run_jobs(app, "default")

    (message,) = outbox.outbox
    assert message.to == "ada@example.com"
    assert "https://editor-store.myshopify.com/apps/luneo/recover/" in message.text
    session.expire_all()
    item = session.get(OrderItem, lines.missing.id)
    assert item is not None
    assert item.recovery_sent_at is not None
    assert item.recovery_sent_at > SENT
    again = cookie_client.post(url, headers=csrf)
    assert again.status_code == 429
    assert "Retry-After" in again.headers
    other = cookie_client.post(
        f"/api/admin/order-items/{lines.designed.id}/recovery-link", headers=csrf
    )
    assert (other.status_code, other.json["error"]["code"]) == (409, "not_missing")


def test_produce_anyway(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, lines: Lines, shop: Shop
) -> None:
    url = f"/api/admin/order-items/{lines.unpaid.id}/produce"

    assert cookie_client.post(url).status_code == 403
    assert ShopScope(session, shop.id).count(ProductionJob) == 0
    released = cookie_client.post(url, headers=csrf)
    assert released.status_code == 200, released.json
    assert released.json["job"]["status"] == "queued"

    session.expire_all()
    (job,) = ShopScope(session, shop.id).all(ProductionJob)
    assert (job.order_item_id, job.status) == (lines.unpaid.id, ProductionStatus.QUEUED)
    assert job.design_id == lines.unpaid.design_id
    item = session.get(OrderItem, lines.unpaid.id)
    assert item is not None
    assert item.personalization is Personalization.UNPAID  # what was charged does not change
    design = session.get(Design, lines.unpaid.design_id)
    assert design is not None
    assert design.status is DesignStatus.ORDERED  # frozen: it is being produced
    page = cookie_client.get(f"/admin/orders/{lines.order.id}")
    assert "Surcharge not paid — produced anyway" in row(page.text, "line-3")
    assert "Produce anyway</button>" not in page.text
    # asked twice: the same job, none added
    assert cookie_client.post(url, headers=csrf).status_code == 200
    assert ShopScope(session, shop.id).count(ProductionJob) == 1
    missing = cookie_client.post(f"/api/admin/order-items/{lines.missing.id}/produce", headers=csrf)
    assert (missing.status_code, missing.json["error"]["code"]) == (409, "not_unpaid")


def test_inside_shopify_the_session_token_needs_no_csrf(
    client: FlaskClient, bearer: Callable[[], dict[str, str]], lines: Lines
) -> None:
    answer = client.post(f"/api/admin/order-items/{lines.unpaid.id}/produce", headers=bearer())

    assert answer.status_code == 200, answer.json


def test_another_shops_order_items_are_not_found(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    lines: Lines,
    other_shop: Shop,
) -> None:
    theirs = make_order(session, other_shop, email="bob@example.com")
    (item,) = theirs.items
    item.personalization = Personalization.MISSING
    session.commit()

    for action in ("recovery-link", "produce"):
        answer = cookie_client.post(f"/api/admin/order-items/{item.id}/{action}", headers=csrf)
        assert answer.status_code == 404
    assert (
        cookie_client.post("/api/admin/order-items/99999999999/produce", headers=csrf).status_code
        == 404
    )


def test_the_dashboard_counts_orders_waiting_for_a_design_and_unpaid_items(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, lines: Lines, shop: Shop
) -> None:
    cancelled = make_order(session, shop, cancelled_at=SENT)
    cancelled.items[0].personalization = Personalization.MISSING
    session.commit()

    page = cookie_client.get("/admin/")
    assert 'data-count="orders-waiting-for-design">1<' in page.text
    assert 'data-count="unpaid-lines">1<' in page.text

    cookie_client.post(f"/api/admin/order-items/{lines.unpaid.id}/produce", headers=csrf)
    page = cookie_client.get("/admin/")
    assert 'data-count="unpaid-lines">0<' in page.text


def test_edit_design_opens_the_order_design_page_with_the_merchants_link(
    cookie_client: FlaskClient, session: Session, lines: Lines, shop: Shop, app: Flask
) -> None:
    """A produced line offers "Edit design" (app.sync.order_edits): the merchant's own link, which
    asks first once the customer's time to change it is over, and is gone once printing starts."""
    job = ProductionJob(
        shop_id=shop.id,
        order_item_id=lines.designed.id,
        design_id=lines.designed.design_id,
        status=ProductionStatus.READY,
    )
    session.add(job)
    session.commit()

    designed = row(cookie_client.get(f"/admin/orders/{lines.order.id}").text, "line-1")
    (href,) = re.findall(r'href="/order-design/([^"]+)"[^>]*data-edit-design', designed)
    claims = verify(app.config["SECRET_KEY"], Purpose.EDIT_ORDERED_DESIGN, href).claims
    assert claims == {"shop": shop.id, "item": lines.designed.id, "by": "merchant"}
    assert "data-confirm" not in designed.split("data-edit-design", 1)[1].split(">", 1)[0]
    for other in ("line-2", "line-3"):  # missing and unpaid lines have no design to change
        assert "data-edit-design" not in row(
            cookie_client.get(f"/admin/orders/{lines.order.id}").text, other
        )

    shop.extra = {**shop.extra, "order_edits": {"mode": "off", "hours": 24}}
    session.commit()
    late = row(cookie_client.get(f"/admin/orders/{lines.order.id}").text, "line-1")
    assert 'data-confirm="The customer can no longer change this design.' in late

    job.status = ProductionStatus.PRINTING
    session.commit()
    assert "data-edit-design" not in row(
        cookie_client.get(f"/admin/orders/{lines.order.id}").text, "line-1"
    )


def test_the_owner_sets_how_long_customers_may_change_their_design(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, shop: Shop
) -> None:
    page = cookie_client.get("/admin/settings").text
    assert 'name="mode" value="claim" checked' in page
    url = "/api/admin/settings/order-edits"
    assert cookie_client.put(url, json={"mode": "hours", "hours": 6}).status_code == 403  # CSRF
    saved = cookie_client.put(url, json={"mode": "hours", "hours": "6"}, headers=csrf)
    assert saved.status_code == 200, saved.json
    assert saved.json == {"order_edits": {"mode": "hours", "hours": 6}}
    page = cookie_client.get("/admin/settings").text
    assert 'name="mode" value="hours" checked' in page
    assert 'value="6"' in page
    for body in (
        {"mode": "always"},
        {"mode": "hours", "hours": 0},
        [],
        {"mode": "hours", "hours": "x"},
    ):
        answer = cookie_client.put(url, json=body, headers=csrf)
        assert answer.status_code == 400, body
