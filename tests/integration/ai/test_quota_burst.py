"""A burst of concurrent requests never charges past the quota (threads against PostgreSQL).

Runs on committed data (each request its own connection and transaction), so it needs a server
database: SQLite allows one writer and is the development default only.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from app import create_app
from app.billing import quota
from app.models import Generation, Shop, UsageKind, UsageRecord
from tests.factories import make_product, make_shop, make_template
from tests.integration.ai.conftest import signed_query

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"), reason="concurrent writers need PostgreSQL"
)


@pytest.fixture
def live_app(settings: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(settings)
    yield app
    with app.extensions["luneo.db"].session() as session:
        session.execute(delete(Shop).where(Shop.domain == "burst-store.myshopify.com"))
    app.extensions["luneo.db"].engine.dispose()
    app.extensions["luneo.redis"].flushdb()
    app.extensions["luneo.redis"].close()


def test_burst_of_requests_is_charged_at_most_the_quota(live_app: Flask) -> None:
    db = live_app.extensions["luneo.db"]
    with db.session() as session:
        shop = make_shop(session, domain="burst-store.myshopify.com", plan="starter")
        template = make_template(session, make_product(session, shop), ai_enabled=True)
        state = quota.allowance(session, shop, UsageKind.AI_GENERATION)
        price = state.plan.ai_generation_overage
        assert price is not None
        limit = state.included + int(state.plan.overage_cap / price)
        session.add(
            UsageRecord(
                shop_id=shop.id,
                kind=UsageKind.AI_GENERATION,
                quantity=limit - 3,
                idempotency_key="earlier-this-month",
            )
        )
        shop_id, template_id = shop.id, template.id
    statuses: list[int] = []
    start = threading.Barrier(12)

    def shopper(n: int) -> None:
        client = live_app.test_client()
        query = signed_query("burst-store.myshopify.com", customer=str(1000 + n))
        start.wait()
        answer = client.post(
            f"/proxy/ai/generations?{query}",
            json={
                "template_id": template_id,
                "area": "front",
                "prompt": f"a comet number {n}",
                "variants": 1,
            },
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=shopper, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [202] * 3 + [402] * 9
    with db.session() as session:
        used = session.scalar(
            select(func.sum(UsageRecord.quantity)).where(UsageRecord.shop_id == shop_id)
        )
        generations = session.scalar(
            select(func.count()).select_from(Generation).where(Generation.shop_id == shop_id)
        )
    assert used == limit
    assert generations == 3
