"""Prompt → queued job → finished image layer, on the offline provider, through the app proxy."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import get_storage
from app.models import (
    Generation,
    GenerationStatus,
    Shop,
    ShopScope,
    StoredFile,
    Template,
    UsageRecord,
)
from app.production.assets import stored_file_for_ref
from tests.integration.ai.conftest import Storefront, drain, signed_query


def _usage(session: Session, shop: Shop) -> int:
    stmt = select(func.count()).select_from(UsageRecord).where(UsageRecord.shop_id == shop.id)
    return int(session.scalar(stmt) or 0)


def test_prompt_becomes_an_upscaled_image_layer(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
) -> None:
    shopper = Storefront(client, ai_shop)

    created = shopper.post(ai_template, "  a fox\u200b reading under a tree  ", style="watercolour")

    assert created.status_code == 202
    body = created.json
    assert body["status"] == "queued"
    assert body["poll_url"] == f"/ai/generations/{body['id']}"
    waiting = shopper.get(body["poll_url"]).json
    assert (waiting["status"], waiting["image"]) == ("queued", None)

    drain(app)

    done = shopper.get(body["poll_url"]).json
    assert done["status"] == "succeeded"
    assert done["progress"] == 100
    assert done["provider"] == "local"
    assert done["provider_label"] == "Luneo offline preview (development)"
    image = done["image"]
    assert image["src"].startswith(f"shops/{ai_shop.id}/")  # its unguessable storage key
    # 200x90 mm + 3 mm bleed at 300 DPI is 2433x1134 px: the 1024 px drawing was upscaled.
    assert image["width_px"] >= 2433
    assert image["height_px"] >= 1134
    assert image["effective_dpi"] >= 300.0 > image["native_dpi"]
    stored = stored_file_for_ref(ShopScope(session, ai_shop.id), image["src"])
    assert stored is not None
    assert stored.content_type == "image/png"
    with app.app_context(), get_storage().open(stored.key) as stream, Image.open(stream) as png:
        assert png.size == (image["width_px"], image["height_px"])
    row = session.scalars(select(Generation).where(Generation.public_id == body["id"])).one()
    assert row.prompt == "a fox reading under a tree"
    assert (
        row.options["final_prompt"] == "A soft watercolour painting of a fox reading under a tree"
    )
    assert _usage(session, ai_shop) == 1


def test_same_prompt_in_the_shop_is_served_from_cache(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
) -> None:
    first = Storefront(client, ai_shop).post(ai_template, "A lighthouse at dawn").json
    drain(app)

    again = Storefront(client, ai_shop, customer="77").post(ai_template, "a  LIGHTHOUSE at dawn")

    assert again.status_code == 202
    assert again.json["status"] == "succeeded"
    shown = Storefront(client, ai_shop).get(again.json["poll_url"]).json
    original = Storefront(client, ai_shop).get(first["poll_url"]).json
    assert shown["image"]["file_id"] == original["image"]["file_id"]
    assert _usage(session, ai_shop) == 1
    assert session.scalar(select(func.count()).select_from(StoredFile)) == 1


def test_disabled_template_and_plan_without_ai_are_refused(
    client: FlaskClient, redis: Redis, session: Session, ai_shop: Shop, ai_template: Template
) -> None:
    ai_template.ai_enabled = False
    session.commit()
    refused = Storefront(client, ai_shop).post(ai_template, "a red balloon")
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "ai_disabled")

    ai_template.ai_enabled = True
    ai_shop.plan = "free"
    session.commit()
    refused = Storefront(client, ai_shop).post(ai_template, "a red balloon")
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "ai_disabled")
    assert session.scalar(select(func.count()).select_from(Generation)) == 0


def test_merchant_deny_list_refuses_whole_words_uncharged(
    client: FlaskClient, redis: Redis, session: Session, ai_shop: Shop, ai_template: Template
) -> None:
    from app.generation import settings as ai_settings

    ai_settings.save(ShopScope(session, ai_shop.id), {"deny_terms": ["Disney", "star wars"]})
    session.commit()
    shopper = Storefront(client, ai_shop)

    refused = shopper.post(ai_template, "mickey from DISNEY on a boat")
    allowed = shopper.post(ai_template, "a disneyland-free castle of stars, wars of colour")

    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "prompt_refused"
    assert "rephrase" in refused.json["error"]["message"]
    assert allowed.status_code == 202
    rows = session.scalars(select(Generation).order_by(Generation.id)).all()
    assert [r.status for r in rows] == [GenerationStatus.REFUSED, GenerationStatus.QUEUED]
    assert rows[0].refusal_reason == "merchant_deny_list"
    assert _usage(session, ai_shop) == 1


def test_builtin_moderation_of_the_local_provider_refuses_in_the_job(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
) -> None:
    shopper = Storefront(client, ai_shop)
    created = shopper.post(ai_template, "a gory battlefield").json

    drain(app)

    shown = shopper.get(created["poll_url"]).json
    assert shown["status"] == "refused"
    assert shown["message"].startswith("We can't create an image from this description")
    assert shown["image"] is None
    assert _usage(session, ai_shop) == 0


def test_shopper_rate_limit_answers_429_with_retry_after(
    app: Flask, client: FlaskClient, redis: Redis, ai_shop: Shop, ai_template: Template
) -> None:
    app.config["AI_RATE_LIMIT_PER_MINUTE"] = 2
    shopper = Storefront(client, ai_shop)

    answers = [shopper.post(ai_template, f"a cat number {i}") for i in range(3)]

    assert [a.status_code for a in answers] == [202, 202, 429]
    assert answers[2].json["error"]["code"] == "rate_limited"
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 60
    other = Storefront(client, ai_shop, customer="991").post(ai_template, "a dog")
    assert other.status_code == 202


def test_bad_input_gets_a_clear_4xx(
    client: FlaskClient, redis: Redis, ai_shop: Shop, ai_template: Template
) -> None:
    shopper = Storefront(client, ai_shop)
    assert shopper.post(ai_template, "ok", area="back").status_code == 422
    assert shopper.post(ai_template, "x" * 501).json["error"]["code"] == "prompt_refused"
    assert shopper.post(ai_template, "a cat", style="nope").status_code == 422
    bad = client.post(
        f"/proxy/ai/generations?{signed_query(ai_shop.domain)}",
        json={"template_id": "x", "area": "front", "prompt": "a cat"},
    )
    assert bad.status_code == 400
    assert shopper.get("/ai/generations/g_nope").status_code == 404


def test_template_document_carries_the_ai_block(
    client: FlaskClient, ai_shop: Shop, ai_template: Template
) -> None:
    document = Storefront(client, ai_shop).get("/products/555/template").json

    assert document["ai"]["enabled"] is True
    assert document["ai"]["provider"] == "local"
    assert document["ai"]["provider_label"] == "Luneo offline preview (development)"
    assert {"key": "watercolour", "label": "Watercolour"} in document["ai"]["styles"]


def test_a_huge_prompt_is_refused_before_it_is_normalised(
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Megabytes of prompt used to be normalised character by character (seconds per request)."""
    from app.ai import safety

    normalised: list[int] = []
    real = safety.normalize_prompt
    monkeypatch.setattr(
        safety, "normalize_prompt", lambda raw: normalised.append(len(raw)) or real(raw)
    )

    refused = Storefront(client, ai_shop).post(ai_template, "a cat " * 200_000)

    assert (refused.status_code, refused.json["error"]["code"]) == (422, "prompt_refused")
    assert normalised == []
    row = session.scalars(select(Generation)).one()
    assert (row.status, row.refusal_reason) == (GenerationStatus.REFUSED, "too_long")
    assert len(row.prompt) <= 2000
    assert _usage(session, ai_shop) == 0


def test_a_cached_answer_carries_its_image_like_a_fresh_one(
    app: Flask, client: FlaskClient, redis: Redis, ai_shop: Shop, ai_template: Template
) -> None:
    """Issue #16: the widget stops at "succeeded", so a cache hit without its image was an error."""
    first = Storefront(client, ai_shop).post(ai_template, "A red kite over hills").json
    drain(app)
    fresh = Storefront(client, ai_shop).get(first["poll_url"]).json

    again = Storefront(client, ai_shop).post(ai_template, "a red kite over hills")

    assert again.status_code == 202
    cached = again.json
    assert cached["status"] == "succeeded"
    assert cached["poll_url"] == f"/ai/generations/{cached['id']}"
    assert cached["image"] is not None
    assert cached["image"]["src"] == fresh["image"]["src"]
    assert cached["image"]["file_id"] == fresh["image"]["file_id"]
    assert cached["image"]["url"]
    for key in ("width_px", "height_px", "effective_dpi", "native_dpi"):
        assert cached["image"][key] == fresh["image"][key]
    assert cached["message"] == "Your image is ready."
    assert Storefront(client, ai_shop).get(cached["poll_url"]).json["image"] == cached["image"]
    served = client.get(cached["image"]["url"])
    assert served.status_code == 200
    served.close()
