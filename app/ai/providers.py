"""Choosing the provider from settings: OpenAI when a key is configured, else the local one.

The choice is explicit (``AI_PROVIDER``) or follows ``OPENAI_API_KEY``; there is no fallback at
run time, so a configured but failing OpenAI fails the generation instead of quietly drawing a
local picture a merchant would not sell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.ai.base import ImageProvider
from app.ai.local import MODEL as LOCAL_MODEL
from app.ai.local import LocalProvider
from app.ai.openai_provider import OpenAIProvider, OpenAISettings
from app.ai.retry import ai_backoff
from connectors.retry import Backoff


class ProviderNotConfigured(RuntimeError):
    pass


def provider_name(config: Mapping[str, Any]) -> str:
    explicit = str(config["AI_PROVIDER"] or "").strip().lower()
    if explicit:
        return explicit
    return "openai" if config["OPENAI_API_KEY"] else "local"


def provider_from_config(config: Mapping[str, Any]) -> ImageProvider:
    name = provider_name(config)
    if name == "local":
        return LocalProvider()
    if name != "openai":
        raise ProviderNotConfigured(f"AI_PROVIDER must be 'openai' or 'local', not {name!r}")
    key = config["OPENAI_API_KEY"]
    if not key:
        raise ProviderNotConfigured("AI_PROVIDER is 'openai' but OPENAI_API_KEY is not set")
    settings = OpenAISettings(
        api_key=str(key),
        base_url=config["OPENAI_BASE_URL"] or None,
        model=image_model(config),
        timeout=float(config["OPENAI_TIMEOUT"]),
        organization=config["OPENAI_ORGANIZATION"] or None,
    )
    return OpenAIProvider(settings)


# The providers' human names, spelled here only: the widget shows "Images by <label>", the
# admin page says ``provider_sentence``.
LOCAL_LABEL = "Luneo offline preview (development)"
LOCAL_SENTENCE = "Images are made offline (development preview)."


def provider_label(config: Mapping[str, Any]) -> str:
    """The configured provider's human name: ``OpenAI (gpt-image-1)`` with its model, or the
    offline development preview."""
    if provider_name(config) == "openai":
        return f"OpenAI ({image_model(config)})"
    return LOCAL_LABEL


def provider_sentence(config: Mapping[str, Any]) -> str:
    """Who makes the images, as a sentence for the merchant's AI page."""
    if provider_name(config) == "openai":
        return f"Images are made by {provider_label(config)}."
    return LOCAL_SENTENCE


def provider_identity(config: Mapping[str, Any]) -> tuple[str, str]:
    """(name, label) of the configured provider, as the template's ``ai`` block shows it."""
    return provider_name(config), provider_label(config)


def retry_policy(config: Mapping[str, Any]) -> Backoff:
    return ai_backoff(
        attempts=int(config["AI_RETRY_ATTEMPTS"]),
        base_delay=float(config["AI_RETRY_BASE_DELAY"]),
        max_wait=float(config["AI_RETRY_MAX_WAIT"]),
    )


def image_model(config: Mapping[str, Any]) -> str:
    """The model a generation records and asks for: OPENAI_IMAGE_MODEL, or the local one's name."""
    if provider_name(config) != "openai":
        return LOCAL_MODEL
    return str(config["OPENAI_IMAGE_MODEL"])
