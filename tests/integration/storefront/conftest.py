"""Storefront API fixtures: a Shopify shop behind the app proxy, a connected WooCommerce store,
a small template with a mockup, and clients that call each surface the way a browser would.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.design import FontRegistry, FontsNotInstalled
from app.models import FileKind, Platform, Shop, Template
from app.storage import Storage
from tests.conftest import SHOPIFY_API_SECRET
from tests.factories import make_product, make_shop, make_template
from tests.integration.production.conftest import image, png, put_file, text

WOO_ORIGIN = "https://woo.shop.test"
WOO_KEY = "lpk_" + "k" * 32


@pytest.fixture(scope="session", autouse=True)
def _fonts() -> None:
    try:
        FontRegistry.load()
    except FontsNotInstalled as exc:
        pytest.fail(f"{exc}\nPreviews render real fonts: run scripts/install-fonts first.")


__all__ = ["image", "png", "put_file", "text"]  # shared with the production tests


def signed_query(
    shop: str, secret: str = SHOPIFY_API_SECRET, customer: str = "", **extra: str
) -> str:
    """The query Shopify's app proxy adds, signed as shopify.dev documents it."""
    params = {
        "shop": shop,
        "logged_in_customer_id": customer,
        "path_prefix": "/apps/luneo",
        "timestamp": str(int(time.time())),
        **extra,
    }
    message = "".join(sorted(f"{k}={v}" for k, v in params.items()))
    params["signature"] = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode(params)


@dataclass
class Caller:
    """Calls one storefront surface for one shop, as that surface's browser would."""

    client: FlaskClient
    prefix: str
    query: str = ""
    headers: Mapping[str, str] | None = None

    def url(self, path: str) -> str:
        return f"{self.prefix}{path}" + (f"?{self.query}" if self.query else "")

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(self.url(path), headers=dict(self.headers or {}), **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        headers = {**(self.headers or {}), **kwargs.pop("headers", {})}
        return self.client.post(self.url(path), headers=headers, **kwargs)


def proxy_caller(client: FlaskClient, shop: Shop, customer: str = "") -> Caller:
    return Caller(client, "/proxy", signed_query(shop.domain, customer=customer))


def woo_caller(client: FlaskClient) -> Caller:
    return Caller(client, "/storefront/v1", headers={"X-Luneo-Key": WOO_KEY, "Origin": WOO_ORIGIN})


def small_template(
    session: Session, storage: Storage, shop: Shop, external_id: str, **extra: Any
) -> Template:
    """Front (40 x 20 mm, on a 200 x 100 px mockup) and back areas, two fonts, three colours."""
    product = make_product(session, shop, external_id=external_id, title="Mug")
    template = make_template(
        session,
        product,
        min_image_dpi=40,
        fonts=["Inter", "Pacifico"],
        colors=["#000000", "#ffffff", "#dc2626"],
        max_layers=3,
        **extra,
    )
    front = template.print_areas[0]
    front.width_mm, front.height_mm, front.dpi = Decimal("40"), Decimal("20"), 100
    front.bleed_mm, front.safe_margin_mm = Decimal("2"), Decimal("3")
    front.mockup_file_id = put_file(
        session, storage, shop, png((200, 100), (240, 240, 240)), FileKind.MOCKUP
    ).id
    front.mockup_placement = {"x": 10, "y": 10, "width": 80, "height": 40}
    template.print_areas.append(
        type(front)(
            shop_id=shop.id,
            key="back",
            name="Back",
            position=1,
            width_mm=Decimal("40"),
            height_mm=Decimal("20"),
            dpi=100,
        )
    )
    session.flush()
    return template


def document(*front: dict[str, Any], **areas: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "version": 1,
        "areas": {"front": {"layers": list(front)}, **{k: {"layers": v} for k, v in areas.items()}},
    }


@pytest.fixture
def storage(app: Flask) -> Storage:
    storage: Storage = app.extensions["luneo.storage"]
    return storage


@pytest.fixture
def shopify_shop(session: Session) -> Shop:
    return make_shop(session, domain="widget-store.myshopify.com", currency="EUR")


@pytest.fixture
def woo_shop(session: Session) -> Shop:
    return make_shop(
        session,
        platform=Platform.WOOCOMMERCE,
        domain="woo.shop.test",
        storefront_key=WOO_KEY,
        installed_at=datetime.now(UTC),
        extra={"store_url": WOO_ORIGIN},
    )


@pytest.fixture
def template(session: Session, storage: Storage, shopify_shop: Shop) -> Template:
    made = small_template(session, storage, shopify_shop, "gid://shopify/Product/42")
    session.commit()
    return made


@pytest.fixture
def proxy(client: FlaskClient, shopify_shop: Shop) -> Caller:
    return proxy_caller(client, shopify_shop)
