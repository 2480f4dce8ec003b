"""Shared set-up for the AI tests: a Starter shop with an AI-enabled template, signed proxy calls,
a drained ``ai`` queue and a fake OpenAI on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Shop, Template
from tests.conftest import SHOPIFY_API_SECRET
from tests.factories import make_product, make_shop, make_template
from tests.support.fake_openai import FakeOpenAI
from tests.support.workers import run_jobs


def signed_query(shop: str, customer: str = "") -> str:
    params = {
        "shop": shop,
        "logged_in_customer_id": customer,
        "path_prefix": "/apps/luneo",
        "timestamp": str(int(time.time())),
    }
    message = "".join(sorted(f"{k}={v}" for k, v in params.items()))
    params["signature"] = hmac.new(
        SHOPIFY_API_SECRET.encode(), message.encode(), hashlib.sha256
    ).hexdigest()
    return urlencode(params)


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def openai_settings(settings: dict[str, Any], fake_openai: FakeOpenAI) -> dict[str, Any]:
    settings.update(
        OPENAI_API_KEY="sk-test-luneo",
        OPENAI_BASE_URL=fake_openai.base_url,
        OPENAI_TIMEOUT=0.5,
        AI_RETRY_BASE_DELAY=0.01,
        AI_RETRY_MAX_WAIT=0.05,
        AI_RETRY_ATTEMPTS=3,
    )
    return settings


@pytest.fixture
def ai_shop(session: Session) -> Shop:
    shop = make_shop(session, domain="ai-store.myshopify.com", plan="starter")
    session.commit()
    return shop


@pytest.fixture
def ai_template(session: Session, ai_shop: Shop) -> Template:
    product = make_product(session, ai_shop, external_id="gid://shopify/Product/555")
    template = make_template(session, product, ai_enabled=True)
    session.commit()
    return template


class Storefront:
    """The widget's calls through the app proxy, as one shopper."""

    def __init__(self, client: FlaskClient, shop: Shop, customer: str = "") -> None:
        self.client, self.shop, self.customer = client, shop, customer

    def post(self, template: Template, prompt: str, **extra: Any) -> Any:
        """Ask for one picture (``variants=1``) unless the test asks for a set."""
        body = {"template_id": template.id, "area": "front", "prompt": prompt, "variants": 1}
        body.update(extra)
        query = signed_query(self.shop.domain, self.customer)
        return self.client.post(f"/proxy/ai/generations?{query}", json=body)

    def get(self, path: str) -> Any:
        return self.client.get(f"/proxy{path}?{signed_query(self.shop.domain, self.customer)}")


def drain(app: Flask) -> None:
    """Run every waiting job on the ``ai`` queue (the widget's and admin's AI requests)."""
    run_jobs(app, "ai")
