"""The headless key page and API (issue #23): owners create, rotate and revoke the key and edit its
allowed origins; staff see the page without the controls and the API answers them 403
``owner_only``; a cookie-session write without the CSRF token is refused."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import HeadlessKey, Role, Shop
from tests.integration.accounts.test_asset_roles import _browser, _woo_shop

API = "/api/admin/headless-key"


def test_an_owner_creates_a_key_lists_origins_rotates_and_revokes_it(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, shop: Shop
) -> None:
    made = cookie_client.post(API, json={"origins": ["https://shop.example.com"]}, headers=csrf)
    assert made.status_code == 201, made.json
    assert made.json["key"].startswith("lhk_")
    assert made.json["origins"] == ["https://shop.example.com"]
    assert made.json["api_base"].endswith("/storefront/headless/v1")

    edited = cookie_client.put(
        f"{API}/origins",
        json={"origins": "https://shop.example.com/\nhttp://localhost:3000\n\n"},
        headers=csrf,
    )
    assert edited.status_code == 200
    assert edited.json["origins"] == ["https://shop.example.com", "http://localhost:3000"]

    page = cookie_client.get("/admin/headless")
    assert made.json["key"] in page.text
    assert "Rotate key" in page.text

    rotated = cookie_client.post(API, headers=csrf)
    assert rotated.status_code == 201
    assert rotated.json["key"] != made.json["key"]
    assert rotated.json["origins"] == edited.json["origins"]  # rotating keeps the sites

    revoked = cookie_client.delete(API, headers=csrf)
    assert revoked.json == {"revoked": True}
    assert session.scalar(select(func.count()).select_from(HeadlessKey)) == 0
    assert "Create a headless key" in cookie_client.get("/admin/headless").text


def test_origins_other_than_https_or_localhost_are_refused_by_field(
    cookie_client: FlaskClient, csrf: dict[str, str]
) -> None:
    cookie_client.post(API, headers=csrf)
    for bad in (["http://shop.example.com"], ["https://*.example.com"], "not a url", [3]):
        response = cookie_client.put(f"{API}/origins", json={"origins": bad}, headers=csrf)
        assert response.status_code in (400, 422), bad
    refused = cookie_client.put(
        f"{API}/origins", json={"origins": ["http://shop.example.com"]}, headers=csrf
    )
    assert refused.json["error"]["code"] == "origin_refused"
    assert "https://" in refused.json["error"]["fields"]["origins"]


def test_writes_without_the_csrf_token_are_refused(
    cookie_client: FlaskClient, session: Session
) -> None:
    created = cookie_client.post(API, json={"origins": ["https://a.test"]})
    wrong = cookie_client.post(API, headers={"X-CSRF-Token": "forged"})
    deleted = cookie_client.delete(API)

    assert [r.status_code for r in (created, wrong, deleted)] == [403, 403, 403]
    assert created.json["error"]["code"] == "csrf_failed"
    assert session.scalar(select(func.count()).select_from(HeadlessKey)) == 0


def test_the_embedded_admin_uses_its_session_token(
    client: FlaskClient, bearer: Callable[[], dict[str, str]]
) -> None:
    made = client.post(API, json={"origins": ["https://hydrogen.test"]}, headers=bearer())

    assert made.status_code == 201
    assert client.get(API, headers=bearer()).json["key"] == made.json["key"]


def test_staff_cannot_create_rotate_revoke_or_edit_the_key(app: Flask, session: Session) -> None:
    shop = _woo_shop(session)
    owner, owner_headers = _browser(app, session, shop, Role.OWNER)
    staff, staff_headers = _browser(app, session, shop, Role.STAFF)

    refused = staff.client.post(API, json={"origins": ["https://a.test"]}, headers=staff_headers)
    made = owner.client.post(API, json={"origins": ["https://a.test"]}, headers=owner_headers)
    not_rotated = staff.client.post(API, headers=staff_headers)
    not_edited = staff.client.put(
        f"{API}/origins", json={"origins": ["https://evil.test"]}, headers=staff_headers
    )
    not_revoked = staff.client.delete(API, headers=staff_headers)
    page = staff.client.get("/admin/headless")

    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "owner_only"
    assert made.status_code == 201
    assert [r.status_code for r in (not_rotated, not_edited, not_revoked)] == [403, 403, 403]
    row = session.scalars(select(HeadlessKey)).one()
    assert row.key == made.json["key"]
    assert [o.origin for o in row.origins] == ["https://a.test"]
    assert made.json["key"] in page.text  # staff see the key, not the controls
    assert "Rotate key" not in page.text
    assert "Only the store's owners" in page.text


def test_another_shops_owner_never_sees_or_changes_this_key(
    app: Flask, session: Session, cookie_client: FlaskClient, csrf: dict[str, str]
) -> None:
    mine = cookie_client.post(API, json={"origins": ["https://mine.test"]}, headers=csrf)
    browser, headers = _browser(app, session, _woo_shop(session), Role.OWNER)

    theirs = browser.client.get(API).json
    browser.client.delete(API, headers=headers)

    assert theirs["key"] is None
    assert session.scalars(select(HeadlessKey)).one().key == mine.json["key"]
