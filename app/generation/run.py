"""Running one generation, or the variants of one prompt (the ``ai`` job's work): moderate,
generate, upscale, store.

Idempotent: a finished generation is left alone, so a re-delivered job does nothing. Every
outcome is written to the row with a message for the shopper: refused and failed generations
give their quota unit back; only a stored image stays charged. Provider trouble (timeouts, 429,
5xx) is retried here with backoff; a generation past its deadline is failed, never left hanging.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.ai.base import (
    TRY_AGAIN,
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
    if generation is not None and generation.options.get("kind") == CUTOUT:
        return _cutout(session, storage, provider, policy, generation, progress, on_stored)
    rows = run_generations(session, storage, provider, policy, [generation_id], progress, on_stored)
    return rows[0] if rows else session.get(Generation, generation_id)


def _cutout(
    session: Session,
    storage: Storage,
    provider: ImageProvider,
    policy: Backoff,
    generation: Generation,
    progress: Progress,
    on_stored: Callable[[Generation, StoredFile], None] | None,
) -> Generation:
    """A background removal's run: skipped when done, failed when stale or its area is gone."""
    if not _pending(session, [generation.id]):
        return generation
    area = _area(session, generation)
    if area is None:
        _finish_all(session, [generation], GenerationStatus.FAILED, GONE, error="area gone")
        return generation

    def step(percent: int, message: str) -> None:
        generation.progress = percent
        generation.message = message
        session.commit()
        progress(percent, message)

    generation.status = GenerationStatus.RUNNING
    generation.started_at = generation.started_at or datetime.now(UTC)
    generation.attempts += 1
    return _run_cutout(session, storage, provider, policy, generation, area, step, on_stored)


def _pending(session: Session, generation_ids: Sequence[int]) -> list[Generation]:
    """The set's generations still to make; stale ones are failed on the way."""
    rows = []
    for generation_id in generation_ids:
        generation = session.get(Generation, generation_id)
        if generation is None or generation.is_finished:
            continue
        if expire_if_stale(session, generation):
            session.commit()
            continue
        rows.append(generation)
    return rows


def _finish_all(
    session: Session,
    rows: Sequence[Generation],
    status: GenerationStatus,
    message: str,
    **why: str | None,
) -> None:
    for generation in rows:
        finish(session, generation, status, message, **why)
    session.commit()


def run_generations(
    session: Session,
    storage: Storage,
    provider: ImageProvider,
    policy: Backoff,
    generation_ids: Sequence[int],
    progress: Progress,
    on_stored: Callable[[Generation, StoredFile], None] | None = None,
) -> list[Generation]:
    """The variants of one prompt (a shopper's set): moderated once, asked of the provider in one
    request (``n``), each image stored in its own generation. Finished ones are skipped; each
    generation keeps its own charge, and one without an image gives its unit back."""
    rows = _pending(session, generation_ids)
    if not rows:
        return rows
    lead = rows[0]
    area = _area(session, lead)
    if area is None:
        _finish_all(session, rows, GenerationStatus.FAILED, GONE, error="template or area gone")
        return rows

    def step(percent: int, message: str) -> None:
        for generation in rows:
            generation.progress = percent
            generation.message = message
        session.commit()
        progress(percent, message)

    now = datetime.now(UTC)
    for generation in rows:
        generation.status = GenerationStatus.RUNNING
        generation.started_at = generation.started_at or now
        generation.attempts += 1
    step(10, "Checking your description…")

    def retrying(attempt: int, wait: float, error: ProviderError) -> None:
        log.warning(
            "ai provider retry",
            extra={
                "generation": lead.public_id,
                "attempt": attempt,
                "wait": wait,
                "error": error.detail,
            },
        )
        step(min(70, lead.progress + 5), "The image service is busy, trying again…")

    prompt = str(lead.options.get("final_prompt") or lead.prompt)
    try:
        verdict = with_retries(lambda: provider.moderate(prompt), policy, on_retry=retrying)
        if verdict.flagged:
            reason = "moderation:" + ",".join(verdict.categories)[:50]
            _finish_all(session, rows, GenerationStatus.REFUSED, REFUSED_CONTENT, reason=reason)
            return rows
        step(25, "Creating your images…" if len(rows) > 1 else "Creating your image…")
        width, height = area.pixel_size
        request = ImageRequest(
            prompt=prompt,
            width=width,
            height=height,
            quality=str(lead.options.get("quality") or "medium"),
            transparent=bool(lead.options.get("transparent")),
            user_ref=_user_ref(lead),
            n=len(rows),
            variation=_variation(rows),
        )
        images = with_retries(lambda: provider.generate(request), policy, on_retry=retrying)
    except ProviderRefused as refused:
        _finish_all(
            session,
            rows,
            GenerationStatus.REFUSED,
            REFUSED_CONTENT,
            error=refused.args[0],
            reason="provider_safety",
        )
        return rows
    except ProviderError as failed:
        _finish_all(session, rows, GenerationStatus.FAILED, failed.public, error=failed.detail)
        return rows
    step(80, "Preparing your image for print…")
    for generation, image in zip(rows, images, strict=False):
        _keep(session, storage, generation, area, image, on_stored)
    missing = rows[len(images) :]
    if missing:
        _finish_all(session, missing, GenerationStatus.FAILED, TRY_AGAIN, error="fewer images")
    done = rows[: len(images)]
    for generation in done:
        generation.progress = 100
        generation.message = "Your image is ready."
    session.commit()
    progress(100, "Your image is ready.")
    return rows


def _variation(rows: Sequence[Generation]) -> str:
    """What tells this set's pictures from the prompt's other sets (the offline provider draws
    from it): a regenerated set's nonce, and the first variant's number."""
    first = rows[0].options
    nonce = str(first.get("nonce") or "")
    variant = int(first.get("variant") or 0)
    return f"{nonce}@{variant}" if nonce or variant else ""


def _keep(
    session: Session,
    storage: Storage,
    generation: Generation,
    area: PrintArea,
    image: GeneratedImage,
    on_stored: Callable[[Generation, StoredFile], None] | None,
) -> None:
    """One image upscaled for the print area, stored, and its generation succeeded."""
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
    step(80, "Preparing your image for print…")
    _keep(session, storage, generation, area, image, on_stored)
    generation.progress = 100
    generation.message = "Your image is ready."
    session.commit()
    step(100, "Your image is ready.")
    return generation
