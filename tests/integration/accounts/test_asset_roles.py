"""A shop's own fonts (issue #21) are the owners' to upload and delete: staff see the page, not
the forms, and the API answers them 403 ``owner_only``; an owner's upload records their e-mail
as who confirmed the licence."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer
from app.models import MerchantFont, Platform, Role, Shop
from tests.factories import make_shop
from tests.integration.accounts.conftest import Browser, csrf_of, make_member, make_user
from tests.integration.admin.test_shop_fonts import LOBSTER, multipart


def _browser(
    app: Flask, session: Session, shop: Shop, role: Role
) -> tuple[Browser, dict[str, str]]:
    email = f"{role.value}@shop.test"
    make_member(session, make_user(session, email), shop, role)
    session.commit()
    mailer = app.extensions["luneo.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    browser = Browser(app.test_client(), mailer)
    assert browser.sign_in(email).status_code == 302
    return browser, {"X-CSRF-Token": csrf_of(browser.client.get("/admin/").text)}


def _woo_shop(session: Session) -> Shop:
    shop = make_shop(session, platform=Platform.WOOCOMMERCE, domain="shop.test")
    session.commit()
    return shop


def test_staff_cannot_upload_or_delete_a_font(app: Flask, session: Session) -> None:
    shop = _woo_shop(session)
    owner, owner_headers = _browser(app, session, shop, Role.OWNER)
    staff, staff_headers = _browser(app, session, shop, Role.STAFF)
    body, content_type = multipart({"family": "Brand Script", "licence": "1"}, LOBSTER.read_bytes())

    refused = staff.client.post(
        "/api/admin/fonts", data=body, headers=staff_headers, content_type=content_type
    )
    made = owner.client.post(
        "/api/admin/fonts", data=body, headers=owner_headers, content_type=content_type
    )
    not_deleted = staff.client.delete(f"/api/admin/fonts/{made.json['id']}", headers=staff_headers)
    page = staff.client.get("/admin/assets")

    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "owner_only"
    assert made.status_code == 201
    assert made.json["licence_confirmed_by"] == "owner@shop.test"
    assert not_deleted.status_code == 403
    assert session.scalar(select(func.count()).select_from(MerchantFont)) == 1
    assert "Brand Script" in page.text
    assert "Upload a font" not in page.text
    assert "Only the store's owners can upload" in page.text
