"""The partner API's budget: calls per minute per partner, all its keys together, 429 beyond."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy.orm import Session

from app.fulfilment import keys

from .conftest import World, bearer


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {**settings, "PARTNER_API_RATE_PER_MINUTE": 3}


def test_a_partner_over_its_budget_gets_429_with_retry_after(
    client: FlaskClient, world: World, redis: Redis
) -> None:
    answers = [client.get("/partner-api/v1/jobs", headers=bearer(world.a.key)) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_the_budget_is_the_partners_whatever_key_calls(
    client: FlaskClient, world: World, redis: Redis, session: Session
) -> None:
    _, second_key = keys.create_key(session, world.a.partner.id, "second worker", None)
    session.commit()
    for _ in range(3):
        assert client.get("/partner-api/v1/jobs", headers=bearer(world.a.key)).status_code == 200

    other_key = client.get("/partner-api/v1/jobs", headers=bearer(second_key))
    other_partner = client.get("/partner-api/v1/jobs", headers=bearer(world.b.key))

    assert other_key.status_code == 429
    assert other_partner.status_code == 200


def test_a_wrong_key_is_401_not_counted(client: FlaskClient, world: World, redis: Redis) -> None:
    for _ in range(5):
        assert client.get("/partner-api/v1/jobs", headers=bearer("lpk_wrong")).status_code == 401

    assert client.get("/partner-api/v1/jobs", headers=bearer(world.a.key)).status_code == 200


def test_every_keyed_operation_documents_the_429() -> None:
    spec = json.loads(resources.files("app.partners").joinpath("openapi.json").read_text())
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if operation.get("security") == []:
                continue
            assert "429" in operation["responses"], f"{method.upper()} {path}"
