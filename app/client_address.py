"""Who is calling, as far as trusted proxies vouch for it: the address every rate limit and
sign-in throttle keys on (accounts, partner portal, storefront)."""

from __future__ import annotations

from flask import current_app, request


def client_address(extra_hops: int = 0) -> str:
    """The caller's address, as far as trusted proxies vouch for it (rate limits key on it).

    Luneo's own reverse proxies (``TRUSTED_PROXY_HOPS``) are already accounted for in
    ``remote_addr`` (``ProxyFix`` in ``create_app``). A surface that is reached through
    ``extra_hops`` more trusted proxies — Shopify's app proxy puts the shopper's address in
    ``X-Forwarded-For`` — reads the entry the farthest of them appended, counted from the right:
    entries further left were written by the client and are never trusted.
    """
    if extra_hops <= 0:
        return request.remote_addr or "unknown"
    hops = int(current_app.config["TRUSTED_PROXY_HOPS"] or 0) + extra_hops
    header = request.headers.get("X-Forwarded-For", "")
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if len(entries) >= hops:
        return entries[-hops]
    return request.remote_addr or "unknown"
