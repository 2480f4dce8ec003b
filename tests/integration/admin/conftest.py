"""Fixtures for the admin editor, settings and dashboard tests: two shops, two ways to sign in."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from app.models import Product, Shop
from app.storage import Storage
from tests.factories import make_product, make_shop
from tests.support.shopify import session_token

MINE = "editor-store.myshopify.com"
THEIRS = "other-store.myshopify.com"


@pytest.fixture
def storage(app: Flask) -> Storage:
    storage: Storage = app.extensions["luneo.storage"]
    return storage


@pytest.fixture
def shop(session: Session) -> Shop:
    shop = make_shop(session, domain=MINE, name="Editor Store", currency="EUR")
    session.commit()
    return shop


@pytest.fixture
def product(session: Session, shop: Shop) -> Product:
    product = make_product(session, shop, title="Canvas Tote Bag")
    session.commit()
    return product


@pytest.fixture
def other_shop(session: Session) -> Shop:
    shop = make_shop(session, domain=THEIRS, name="Other Store")
    session.commit()
    return shop


@pytest.fixture
def other_product(session: Session, other_shop: Shop) -> Product:
    product = make_product(session, other_shop, title="Their Mug")
    session.commit()
    return product


def _csrf_from_page(html: str) -> str:
    match = re.search(r'<meta name="luneo-csrf" content="([^"]+)">', html)
    assert match is not None, "no CSRF meta tag on the page"
    return match.group(1)


@pytest.fixture
def cookie_client(client: FlaskClient, shop: Shop) -> FlaskClient:
    """A browser signed in with the development sign-in (the cookie session)."""
    page = client.get("/dev/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post("/dev/sign-in", data={"csrf_token": token.group(1), "shop_id": shop.id})
    assert response.status_code == 302
    return client


@pytest.fixture
def csrf(cookie_client: FlaskClient) -> dict[str, str]:
    """The header an admin page's script sends with writes in cookie mode."""
    page = cookie_client.get("/admin/products")
    return {"X-CSRF-Token": _csrf_from_page(page.text)}


@pytest.fixture
def bearer(shop: Shop) -> Callable[[], dict[str, str]]:
    """A fresh App Bridge session token for the shop, as the embedded page sends it."""

    def headers() -> dict[str, str]:
        return {"Authorization": f"Bearer {session_token(shop.domain)}"}

    return headers


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(out, format=fmt)
    return out.getvalue()
