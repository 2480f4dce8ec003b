"""Proof that the keys of a key POST are the keys of the store its token was issued for.

WooCommerce's key POST is unsigned and names no store: whoever holds a pending ``user_id`` could
POST made-up keys, or keys of a store they own, for a token issued for someone else's store. So
before anything is stored, Luneo calls the store at the URL the token was issued for (never a URL
from the POST), over the SSRF-guarded client, with the posted keys:

* ``GET system_status?_fields=environment.home_url,environment.site_url`` must answer 200 (the
  keys are valid on that store, for a shop manager) and the store must name that URL as its own
  home or site URL, so a proxy in front of another store cannot pass for it;
* ``PUT webhooks/0`` must get past WooCommerce's key check to the route's "invalid ID" answer:
  a read-only key is refused (401) before any route runs, so this proves write access and
  changes nothing on the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.woocommerce.store_url import InvalidStoreUrl, normalize
from connectors.base import AuthError, ConnectorError
from connectors.woocommerce import http_client_for
from connectors.woocommerce.client import WooREST

PROOF_TIMEOUT = (5.0, 10.0)  # WooCommerce waits up to 60 s for the key POST's answer
PROOF_ATTEMPTS = 2
URL_FIELDS = "environment.home_url,environment.site_url"


class KeysNotConfirmed(Exception):
    """The store did not confirm the keys; the message says why (for logs and the answer)."""


def _without_scheme(url: str) -> str | None:
    """``host[:port]/path`` of a URL as ``store_url.normalize`` writes it, or None if unusable.

    The scheme is left out: a site behind a TLS-terminating proxy may keep ``http://`` as its
    home URL, and the call that answered was made to the token's own URL anyway.
    """
    try:
        address = normalize(url)
    except InvalidStoreUrl:
        return None
    return address.url.split("://", 1)[1]


def _own_urls(body: Any) -> set[str]:
    environment = body.get("environment") if isinstance(body, dict) else None
    if not isinstance(environment, dict):
        return set()
    urls = (environment.get("home_url"), environment.get("site_url"))
    return {u for u in (_without_scheme(v) for v in urls if isinstance(v, str)) if u}


def _check_home(client: WooREST, store_url: str) -> None:
    try:
        body = client.call("GET", "system_status", params={"_fields": URL_FIELDS})
    except AuthError as exc:
        raise KeysNotConfirmed(f"the store refused the keys ({exc})") from None
    own = _own_urls(body)
    if _without_scheme(store_url) not in own:
        said = ", ".join(sorted(own)) or "nothing"
        raise KeysNotConfirmed(f"the store at {store_url} says its address is {said}")


def _check_write(client: WooREST) -> None:
    try:
        reply = client.request("PUT", "webhooks/0", json={})
    except AuthError:
        raise KeysNotConfirmed("the keys cannot write (Luneo needs read_write keys)") from None
    code = reply.body.get("code") if isinstance(reply.body, dict) else None
    if reply.status not in (400, 404) or not str(code or "").endswith("_invalid_id"):
        raise KeysNotConfirmed(f"the store answered the write check with HTTP {reply.status}")


def confirm_keys(
    store_url: str, consumer_key: str, consumer_secret: str, settings: Mapping[str, Any]
) -> None:
    """Return if the store at ``store_url`` confirms the keys as its own read_write keys.

    Raises KeysNotConfirmed otherwise (an unreachable store included): nothing may be stored.
    """
    client = WooREST(
        store_url,
        consumer_key,
        consumer_secret,
        http=http_client_for(store_url, settings, timeout=PROOF_TIMEOUT),
        max_attempts=PROOF_ATTEMPTS,
        base_delay=0.5,
        max_delay=1.0,
    )
    try:
        _check_home(client, store_url)
        _check_write(client)
    except ConnectorError as exc:
        raise KeysNotConfirmed(f"the store could not confirm the keys ({exc})") from None
    finally:
        client.close()
