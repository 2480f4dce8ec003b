"""What every image provider offers: moderation of a prompt and generation of PNGs (one or a few
variants of the same prompt, for the shopper to choose from); and what some also offer: cutting
a photo's subject out of a background too busy to remove offline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

TRY_AGAIN = "The image could not be created right now. Please try again in a moment."


@dataclass(frozen=True)
class ImageRequest:
    """One image to generate: the final prompt (style already applied) and the output options."""

    prompt: str
    width: int  # requested pixels (the provider may round to what its model accepts)
    height: int
    quality: str = "medium"
    transparent: bool = False
    user_ref: str | None = None  # hashed shopper id, for the provider's abuse monitoring
    n: int = 1  # how many variants of the prompt (OpenAI's ``n``: 1 to 10)
    variation: str = ""  # what makes a set of variants another one (the offline provider's seed)


@dataclass(frozen=True)
class GeneratedImage:
    png: bytes
    width: int
    height: int
    model: str
    revised_prompt: str | None = None


@dataclass(frozen=True)
class ModerationVerdict:
    flagged: bool
    categories: tuple[str, ...] = field(default_factory=tuple)


class ProviderError(Exception):
    """The provider did not produce an image. ``retryable`` errors are worth another attempt
    (after ``retry_after`` seconds when the provider said so); the shopper sees ``public``."""

    def __init__(
        self,
        detail: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        public: str = TRY_AGAIN,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retryable = retryable
        self.retry_after = retry_after
        self.public = public


class ProviderRefused(Exception):
    """The provider's own safety system refused the prompt (counted as refused, not charged)."""

    def __init__(self, detail: str, categories: tuple[str, ...] = ()) -> None:
        super().__init__(detail)
        self.categories = categories


@runtime_checkable
class ImageProvider(Protocol):
    name: str  # "openai" | "local"

    def moderate(self, prompt: str) -> ModerationVerdict: ...

    def generate(self, request: ImageRequest) -> list[GeneratedImage]:
        """``request.n`` images (a provider may return fewer: the rest fail)."""
        ...


@runtime_checkable
class BackgroundRemover(Protocol):
    """A provider that returns a photo with its background made transparent (an RGBA PNG).

    For the backgrounds ``app.design.background`` refuses as not simple. A model redraws the
    picture: the result may differ from the photo in detail, which the caller tells the shopper.
    """

    def remove_background(self, image: bytes, user_ref: str | None = None) -> GeneratedImage: ...
