"""``POST /ai/background-removals``: a busy background removed by the AI provider, queued and
polled like an AI image, charged one unit; refused where AI images are."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Generation, Shop, Template, UsageRecord
from tests.factories import make_shop
from tests.integration.ai.conftest import drain, signed_query
from tests.support.fake_openai import FakeOpenAI

pytestmark = pytest.mark.usefixtures("openai_settings")


def _busy_photo() -> bytes:
    """A red square on a grey backdrop the fake model cuts away (real noise would not matter)."""
    image = Image.new("RGB", (300, 200), (120, 130, 140))
    image.paste((220, 30, 30), (100, 50, 200, 150))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _proxy(client: FlaskClient, shop: Shop, method: str, path: str, **kwargs: Any) -> Any:
    return client.open(f"/proxy{path}?{signed_query(shop.domain)}", method=method, **kwargs)


def _upload(client: FlaskClient, shop: Shop) -> str:
    sent = _proxy(
        client,
        shop,
        "POST",
        "/uploads",
        data={"file": (io.BytesIO(_busy_photo()), "me.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201
    src: str = sent.json["src"]
    return src


def _ask(client: FlaskClient, shop: Shop, template: Template, src: str) -> Any:
    body = {"template_id": template.id, "area": "front", "src": src}
    return _proxy(client, shop, "POST", "/ai/background-removals", json=body)


def _usage(session: Session, shop: Shop) -> int:
    stmt = select(func.count()).select_from(UsageRecord).where(UsageRecord.shop_id == shop.id)
    return int(session.scalar(stmt) or 0)


def test_the_provider_cuts_the_photo_out_and_the_widget_polls_for_it(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
    fake_openai: FakeOpenAI,
) -> None:
    src = _upload(client, ai_shop)

    asked = _ask(client, ai_shop, ai_template, src)
    assert asked.status_code == 202, asked.json
    drain(app)
    shown = _proxy(client, ai_shop, "GET", asked.json["poll_url"]).json

    assert shown["status"] == "succeeded", shown
    assert shown["image"]["src"] != src
    [call] = fake_openai.calls("edits")
    assert call.body["background"] == "transparent"
    assert fake_openai.calls("moderations") == []  # no prompt: nothing to moderate
    assert _usage(session, ai_shop) == 1
    row = session.scalars(select(Generation)).one()
    assert row.options["kind"] == "cutout"
    # The same photo again: shared, not paid twice.
    again = _ask(client, ai_shop, ai_template, src)
    assert again.status_code == 202
    assert again.json["status"] == "succeeded"
    assert _usage(session, ai_shop) == 1


@pytest.mark.parametrize(
    ("_case", "body", "status"),
    [
        ("no src", {"area": "front"}, 400),
        ("src not a string", {"area": "front", "src": 3}, 400),
        ("no area", {"src": "x"}, 400),
        ("unknown picture", {"area": "front", "src": "shops/1/uploads/none.png"}, 404),
        ("counted id", {"area": "front", "src": "file:1"}, 404),
    ],
)
def test_bad_requests_get_a_4xx_and_cost_nothing(
    client: FlaskClient,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
    _case: str,
    body: dict[str, Any],
    status: int,
) -> None:
    response = _proxy(
        client,
        ai_shop,
        "POST",
        "/ai/background-removals",
        json={"template_id": ai_template.id, **body},
    )

    assert response.status_code == status
    assert response.json["error"]["code"]
    assert _usage(session, ai_shop) == 0


def test_another_shops_photo_is_not_found(
    client: FlaskClient, session: Session, ai_shop: Shop, ai_template: Template
) -> None:
    other = make_shop(session, domain="other-ai.myshopify.com")
    session.commit()
    theirs = _upload(client, other)

    response = _ask(client, ai_shop, ai_template, theirs)

    assert response.status_code == 404
    assert _usage(session, ai_shop) == 0


def test_a_template_without_ai_refuses_with_403(
    client: FlaskClient, session: Session, ai_shop: Shop, ai_template: Template
) -> None:
    ai_template.ai_enabled = False
    session.commit()
    src = _upload(client, ai_shop)

    response = _ask(client, ai_shop, ai_template, src)

    assert response.status_code == 403
    assert response.json["error"]["code"] == "ai_disabled"
