"""Running one generation (the ``ai`` job's work): moderate, generate, upscale, store.

Idempotent: a finished generation is left alone, so a re-delivered job does nothing. Every
outcome is written to the row with a message for the shopper: refused and failed generations
give their quota unit back; only a stored image stays charged. Provider trouble (timeouts, 429,
5xx) is retried here with backoff; a generation past its deadline is failed, never left hanging.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.ai.base import (
    BackgroundRemover,
    GeneratedImage,
    ImageProvider,
    ImageRequest,
    ProviderError,
    ProviderRefused,
)
from app.ai.retry import with_retries
from app.ai.safety import REFUSED_CONTENT
from app.ai.sizing import fit_to_area
from app.billing import quota
from app.db import as_utc
from app.models import (
    FileKind,
    Generation,
    GenerationStatus,
    PrintArea,
    StoredFile,
    Template,
    UsageRecord,
)
from app.storage import MissingFile, Storage, new_key
from connectors.retry import Backoff

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
TIMED_OUT = "Creating your image took too long. Please try again."
GONE = "This product is no longer available for AI images."
CUTOUT = "cutout"  # options["kind"] of a background removal (options["source_file_id"]: the photo)
NO_CUTOUT = "Removing this background with AI is not available right now."


def _release(session: Session, generation: Generation) -> None:
    if generation.usage_record_id is None:
        return
    record = session.get(UsageRecord, generation.usage_record_id)
    generation.usage_record_id = None
    if record is not None:
        quota.release(session, record)


def finish(
    session: Session,
    generation: Generation,
    status: GenerationStatus,
    message: str,
    *,
    error: str | None = None,
    reason: str | None = None,
) -> None:
    """Close a generation that produced nothing (refused or failed): uncharged, explained."""
    generation.status = status
    generation.message = message
    generation.error = error
    generation.refusal_reason = reason
    generation.progress = 100
    generation.finished_at = datetime.now(UTC)
    _release(session, generation)
    session.flush()


def expire_if_stale(session: Session, generation: Generation, now: datetime | None = None) -> bool:
    """Fail an unfinished generation whose deadline passed (a lost or stuck job)."""
    deadline = as_utc(generation.deadline_at)
    if generation.is_finished or deadline is None or (now or datetime.now(UTC)) < deadline:
        return False
    finish(session, generation, GenerationStatus.FAILED, TIMED_OUT, error="deadline passed")
    return True


def _user_ref(generation: Generation) -> str:
    who = generation.customer_ref or generation.client_key or "anonymous"
    return hashlib.sha256(f"{generation.shop_id}:{who}".encode()).hexdigest()[:32]


def _area(session: Session, generation: Generation) -> PrintArea | None:
    template = session.get(Template, generation.template_id) if generation.template_id else None
    if template is None:
        return None
    return next((a for a in template.print_areas if a.key == generation.area_key), None)


def _store(session: Session, storage: Storage, generation: Generation, png: bytes) -> StoredFile:
    key = new_key(generation.shop_id, "ai", "png")
    stored = storage.put(key, png, "image/png")
    row = StoredFile(
        shop_id=generation.shop_id,
        key=key,
        kind=FileKind.AI_IMAGE,
        content_type="image/png",
        size=stored.size,
        sha256=stored.sha256,
        original_name=f"ai-{generation.public_id}.png",
    )
    session.add(row)
    session.flush()
    return row


def run_generation(
    session: Session,
    storage: Storage,
    provider: ImageProvider,
    policy: Backoff,
    generation_id: int,
    progress: Progress,
    on_stored: Callable[[Generation, StoredFile], None] | None = None,
) -> Generation | None:
    """Do (or skip, if already done) one generation; commits its progress as it goes.

    ``on_stored`` is told once about the image a run stores (a shopper's file budget counts it).
    """
    generation = session.get(Generation, generation_id)
    if generation is None or generation.is_finished:
        return generation
    if expire_if_stale(session, generation):
        session.commit()
        return generation
    area = _area(session, generation)
    if area is None:
        finish(session, generation, GenerationStatus.FAILED, GONE, error="template or area gone")
        session.commit()
        return generation

    def step(percent: int, message: str) -> None:
        generation.progress = percent
        generation.message = message
        session.commit()
        progress(percent, message)

    generation.status = GenerationStatus.RUNNING
    generation.started_at = generation.started_at or datetime.now(UTC)
    generation.attempts += 1
    step(10, "Checking your description…")

    def retrying(attempt: int, wait: float, error: ProviderError) -> None:
        log.warning(
            "ai provider retry",
            extra={
                "generation": generation.public_id,
                "attempt": attempt,
                "wait": wait,
                "error": error.detail,
            },
        )
        step(min(70, generation.progress + 5), "The image service is busy, trying again…")

    if generation.options.get("kind") == CUTOUT:
        return _run_cutout(session, storage, provider, policy, generation, area, step, on_stored)
    prompt = str(generation.options.get("final_prompt") or generation.prompt)
    try:
        verdict = with_retries(lambda: provider.moderate(prompt), policy, on_retry=retrying)
        if verdict.flagged:
            reason = "moderation:" + ",".join(verdict.categories)[:50]
            finish(session, generation, GenerationStatus.REFUSED, REFUSED_CONTENT, reason=reason)
            session.commit()
            return generation
        step(25, "Creating your image…")
        width, height = area.pixel_size
        request = ImageRequest(
            prompt=prompt,
            width=width,
            height=height,
            quality=str(generation.options.get("quality") or "medium"),
            transparent=bool(generation.options.get("transparent")),
            user_ref=_user_ref(generation),
        )
        image = with_retries(lambda: provider.generate(request), policy, on_retry=retrying)
    except ProviderRefused as refused:
        finish(
            session,
            generation,
            GenerationStatus.REFUSED,
            REFUSED_CONTENT,
            error=refused.args[0],
            reason="provider_safety",
        )
        session.commit()
        return generation
    except ProviderError as failed:
        finish(session, generation, GenerationStatus.FAILED, failed.public, error=failed.detail)
        session.commit()
        return generation
    return _keep_image(session, storage, generation, area, image, step, on_stored)


def _keep_image(
    session: Session,
    storage: Storage,
    generation: Generation,
    area: PrintArea,
    image: GeneratedImage,
    step: Progress,
    on_stored: Callable[[Generation, StoredFile], None] | None,
) -> Generation:
    """Store the provider's image, sized for the print area, as the generation's result."""
    step(80, "Preparing your image for print…")
    fitted = fit_to_area(
        image.png,
        image.width,
        image.height,
        (float(area.width_mm + 2 * area.bleed_mm), float(area.height_mm + 2 * area.bleed_mm)),
        area.dpi,
    )
    stored = _store(session, storage, generation, fitted.png)
    if on_stored is not None:
        on_stored(generation, stored)
    generation.file_id = stored.id
    generation.width_px, generation.height_px = fitted.width, fitted.height
    generation.native_dpi, generation.effective_dpi = fitted.native_dpi, fitted.effective_dpi
    generation.model = image.model
    generation.status = GenerationStatus.SUCCEEDED
    generation.finished_at = datetime.now(UTC)
    step(100, "Your image is ready.")
    return generation


def _run_cutout(
    session: Session,
    storage: Storage,
    provider: ImageProvider,
    policy: Backoff,
    generation: Generation,
    area: PrintArea,
    step: Progress,
    on_stored: Callable[[Generation, StoredFile], None] | None,
) -> Generation:
    """A background removal: the shop's photo through the provider's ``remove_background``.

    No prompt to moderate (the photo was the shopper's own upload, checked when it was kept).
    """
    source_id = generation.options.get("source_file_id")
    source = session.get(StoredFile, source_id) if isinstance(source_id, int) else None
    if source is None or source.shop_id != generation.shop_id:
        finish(session, generation, GenerationStatus.FAILED, GONE, error="source photo gone")
        session.commit()
        return generation
    if not isinstance(provider, BackgroundRemover):
        finish(session, generation, GenerationStatus.FAILED, NO_CUTOUT, error="not supported")
        session.commit()
        return generation
    remover: BackgroundRemover = provider
    step(25, "Removing the background…")
    try:
        with storage.open(source.key) as stream:
            photo = stream.read()
    except MissingFile:
        finish(session, generation, GenerationStatus.FAILED, GONE, error="source bytes gone")
        session.commit()
        return generation
    user_ref = _user_ref(generation)

    def retrying(attempt: int, wait: float, error: ProviderError) -> None:
        log.warning(
            "ai provider retry",
            extra={"generation": generation.public_id, "attempt": attempt, "error": error.detail},
        )
        step(min(70, generation.progress + 5), "The image service is busy, trying again…")

    try:
        image = with_retries(
            lambda: remover.remove_background(photo, user_ref), policy, on_retry=retrying
        )
    except ProviderRefused as refused:
        finish(
            session,
            generation,
            GenerationStatus.REFUSED,
            REFUSED_CONTENT,
            error=refused.args[0],
            reason="provider_safety",
        )
        session.commit()
        return generation
    except ProviderError as failed:
        finish(session, generation, GenerationStatus.FAILED, failed.public, error=failed.detail)
        session.commit()
        return generation
    return _keep_image(session, storage, generation, area, image, step, on_stored)
