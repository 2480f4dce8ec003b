"""A restarting database or Redis answers 503 with ``Retry-After``, never a 500.

The request did nothing wrong and can be sent again: the widget, the admin and partner scripts
read 503 + ``Retry-After`` as "try again", and operators see the cause in the log.
"""

from __future__ import annotations

import pytest
from flask import Flask
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

OUTAGES = [
    pytest.param(RedisConnectionError("Connection refused"), id="redis-down"),
    pytest.param(OperationalError("SELECT 1", {}, Exception("server closed")), id="database-down"),
    pytest.param(PoolTimeout("QueuePool limit reached"), id="pool-exhausted"),
]


def _failing_app(app: Flask, error: Exception) -> Flask:
    def view() -> str:
        raise error

    app.add_url_rule("/api/admin/outage-probe", "outage_json", view)
    app.add_url_rule("/outage-probe", "outage_page", view)
    return app


@pytest.mark.parametrize("error", OUTAGES)
def test_an_api_caller_gets_503_with_retry_after(app: Flask, error: Exception) -> None:
    response = _failing_app(app, error).test_client().get("/api/admin/outage-probe")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert response.get_json()["error"]["code"] == "temporarily_unavailable"


@pytest.mark.parametrize("error", OUTAGES)
def test_a_person_gets_a_503_page(app: Flask, error: Exception) -> None:
    client = _failing_app(app, error).test_client()
    response = client.get("/outage-probe", headers={"Accept": "text/html"})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert "briefly unavailable" in response.get_data(as_text=True)
