"""Issue #19: a prompt gives a few pictures to choose from, a repeat of it works (from the cache,
free), "Regenerate" makes new ones (charged), and a set is counted as the images it holds."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import get_storage
from app.generation.requests import VARIANTS
from app.models import Shop, StoredFile, Template, UsageKind, UsageRecord
from app.queue import get_queue
from tests.integration.ai.conftest import Storefront, drain, signed_query
from tests.support.fake_openai import FakeOpenAI


def _usage(session: Session, shop: Shop) -> int:
    stmt = select(func.count()).select_from(UsageRecord).where(UsageRecord.shop_id == shop.id)
    return int(session.scalar(stmt) or 0)


def _ask(client: FlaskClient, shop: Shop, template: Template, prompt: str, **extra: Any) -> Any:
    """The widget's own request: no ``variants``, the server decides how many."""
    body = {"template_id": template.id, "area": "front", "prompt": prompt, **extra}
    return client.post(f"/proxy/ai/generations?{signed_query(shop.domain)}", json=body)


def _digests(app: Flask, session: Session, variants: list[dict[str, Any]]) -> list[str]:
    keys = [v["image"]["src"] for v in variants]
    digests = []
    with app.app_context():
        for key in keys:
            stored = session.scalars(select(StoredFile).where(StoredFile.key == key)).one()
            with get_storage().open(stored.key) as stream:
                digests.append(hashlib.sha256(stream.read()).hexdigest())
    return digests


def test_a_prompt_gives_variants_polled_together(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
) -> None:
    created = _ask(client, ai_shop, ai_template, "a fox reading under a tree")

    assert created.status_code == 202
    body = created.json
    assert len(body["variants"]) == VARIANTS == 4
    assert {v["status"] for v in body["variants"]} == {"queued"}
    assert body["id"] == body["variants"][0]["id"]  # the first, as one image was answered
    assert len(get_queue("ai", redis).jobs) == 1  # one job asks the provider for all four
    drain(app)

    assert body["variants_url"] == "/ai/variants/" + ",".join(v["id"] for v in body["variants"])
    polled = Storefront(client, ai_shop).get(body["variants_url"]).json
    variants = polled["variants"]
    assert [v["id"] for v in variants] == [v["id"] for v in body["variants"]]
    assert {(v["status"], v["progress"]) for v in variants} == {("succeeded", 100)}
    assert len({v["image"]["file_id"] for v in variants}) == 4
    assert len(set(_digests(app, session, variants))) == 4  # four different pictures
    assert _usage(session, ai_shop) == 4  # each picture is a generation, charged once


def test_a_repeat_comes_from_the_cache_and_regenerate_makes_new_ones(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
) -> None:
    app.config["AI_RATE_LIMIT_PER_MINUTE"] = 9  # two sets of four new pictures, one cached
    first = _ask(client, ai_shop, ai_template, "A lighthouse at dawn").json
    drain(app)
    made = Storefront(client, ai_shop).get(first["variants_url"]).json

    again = _ask(client, ai_shop, ai_template, "a lighthouse at dawn")

    assert again.status_code == 202
    cached = again.json["variants"]
    assert [v["status"] for v in cached] == ["succeeded"] * 4
    assert [v["image"]["src"] for v in cached] == [v["image"]["src"] for v in made["variants"]]
    assert _usage(session, ai_shop) == 4  # the repeat is free
    assert get_queue("ai", redis).jobs == []

    fresh = _ask(client, ai_shop, ai_template, "a lighthouse at dawn", fresh=True)

    assert fresh.status_code == 202
    assert [v["status"] for v in fresh.json["variants"]] == ["queued"] * 4
    drain(app)
    regenerated = Storefront(client, ai_shop).get(fresh.json["variants_url"]).json["variants"]
    assert [v["status"] for v in regenerated] == ["succeeded"] * 4
    before = set(_digests(app, session, made["variants"]))
    after = set(_digests(app, session, regenerated))
    assert len(after) == 4
    assert not before & after  # new pictures, not the cached ones again
    assert _usage(session, ai_shop) == 8


def test_a_set_shrinks_to_what_the_shoppers_limit_has_left(
    app: Flask, client: FlaskClient, redis: Redis, ai_shop: Shop, ai_template: Template
) -> None:
    app.config["AI_RATE_LIMIT_PER_MINUTE"] = 6  # images per minute (a shop that set 6)

    first = _ask(client, ai_shop, ai_template, "a cat on a roof")
    second = _ask(client, ai_shop, ai_template, "a cat on a roof", fresh=True)
    third = _ask(client, ai_shop, ai_template, "a cat on a roof", fresh=True)

    assert (first.status_code, len(first.json["variants"])) == (202, 4)
    assert (second.status_code, len(second.json["variants"])) == (202, 2)
    assert (third.status_code, third.json["error"]["code"]) == (429, "rate_limited")
    assert 1 <= int(third.headers["Retry-After"]) <= 60


def test_a_set_shrinks_to_the_quota_left_and_is_refused_when_none_is(
    client: FlaskClient, redis: Redis, session: Session, ai_shop: Shop, ai_template: Template
) -> None:
    from app.billing import quota

    state = quota.allowance(session, ai_shop, UsageKind.AI_GENERATION)
    price = state.plan.ai_generation_overage
    assert price is not None
    limit = state.included + int(state.plan.overage_cap / price)
    session.add(
        UsageRecord(
            shop_id=ai_shop.id,
            kind=UsageKind.AI_GENERATION,
            quantity=limit - 2,
            idempotency_key="earlier-this-month",
        )
    )
    session.commit()

    two = _ask(client, ai_shop, ai_template, "a boat at sea")
    none = _ask(client, ai_shop, ai_template, "a boat at night")

    assert (two.status_code, len(two.json["variants"])) == (202, 2)
    assert (none.status_code, none.json["error"]["code"]) == (402, "quota_exceeded")
    used = session.scalar(
        select(func.sum(UsageRecord.quantity)).where(UsageRecord.shop_id == ai_shop.id)
    )
    assert used == limit


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"variants": "four"}, 400),
        ({"variants": 0}, 400),
        ({"variants": True}, 400),
        ({"variants": 2.5}, 400),
        ({"fresh": "yes"}, 400),
    ],
)
def test_bad_variant_input_gets_a_clear_400(
    client: FlaskClient,
    redis: Redis,
    ai_shop: Shop,
    ai_template: Template,
    extra: dict[str, Any],
    status: int,
) -> None:
    answer = _ask(client, ai_shop, ai_template, "a red balloon", **extra)
    assert (answer.status_code, answer.json["error"]["code"]) == (status, "invalid")


def test_more_than_the_cap_is_the_cap_and_polling_takes_at_most_the_cap(
    client: FlaskClient, redis: Redis, ai_shop: Shop, ai_template: Template
) -> None:
    answer = _ask(client, ai_shop, ai_template, "a red balloon", variants=50)

    assert (answer.status_code, len(answer.json["variants"])) == (202, VARIANTS)
    shopper = Storefront(client, ai_shop)
    ids = ",".join(["g_x"] * (VARIANTS + 1))
    assert shopper.get(f"/ai/variants/{ids}").status_code == 400
    assert shopper.get("/ai/variants/g_nope").status_code == 404


@pytest.mark.usefixtures("openai_settings")
def test_openai_makes_the_variants_in_one_request_with_n(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
    fake_openai: FakeOpenAI,
) -> None:
    created = _ask(client, ai_shop, ai_template, "a whale in the sea").json
    drain(app)

    polled = Storefront(client, ai_shop).get(created["variants_url"]).json
    assert [v["status"] for v in polled["variants"]] == ["succeeded"] * 4
    assert len(fake_openai.calls("moderations")) == 1
    [request] = fake_openai.calls("images")
    assert request.body["n"] == 4
    assert len(set(_digests(app, session, polled["variants"]))) == 4
    assert _usage(session, ai_shop) == 4


@pytest.mark.parametrize(
    ("model", "wanted", "asked"),
    [("gpt-image-1", 12, [10, 2]), ("dall-e-3", 3, [1, 1, 1]), ("gpt-image-1", 1, [1])],
)
def test_the_openai_provider_asks_n_as_the_images_api_allows(
    fake_openai: FakeOpenAI, model: str, wanted: int, asked: list[int]
) -> None:
    """``n`` is 1 to 10 (the fake answers 400 beyond, as OpenAI does); dall-e-3 takes only 1."""
    from app.ai.base import ImageRequest
    from app.ai.openai_provider import OpenAIProvider, OpenAISettings

    settings = OpenAISettings(api_key="sk-test-luneo", base_url=fake_openai.base_url, model=model)
    provider = OpenAIProvider(settings)

    images = provider.generate(ImageRequest("a kite", 1024, 1024, n=wanted))

    assert [call.body["n"] for call in fake_openai.calls("images")] == asked
    assert len(images) == wanted
    assert len({image.png for image in images}) == max(asked)  # the fake draws per call


def test_a_cached_repeat_counts_once(
    app: Flask, client: FlaskClient, redis: Redis, ai_shop: Shop, ai_template: Template
) -> None:
    """As every request did before sets: a repeat is free for the quota, never for hammering."""
    app.config["AI_RATE_LIMIT_PER_MINUTE"] = 6

    made = _ask(client, ai_shop, ai_template, "a kite over a beach")  # 4
    cached = _ask(client, ai_shop, ai_template, "a kite over a beach")  # 1
    last = _ask(client, ai_shop, ai_template, "a kite at night")  # the 1 left
    over = _ask(client, ai_shop, ai_template, "a kite over a beach")

    assert [len(a.json["variants"]) for a in (made, cached, last)] == [4, 4, 1]
    assert (over.status_code, over.json["error"]["code"]) == (429, "rate_limited")


def test_a_prompt_refused_at_once_counts_against_the_limit(
    app: Flask, client: FlaskClient, redis: Redis, ai_shop: Shop, ai_template: Template
) -> None:
    app.config["AI_RATE_LIMIT_PER_MINUTE"] = 2

    answers = [_ask(client, ai_shop, ai_template, "x" * 600) for _ in range(2)]
    after = _ask(client, ai_shop, ai_template, "a kite")

    assert [a.json["error"]["code"] for a in answers] == ["prompt_refused"] * 2
    assert (after.status_code, after.json["error"]["code"]) == (429, "rate_limited")
