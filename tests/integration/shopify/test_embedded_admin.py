"""The admin inside Shopify: session tokens on the JSON API and on embedded page loads."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Shop
from tests.conftest import SHOPIFY_API_KEY
from tests.factories import make_order, make_product, make_shop, make_template
from tests.support.shopify import session_token

RETRY = "X-Shopify-Retry-Invalid-Session-Request"


@pytest.fixture
def shop(session: Session) -> Shop:
    shop = make_shop(session, domain="luneo-embedded.myshopify.com", name="Embedded Store")
    product = make_product(session, shop)
    make_template(session, product)
    make_product(session, shop)
    make_order(session, shop)
    other = make_shop(session, domain="someone-else.myshopify.com")
    make_product(session, other)
    session.commit()
    return shop


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_shop_status_with_a_valid_session_token(client: FlaskClient, shop: Shop) -> None:
    response = client.get("/api/admin/shop", headers=_bearer(session_token(shop.domain)))

    assert response.status_code == 200
    body = response.json
    assert body["shop"]["domain"] == "luneo-embedded.myshopify.com"
    assert body["shop"]["plan"] == "free"
    assert body["counts"] == {"products": 2, "templates": 1, "orders": 1}
    assert body["sync"] == {"state": "never"}


@pytest.mark.parametrize(
    ("_case", "token_args"),
    [
        ("expired", {"exp": int(time.time()) - 60}),
        ("not yet valid", {"nbf": int(time.time()) + 86_400}),
        ("forged", {"secret": "shpss_00000000000000000000000000000000"}),
        ("wrong audience", {"aud": "another-app"}),
        ("issuer on another shop", {"iss": "https://evil.myshopify.com/admin"}),
        ("dest not a shop", {"dest": "https://example.com", "iss": "https://example.com/admin"}),
        ("missing sid", {"sid": None}),
    ],
)
def test_invalid_session_tokens_get_a_retryable_401(
    _case: str, token_args: dict[str, object], client: FlaskClient, shop: Shop
) -> None:
    token = session_token(shop.domain, **token_args)  # type: ignore[arg-type]

    response = client.get("/api/admin/shop", headers=_bearer(token))

    assert response.status_code == 401
    assert response.headers[RETRY] == "1"
    assert response.json["error"]["code"] == "unauthorized"


def test_garbage_bearer_token_is_a_retryable_401(client: FlaskClient, shop: Shop) -> None:
    response = client.get("/api/admin/shop", headers=_bearer("not.a.jwt"))

    assert response.status_code == 401
    assert response.headers[RETRY] == "1"


def test_valid_token_for_a_shop_without_luneo_is_401_without_retry(
    client: FlaskClient, session: Session
) -> None:
    make_shop(session, domain="gone.myshopify.com", uninstalled_at=datetime.now(UTC))
    session.commit()

    for domain in ("gone.myshopify.com", "never-installed.myshopify.com"):
        response = client.get("/api/admin/shop", headers=_bearer(session_token(domain)))
        assert response.status_code == 401
        assert RETRY not in response.headers


def test_no_token_is_401(client: FlaskClient) -> None:
    response = client.get("/api/admin/shop")

    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def _embedded_query(shop: str, **extra: str) -> dict[str, str]:
    return {
        "shop": shop,
        "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvbHVuZW8",
        "embedded": "1",
        **extra,
    }


def test_embedded_page_load_with_id_token_renders_inside_shopify(
    client: FlaskClient, shop: Shop
) -> None:
    query = _embedded_query(shop.domain, id_token=session_token(shop.domain))

    response = client.get("/admin/", query_string=query)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<meta name="shopify-api-key" content="{SHOPIFY_API_KEY}">' in html
    assert '<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>' in html
    assert "<ui-nav-menu>" in html
    assert "Embedded Store" in html
    assert response.headers["Content-Security-Policy"] == (
        "frame-ancestors https://luneo-embedded.myshopify.com https://admin.shopify.com"
    )
    # internal links keep the page inside the Shopify admin (and carry no token)
    assert f"/admin/products?shop={shop.domain}&amp;host=" in html
    assert "id_token=" not in html


def test_embedded_page_load_without_token_bounces_for_a_fresh_one(
    client: FlaskClient, shop: Shop
) -> None:
    response = client.get("/admin/orders", query_string=_embedded_query(shop.domain))

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/session-token"
    params = parse_qs(location.query)
    assert params["shop"] == [shop.domain]
    reload_to = urlsplit(params["shopify-reload"][0])
    assert reload_to.path == "/admin/orders"
    assert parse_qs(reload_to.query)["shop"] == [shop.domain]


def test_expired_id_token_on_a_page_load_bounces(client: FlaskClient, shop: Shop) -> None:
    token = session_token(shop.domain, exp=int(time.time()) - 60)

    response = client.get("/admin/", query_string=_embedded_query(shop.domain, id_token=token))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/session-token?")


def test_token_for_one_shop_cannot_open_another_shops_page(client: FlaskClient, shop: Shop) -> None:
    token = session_token("someone-else.myshopify.com")

    response = client.get("/admin/", query_string=_embedded_query(shop.domain, id_token=token))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/session-token?")


def test_verified_token_for_an_uninstalled_shop_goes_to_install(client: FlaskClient) -> None:
    domain = "new-merchant.myshopify.com"
    query = _embedded_query(domain, id_token=session_token(domain))

    response = client.get("/admin/", query_string=query)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/"
    assert parse_qs(location.query)["shop"] == [domain]


def test_bounce_page_loads_app_bridge_and_only_reloads_our_own_paths(
    client: FlaskClient,
) -> None:
    ok = client.get("/auth/session-token?shop=a.myshopify.com&shopify-reload=/admin/orders")
    evil = client.get("/auth/session-token?shopify-reload=//evil.example/steal")

    assert ok.status_code == 200
    assert "app-bridge.js" in ok.get_data(as_text=True)
    assert 'href="/admin/orders"' in ok.get_data(as_text=True)
    assert 'href="/admin/"' in evil.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/%5Cevil.com", "/%5C%5Cevil.com", "/%09/evil.com", "/a//b"])
def test_the_bounce_page_never_links_to_another_host(client: FlaskClient, target: str) -> None:
    # /\evil.com is //evil.com to a browser: https://evil.com/ (issue #15, item 9)
    answer = client.get(f"/auth/session-token?shopify-reload={target}")

    assert answer.status_code == 200
    assert 'href="/admin/"' in answer.text
    assert "evil.com" not in answer.text


def test_pages_outside_shopify_may_not_be_framed(client: FlaskClient) -> None:
    response = client.get("/admin/")

    assert response.status_code == 401
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert "store admin" in response.get_data(as_text=True)
