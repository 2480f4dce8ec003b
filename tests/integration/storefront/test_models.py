"""``/storefront/models/<model>.glb``: public, so a new colour must not mean a new 0.6 s build.

Only colours Luneo linked to (a merchant's, signed) are built; each variant is built once and
then served from Redis by every process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from app.design import mesh
from app.storefront import public


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str | None]]]:
    """Every GLB actually built (the real builder still runs); no process cache in the way."""
    made: list[tuple[str, str | None]] = []
    real = mesh.build_glb

    def counting(model_id: str, images: Any, color: str | None = None, **kw: Any) -> bytes:
        made.append((model_id, color))
        return real(model_id, images, color, **kw)

    monkeypatch.setattr(mesh, "build_glb", counting)
    public._glb.cache_clear()
    yield made
    public._glb.cache_clear()


def link(app: Flask, color: object) -> str:
    with app.test_request_context():
        url = public.model_link("mug", color)
    assert url is not None
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_a_colour_luneo_did_not_link_to_is_not_built(
    client: FlaskClient, builds: list[tuple[str, str | None]], redis: Redis
) -> None:
    answers = [client.get(f"/storefront/models/mug.glb?color=%23{n:06x}") for n in range(3)]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert answers[0].json["error"]["code"] == "not_found"
    assert builds == []
    assert list(redis.scan_iter(f"{public.MODEL_PREFIX}:*")) == []


def test_a_signature_is_for_its_own_colour_and_model(
    app: Flask, client: FlaskClient, builds: list[tuple[str, str | None]], redis: Redis
) -> None:
    signed = parse_qs(urlsplit(link(app, "#f5f5f0")).query)["sig"][0]

    other_colour = client.get(f"/storefront/models/mug.glb?color=%23000001&sig={signed}")
    other_model = client.get(f"/storefront/models/poster.glb?color=%23f5f5f0&sig={signed}")

    assert (other_colour.status_code, other_model.status_code) == (404, 404)
    assert builds == []


def test_a_linked_colour_is_built_once_and_then_served_from_redis(
    app: Flask, client: FlaskClient, builds: list[tuple[str, str | None]], redis: Redis
) -> None:
    first = client.get(link(app, "#F5F5F0"))  # the spelling a merchant typed
    public._glb.cache_clear()  # as another web process would see it
    second = client.get(link(app, "#f5f5f0"))

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.data[:4] == b"glTF"
    assert second.data == first.data
    assert builds == [("mug", "#f5f5f0")]


def test_the_model_in_its_own_colour_needs_no_signature(
    client: FlaskClient, builds: list[tuple[str, str | None]], redis: Redis
) -> None:
    response = client.get("/storefront/models/mug.glb")

    assert response.status_code == 200
    assert builds == [("mug", None)]


def test_a_malformed_colour_is_400(client: FlaskClient, builds: list[Any], redis: Redis) -> None:
    response = client.get("/storefront/models/mug.glb?color=red")

    assert response.status_code == 400
    assert builds == []
