"""What one anonymous preview may cost: document limits (422 naming the limit) checked before
rendering, a time budget per render (503, the worker freed), and render time budgets per client
and per shop (429 with Retry-After), on both storefront surfaces and on design saves."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Design, FileKind, Shop, Template
from app.storefront.rendering import CACHE_PREFIX

from .conftest import (
    Caller,
    document,
    image,
    png,
    proxy_caller,
    put_file,
    small_template,
    text,
    woo_caller,
)


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {
        **settings,
        "STOREFRONT_MAX_LAYERS": 6,
        "STOREFRONT_MAX_TEXT_CHARS": 50,
        "STOREFRONT_MAX_CHARS": 80,
        "STOREFRONT_MAX_CURVED_CHARS": 30,
        "STOREFRONT_MAX_RENDER_COST": 200,
        "STOREFRONT_MAX_PHOTOS": 2,
    }


@pytest.fixture
def roomy(template: Template, session: Session) -> Template:
    """The merchant allows 20 layers per area (the model's default): only the limits hold."""
    template.max_layers = 20
    session.commit()
    return template


def body(template: Template, *layers: dict[str, Any]) -> dict[str, Any]:
    return {"template_id": template.id, "area": "front", "document": document(*layers)}


def previews_cached(redis: Redis) -> list[bytes]:
    return list(redis.scan_iter(f"{CACHE_PREFIX}:*"))


def render_spent(redis: Redis) -> list[bytes]:
    return list(redis.scan_iter("luneo:ratelimit/storefront:render:*"))


def test_the_reported_attack_is_refused_before_anything_is_drawn(
    proxy: Caller, roomy: Template, redis: Redis
) -> None:
    """12 text layers of 2,000 characters on a full circle: it used to hold a worker for 30 s."""
    layers = [text(f"{n:02}" + "W" * 1998, arc_degrees=360, y_mm=n) for n in range(12)]

    response = proxy.post("/previews", json=body(roomy, *layers))

    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "design_too_complex"
    named = {(p["limit"], p["path"]) for p in error["errors"]}
    assert ("characters_per_layer", "areas.front.layers[11].text") in named
    assert {limit for limit, _ in named} == {
        "characters_per_layer",
        "characters",
        "curved_characters",
        "render_cost",
        "layers",
    }
    assert previews_cached(redis) == []
    assert render_spent(redis) == []


CASES = {
    "characters_per_layer": ([text("x" * 51)], "areas.front.layers[0].text"),
    "characters": ([text("x" * 45), text("y" * 45, y_mm=10)], "areas"),
    "curved_characters": ([text("c" * 31, arc_degrees=90, size_mm=1)], "areas"),
    "turned_characters": ([text("c" * 31, rotation_deg=45, size_mm=1)], "areas"),
    # Within every count, but three curved letters as tall as the area, or 24 five times as tall.
    "render_cost": ([text("BIG", arc_degrees=30, size_mm=40)], "areas"),
    "render_cost_huge": ([text("HUGE " * 6, size_mm=200)], "areas"),
    "layers": ([text("a", y_mm=n) for n in range(7)], "areas"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("surface", ["proxy", "woo"])
def test_each_limit_is_named_in_a_422(
    case: str,
    surface: str,
    client: FlaskClient,
    shopify_shop: Shop,
    woo_shop: Shop,
    session: Session,
    storage: Any,
    redis: Redis,
) -> None:
    shop = shopify_shop if surface == "proxy" else woo_shop
    made = small_template(session, storage, shop, f"limits-{surface}")
    made.max_layers = 20
    session.commit()
    caller = proxy_caller(client, shop) if surface == "proxy" else woo_caller(client)
    layers, path = CASES[case]

    response = caller.post("/previews", json=body(made, *layers))

    assert response.status_code == 422, response.get_data(as_text=True)
    limit = {"turned_characters": "curved_characters", "render_cost_huge": "render_cost"}.get(
        case, case
    )
    assert response.json["error"]["errors"] == [
        {"path": path, "limit": limit, "message": response.json["error"]["errors"][0]["message"]}
    ]
    assert previews_cached(redis) == []


def test_photos_are_counted(
    proxy: Caller, roomy: Template, session: Session, storage: Any, shopify_shop: Shop, app: Any
) -> None:
    app.config["STOREFRONT_MAX_RENDER_COST"] = 10_000  # photos count toward it too
    photo = put_file(session, storage, shopify_shop, png((64, 64)), FileKind.UPLOAD)
    session.commit()
    layers = [image(photo.key, x_mm=n) for n in range(3)]

    response = proxy.post("/previews", json=body(roomy, *layers))

    assert response.status_code == 422, response.get_data(as_text=True)
    assert [p["limit"] for p in response.json["error"]["errors"]] == ["photos"]
    assert proxy.post("/previews", json=body(roomy, *layers[:2])).status_code == 200


def test_a_picture_is_weighed_by_its_placed_size(
    proxy: Caller, roomy: Template, session: Session, storage: Any, shopify_shop: Shop
) -> None:
    """A picture is resampled whole at its placed size: 10 times the area was 144 megapixels."""
    photo = put_file(session, storage, shopify_shop, png((64, 64)), FileKind.UPLOAD)
    session.commit()
    huge = image(photo.key, x_mm=-80, y_mm=-80, width_mm=200, height_mm=200)  # 5 x 40 mm
    zoomed = image(photo.key, x_mm=-20, y_mm=-20, width_mm=80, height_mm=80)  # 2 x 40 mm

    too_large = proxy.post("/previews", json=body(roomy, huge))
    too_costly = proxy.post("/previews", json=body(roomy, zoomed, zoomed))
    one_zoomed = proxy.post("/previews", json=body(roomy, zoomed))

    assert too_large.status_code == 422
    assert [(p["path"], p["limit"]) for p in too_large.json["error"]["errors"]] == [
        ("areas.front.layers[0]", "picture_size"),
        ("areas", "render_cost"),
    ]
    assert too_costly.status_code == 422
    assert [p["limit"] for p in too_costly.json["error"]["errors"]] == ["render_cost"]
    assert one_zoomed.status_code == 200, one_zoomed.get_data(as_text=True)


def test_a_design_at_the_limits_still_previews(proxy: Caller, roomy: Template) -> None:
    layers = [
        text("x" * 50),
        text("y    " * 6, arc_degrees=120, size_mm=6, y_mm=8),  # spaces are not counted
        text("z" * 4, y_mm=14),
    ]

    response = proxy.post("/previews", json=body(roomy, *layers))

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "image/png"


def test_saving_a_design_is_held_to_the_same_limits(
    proxy: Caller, roomy: Template, session: Session, redis: Redis
) -> None:
    doc = document(text("W" * 2000, arc_degrees=360))

    response = proxy.post("/designs", json={"template_id": roomy.id, "document": doc})

    assert response.status_code == 422
    assert response.json["error"]["errors"][0]["limit"] == "characters_per_layer"
    assert session.scalar(select(func.count()).select_from(Design)) == 0
    assert render_spent(redis) == []


# 3,000 turned glyphs, every one on the canvas (one per line, the lines stacked): seconds.
def test_a_save_keeps_no_more_than_a_design_needs(
    proxy: Caller, roomy: Template, session: Session
) -> None:
    """``meta`` is free-form: 900 KB of it used to be stored with every anonymous save."""
    doc = document(text("Ada")) | {"meta": {"editor": "x" * 900_000}}

    response = proxy.post("/designs", json={"template_id": roomy.id, "document": doc})

    assert response.status_code == 422
    assert response.json["error"]["errors"] == [
        {"path": "", "limit": "document_size", "message": "at most 64 KB of design data"}
    ]
    assert session.scalar(select(func.count()).select_from(Design)) == 0


SLOW = [
    text("W\n" * 999 + "W", rotation_deg=45, size_mm=20, line_spacing=0.001, y_mm=n)
    for n in range(3)
]


def test_a_render_past_its_time_budget_is_abandoned_with_503(
    client: FlaskClient, shopify_shop: Shop, app: Any, roomy: Template, redis: Redis
) -> None:
    """Limits raised out of the way: the budget alone stops a render that would take seconds."""
    app.config.update(
        STOREFRONT_PREVIEW_BUDGET_MS=100,
        STOREFRONT_MAX_TEXT_CHARS=2000,
        STOREFRONT_MAX_CHARS=10_000,
        STOREFRONT_MAX_CURVED_CHARS=10_000,
        STOREFRONT_MAX_RENDER_COST=10**9,
        STOREFRONT_RENDER_MS_PER_SHOP=10**9,
    )

    response = proxy_caller(client, shopify_shop).post("/previews", json=body(roomy, *SLOW))

    assert response.status_code == 503
    assert response.json["error"]["code"] == "preview_timeout"
    assert previews_cached(redis) == []  # nothing half-drawn was kept
    assert render_spent(redis) != []  # the time it took is charged all the same


def test_render_time_is_budgeted_per_client(
    client: FlaskClient, shopify_shop: Shop, app: Any, roomy: Template, redis: Redis
) -> None:
    """One millisecond per window: the first render spends it, the next waits; cached and other
    clients' previews are not held up."""
    app.config.update(STOREFRONT_RENDER_MS_PER_CLIENT=1, STOREFRONT_RENDER_MS_PER_SHOP=0)
    proxy = proxy_caller(client, shopify_shop)

    first = proxy.post("/previews", json=body(roomy, text("one")))
    second = proxy.post("/previews", json=body(roomy, text("two")))
    again = proxy.post("/previews", json=body(roomy, text("one")))
    other = proxy.post(
        "/previews", json=body(roomy, text("two")), headers={"X-Forwarded-For": "198.51.100.7"}
    )

    assert [r.status_code for r in (first, second, again, other)] == [200, 429, 200, 200]
    assert second.json["error"]["code"] == "rate_limited"
    assert 1 <= int(second.headers["Retry-After"]) <= 60
    assert len(previews_cached(redis)) == 2  # "one" and the other client's "two"


def test_render_time_is_budgeted_per_shop_across_clients(
    client: FlaskClient, shopify_shop: Shop, app: Any, roomy: Template, session: Session
) -> None:
    app.config.update(STOREFRONT_RENDER_MS_PER_CLIENT=0, STOREFRONT_RENDER_MS_PER_SHOP=1)
    proxy = proxy_caller(client, shopify_shop)

    first = proxy.post("/previews", json=body(roomy, text("one")))
    save = proxy.post(
        "/designs",
        json={"template_id": roomy.id, "document": document(text("two"))},
        headers={"X-Forwarded-For": "198.51.100.8"},
    )

    assert (first.status_code, save.status_code) == (200, 429)
    assert session.scalar(select(func.count()).select_from(Design)) == 0
