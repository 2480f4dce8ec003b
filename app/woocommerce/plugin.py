"""The Luneo WordPress plugin a store runs, and what Luneo may therefore send its shoppers.

The plugin names its version in ``X-Luneo-Plugin`` on its server-to-server calls (the store's
public key and origin, ``app.storefront.woo_surface``), and Luneo keeps the last one it saw.
From 1.1.0 the plugin hosts the design recovery page on the store itself
(``<store>/?luneo_recover=<token>``): the shopper's draft lives in the store origin's storage,
so that is where the e-mailed link should open. A store on an older plugin gets Luneo's own
page, which works without the draft.

The header is as public as the key it travels with: whoever forges it can only choose which of
the two working pages a store's links open (the plugin's next call puts the truth back).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from app.models import Platform, Shop

PLUGIN_HEADER = "X-Luneo-Plugin"
RECOVERY_QUERY = "luneo_recover"  # the plugin's recovery page: <store>/?luneo_recover=<token>
HOSTS_RECOVERY_SINCE = (1, 1, 0)
_VERSION = re.compile(r"(\d{1,4})\.(\d{1,4})\.(\d{1,4})")


def parse_version(raw: str | None) -> tuple[int, int, int] | None:
    """``1.2.3`` as a tuple; anything else (a pre-release suffix included) as None."""
    match = _VERSION.fullmatch((raw or "").strip())
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def note_plugin_version(shop: Shop, raw: str | None) -> bool:
    """Record the version the plugin named; True when it changed (the caller commits)."""
    version = parse_version(raw)
    if version is None:
        return False
    text = ".".join(str(part) for part in version)
    if shop.plugin_version == text:
        return False
    shop.plugin_version = text
    return True


def hosts_recovery_page(shop: Shop) -> bool:
    version = parse_version(shop.plugin_version)
    return (
        shop.platform is Platform.WOOCOMMERCE
        and version is not None
        and version >= HOSTS_RECOVERY_SINCE
    )


def recovery_page_url(shop: Shop, token: str) -> str | None:
    """The recovery page on the store (its home URL as connected), or None if it has none."""
    store_url = (shop.extra or {}).get("store_url")
    if not hosts_recovery_page(shop) or not isinstance(store_url, str) or not store_url:
        return None
    return f"{store_url.rstrip('/')}/?{urlencode({RECOVERY_QUERY: token})}"
