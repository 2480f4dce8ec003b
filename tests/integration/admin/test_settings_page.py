"""The settings page: the shop's connection, its scopes, re-authorization and data exports."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import FileKind, Platform, Shop, StoredFile
from app.storage import Storage, new_key
from tests.conftest import SHOPIFY_API_KEY
from tests.factories import make_shop
from tests.support.pages import technical_details, visible_text
from tests.support.shopify import session_token

HOST = "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZWRpdG9yLXN0b3Jl"


def scopes_on(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-scope="([a-z_]+)" data-granted="(yes|no)"', page))


def add_file(
    session: Session, storage: Storage, shop: Shop, kind: FileKind, name: str, age_days: int
) -> StoredFile:
    key = new_key(shop.id, kind.value, "json")
    data = f'{{"export": "{name}"}}'.encode()
    written = storage.put(key, data, "application/json")
    stored = StoredFile(
        shop_id=shop.id,
        key=key,
        kind=kind,
        content_type="application/json",
        size=written.size,
        sha256=written.sha256,
        original_name=name,
        created_at=datetime.now(UTC) - timedelta(days=age_days),
    )
    session.add(stored)
    session.flush()
    return stored


def test_settings_show_the_shop_and_its_scopes(
    app: Flask, cookie_client: FlaskClient, session: Session, shop: Shop
) -> None:
    app.config["SCOPES"] = "read_products,read_orders,write_merchant_managed_fulfillment_orders"
    shop.scopes = "write_products,read_orders,write_merchant_managed_fulfillment_orders"
    shop.installed_at = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    session.commit()

    page = cookie_client.get("/admin/settings")

    assert page.status_code == 200
    assert 'data-field="domain">editor-store.myshopify.com<' in page.text
    assert 'data-field="platform">Shopify<' in page.text
    assert 'data-field="plan">Free<' in page.text
    assert 'data-field="currency">EUR<' in page.text
    assert 'datetime="2025-03-14T09:30:00+00:00">Mar 14, 2025, 9:30\u202fAM UTC<' in page.text
    # write_products implies read_products, as Shopify grants it
    assert scopes_on(page.text) == {
        "read_orders": "yes",
        "read_products": "yes",
        "write_merchant_managed_fulfillment_orders": "yes",
    }
    # each scope in words (what it lets Luneo do); the scope names one click away
    seen = visible_text(page.text)
    assert "Also granted: Change your products" in seen
    assert "See your orders, to produce the personalised items" in seen
    assert "write_products" not in seen
    assert "read_orders" not in seen
    assert "write_products" in technical_details(page.text)
    assert "data-reauth" not in page.text


def test_a_missing_scope_asks_for_reauthorization_through_install(
    app: Flask, cookie_client: FlaskClient, session: Session, shop: Shop
) -> None:
    app.config["SCOPES"] = "read_products,read_orders,write_orders"
    shop.scopes = "read_products,read_orders"
    session.commit()

    page = cookie_client.get("/admin/settings")

    assert scopes_on(page.text) == {
        "read_orders": "yes",
        "read_products": "yes",
        "write_orders": "no",
    }
    assert "Luneo needs to be re-authorized" in page.text
    assert "add the design&#39;s print files to your orders" in page.text
    assert "write_orders" not in visible_text(page.text)
    link = re.search(r'<a class="button" href="([^"]+)" target="_top" data-reauth-link>', page.text)
    assert link is not None
    # Luneo in the shop's Shopify admin: Shopify loads it signed and /app asks for the grant
    # (a link to Luneo's own /?shop= is unsigned, and /app refuses it).
    assert link.group(1) == f"https://editor-store.myshopify.com/admin/apps/{SHOPIFY_API_KEY}"


def test_a_shop_flagged_for_reauth_gets_the_banner_too(
    cookie_client: FlaskClient, session: Session, shop: Shop
) -> None:
    shop.needs_reauth = True
    shop.scopes = cookie_client.application.config["SCOPES"]
    session.commit()

    page = cookie_client.get("/admin/settings")

    assert "Luneo needs to be re-authorized" in page.text
    assert "no longer accepts Luneo" in page.text
    # Only a dead refresh token sets the flag now (app.shopify.tokens): say what to do.
    assert "renewal token expired or was revoked" in page.text
    assert "Reopen Luneo from your" in page.text
    assert "data-reauth-link" in page.text


def test_woocommerce_shops_are_not_checked_against_shopify_scopes(
    client: FlaskClient, session: Session
) -> None:
    woo = make_shop(
        session,
        platform=Platform.WOOCOMMERCE,
        domain="store.example.com",
        scopes="read_write",
        needs_reauth=True,
    )
    session.commit()
    page = client.get("/dev/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    client.post("/dev/sign-in", data={"csrf_token": token.group(1), "shop_id": woo.id})

    page = client.get("/admin/settings")

    assert page.status_code == 200
    assert 'data-field="platform">WooCommerce<' in page.text
    assert scopes_on(page.text) == {}
    assert "Reconnect Luneo from your store" in page.text
    assert "data-reauth-link" not in page.text


def test_data_exports_are_the_shops_own_newest_first_with_signed_links(
    cookie_client: FlaskClient, session: Session, storage: Storage, shop: Shop, other_shop: Shop
) -> None:
    older = add_file(session, storage, shop, FileKind.EXPORT, "customer-41.json", age_days=3)
    newer = add_file(session, storage, shop, FileKind.EXPORT, "customer-42.json", age_days=1)
    add_file(session, storage, shop, FileKind.MOCKUP, "not-an-export.json", age_days=0)
    add_file(session, storage, other_shop, FileKind.EXPORT, "their-customer.json", age_days=0)
    session.commit()

    page = cookie_client.get("/admin/settings")

    assert re.findall(r'<tr data-export="(\d+)">', page.text) == [str(newer.id), str(older.id)]
    assert re.search(r'data-count="exports">(\d+)<', page.text).group(1) == "2"  # type: ignore[union-attr]
    assert "their-customer.json" not in page.text
    assert "not-an-export.json" not in page.text
    links = re.findall(r'<a href="([^"]+)" rel="noopener" download>customer-42.json</a>', page.text)
    assert len(links) == 1
    url = urlsplit(links[0].replace("&amp;", "&"))
    assert url.path == f"/files/{newer.key}"
    download = cookie_client.get(f"{url.path}?{url.query}", buffered=True)
    assert (download.status_code, download.data) == (200, b'{"export": "customer-42.json"}')


def test_no_exports_yet(cookie_client: FlaskClient) -> None:
    page = cookie_client.get("/admin/settings")

    assert "No data exports yet." in page.text


def test_the_settings_page_is_in_both_navigations(
    cookie_client: FlaskClient, client: FlaskClient, shop: Shop
) -> None:
    outside = cookie_client.get("/admin/settings")
    assert '<a href="/admin/settings" aria-current="page">Settings</a>' in outside.text
    assert '<meta name="luneo-csrf" content="' in outside.text

    query = {"shop": shop.domain, "host": HOST, "embedded": "1"}
    with client.application.test_client() as embedded_client:
        inside = embedded_client.get(
            "/admin/settings", query_string={**query, "id_token": session_token(shop.domain)}
        )

    assert inside.status_code == 200
    menu = inside.text.split("<ui-nav-menu>")[1].split("</ui-nav-menu>")[0]
    assert f'href="/admin/settings?shop={shop.domain}&amp;host={HOST}&amp;embedded=1"' in menu
    assert '<meta name="luneo-auth" content="token">' in inside.text
    assert "luneo-csrf" not in inside.text
    assert "Set-Cookie" not in inside.headers  # the iframe keeps no cookie: none is set


@pytest.mark.parametrize("path", ["/admin/settings", "/admin/products/1/template"])
def test_new_pages_need_a_signed_in_shop(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 401
    assert "Open Luneo from your store admin" in response.text
