"""What the merchant sees and controls: usage against quota, the gallery, blocking, bulk runs."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from sqlalchemy import func, select

from app.billing import quota
from app.generation.requests import Limits, Options, Requester, request_generation
from app.models import (
    Generation,
    GenerationStatus,
    Shop,
    ShopScope,
    StoredFile,
    Template,
    UsageKind,
)
from app.queue import JobSpec, enqueue_after_commit

MAX_BULK_PROMPTS = 200


def usage(scope: ShopScope, shop: Shop) -> dict[str, Any]:
    """This period: charged generations against the plan, and what was refused or cached."""
    state = quota.allowance(scope.session, shop, UsageKind.AI_GENERATION)
    counts = dict(
        scope.session.execute(
            select(Generation.status, func.count())
            .where(Generation.shop_id == scope.shop_id, Generation.created_at >= state.period_start)
            .group_by(Generation.status)
        ).all()
    )
    cached = scope.session.scalar(
        select(func.count())
        .select_from(Generation)
        .where(
            Generation.shop_id == scope.shop_id,
            Generation.created_at >= state.period_start,
            Generation.cached_from_id.is_not(None),
        )
    )
    return {
        "plan": state.plan.name,
        "ai_in_plan": "ai" in {f.value for f in state.plan.features},
        "used": state.used,
        "included": state.included,
        "overage_units": state.overage_units,
        "period_start": state.period_start.isoformat(),
        "refused": int(counts.get(GenerationStatus.REFUSED, 0)),
        "failed": int(counts.get(GenerationStatus.FAILED, 0)),
        "succeeded": int(counts.get(GenerationStatus.SUCCEEDED, 0)),
        "cache_hits": int(cached or 0),
    }


@dataclass(frozen=True)
class GalleryItem:
    generation: Generation
    file: StoredFile | None


def gallery(scope: ShopScope, limit: int = 48) -> list[GalleryItem]:
    """Recent generated images (first of each cached image only), newest first."""
    stmt = (
        scope.select(Generation)
        .where(Generation.status == GenerationStatus.SUCCEEDED, Generation.cached_from_id.is_(None))
        .order_by(Generation.id.desc())
        .limit(limit)
    )
    rows = list(scope.session.scalars(stmt))
    ids = [r.file_id for r in rows if r.file_id]
    files = (
        {
            f.id: f
            for f in scope.session.scalars(scope.select(StoredFile).where(StoredFile.id.in_(ids)))
        }
        if ids
        else {}
    )
    return [GalleryItem(r, files.get(r.file_id or 0)) for r in rows]


def block(scope: ShopScope, public_id: str) -> Generation | None:
    """Block an image: out of the cache, and no longer placeable in new designs."""
    row = scope.get_by(Generation, public_id=public_id)
    if row is None:
        return None
    now = datetime.now(UTC)
    same_image = scope.select(Generation).where(
        (Generation.cache_key == row.cache_key) | (Generation.file_id == row.file_id)
        if row.file_id
        else Generation.id == row.id
    )
    for generation in scope.session.scalars(same_image):
        generation.blocked_at = generation.blocked_at or now
    scope.session.flush()
    return row


def blocked_file_ids(scope: ShopScope, file_ids: Sequence[int]) -> set[int]:
    """Which of these files are blocked generated images (for design validation)."""
    if not file_ids:
        return set()
    stmt = select(Generation.file_id).where(
        Generation.shop_id == scope.shop_id,
        Generation.file_id.in_(list(file_ids)),
        Generation.blocked_at.is_not(None),
    )
    return {fid for fid in scope.session.scalars(stmt) if fid is not None}


def set_template_ai(scope: ShopScope, template_id: int, enabled: bool) -> Template | None:
    template = scope.get(Template, template_id)
    if template is not None:
        template.ai_enabled = enabled
        scope.session.flush()
    return template


def bulk_spec(batch_id: str, shop_id: int, generation_ids: list[int]) -> JobSpec:
    return JobSpec(
        "ai",
        "jobs.ai.generate_batch",
        (generation_ids,),
        job_id=f"ai-batch-{batch_id}",
        retries=1,
        retry_intervals=(5,),
        description=f"AI bulk batch {batch_id} ({len(generation_ids)} prompts)",
        meta={"shop_id": shop_id, "batch_id": batch_id},
    )


def start_bulk(
    scope: ShopScope,
    redis: Redis,
    template: Template,
    area_key: str,
    prompts: Sequence[str],
    style_key: str | None,
    options: Options,
    limits: Limits,
) -> tuple[str, list[Generation]]:
    """One batch job for many prompts; each is checked and charged like a shopper's request.

    Raises the same errors as ``request_generation`` (the first refused prompt or an exhausted
    quota stops the whole batch before anything is charged: the caller rolls back).
    """
    clean = [p for p in (line.strip() for line in prompts) if p]
    if not clean or len(clean) > MAX_BULK_PROMPTS:
        raise ValueError(f"give between 1 and {MAX_BULK_PROMPTS} prompts")
    batch_id = secrets.token_hex(8)
    requester = Requester(client_key=f"bulk:{batch_id}")
    rows = [
        request_generation(
            scope,
            redis,
            template,
            area_key,
            prompt,
            style_key,
            options,
            requester,
            limits,
            batch_id=batch_id,
        )
        for prompt in clean
    ]
    pending = [r.id for r in rows if not r.is_finished]
    if pending:
        enqueue_after_commit(scope.session, redis, bulk_spec(batch_id, scope.shop_id, pending))
    return batch_id, rows
