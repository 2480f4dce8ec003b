"""A shopper asks for an image: check, cache, charge, queue — in one transaction.

Order matters: cheap local checks first (enabled, plan, area, rate limit, prompt safety); then the
shop row is locked so the cache lookup and the quota reservation are one step for concurrent
requests (two shoppers typing the same prompt pay once; a burst never passes the quota). Refused
prompts are recorded (for the merchant's stats) and never charged. The job is enqueued only after
the commit.

A shopper asks for a few variants at once (``request_variants``): each variant is a generation of
its own, cached under its own key, charged one quota unit and counted once by the rate limits, so
a set of four costs what four requests would; a set shrinks to what the limits and the quota have
left rather than being refused while one image is still possible. Asking again ("regenerate",
``fresh``) skips the cache and makes a new set.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from sqlalchemy import select

from app.ai.providers import image_model, provider_name
from app.ai.safety import PromptRefused, check_prompt
from app.billing import quota
from app.billing.plans import Feature
from app.generation import settings as ai_settings
from app.generation.run import CUTOUT
from app.models import (
    Generation,
    GenerationStatus,
    PrintArea,
    Shop,
    ShopScope,
    StoredFile,
    Template,
    UsageKind,
)
from app.models.ai import new_generation_id
from app.queue import JobSpec, enqueue_after_commit
from app.ratelimit import RateLimited, Window, charge, hit, take

AI_DISABLED = "AI images are not available for this product."
RATE_LIMITED = "You're creating images very quickly. Please wait a moment and try again."
SHOP_BUSY = "This store is creating a lot of images right now. Please try again shortly."
DEFAULT_DEADLINE = 600  # seconds before an unfinished generation is reported as failed
VARIANTS = 4  # pictures a shopper's prompt gives to choose from (and the most one may ask for)


class AiUnavailable(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class Requester:
    """Who asks: the shopper's rate-limit identity and, when signed in, their customer id."""

    client_key: str
    customer_ref: str | None = None

    @property
    def limit_key(self) -> str:
        return f"customer:{self.customer_ref}" if self.customer_ref else self.client_key


@dataclass(frozen=True)
class Options:
    """Provider options that change the picture, so they are part of the cache key."""

    provider: str
    model: str
    quality: str = "medium"
    transparent: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "quality": self.quality,
            "transparent": self.transparent,
        }


@dataclass(frozen=True)
class Limits:
    per_shopper: tuple[Window, ...] = (Window(60, 6), Window(3600, 60))
    per_shop: tuple[Window, ...] = (Window(60, 120),)
    deadline_seconds: int = DEFAULT_DEADLINE


def options_from_config(config: Mapping[str, Any]) -> Options:
    """What every generation (storefront, admin, CLI) asks of the provider, from settings."""
    return Options(
        provider=provider_name(config),
        model=image_model(config),
        quality=str(config["AI_IMAGE_QUALITY"]),
        transparent=bool(config["AI_TRANSPARENT_BACKGROUND"]),
    )


def limits_from_config(config: Mapping[str, Any]) -> Limits:
    """Shopper and store limits on generations, and when an unfinished one is failed."""
    return Limits(
        per_shopper=(
            Window(60, int(config["AI_RATE_LIMIT_PER_MINUTE"])),
            Window(3600, int(config["AI_RATE_LIMIT_PER_HOUR"])),
        ),
        per_shop=(Window(60, int(config["AI_SHOP_RATE_LIMIT_PER_MINUTE"])),),
        deadline_seconds=int(config["AI_DEADLINE_SECONDS"]),
    )


def cache_key(
    shop_id: int, prompt: str, style: ai_settings.Style | None, options: Options, area: PrintArea
) -> str:
    material = {
        "shop": shop_id,
        "prompt": prompt.casefold(),
        "style": style.as_json() if style else None,
        "options": options.as_json(),
        "target": [*area.pixel_size, float(area.width_mm), float(area.height_mm), area.dpi],
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def find_area(template: Template, area_key: str) -> PrintArea:
    area = next((a for a in template.print_areas if a.key == area_key), None)
    if area is None:
        raise AiUnavailable("unknown_area", "This product has no print area with that name.", 422)
    return area


def _check_enabled(scope: ShopScope, shop: Shop, template: Template) -> None:
    if not template.ai_enabled or not template.is_active:
        raise AiUnavailable("ai_disabled", AI_DISABLED, 403)
    try:
        quota.require_feature(scope.session, shop, Feature.AI)
    except quota.FeatureNotInPlan:
        raise AiUnavailable("ai_disabled", AI_DISABLED, 403) from None


def _rate_limit(
    redis: Redis, shop: Shop, requester: Requester, limits: Limits, cost: int = 1
) -> None:
    hit(redis, f"ai:shop:{shop.id}", limits.per_shop, SHOP_BUSY, cost)
    hit(redis, f"ai:{shop.id}:{requester.limit_key}", limits.per_shopper, RATE_LIMITED, cost)


def _reusable(scope: ShopScope, key: str) -> Generation | None:
    stmt = (
        scope.select(Generation)
        .where(
            Generation.cache_key == key,
            Generation.blocked_at.is_(None),
            Generation.status.in_(
                [GenerationStatus.SUCCEEDED, GenerationStatus.RUNNING, GenerationStatus.QUEUED]
            ),
        )
        .order_by(Generation.id.desc())
        .limit(1)
    )
    found = scope.session.scalars(stmt).first()
    if found is not None and found.status is GenerationStatus.SUCCEEDED and found.file_id is None:
        return None
    return found


def _copy_result(source: Generation, row: Generation) -> None:
    for name in ("file_id", "width_px", "height_px", "native_dpi", "effective_dpi", "model"):
        setattr(row, name, getattr(source, name))
    row.status = GenerationStatus.SUCCEEDED
    row.progress = 100
    row.message = "Your image is ready."
    row.cached_from_id = source.id
    row.finished_at = datetime.now(UTC)


def variant_key(key: str, variant: int, nonce: str | None) -> str:
    """A variant's cache key: the first variant of a plain request keeps the prompt's own key
    (what one image per prompt was cached under), the others and a regenerated set get theirs."""
    if variant == 0 and nonce is None:
        return key
    return hashlib.sha256(f"{key}:{variant}:{nonce or ''}".encode()).hexdigest()


def set_spec(generations: list[Generation]) -> JobSpec:
    """One job for a set's variants: one provider request (``n``) makes them all."""
    ids = [g.id for g in generations]
    return JobSpec(
        "ai",
        "jobs.ai.generate_set",
        (ids,),
        job_id=f"ai-set-{ids[0]}",
        retries=1,  # our retries are explicit (app.ai.retry); this one covers a crashed worker
        retry_intervals=(5,),
        description=f"AI generation {generations[0].public_id} ({len(ids)} variants)",
        meta={"shop_id": generations[0].shop_id},
    )


def generation_spec(generation: Generation) -> JobSpec:
    return JobSpec(
        "ai",
        "jobs.ai.generate",
        (generation.id,),
        job_id=f"ai-{generation.id}",
        retries=1,  # our retries are explicit (app.ai.retry); this one covers a crashed worker
        retry_intervals=(5,),
        description=f"AI generation {generation.public_id}",
        meta={"shop_id": generation.shop_id},
    )


def record_refusal(
    scope: ShopScope,
    template: Template,
    area_key: str,
    prompt: str,
    refused: PromptRefused,
    provider: str,
    requester: Requester,
) -> Generation:
    row = Generation(
        template_id=template.id,
        area_key=area_key,
        prompt=prompt[:2000],
        cache_key="",
        status=GenerationStatus.REFUSED,
        progress=100,
        message=refused.message,
        refusal_reason=refused.reason,
        provider=provider,
        client_key=requester.client_key,
        customer_ref=requester.customer_ref,
        finished_at=datetime.now(UTC),
    )
    scope.add(row)
    scope.session.flush()
    return row


def _open_for_ai(scope: ShopScope, template: Template, area_key: str) -> tuple[Shop, PrintArea]:
    """The shop and the print area of a request, once AI images are on for both (else
    AiUnavailable): what every kind of AI request checks first."""
    shop = scope.session.get(Shop, scope.shop_id)
    assert shop is not None
    _check_enabled(scope, shop, template)
    return shop, find_area(template, area_key)


def request_generation(
    scope: ShopScope,
    redis: Redis,
    template: Template,
    area_key: str,
    raw_prompt: str,
    style_key: str | None,
    options: Options,
    requester: Requester,
    limits: Limits = Limits(),
    batch_id: str | None = None,
) -> Generation:
    """A Generation row (queued, cached or refused) and its job, enqueued after commit.

    Raises AiUnavailable, RateLimited, PromptRefused (after recording it) and QuotaExceeded.
    The caller commits.
    """
    shop, area = _open_for_ai(scope, template, area_key)
    if batch_id is None:
        _rate_limit(redis, shop, requester, limits)
    style = ai_settings.style_by_key(scope, style_key)
    if style_key and style is None:
        raise AiUnavailable("unknown_style", "Choose one of the styles offered.", 422)
    try:
        prompt = check_prompt(raw_prompt, ai_settings.deny_terms(scope)).prompt
    except PromptRefused as refused:
        record_refusal(scope, template, area_key, raw_prompt, refused, options.provider, requester)
        raise
    key = cache_key(shop.id, prompt, style, options, area)
    # Lock the shop row: cache lookup, quota count and insert are one step for concurrent requests.
    scope.session.execute(select(Shop.id).where(Shop.id == shop.id).with_for_update())
    row = Generation(
        template_id=template.id,
        area_key=area.key,
        prompt=prompt,
        style=style.key if style else None,
        cache_key=key,
        options={**options.as_json(), "final_prompt": style.apply(prompt) if style else prompt},
        provider=options.provider,
        client_key=requester.client_key,
        customer_ref=requester.customer_ref,
        batch_id=batch_id,
        message="Waiting for an image slot…",
        deadline_at=datetime.now(UTC) + timedelta(seconds=limits.deadline_seconds),
    )
    source = _reusable(scope, key)
    if source is not None and source.status is not GenerationStatus.SUCCEEDED and batch_id is None:
        return source  # the same picture is already being made in this shop: share it
    scope.add(row)
    scope.session.flush()
    if source is not None and source.status is GenerationStatus.SUCCEEDED:
        _copy_result(source, row)
        return row
    record = quota.reserve(scope.session, shop, UsageKind.AI_GENERATION, f"ai:{row.public_id}")
    row.usage_record_id = record.id
    if batch_id is None:
        enqueue_after_commit(scope.session, redis, generation_spec(row))
    return row


def _take(redis: Redis, shop: Shop, requester: Requester, limits: Limits, wanted: int) -> int:
    """How many new pictures the limits allow now (``wanted`` at most); a request with none to
    make (all cached or shared) still counts once, as every request always did."""
    if wanted == 0:
        _rate_limit(redis, shop, requester, limits)
        return 0
    granted = take(redis, f"ai:shop:{shop.id}", limits.per_shop, SHOP_BUSY, wanted)
    shopper = f"ai:{shop.id}:{requester.limit_key}"
    return take(redis, shopper, limits.per_shopper, RATE_LIMITED, granted)


def _variant_row(
    template: Template,
    area: PrintArea,
    prompt: str,
    style: ai_settings.Style | None,
    options: Options,
    requester: Requester,
    limits: Limits,
    key: str,
    extra: dict[str, Any],
) -> Generation:
    return Generation(
        public_id=new_generation_id(),
        template_id=template.id,
        area_key=area.key,
        prompt=prompt,
        style=style.key if style else None,
        cache_key=key,
        options={
            **options.as_json(),
            "final_prompt": style.apply(prompt) if style else prompt,
            **extra,
        },
        provider=options.provider,
        client_key=requester.client_key,
        customer_ref=requester.customer_ref,
        message="Waiting for an image slot…",
        deadline_at=datetime.now(UTC) + timedelta(seconds=limits.deadline_seconds),
    )


def request_variants(
    scope: ShopScope,
    redis: Redis,
    template: Template,
    area_key: str,
    raw_prompt: str,
    style_key: str | None,
    options: Options,
    requester: Requester,
    limits: Limits = Limits(),
    *,
    variants: int = VARIANTS,
    fresh: bool = False,
) -> list[Generation]:
    """Up to ``variants`` generations of one prompt (cached, shared while in progress, or new),
    the new ones made by one job enqueued after commit.

    Cached and shared pictures cost nothing (a request with no new one counts once against the
    rate limits, as any request); each new one is counted by the rate limits and charged a
    quota unit, and the set keeps as many new ones as both allow (at least one, else
    RateLimited or QuotaExceeded). Otherwise raises what ``request_generation`` raises. The
    caller commits.
    """
    shop, area = _open_for_ai(scope, template, area_key)
    _rate_limit(redis, shop, requester, limits, cost=0)  # refuses only those already over
    style = ai_settings.style_by_key(scope, style_key)
    if style_key and style is None:
        raise AiUnavailable("unknown_style", "Choose one of the styles offered.", 422)
    try:
        prompt = check_prompt(raw_prompt, ai_settings.deny_terms(scope)).prompt
    except PromptRefused as refused:
        charge(redis, f"ai:shop:{shop.id}", limits.per_shop)  # a refused request counts once
        charge(redis, f"ai:{shop.id}:{requester.limit_key}", limits.per_shopper)
        record_refusal(scope, template, area_key, raw_prompt, refused, options.provider, requester)
        raise
    key = cache_key(shop.id, prompt, style, options, area)
    nonce = secrets.token_hex(8) if fresh else None
    scope.session.execute(select(Shop.id).where(Shop.id == shop.id).with_for_update())
    wanted = max(1, min(VARIANTS, variants))
    keys = [variant_key(key, variant, nonce) for variant in range(wanted)]
    sources = [None if fresh else _reusable(scope, own_key) for own_key in keys]
    allowed = _take(redis, shop, requester, limits, sources.count(None))
    rows: list[Generation] = []
    new: list[Generation] = []
    for variant, (own_key, source) in enumerate(zip(keys, sources, strict=True)):
        if source is not None and source.status is not GenerationStatus.SUCCEEDED:
            rows.append(source)  # this picture is already being made in this shop: share it
            continue
        row = _variant_row(
            template,
            area,
            prompt,
            style,
            options,
            requester,
            limits,
            own_key,
            {"variant": variant, "nonce": nonce},
        )
        if source is None:
            if len(new) == allowed:
                continue  # the limits allow no more new pictures now
            try:
                record = quota.reserve(
                    scope.session, shop, UsageKind.AI_GENERATION, f"ai:{row.public_id}"
                )
            except quota.QuotaExceeded:
                if rows:
                    break  # the quota's last units: fewer variants rather than none
                raise
            row.usage_record_id = record.id
            new.append(row)
        scope.add(row)
        scope.session.flush()
        if source is not None:
            _copy_result(source, row)
        rows.append(row)
    if new:
        enqueue_after_commit(scope.session, redis, set_spec(new))
    return rows


CUTOUT_LABEL = "(background removal)"  # a cut-out's "prompt", as the merchant's list shows it


def request_cutout(
    scope: ShopScope,
    redis: Redis,
    template: Template,
    area_key: str,
    source: StoredFile,
    options: Options,
    requester: Requester,
    limits: Limits = Limits(),
) -> Generation:
    """A background removal of one of the shop's pictures by the AI provider, for a background
    too busy to remove offline: a Generation row charged like an image (the same photo cut out
    again in this shop is shared, not paid twice) and its job, enqueued after commit.

    Raises AiUnavailable, RateLimited and QuotaExceeded. The caller commits.
    """
    shop, area = _open_for_ai(scope, template, area_key)
    _rate_limit(redis, shop, requester, limits)
    material = {"shop": shop.id, "cutout": source.sha256, "options": options.as_json()}
    key = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
    scope.session.execute(select(Shop.id).where(Shop.id == shop.id).with_for_update())
    found = _reusable(scope, key)
    if found is not None and found.status is not GenerationStatus.SUCCEEDED:
        return found
    row = Generation(
        template_id=template.id,
        area_key=area.key,
        prompt=CUTOUT_LABEL,
        cache_key=key,
        options={**options.as_json(), "kind": CUTOUT, "source_file_id": source.id},
        provider=options.provider,
        client_key=requester.client_key,
        customer_ref=requester.customer_ref,
        message="Waiting for an image slot…",
        deadline_at=datetime.now(UTC) + timedelta(seconds=limits.deadline_seconds),
    )
    scope.add(row)
    scope.session.flush()
    if found is not None:
        _copy_result(found, row)
        return row
    record = quota.reserve(scope.session, shop, UsageKind.AI_GENERATION, f"ai:{row.public_id}")
    row.usage_record_id = record.id
    enqueue_after_commit(scope.session, redis, generation_spec(row))
    return row


__all__ = [
    "AiUnavailable",
    "Limits",
    "Options",
    "RateLimited",
    "Requester",
    "request_cutout",
    "request_generation",
    "request_variants",
]
