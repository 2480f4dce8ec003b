"""The merchant admin through the real app: the guard, the dev sign-in, and each page's data."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.demo import seed_demo_shop
from app.models import (
    FileKind,
    Order,
    ProductionFile,
    ProductionJob,
    ProductionStatus,
    Shop,
    ShopScope,
    StoredFile,
)
from app.storage import Storage, new_key
from tests.factories import make_design, make_order, make_product, make_shop, make_template
from tests.support.pages import technical_details, visible_text

ADMIN_PAGES = ["/admin/", "/admin/products", "/admin/orders", "/admin/orders/1"]


@pytest.fixture
def storage(app: Flask) -> Storage:
    storage: Storage = app.extensions["luneo.storage"]
    return storage


@pytest.fixture
def demo_shop(session: Session, storage: Storage) -> Shop:
    shop = seed_demo_shop(session, storage)
    session.commit()
    return shop


@pytest.fixture
def other_shop(session: Session) -> Shop:
    """A second tenant with its own catalog and a designed order, which must never show up."""
    shop = make_shop(session, name="Other Store", domain="other.myshopify.com")
    product = make_product(session, shop, title="Other Mug")
    design = make_design(session, make_template(session, product))
    order = make_order(session, shop, design, name="#9999")
    job = ProductionJob(
        shop_id=shop.id,
        order_item_id=order.items[0].id,
        design_id=design.id,
        status=ProductionStatus.QUEUED,
    )
    job.move_to(ProductionStatus.FAILED, error="Other shop's failure")
    session.add(job)
    session.commit()
    return shop


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/dev/")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def sign_in(client: FlaskClient, shop_id: int) -> TestResponse:
    token = csrf_token(client)
    return client.post("/dev/sign-in", data={"csrf_token": token, "shop_id": str(shop_id)})


def count(page: TestResponse, name: str) -> int:
    match = re.search(rf'data-count="{re.escape(name)}">(\d+)<', page.text)
    assert match is not None, f"no count {name!r} on the page"
    return int(match.group(1))


def rows(page: TestResponse, attribute: str) -> list[str]:
    return re.findall(rf'<tr {attribute}="([^"]*)"', page.text)


# ---------------------------------------------------------------- the guard


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_answer_401_with_a_page_when_nobody_is_signed_in(
    client: FlaskClient, demo_shop: Shop, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 401
    assert response.mimetype == "text/html"
    assert "Open Luneo from your store admin" in response.text
    assert demo_shop.name not in response.text


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_answer_401_json_to_api_clients(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/json"})

    assert response.status_code == 401
    assert response.get_json() == {
        "error": {
            "code": "unauthorized",
            "message": "Open Luneo from your store admin to continue.",
        }
    }


def test_a_session_with_a_non_integer_shop_id_is_not_signed_in(
    client: FlaskClient, demo_shop: Shop
) -> None:
    with client.session_transaction() as flask_session:
        flask_session["shop_id"] = True  # bool is an int subclass: must not mean shop 1

    assert client.get("/admin/").status_code == 401


# ---------------------------------------------------------------- dev sign-in


def test_dev_sign_in_opens_the_dashboard_with_the_shops_own_numbers(
    client: FlaskClient, demo_shop: Shop, other_shop: Shop
) -> None:
    # when the merchant signs in through the development page
    response = sign_in(client, demo_shop.id)

    # then they land on the dashboard, which shows only the demo shop's data
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Luneo Demo Store" in page.text
    assert 'data-field="domain">luneo-demo.myshopify.com<' in page.text
    assert 'data-field="plan">Pro<' in page.text
    assert count(page, "products") == 5
    assert count(page, "templates") == 3  # the mug, the T-shirt and the cap (try-on)
    assert count(page, "orders-with-designs") == 1
    statuses = {s.value: count(page, f"jobs-{s.value}") for s in ProductionStatus}
    assert statuses == {
        "queued": 1,
        "rendering": 0,
        "ready": 0,
        "printing": 0,
        "shipped": 0,
        "failed": 0,
    }
    assert rows(page, "data-order") == ["#1001"]
    assert "Ordered" in page.text
    assert "Queued" in page.text
    assert "Needs attention" not in page.text
    assert "Other Store" not in page.text
    assert "#9999" not in page.text
    assert "Other shop's failure" not in page.text


def test_the_dashboard_lists_what_needs_attention(
    client: FlaskClient, session: Session, demo_shop: Shop
) -> None:
    # given a shop that lost its token and a production job that failed
    scope = ShopScope(session, demo_shop.id)
    job = scope.all(ProductionJob)[0]
    job.move_to(ProductionStatus.FAILED, error="Font Inter is not installed")
    shop = session.get(Shop, demo_shop.id)
    assert shop is not None
    shop.needs_reauth = True
    session.commit()
    sign_in(client, demo_shop.id)

    page = client.get("/admin/")

    assert count(page, "attention") == 2
    assert re.findall(r'data-attention="([a-z_]+)"', page.text) == ["reauth", "failed_job"]
    assert "Font Inter is not installed" in page.text
    assert count(page, "jobs-failed") == 1
    assert count(page, "jobs-queued") == 0


def test_sign_out_ends_the_admin_session(client: FlaskClient, demo_shop: Shop) -> None:
    sign_in(client, demo_shop.id)
    token = csrf_token(client)

    response = client.post("/dev/sign-out", data={"csrf_token": token})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 401


@pytest.mark.parametrize(
    ("_case", "load_page_first", "token"),
    [
        ("no token", True, None),
        ("wrong token", True, "not-the-token"),
        ("empty token", True, ""),
        ("no token in the session", False, "guessed"),
    ],
)
def test_sign_in_without_the_right_csrf_token_is_refused(
    client: FlaskClient, demo_shop: Shop, _case: str, load_page_first: bool, token: str | None
) -> None:
    if load_page_first:
        client.get("/dev/")
    data = {"shop_id": str(demo_shop.id)}
    if token is not None:
        data["csrf_token"] = token

    response = client.post("/dev/sign-in", data=data)

    assert response.status_code == 400
    with client.session_transaction() as flask_session:
        assert "shop_id" not in flask_session
    assert client.get("/admin/").status_code == 401


@pytest.mark.parametrize("shop_id", ["999999", "abc", ""])
def test_sign_in_to_a_shop_that_does_not_exist_is_refused(
    client: FlaskClient, shop_id: str
) -> None:
    token = csrf_token(client)

    response = client.post("/dev/sign-in", data={"csrf_token": token, "shop_id": shop_id})

    assert response.status_code == 400
    assert client.get("/admin/").status_code == 401


def test_an_uninstalled_shop_cannot_be_signed_into(client: FlaskClient, session: Session) -> None:
    shop = make_shop(session, uninstalled_at=datetime.now(UTC))
    session.commit()

    response = sign_in(client, shop.id)

    assert response.status_code == 400
    assert "not installed" in response.text
    with client.session_transaction() as flask_session:
        assert "shop_id" not in flask_session


def test_a_shop_uninstalled_after_sign_in_loses_the_admin(
    client: FlaskClient, session: Session, demo_shop: Shop
) -> None:
    sign_in(client, demo_shop.id)
    shop = session.get(Shop, demo_shop.id)
    assert shop is not None
    shop.uninstalled_at = datetime.now(UTC)
    session.commit()

    assert client.get("/admin/").status_code == 401


# ---------------------------------------------------------------- products


@pytest.mark.parametrize(
    ("_case", "query", "expected"),
    [
        ("everything", "", 5),
        ("title word", "mug", 1),
        ("any case", "T-SHIRT", 1),
        ("product type", "wall art", 1),
        ("no match", "kayak", 0),
        ("a LIKE wildcard is literal", "%", 0),
        ("another shop's product", "Other Mug", 0),
    ],
)
def test_products_search(
    client: FlaskClient,
    demo_shop: Shop,
    other_shop: Shop,
    _case: str,
    query: str,
    expected: int,
) -> None:
    sign_in(client, demo_shop.id)

    page = client.get("/admin/products", query_string={"q": query})

    assert page.status_code == 200
    assert count(page, "products-found") == expected
    assert len(rows(page, "data-product")) == expected


def test_products_mark_which_have_a_template(client: FlaskClient, demo_shop: Shop) -> None:
    sign_in(client, demo_shop.id)

    page = client.get("/admin/products")

    assert page.text.count('data-template="active"') == 3  # the mug, the T-shirt, the cap
    assert page.text.count('data-template="none"') == 2
    mug_row = page.text.split('data-product="gid://shopify/Product/8100000000001"')[1]
    assert 'data-template="active"' in mug_row.split("</tr>")[0]


def test_products_are_paginated(client: FlaskClient, session: Session, demo_shop: Shop) -> None:
    for n in range(30):
        make_product(session, demo_shop, title=f"Zz extra {n:02d}")
    session.commit()
    sign_in(client, demo_shop.id)

    first = client.get("/admin/products")
    second = client.get("/admin/products", query_string={"page": 2})
    beyond = client.get("/admin/products", query_string={"page": 99})

    assert count(first, "products-found") == 35
    assert len(rows(first, "data-product")) == 25
    assert len(rows(second, "data-product")) == 10
    assert set(rows(first, "data-product")).isdisjoint(rows(second, "data-product"))
    assert rows(beyond, "data-product") == rows(second, "data-product")  # clamped to the last
    assert "Page 2 of 2" in second.text


# ---------------------------------------------------------------- orders


def _add_print_file(session: Session, storage: Storage, shop: Shop) -> str:
    """Give the demo job a rendered print file; return the stored bytes' key."""
    scope = ShopScope(session, shop.id)
    job = scope.all(ProductionJob)[0]
    key = new_key(shop.id, FileKind.PRINT_PNG.value, "png")
    written = storage.put(key, b"\x89PNG print bytes", "image/png")
    stored = scope.add(
        StoredFile(
            key=key,
            kind=FileKind.PRINT_PNG,
            content_type="image/png",
            size=written.size,
            sha256=written.sha256,
        )
    )
    session.flush()
    job.files.append(ProductionFile(stored_file_id=stored.id, area_key="wrap", format="png"))
    session.commit()
    return key


def test_orders_list_items_with_design_production_and_file_links(
    client: FlaskClient, session: Session, storage: Storage, demo_shop: Shop, other_shop: Shop
) -> None:
    key = _add_print_file(session, storage, demo_shop)
    sign_in(client, demo_shop.id)

    page = client.get("/admin/orders")

    assert page.status_code == 200
    assert count(page, "orders") == 1
    assert "#1001" in page.text
    assert "#9999" not in page.text
    order = ShopScope(session, demo_shop.id).get_by(Order, name="#1001")
    assert order is not None
    public_id = order.items[0].properties["_luneo_design"]
    # the design id is one click away, not in the row's words
    assert public_id not in visible_text(page.text)
    assert public_id in technical_details(page.text)
    assert "Queued" in page.text
    # the file is named by its area's name and a plain format name, not "wrap · PNG"
    assert "wrap · PNG" not in page.text
    links = re.findall(
        r'<a href="([^"]+)" rel="noopener">Wrap-around — print file \(PNG\)</a>', page.text
    )
    assert len(links) == 1
    url = urlsplit(links[0].replace("&amp;", "&"))
    assert url.path == f"/files/{key}"
    download = client.get(f"{url.path}?{url.query}", buffered=True)
    assert (download.status_code, download.data) == (200, b"\x89PNG print bytes")


def test_one_order_page_shows_its_items_and_address(
    client: FlaskClient, session: Session, demo_shop: Shop
) -> None:
    order = ShopScope(session, demo_shop.id).get_by(Order, name="#1001")
    assert order is not None
    sign_in(client, demo_shop.id)

    page = client.get(f"/admin/orders/{order.id}")

    assert page.status_code == 200
    assert "Order #1001" in page.text
    assert "Sam Rivera" in page.text
    assert "123 Example Street" in page.text
    assert order.items[0].properties["_luneo_design"] in page.text
    assert len(rows(page, "data-item")) == 1


def test_another_shops_order_is_404(
    client: FlaskClient, session: Session, demo_shop: Shop, other_shop: Shop
) -> None:
    # given an order that exists, but in another shop
    theirs = ShopScope(session, other_shop.id).get_by(Order, name="#9999")
    assert theirs is not None
    sign_in(client, demo_shop.id)

    # when the demo shop asks for it by id
    response = client.get(f"/admin/orders/{theirs.id}")

    # then it does not exist for them, and nothing of it leaks
    assert response.status_code == 404
    assert "#9999" not in response.text
    assert session.scalar(select(func.count()).select_from(Order)) == 2


def test_the_seeded_demo_shop_shows_when_its_catalog_last_synced(
    client: FlaskClient, demo_shop: Shop
) -> None:
    """Issue #16: "Catalog sync · Not synced yet" beside "Products synced 4"."""
    sign_in(client, demo_shop.id)
    page = client.get("/admin/")
    shop = client.get("/api/admin/sync")

    assert count(page, "products") > 0
    assert "Not synced yet" not in page.text
    assert "No sync has run yet" not in page.text
    assert ">Up to date</span>" in page.text
    assert "<dt>Last synced</dt>" in page.text
    assert shop.json is not None
    assert shop.json["state"] == "synced"
    assert shop.json["finished_at"] is not None
