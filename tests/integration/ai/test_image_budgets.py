"""AI images are shoppers' files too: each one made spends the shopper's and the store's file
budgets (the photo uploads' ones), and a shopper over budget is refused before anything is queued.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Generation, Shop, Template
from app.queue import get_queue
from tests.integration.ai.conftest import Storefront, drain, signed_query


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    # One generated image (2433 x 1134 px, a few hundred KB) fits; a second passes the budget.
    return {**settings, "STOREFRONT_FILE_BYTES_PER_CLIENT_HOUR": 1}


def _generations(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Generation)) or 0)


def test_a_shopper_whose_images_spent_the_budget_gets_429_and_nothing_is_queued(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
) -> None:
    shopper = Storefront(client, ai_shop)
    first = shopper.post(ai_template, "a fox in the snow")
    assert first.status_code == 202
    drain(app)
    assert shopper.get(first.json["poll_url"]).json["status"] == "succeeded"

    again = shopper.post(ai_template, "a bear in the rain")

    assert again.status_code == 429
    assert again.json["error"]["code"] == "rate_limited"
    assert 1 <= int(again.headers["Retry-After"]) <= 3600
    assert _generations(session) == 1
    assert get_queue("ai", redis).count == 0
    # ... and the same budget refuses their next photo
    photo = client.post(
        f"/proxy/uploads?{signed_query(ai_shop.domain)}",
        data={},
        content_type="multipart/form-data",
    )
    assert photo.status_code == 429
