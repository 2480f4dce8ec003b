"""Luneo's own public URLs that a WooCommerce store calls back (no Flask request needed).

They are built from the configured app URL (``APP_URL``, else ``SHOPIFY_APP_URL``), because
they are handed to the store from jobs and the CLI too, where no request tells the host.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class NotConfigured(RuntimeError):
    """The app's public URL is not set, so no store could reach Luneo."""


def app_url(config: Mapping[str, Any]) -> str:
    url = config["APP_URL"] or config["SHOPIFY_APP_URL"]
    if not url:
        raise NotConfigured("APP_URL (or SHOPIFY_APP_URL) must be set to Luneo's public URL")
    return str(url).rstrip("/")


def callback_url(config: Mapping[str, Any]) -> str:
    return app_url(config) + "/woocommerce/callback"


def return_url(config: Mapping[str, Any]) -> str:
    return app_url(config) + "/woocommerce/return"


def webhook_url(config: Mapping[str, Any], webhook_path: str) -> str:
    return f"{app_url(config)}/webhooks/woocommerce/{webhook_path}"
