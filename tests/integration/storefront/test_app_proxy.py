"""The widget's API behind Shopify's app proxy: signed requests only, scoped to the signed shop."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import Shop, Template
from app.shopify.signatures import proxy_signature
from tests.conftest import SHOPIFY_API_SECRET
from tests.factories import make_product, make_shop, make_template


def test_signature_matches_shopifys_documented_example() -> None:
    # shopify.dev "Authenticate app proxies": secret "hush", extra=1&extra=2, this shop/customer.
    params = {
        "extra": ["1", "2"],
        "shop": ["shop-name.myshopify.com"],
        "logged_in_customer_id": ["1"],
        "path_prefix": ["/apps/awesome_reviews"],
        "timestamp": ["1317327555"],
    }

    assert proxy_signature(params, "hush") == (
        "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb"
    )


def _signed(shop: str, secret: str = SHOPIFY_API_SECRET, **extra: str) -> str:
    params = {
        "shop": shop,
        "logged_in_customer_id": "",
        "path_prefix": "/apps/luneo",
        "timestamp": str(int(time.time())),
        **extra,
    }
    message = "".join(sorted(f"{k}={v}" for k, v in params.items()))
    params["signature"] = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode(params)


@pytest.fixture
def shop(session: Session) -> Shop:
    shop = make_shop(session, domain="proxy-store.myshopify.com", currency="EUR")
    make_template(session, make_product(session, shop, external_id="gid://shopify/Product/777"))
    session.commit()
    return shop


def test_signed_request_gets_the_products_template(client: FlaskClient, shop: Shop) -> None:
    response = client.get(f"/proxy/products/777/template?{_signed(shop.domain)}")

    assert response.status_code == 200
    body = response.json
    assert body["currency"] == "EUR"
    assert [a["key"] for a in body["print_areas"]] == ["front"]
    assert body["print_areas"][0]["width_mm"] == 200.0
    assert body["clipart_sets"] == []  # the factory's template offers no clipart
    assert body["clipart"] == []


@pytest.mark.parametrize(
    ("_case", "query"),
    [
        ("unsigned", "shop=proxy-store.myshopify.com"),
        ("wrong secret", _signed("proxy-store.myshopify.com", secret="shpss_" + "0" * 32)),
        (
            "tampered customer",
            _signed("proxy-store.myshopify.com").replace(
                "logged_in_customer_id=", "logged_in_customer_id=99"
            ),
        ),
        ("too old", _signed("proxy-store.myshopify.com", timestamp="1317327555")),
    ],
)
def test_unsigned_or_tampered_requests_are_refused(
    _case: str, query: str, client: FlaskClient, shop: Shop
) -> None:
    response = client.get(f"/proxy/products/777/template?{query}")

    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_signature"


def test_another_shops_product_is_not_found(
    client: FlaskClient, shop: Shop, session: Session
) -> None:
    other = make_shop(session, domain="other-proxy.myshopify.com")
    session.commit()

    response = client.get(f"/proxy/products/777/template?{_signed(other.domain)}")

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_customizable"


def test_uninstalled_shop_is_not_served(client: FlaskClient, session: Session) -> None:
    gone = make_shop(session, domain="gone-proxy.myshopify.com", uninstalled_at=datetime.now(UTC))
    session.commit()

    response = client.get(f"/proxy/products/1/template?{_signed(gone.domain)}")

    assert response.status_code == 404
    assert response.json["error"]["code"] == "shop_not_found"


def test_the_template_offers_its_clipart_sets_with_absolute_links(
    client: FlaskClient, session: Session
) -> None:
    shop = make_shop(session, domain="clipart-store.myshopify.com")
    product = make_product(session, shop, external_id="gid://shopify/Product/778")
    make_template(session, product, clipart_sets=["animals"], fonts=["Inter", "Pacifico"])

    body = client.get(f"/proxy/products/778/template?{_signed(shop.domain)}").json

    [animals] = body["clipart"]
    assert animals["set"] == "animals"
    paw = animals["items"][0]
    assert paw["src"] == "clipart:animals/paw"
    assert paw["url"].startswith(("https://", "http://"))
    assert paw["url"].endswith("/clipart/animals/paw.svg")
    assert set(body["font_files"]) == {"Inter", "Pacifico"}
    assert all(url.endswith("/latin-400-normal.woff2") for url in body["font_files"].values())


@pytest.mark.parametrize(
    ("plan", "features", "model_3d"),
    [
        ("free", {"ai": False, "3d_ar": False, "branding": True}, None),
        ("pro", {"ai": True, "3d_ar": True, "branding": True}, "mug"),
        ("enterprise", {"ai": True, "3d_ar": True, "branding": False}, "mug"),
    ],
)
def test_the_widget_is_told_what_the_shops_plan_includes(
    client: FlaskClient,
    session: Session,
    shop: Shop,
    plan: str,
    features: dict[str, bool],
    model_3d: str | None,
) -> None:
    shop.plan = plan
    session.execute(update(Template).values(model_3d="mug"))
    session.commit()

    body = client.get(f"/proxy/products/777/template?{_signed(shop.domain)}").json

    assert body is not None
    assert (body["features"], body["model_3d"]) == (features, model_3d)
