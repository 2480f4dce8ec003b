"""OpenAI image generation, moderation and background removal through the official ``openai``
package. Background removal is the documented image edit (``images.edit``) with
``background="transparent"`` and PNG output, for the models that can return transparency; the
model redraws the photo (``input_fidelity="high"`` where the model accepts it keeps faces close).

The SDK's own retries are off (``max_retries=0``): :mod:`app.ai.retry` retries explicitly, so
backoff, the ``retry-after`` / ``retry-after-ms`` headers and the total time spent are ours to
bound and to show as progress. Every SDK error is mapped to ProviderError (retryable or not) or
ProviderRefused (OpenAI's safety system said no).
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import openai
from PIL import Image, UnidentifiedImageError

from app.ai.base import (
    GeneratedImage,
    ImageRequest,
    ModerationVerdict,
    ProviderError,
    ProviderRefused,
)
from app.config import DEFAULT_OPENAI_IMAGE_MODEL

DEFAULT_MODEL = DEFAULT_OPENAI_IMAGE_MODEL  # the setting OPENAI_IMAGE_MODEL overrides it
MODERATION_MODEL = "omni-moderation-latest"
# Models that accept any WIDTHxHEIGHT (multiples of 16, aspect 1:3..3:1); others take the three
# standard sizes.
_FREE_SIZE_PREFIXES = ("gpt-image-2",)
_STANDARD_SIZES = ((1024, 1024), (1536, 1024), (1024, 1536))
_TARGET_PIXELS = 1536 * 1024
_TRANSPARENCY = ("gpt-image-1", "gpt-image-2.")  # gpt-image-2 itself: preview only
_REFUSAL_CODES = frozenset({"moderation_blocked", "content_policy_violation"})
_RETRYABLE_STATUS = frozenset({408, 409, 429})
_NOT_RETRYABLE_CODES = frozenset({"insufficient_quota", "billing_hard_limit_reached"})
MAX_N = 10  # the Images API's ``n``: 1 to 10 images per request
_SINGLE_IMAGE_MODELS = ("dall-e-3",)  # ``n`` must be 1: asked once per image instead
QUALITIES = ("low", "medium", "high", "auto")
CUTOUT_PROMPT = (
    "Remove the background of this photo: keep the main subject exactly as it is (same pose, "
    "colours, details and framing) on a fully transparent background."
)
NO_CUTOUT = "Removing this background with AI is not available for this store."
_HIGH_FIDELITY = ("gpt-image-1",)  # input_fidelity: accepted by gpt-image-1 only


@dataclass(frozen=True)
class OpenAISettings:
    api_key: str
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    timeout: float = 120.0
    organization: str | None = None


def request_size(model: str, width: int, height: int) -> tuple[int, int]:
    """The size to ask ``model`` for: the print area's aspect ratio as closely as it allows."""
    aspect = min(3.0, max(1 / 3, width / max(height, 1)))
    if model.startswith(_FREE_SIZE_PREFIXES):
        w = math.sqrt(_TARGET_PIXELS * aspect)
        h = w / aspect
        return max(16, round(w / 16) * 16), max(16, round(h / 16) * 16)
    return min(_STANDARD_SIZES, key=lambda size: abs(math.log((size[0] / size[1]) / aspect)))


def supports_transparency(model: str) -> bool:
    return model.startswith(_TRANSPARENCY)


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Seconds the server asked us to wait: ``retry-after-ms``, else ``retry-after`` (seconds or
    an HTTP date); None when absent or unreadable."""
    if not headers:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_code(exc: openai.APIStatusError) -> str | None:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    if isinstance(body, dict):
        code = body.get("code")
        return str(code) if code is not None else None
    return exc.code


def map_error(exc: openai.OpenAIError) -> Exception:
    """The SDK's error as ProviderError (retryable or not) or ProviderRefused."""
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("OpenAI timed out", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError(f"OpenAI unreachable: {exc.message}", retryable=True)
    if isinstance(exc, openai.APIStatusError):
        status, code = exc.status_code, _error_code(exc)
        detail = f"OpenAI {status} {code or ''}: {exc.message}".strip()
        if status == 400 and code in _REFUSAL_CODES:
            return ProviderRefused(detail)
        if code in _NOT_RETRYABLE_CODES:
            return ProviderError(detail, retryable=False)
        if status in _RETRYABLE_STATUS or status >= 500:
            headers = dict(exc.response.headers.items())
            return ProviderError(detail, retryable=True, retry_after=retry_after_seconds(headers))
        return ProviderError(detail, retryable=False)
    return ProviderError(f"OpenAI error: {exc}", retryable=False)


def _decode_png(b64: str | None) -> tuple[bytes, int, int]:
    if not b64:
        raise ProviderError("OpenAI returned no image data", retryable=True)
    try:
        raw = base64.b64decode(b64, validate=True)
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            if image.format != "PNG":
                out = io.BytesIO()
                image.convert("RGBA").save(out, format="PNG")
                raw = out.getvalue()
            return raw, image.width, image.height
    except (binascii.Error, UnidentifiedImageError, OSError) as exc:
        raise ProviderError(f"OpenAI returned an unreadable image: {exc}", retryable=True) from exc


class OpenAIProvider:
    name = "openai"

    def __init__(self, settings: OpenAISettings, client: openai.OpenAI | None = None) -> None:
        self.settings = settings
        self.client = client or openai.OpenAI(
            api_key=settings.api_key,
            base_url=settings.base_url or None,
            organization=settings.organization,
            timeout=settings.timeout,
            max_retries=0,
        )

    def moderate(self, prompt: str) -> ModerationVerdict:
        try:
            response = self.client.moderations.create(model=MODERATION_MODEL, input=prompt)
        except openai.OpenAIError as exc:
            mapped = map_error(exc)
            raise mapped from exc
        flagged: list[str] = []
        any_flagged = False
        for result in response.results:
            any_flagged = any_flagged or bool(result.flagged)
            categories: dict[str, Any] = result.categories.model_dump(by_alias=True)
            flagged.extend(name for name, hit in categories.items() if hit)
        return ModerationVerdict(any_flagged, tuple(dict.fromkeys(flagged)))

    def generate(self, request: ImageRequest) -> list[GeneratedImage]:
        """``request.n`` variants: one call with ``n`` (two for more than 10), or one call per
        image for models that take only ``n=1``."""
        wanted = max(1, request.n)
        per_call = 1 if self.settings.model.startswith(_SINGLE_IMAGE_MODELS) else MAX_N
        images: list[GeneratedImage] = []
        while len(images) < wanted:
            images.extend(self._generate(request, min(per_call, wanted - len(images))))
        return images[:wanted]

    def _generate(self, request: ImageRequest, n: int) -> list[GeneratedImage]:
        model = self.settings.model
        width, height = request_size(model, request.width, request.height)
        options: dict[str, Any] = {
            "model": model,
            "prompt": request.prompt,
            "n": n,
            "size": f"{width}x{height}",
            "quality": request.quality if request.quality in QUALITIES else "auto",
            "output_format": "png",
        }
        if request.transparent and supports_transparency(model):
            options["background"] = "transparent"
        if request.user_ref:
            options["safety_identifier"] = request.user_ref
        try:
            response = self.client.images.generate(**options)
        except openai.OpenAIError as exc:
            raise map_error(exc) from exc
        if not response.data:
            raise ProviderError("OpenAI returned no images", retryable=True)
        images = []
        for item in response.data[:n]:
            png, got_width, got_height = _decode_png(item.b64_json)
            images.append(GeneratedImage(png, got_width, got_height, model, item.revised_prompt))
        return images

    def remove_background(self, image: bytes, user_ref: str | None = None) -> GeneratedImage:
        """The photo redrawn on a transparent background (ProviderError when the model cannot)."""
        model = self.settings.model
        if not supports_transparency(model):
            raise ProviderError(
                f"{model} cannot return a transparent background", retryable=False, public=NO_CUTOUT
            )
        options: dict[str, Any] = {
            "model": model,
            "image": ("photo.png", image, "image/png"),
            "prompt": CUTOUT_PROMPT,
            "n": 1,
            "size": "auto",
            "quality": "high",
            "background": "transparent",
            "output_format": "png",
        }
        if model in _HIGH_FIDELITY:
            options["input_fidelity"] = "high"
        if user_ref:
            options["user"] = user_ref
        try:
            response = self.client.images.edit(**options)
        except openai.OpenAIError as exc:
            raise map_error(exc) from exc
        if not response.data:
            raise ProviderError("OpenAI returned no images", retryable=True)
        png, width, height = _decode_png(response.data[0].b64_json)
        return GeneratedImage(png, width, height, model)
