"""The OpenAI provider against a faithful local fake: moderation, retries, failures, timeouts."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Generation, Shop, Template, UsageRecord
from tests.integration.ai.conftest import Storefront, drain
from tests.support.fake_openai import Fail, FakeOpenAI, Stall

pytestmark = pytest.mark.usefixtures("openai_settings")


def _usage(session: Session, shop: Shop) -> int:
    stmt = select(func.count()).select_from(UsageRecord).where(UsageRecord.shop_id == shop.id)
    return int(session.scalar(stmt) or 0)


def _run(app: Flask, client: FlaskClient, shop: Shop, template: Template, prompt: str) -> dict:
    shopper = Storefront(client, shop)
    created = shopper.post(template, prompt)
    assert created.status_code == 202
    drain(app)
    return dict(shopper.get(created.json["poll_url"]).json)


def test_generation_goes_through_moderation_then_the_image_model(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
    fake_openai: FakeOpenAI,
) -> None:
    shown = _run(app, client, ai_shop, ai_template, "a fox reading under a tree")

    assert shown["status"] == "succeeded"
    assert (shown["provider"], shown["provider_label"]) == (
        "openai",
        "OpenAI (gpt-image-2.5-flare)",
    )
    moderation = fake_openai.calls("moderations")[0].body
    assert moderation == {"model": "omni-moderation-latest", "input": "a fox reading under a tree"}
    request = fake_openai.calls("images")[0].body
    assert request["model"] == "gpt-image-2.5-flare"
    assert request["output_format"] == "png"
    assert request["n"] == 1
    width, height = map(int, request["size"].split("x"))
    assert width % 16 == 0
    assert height % 16 == 0
    assert 2.0 < width / height < 2.3
    assert len(request["safety_identifier"]) == 32
    assert shown["image"]["effective_dpi"] >= 300
    assert _usage(session, ai_shop) == 1


def test_flagged_prompt_is_refused_and_not_charged(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
    fake_openai: FakeOpenAI,
) -> None:
    shown = _run(app, client, ai_shop, ai_template, "a bloodbath in the street")

    assert shown["status"] == "refused"
    assert "describe something else" in shown["message"]
    assert fake_openai.calls("images") == []
    row = session.scalars(select(Generation)).one()
    assert row.refusal_reason == "moderation:violence/graphic"
    assert _usage(session, ai_shop) == 0


def test_image_model_safety_refusal_is_refused_not_failed(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script(
        "images",
        Fail(
            400,
            code="moderation_blocked",
            type="image_generation_user_error",
            message="Your request was rejected by the safety system.",
        ),
    )

    shown = _run(app, client, ai_shop, ai_template, "an innocent-looking teapot")

    assert shown["status"] == "refused"
    assert _usage(session, ai_shop) == 0


def test_rate_limited_then_success_respects_retry_headers(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script(
        "images",
        Fail(
            429,
            code="rate_limit_exceeded",
            type="requests",
            message="Rate limit reached for images per minute.",
            headers={"retry-after-ms": "20", "x-ratelimit-remaining-requests": "0"},
        ),
        Fail(429, code="rate_limit_exceeded", type="requests", headers={"retry-after": "0"}),
    )

    shown = _run(app, client, ai_shop, ai_template, "a sailing boat")

    assert shown["status"] == "succeeded"
    assert len(fake_openai.calls("images")) == 3
    assert _usage(session, ai_shop) == 1


def test_server_errors_until_attempts_run_out_fail_with_a_message(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script("images", Fail(500), Fail(502), Fail(503))

    shown = _run(app, client, ai_shop, ai_template, "a mountain lake")

    assert shown["status"] == "failed"
    assert (
        shown["message"]
        == "The image could not be created right now. Please try again in a moment."
    )
    assert len(fake_openai.calls("images")) == 3  # AI_RETRY_ATTEMPTS, then no more
    row = session.scalars(select(Generation)).one()
    assert row.error is not None
    assert "503" in row.error
    assert _usage(session, ai_shop) == 0


def test_a_stalled_service_times_out_and_is_retried(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script("images", Stall(1.5))

    shown = _run(app, client, ai_shop, ai_template, "a quiet forest")

    assert shown["status"] == "succeeded"
    assert len(fake_openai.calls("images")) == 2


def test_bad_key_fails_at_once_and_never_falls_back_to_local(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
    fake_openai: FakeOpenAI,
) -> None:
    app.config["OPENAI_API_KEY"] = "sk-wrong"

    shown = _run(app, client, ai_shop, ai_template, "a red kite")

    assert (shown["status"], shown["provider"], shown["image"]) == ("failed", "openai", None)
    assert len(fake_openai.calls("moderations")) == 1
    assert "401" in (session.scalars(select(Generation)).one().error or "")
