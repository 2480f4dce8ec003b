"""Merchant controls: per-product switch, styles and deny-list, usage, blocking, bulk batches."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Generation, GenerationStatus, Shop, Template, UsageRecord
from jobs.ai_cli import register_ai_commands
from tests.integration.ai.conftest import Storefront, drain
from tests.support.shopify import session_token


def _auth(shop: Shop) -> dict[str, str]:
    return {"Authorization": f"Bearer {session_token(shop.domain)}"}


def test_merchant_switches_ai_and_edits_styles_and_blocked_words(
    client: FlaskClient, redis: Redis, session: Session, ai_shop: Shop, ai_template: Template
) -> None:
    off = client.put(
        f"/api/admin/ai/templates/{ai_template.id}",
        json={"ai_enabled": False},
        headers=_auth(ai_shop),
    )
    saved = client.put(
        "/api/admin/ai/settings",
        json={
            "styles": [{"key": "neon", "label": "Neon", "prefix": "Glowing neon sign of"}],
            "deny_terms": "Acme\n acme \nRival Brand",
        },
        headers=_auth(ai_shop),
    )
    bad = client.put(
        "/api/admin/ai/settings",
        json={"styles": [{"key": "Bad Key!", "label": "X", "prefix": "y"}]},
        headers=_auth(ai_shop),
    )

    assert off.json == {"id": ai_template.id, "ai_enabled": False}
    assert saved.json["deny_terms"] == ["acme", "rival brand"]
    assert saved.json["styles"] == [
        {"key": "neon", "label": "Neon", "prefix": "Glowing neon sign of"}
    ]
    assert bad.status_code == 400
    assert "styles.0.key" in bad.json["error"]["fields"]
    document = Storefront(client, ai_shop).get("/products/555/template").json
    assert document["ai"]["enabled"] is False


def test_blocked_image_leaves_the_cache_and_the_gallery_shows_it(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_shop: Shop,
    ai_template: Template,
) -> None:
    shopper = Storefront(client, ai_shop)
    first = shopper.post(ai_template, "a smiling sun").json
    drain(app)

    blocked = client.post(f"/api/admin/ai/generations/{first['id']}/block", headers=_auth(ai_shop))
    again = shopper.post(ai_template, "a smiling sun").json
    overview = client.get("/api/admin/ai", headers=_auth(ai_shop)).json
    page = client.get("/admin/ai", headers=_auth(ai_shop))

    assert blocked.json == {"id": first["id"], "blocked": True}
    assert shopper.get(first["poll_url"]).json["image"] is None
    assert again["status"] == "queued"  # not served from the blocked image: a new, charged one
    assert overview["usage"]["used"] == 2
    assert overview["gallery"][0]["blocked"] is True
    assert page.status_code == 200
    assert "a smiling sun" in page.text


def test_bulk_variations_run_as_one_batch_job_each_charged(
    app: Flask,
    client: FlaskClient,
    redis: Redis,
    session: Session,
    ai_template: Template,
    ai_shop: Shop,
) -> None:
    ai_shop.plan = "pro"
    session.commit()

    started = client.post(
        "/api/admin/ai/bulk",
        json={"template_id": ai_template.id, "prompts": ["a red fox", "a blue whale", ""]},
        headers=_auth(ai_shop),
    )
    drain(app)

    assert started.status_code == 202
    rows = session.scalars(
        select(Generation).where(Generation.batch_id == started.json["batch_id"])
    ).all()
    assert sorted(r.status for r in rows) == [GenerationStatus.SUCCEEDED] * 2
    used = session.scalar(select(func.count()).select_from(UsageRecord))
    assert used == 2


def test_bulk_needs_the_bulk_feature(
    client: FlaskClient, redis: Redis, ai_shop: Shop, ai_template: Template
) -> None:
    refused = client.post(
        "/api/admin/ai/bulk",
        json={"template_id": ai_template.id, "prompts": ["a cat"]},
        headers=_auth(ai_shop),
    )
    assert refused.status_code == 402


def test_luneo_ai_bulk_runs_a_prompt_file_here_with_each_prompt_charged(
    app: Flask, redis: Redis, session: Session, ai_template: Template, ai_shop: Shop, tmp_path: Path
) -> None:
    ai_shop.plan = "pro"
    session.commit()
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a red fox\n\na lighthouse at dusk\n", encoding="utf-8")
    register_ai_commands(app.cli)

    result = app.test_cli_runner().invoke(
        args=["ai", "bulk", "--template", str(ai_template.id), "--here", str(prompts)]
    )

    assert result.exit_code == 0, result.output
    assert "2 prompts, 0 from cache" in result.output
    session.expire_all()
    rows = session.scalars(select(Generation).where(Generation.batch_id.is_not(None))).all()
    assert sorted(r.status for r in rows) == [GenerationStatus.SUCCEEDED] * 2
    assert all(r.file_id is not None for r in rows)
    assert session.scalar(select(func.count()).select_from(UsageRecord)) == 2


def test_luneo_ai_bulk_explains_a_plan_without_bulk(
    app: Flask, session: Session, ai_template: Template, tmp_path: Path
) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a cat\n", encoding="utf-8")
    register_ai_commands(app.cli)

    result = app.test_cli_runner().invoke(
        args=["ai", "bulk", "--template", str(ai_template.id), "--here", str(prompts)]
    )

    assert result.exit_code != 0
    assert "not included in the Starter plan" in result.output
    assert session.scalar(select(func.count()).select_from(Generation)) == 0


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_bulk_from_the_admin_and_the_cli_follows_the_ai_settings(
    app: Flask,
    client: FlaskClient,
    session: Session,
    ai_template: Template,
    ai_shop: Shop,
    tmp_path: Path,
) -> None:
    """Bulk batches used to ignore AI_DEADLINE_SECONDS (a fixed 600 s), and the CLI's ignored
    AI_TRANSPARENT_BACKGROUND: the same settings as a shopper's request now apply everywhere."""
    ai_shop.plan = "pro"
    session.commit()
    app.config.update(
        AI_DEADLINE_SECONDS=4242, AI_IMAGE_QUALITY="high", AI_TRANSPARENT_BACKGROUND=True
    )
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a lighthouse at dusk\n", encoding="utf-8")
    register_ai_commands(app.cli)

    started = client.post(
        "/api/admin/ai/bulk",
        json={"template_id": ai_template.id, "prompts": ["a red fox"]},
        headers=_auth(ai_shop),
    )
    ran = app.test_cli_runner().invoke(
        args=["ai", "bulk", "--template", str(ai_template.id), "--here", str(prompts)]
    )

    assert started.status_code == 202
    assert ran.exit_code == 0, ran.output
    session.expire_all()
    rows = session.scalars(select(Generation).where(Generation.batch_id.is_not(None))).all()
    assert len(rows) == 2
    for row in rows:
        assert row.deadline_at is not None
        lifetime = _aware(row.deadline_at) - _aware(row.created_at)
        assert abs(lifetime.total_seconds() - 4242) < 60
        assert (row.options["quality"], row.options["transparent"]) == ("high", True)
