"""The headless surface (``/storefront/headless/v1``): a custom storefront calls the storefront API
with its store's headless key from an origin the store's owner allowed, through one-origin CORS.
Attacks: a wrong key, the right key from another origin, a revoked or rotated key, a preflight
from an unlisted origin, and another shop's template and design ids through this surface."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app import headless_keys
from app.models import Shop, Template
from app.storage import Storage
from tests.factories import make_shop

from .conftest import Caller, document, small_template, text

PREFIX = "/storefront/headless/v1"
ORIGIN = "https://hydrogen.shop.test"
DEV_ORIGIN = "http://localhost:3000"


def give_key(session: Session, shop: Shop, *origins: str) -> str:
    row = headless_keys.create_or_rotate(session, shop)
    headless_keys.set_origins(session, row, list(origins))
    session.commit()
    return row.key


def headless_caller(client: FlaskClient, key: str, origin: str = ORIGIN) -> Caller:
    return Caller(client, PREFIX, headers={"X-Luneo-Key": key, "Origin": origin})


@pytest.fixture
def key(session: Session, shopify_shop: Shop, template: Template) -> str:
    return give_key(session, shopify_shop, ORIGIN, DEV_ORIGIN)


def test_the_key_from_an_allowed_origin_gets_the_template_with_one_origin_cors(
    client: FlaskClient, key: str, template: Template
) -> None:
    for origin in (ORIGIN, DEV_ORIGIN):
        response = headless_caller(client, key, origin).get("/products/42/template")

        assert response.status_code == 200
        assert response.json["id"] == template.id
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert "Origin" in response.headers["Vary"]
        assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_design_saved_headless_carries_the_shopify_cart_attributes(
    client: FlaskClient, key: str, template: Template
) -> None:
    caller = headless_caller(client, key)
    saved = caller.post(
        "/designs", json={"template_id": template.id, "document": document(text("Hi"))}
    )

    assert saved.status_code == 201, saved.json
    attributes = saved.json["cart_attributes"]
    assert attributes["_luneo_design"] == saved.json["design_id"]
    assert "_luneo_price" in attributes
    read = caller.get(f"/designs/{saved.json['design_id']}")
    assert read.status_code == 200
    assert read.json["summary"] == saved.json["summary"]


@pytest.mark.parametrize(
    "sent", ["", "lhk_wrong", "lpk_" + "k" * 32, "garbage"], ids=["none", "wrong", "woo", "junk"]
)
def test_a_wrong_key_gets_401(client: FlaskClient, key: str, sent: str) -> None:
    response = headless_caller(client, sent).get("/products/42/template")

    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_key"
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN  # readable by the page


@pytest.mark.parametrize(
    "origin",
    ["https://evil.test", "http://hydrogen.shop.test", "https://hydrogen.shop.test:8443", ""],
)
def test_the_right_key_from_another_origin_gets_403_without_cors(
    client: FlaskClient, key: str, origin: str
) -> None:
    response = headless_caller(client, key, origin).get("/products/42/template")

    assert response.status_code == 403
    assert response.json["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_revoked_or_rotated_key_stops_working(
    client: FlaskClient, session: Session, shopify_shop: Shop, key: str
) -> None:
    rotated = give_key(session, shopify_shop, ORIGIN)
    old = headless_caller(client, key).get("/products/42/template")
    new = headless_caller(client, rotated).get("/products/42/template")
    headless_keys.revoke(session, shopify_shop)
    session.commit()
    revoked = headless_caller(client, rotated).get("/products/42/template")

    assert (old.status_code, new.status_code, revoked.status_code) == (401, 200, 401)


def test_an_uninstalled_shops_key_is_refused(
    client: FlaskClient, session: Session, shopify_shop: Shop, key: str
) -> None:
    shopify_shop.uninstalled_at = shopify_shop.installed_at
    session.commit()

    assert headless_caller(client, key).get("/products/42/template").status_code == 401


def test_preflights_answer_listed_origins_only(client: FlaskClient, key: str) -> None:
    def preflight(origin: str) -> tuple[int, str | None]:
        response = client.options(
            f"{PREFIX}/designs",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, x-luneo-key",
            },
        )
        return response.status_code, response.headers.get("Access-Control-Allow-Origin")

    assert preflight(ORIGIN) == (204, ORIGIN)
    assert preflight(DEV_ORIGIN) == (204, DEV_ORIGIN)
    assert preflight("https://evil.test") == (403, None)
    assert preflight("https://HYDROGEN.shop.test") == (403, None)  # not as browsers send it
    assert preflight("") == (403, None)


def test_another_shops_template_and_design_ids_are_answered_as_missing(
    client: FlaskClient, session: Session, storage: Storage, key: str, template: Template
) -> None:
    theirs = make_shop(session, domain="their-store.myshopify.com")
    their_template = small_template(session, storage, theirs, "gid://shopify/Product/77")
    session.commit()
    their_key = give_key(session, theirs, "https://their.shop.test")
    their_design = headless_caller(client, their_key, "https://their.shop.test").post(
        "/designs", json={"template_id": their_template.id, "document": document(text("T"))}
    )
    assert their_design.status_code == 201
    mine = headless_caller(client, key)

    product = mine.get("/products/77/template")
    saved = mine.post(
        "/designs", json={"template_id": their_template.id, "document": document(text("X"))}
    )
    read = mine.get(f"/designs/{their_design.json['design_id']}")
    preview = mine.post(
        "/previews",
        json={"template_id": their_template.id, "area": "front", "document": document()},
    )
    their_key_from_my_origin = headless_caller(client, their_key, ORIGIN).get(
        "/products/77/template"
    )

    listed = mine.get("/templates").json["templates"]

    assert [r.status_code for r in (product, saved, read, preview)] == [404, 404, 404, 404]
    assert [t["template_id"] for t in listed] == [template.id]
    assert their_key_from_my_origin.status_code == 403


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://Shop.Example.com/", "https://shop.example.com"),
        ("https://shop.example.com:443/products", "https://shop.example.com"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
    ],
)
def test_origins_are_kept_as_browsers_send_them(typed: str, origin: str) -> None:
    assert headless_keys.allowed_origin(typed) == origin


@pytest.mark.parametrize(
    "typed",
    [
        "http://shop.example.com",
        "http://localhost.evil.test",
        "https://*.example.com",
        "ftp://shop.example.com",
        "shop.example.com",
        "",
    ],
)
def test_origins_that_cannot_be_allowed_are_refused(typed: str) -> None:
    with pytest.raises(headless_keys.OriginRefused):
        headless_keys.allowed_origin(typed)
