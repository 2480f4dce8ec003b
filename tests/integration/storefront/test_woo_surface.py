"""The WooCommerce surface: the store's public key, from the store's own origin, through CORS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Platform, Shop, Template
from app.storage import Storage
from tests.factories import make_shop

from .conftest import WOO_KEY, WOO_ORIGIN, document, small_template, text, woo_caller


@pytest.fixture
def woo_template(session: Session, storage: Storage, woo_shop: Shop) -> Template:
    made = small_template(session, storage, woo_shop, "501")
    session.commit()
    return made


def test_the_stores_key_from_its_origin_gets_the_template_with_cors(
    client: FlaskClient, woo_template: Template
) -> None:
    response = woo_caller(client).get("/products/501/template")

    assert response.status_code == 200
    assert response.json["id"] == woo_template.id
    assert response.headers["Access-Control-Allow-Origin"] == WOO_ORIGIN
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_preflight_from_the_store_is_answered_without_a_key(
    client: FlaskClient, woo_shop: Shop
) -> None:
    response = client.options(
        "/storefront/v1/designs",
        headers={
            "Origin": WOO_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-luneo-key",
        },
    )

    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == WOO_ORIGIN
    assert "X-Luneo-Key" in response.headers["Access-Control-Allow-Headers"]
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "origin", ["https://evil.test", "http://woo.shop.test", "https://woo.shop.test:8443", ""]
)
def test_a_preflight_from_any_other_origin_is_refused(
    origin: str, client: FlaskClient, woo_shop: Shop
) -> None:
    response = client.options(
        "/storefront/v1/designs",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    "key", ["", "lpk_wrong", "not-a-key", WOO_KEY + "x"], ids=["none", "wrong", "garbage", "longer"]
)
def test_a_wrong_key_gets_401_readable_by_the_store(
    key: str, client: FlaskClient, woo_template: Template
) -> None:
    response = client.get(
        "/storefront/v1/products/501/template",
        headers={"X-Luneo-Key": key, "Origin": WOO_ORIGIN},
    )

    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_key"
    assert response.headers["Access-Control-Allow-Origin"] == WOO_ORIGIN


@pytest.mark.parametrize("origin", ["https://evil.test", "http://woo.shop.test", ""])
def test_the_right_key_from_another_origin_gets_403(
    origin: str, client: FlaskClient, woo_template: Template
) -> None:
    headers = {"X-Luneo-Key": WOO_KEY}
    if origin:
        headers["Origin"] = origin

    response = client.get("/storefront/v1/products/501/template", headers=headers)

    assert response.status_code == 403
    assert response.json["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_disconnected_stores_key_no_longer_works(
    client: FlaskClient, woo_template: Template, woo_shop: Shop, session: Session
) -> None:
    woo_shop.uninstalled_at = datetime.now(UTC)
    session.commit()

    response = woo_caller(client).get("/products/501/template")

    assert response.status_code == 401


def test_a_shopify_shop_cannot_be_reached_by_key(
    client: FlaskClient, session: Session, woo_template: Template
) -> None:
    make_shop(session, domain="keyed.myshopify.com", storefront_key="lpk_" + "s" * 32)
    session.commit()

    response = client.get(
        "/storefront/v1/products/501/template",
        headers={"X-Luneo-Key": "lpk_" + "s" * 32, "Origin": "https://keyed.myshopify.com"},
    )

    assert response.status_code == 401


def test_a_design_saved_from_the_store_is_that_stores(
    client: FlaskClient, woo_template: Template, woo_shop: Shop
) -> None:
    body = {"template_id": woo_template.id, "document": document(text("Zoé"))}

    saved = woo_caller(client).post("/designs", json=body)
    fetched = woo_caller(client).get(f"/designs/{saved.json['design_id']}")

    assert saved.status_code == 201
    assert saved.headers["Access-Control-Allow-Origin"] == WOO_ORIGIN
    assert fetched.json["template_id"] == woo_template.id


def test_two_stores_on_one_host_with_ports_are_told_apart(
    client: FlaskClient, session: Session, woo_shop: Shop
) -> None:
    other = make_shop(
        session,
        platform=Platform.WOOCOMMERCE,
        domain="woo.shop.test:8443",
        storefront_key="lpk_" + "p" * 32,
        extra={"store_url": "https://woo.shop.test:8443/shop"},
    )
    session.commit()

    ok = client.options("/storefront/v1/uploads", headers={"Origin": "https://woo.shop.test:8443"})
    wrong = client.get(
        "/storefront/v1/products/1/template",
        headers={"X-Luneo-Key": other.storefront_key or "", "Origin": WOO_ORIGIN},
    )

    assert ok.status_code == 204
    assert wrong.status_code == 403
