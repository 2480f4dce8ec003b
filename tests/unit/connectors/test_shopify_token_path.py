"""Every Shopify Admin client the app builds gets its token from ``app.shopify.tokens``.

A client built from ``shop.access_token`` directly would keep using an expired token (issue #16
item 1): only the token module (and WooCommerce-only modules) may call the connector factories.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FACTORIES = re.compile(r"\b(for_shop|client_for|connector_for|ShopifyGraphQL)\(")
ALLOWED = {
    "app/shopify/tokens.py",  # the one place
    "app/woocommerce/disconnect.py",  # WooCommerce shops only
    "app/woocommerce/events.py",  # WooCommerce shops only
}


def test_no_app_or_job_module_builds_a_shopify_client_around_the_token_module() -> None:
    offenders = []
    for folder in ("app", "jobs"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if FACTORIES.search(line) and not line.lstrip().startswith(("def ", "#")):
                    offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []
