"""The development sign-in exists in development and testing only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from app.demo import DEMO_DOMAIN
from app.devtools import bp as devtools_bp
from app.models import Shop
from tests.factories import make_shop

DEV_ROUTES = [("GET", "/dev/"), ("POST", "/dev/sign-in"), ("POST", "/dev/sign-out")]


def _close(app: Flask) -> None:
    app.extensions["luneo.db"].engine.dispose()
    app.extensions["luneo.redis"].close()


@pytest.fixture
def production_app(settings: dict[str, Any]) -> Iterator[Flask]:
    app = create_app({**settings, "ENV": "production"})
    yield app
    _close(app)


@pytest.mark.parametrize(("method", "path"), DEV_ROUTES)
def test_dev_routes_do_not_exist_in_production(
    production_app: Flask, method: str, path: str
) -> None:
    response = production_app.test_client().open(path, method=method, data={"shop_id": "1"})

    assert response.status_code == 404
    assert "devtools" not in production_app.blueprints


@pytest.mark.parametrize(("method", "path"), DEV_ROUTES)
def test_the_guard_refuses_even_if_registered_in_production_by_mistake(
    production_app: Flask, method: str, path: str
) -> None:
    production_app.register_blueprint(devtools_bp)

    response = production_app.test_client().open(path, method=method, data={"shop_id": "1"})

    assert response.status_code == 404
    with production_app.test_client().session_transaction() as flask_session:
        assert "shop_id" not in flask_session


def test_the_dev_page_is_labelled_and_lists_the_demo_shop_first(
    client: FlaskClient, session: Session
) -> None:
    make_shop(session, name="Aardvark Prints", domain="aardvark.myshopify.com")
    make_shop(session, name="Luneo Demo Store", domain=DEMO_DOMAIN, is_development=True)
    session.commit()

    page = client.get("/dev/")

    assert page.status_code == 200
    assert "Development only — local sign-in" in page.text
    listed = re.findall(r'<li data-shop="([^"]+)"', page.text)
    assert listed == [DEMO_DOMAIN, "aardvark.myshopify.com"]
    assert page.text.count('name="csrf_token"') == 3 + len(listed)  # sign out, seed, portal


def test_the_dev_page_seeds_the_demo_shop(client: FlaskClient, session: Session) -> None:
    page = client.get("/dev/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None

    response = client.post("/dev/seed-demo", data={"csrf_token": token.group(1)})

    assert response.status_code == 302
    demo = select(func.count()).select_from(Shop).where(Shop.domain == DEMO_DOMAIN)
    assert session.scalar(demo) == 1
    assert "luneo-demo.myshopify.com" in client.get("/dev/").text


def test_seeding_without_a_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    client.get("/dev/")

    response = client.post("/dev/seed-demo")

    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(Shop)) == 0


def test_the_dev_page_opens_the_partner_portal_as_the_demo_print_room(
    client: FlaskClient, session: Session
) -> None:
    page = client.get("/dev/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    before = client.post("/dev/partner-sign-in", data={"csrf_token": token.group(1)})
    assert before.status_code == 400  # nothing seeded yet: no print room to open
    client.post("/dev/seed-demo", data={"csrf_token": token.group(1)})

    response = client.post("/dev/partner-sign-in", data={"csrf_token": token.group(1)})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/partners/")
    portal = client.get("/partners/")
    assert portal.status_code == 200
    assert "Demo print room" in portal.text


def test_the_partner_sign_in_needs_the_csrf_token(client: FlaskClient) -> None:
    client.get("/dev/")

    assert client.post("/dev/partner-sign-in").status_code == 400
