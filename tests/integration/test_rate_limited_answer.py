"""One answer for every spent budget (``app.errors``, issue #17): whoever raises RateLimited,
the client gets 429 with ``Retry-After``, as JSON on the APIs and as a page for people."""

from __future__ import annotations

import pytest
from flask import Flask
from redis import Redis

from app.ratelimit import RateLimited, Window, hit


def _spent() -> str:
    raise RateLimited(42, "Slow down for a moment.")


def test_an_api_gets_the_json_error_and_retry_after(app: Flask) -> None:
    app.add_url_rule("/api/limited-for-test", "limited_api", _spent)

    answer = app.test_client().get("/api/limited-for-test")

    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "42"
    assert answer.get_json() == {
        "error": {"code": "rate_limited", "message": "Slow down for a moment."}
    }


def test_a_person_gets_the_error_page_and_retry_after(app: Flask) -> None:
    app.add_url_rule("/limited-for-test", "limited_page", _spent)

    answer = app.test_client().get("/limited-for-test", headers={"Accept": "text/html"})

    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "42"
    assert answer.mimetype == "text/html"
    assert "Slow down for a moment." in answer.get_data(as_text=True)


def test_the_limiter_counts_in_the_apps_redis_for_every_process(app: Flask, redis: Redis) -> None:
    """Two connections to the app's Redis (two web processes) spend one budget."""
    other_process = Redis.from_url(str(app.config["REDIS_URL"]))
    hit(redis, "shared", [Window(60, 2)], "busy")
    hit(other_process, "shared", [Window(60, 2)], "busy")

    with pytest.raises(RateLimited) as refused:
        hit(redis, "shared", [Window(60, 2)], "busy")

    other_process.close()
    assert 1 <= refused.value.retry_after <= 60
    assert redis.ttl("luneo:ratelimit/shared/2/60/second") > 0
