"""Signing out ends the session on the server: a cookie copied before sign-out no longer signs
anyone in (issue #15, item 7). The partner portal's twin is in partners/test_portal_auth.py."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy.orm import Session

from app.models import Platform, Role, TeamInvitation
from tests.factories import make_shop
from tests.integration.accounts.conftest import Browser, make_member, make_user


def _replay(app: Flask, cookie_value: str) -> FlaskClient:
    """Another browser, holding a copy of the stolen cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie_value, domain="luneo.test")
    return thief


def test_a_cookie_copied_before_sign_out_does_not_work_after_it(
    app: Flask, browser: Browser, session: Session, redis: Redis
) -> None:
    shop = make_shop(session, platform=Platform.WOOCOMMERCE, domain="ann.test")
    make_member(session, make_user(session, "ann@shop.test"), shop, Role.OWNER)
    session.commit()
    assert browser.sign_in("ann@shop.test").status_code == 302
    cookie = browser.client.get_cookie("session", domain="luneo.test")
    assert cookie is not None
    copied = cookie.value
    assert _replay(app, copied).get("/account/stores").status_code == 200  # it works before

    browser.sign_out()

    thief = _replay(app, copied)
    assert thief.get("/account/stores").status_code == 302
    assert thief.get("/admin/").status_code in (302, 401)
    assert thief.get("/api/admin/shop").status_code == 401
    csrf = "x"
    with thief.session_transaction() as stolen:
        csrf = stolen.get("admin_csrf", csrf)
    answer = thief.post(
        "/account/team/invitations",
        data={"csrf_token": csrf, "email": "thief@evil.test", "role": "owner"},
    )
    assert answer.status_code == 302
    assert answer.location.startswith("/account/sign-in")
    assert session.query(TeamInvitation).count() == 0


def test_signing_in_again_after_sign_out_works(
    browser: Browser, session: Session, redis: Redis
) -> None:
    make_user(session, "ann@shop.test")
    session.commit()
    browser.sign_in("ann@shop.test")
    browser.sign_out()

    assert browser.sign_in("ann@shop.test").status_code == 302
    assert browser.client.get("/account/stores").status_code == 200
