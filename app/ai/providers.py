"""Choosing the provider from settings: OpenAI when a key is configured, else the local one.

The choice is explicit (``AI_PROVIDER``) or follows ``OPENAI_API_KEY``; there is no fallback at
run time, so a configured but failing OpenAI fails the generation instead of quietly drawing a
local picture a merchant would not sell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.ai.base import ImageProvider
from app.ai.local import LocalProvider
from app.ai.openai_provider import DEFAULT_MODEL, OpenAIProvider, OpenAISettings
from app.ai.retry import RetryPolicy


class ProviderNotConfigured(RuntimeError):
    pass


def provider_name(config: Mapping[str, Any]) -> str:
    explicit = str(config.get("AI_PROVIDER") or "").strip().lower()
    if explicit:
        return explicit
    return "openai" if config.get("OPENAI_API_KEY") else "local"


def provider_from_config(config: Mapping[str, Any]) -> ImageProvider:
    name = provider_name(config)
    if name == "local":
        return LocalProvider()
    if name != "openai":
        raise ProviderNotConfigured(f"AI_PROVIDER must be 'openai' or 'local', not {name!r}")
    key = config.get("OPENAI_API_KEY")
    if not key:
        raise ProviderNotConfigured("AI_PROVIDER is 'openai' but OPENAI_API_KEY is not set")
    settings = OpenAISettings(
        api_key=str(key),
        base_url=config.get("OPENAI_BASE_URL") or None,
        model=str(config.get("OPENAI_IMAGE_MODEL") or DEFAULT_MODEL),
        timeout=float(config.get("OPENAI_TIMEOUT") or 120),
        organization=config.get("OPENAI_ORGANIZATION") or None,
    )
    return OpenAIProvider(settings)


def provider_label(config: Mapping[str, Any]) -> str:
    return LocalProvider.label if provider_name(config) == "local" else OpenAIProvider.label


def provider_identity(config: Mapping[str, Any]) -> tuple[str, str]:
    """(name, label) of the configured provider, as the template's ``ai`` block shows it."""
    return provider_name(config), provider_label(config)


def retry_policy(config: Mapping[str, Any]) -> RetryPolicy:
    return RetryPolicy(
        attempts=int(config.get("AI_RETRY_ATTEMPTS") or 4),
        base_delay=float(config.get("AI_RETRY_BASE_DELAY", 2.0)),
        max_wait=float(config.get("AI_RETRY_MAX_WAIT", 30.0)),
    )
