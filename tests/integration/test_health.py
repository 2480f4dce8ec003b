"""Health endpoints for load balancers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app


def test_healthz_answers_while_the_process_lives(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_each_dependency(client: FlaskClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.fixture
def app_without_redis(settings: dict[str, Any]) -> Iterator[Flask]:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    app = create_app({**settings, "REDIS_URL": "redis://127.0.0.1:1/0"})
    yield app
    app.extensions["luneo.db"].engine.dispose()


def test_readyz_is_503_and_names_what_is_down(app_without_redis: Flask) -> None:
    response = app_without_redis.test_client().get("/readyz")

    assert response.status_code == 503
    checks = response.json["checks"]
    assert response.json["status"] == "unavailable"
    assert checks["redis"] == {"ok": False, "error": "ConnectionError"}
    assert checks["database"]["ok"] is True


def test_unknown_api_path_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/nothing-here")

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
