"""Shopify's signatures, checked exactly as Shopify documents them (no Flask here).

* Query HMAC (install links, OAuth callback, admin loads): hex HMAC-SHA256 of the sorted,
  escaped query without ``hmac``, keyed with the app's API secret — ShopifyAPI's implementation.
* Webhook HMAC: base64 HMAC-SHA256 of the raw request body, in ``X-Shopify-Hmac-Sha256``.
* Session tokens (App Bridge ``id_token`` / ``Authorization: Bearer``): HS256 JWTs with ``aud`` =
  API key, ``exp``/``nbf`` with a few seconds of leeway, and ``iss`` on the same shop as ``dest``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
import shopify
from shopify.session_token import LEEWAY_SECONDS
from shopify.utils.shop_url import sanitize_shop_domain

REQUIRED_CLAIMS = ("iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid")
QUERY_MAX_AGE = 24 * 3600  # Shopify's own libraries refuse signed queries older than a day


class InvalidSignature(Exception):
    """A signature, HMAC or session token that does not verify."""


def valid_shop_domain(shop: str | None) -> str | None:
    """The shop's ``*.myshopify.com`` domain, or None for anything else (no custom domains)."""
    if not shop or len(shop) > 255:
        return None
    candidate = shop.strip().lower()
    if "://" in candidate or "/" in candidate or not candidate.endswith(".myshopify.com"):
        return None
    sanitized: str | None = sanitize_shop_domain(candidate)
    return sanitized


def query_hmac(params: Mapping[str, str | list[str]], secret: str) -> str:
    """Shopify's documented query HMAC, computed by ShopifyAPI's own implementation."""
    # ShopifyAPI keeps the secret on the Session class; a throwaway subclass keeps it local.
    signer: Any = type("_QuerySigner", (shopify.Session,), {"secret": secret})
    digest: str = signer.calculate_hmac(dict(params))
    return digest


def verify_query(
    params: Mapping[str, str | list[str]], secret: str, *, now: float | None = None
) -> None:
    """Raise InvalidSignature unless the query carries a valid, recent ``hmac``."""
    given = params.get("hmac")
    if not isinstance(given, str) or not given:
        raise InvalidSignature("the request is not signed by Shopify")
    if not hmac.compare_digest(query_hmac(params, secret).encode(), given.encode()):
        raise InvalidSignature("the request's HMAC does not match")
    timestamp = params.get("timestamp")
    oldest = (now if now is not None else time.time()) - QUERY_MAX_AGE
    if isinstance(timestamp, str) and timestamp.isdigit() and int(timestamp) < oldest:
        raise InvalidSignature("the signed request is too old")


def proxy_signature(params: Mapping[str, list[str]], secret: str) -> str:
    """App proxy signature: hex HMAC-SHA256 of ``key=value`` pairs (repeated values joined by
    commas), sorted, concatenated with no separator, ``signature`` left out."""
    message = "".join(
        sorted(f"{key}={','.join(values)}" for key, values in params.items() if key != "signature")
    )
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify_proxy(params: Mapping[str, list[str]], secret: str, *, now: float | None = None) -> str:
    """Raise InvalidSignature unless Shopify signed this app-proxy request; return the shop."""
    given = (params.get("signature") or [""])[0]
    if not given or not hmac.compare_digest(
        proxy_signature(params, secret).encode(), given.encode()
    ):
        raise InvalidSignature("the app proxy request is not signed by Shopify")
    timestamp = (params.get("timestamp") or [""])[0]
    oldest = (now if now is not None else time.time()) - QUERY_MAX_AGE
    if timestamp.isdigit() and int(timestamp) < oldest:
        raise InvalidSignature("the signed request is too old")
    shop = valid_shop_domain((params.get("shop") or [""])[0])
    if shop is None:
        raise InvalidSignature("the app proxy request names no myshopify.com shop")
    return shop


def webhook_hmac(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_webhook(body: bytes, header: str | None, secret: str) -> None:
    if not header:
        raise InvalidSignature("missing X-Shopify-Hmac-Sha256")
    if not hmac.compare_digest(webhook_hmac(body, secret).encode(), header.strip().encode()):
        raise InvalidSignature("the webhook's HMAC does not match its body")


@dataclass(frozen=True)
class SessionToken:
    shop: str  # the myshopify domain from ``dest``
    user_id: str
    session_id: str
    claims: dict[str, Any]


def decode_session_token(token: str, *, api_key: str, secret: str) -> SessionToken:
    """Verify an App Bridge session token; raise InvalidSignature with the reason otherwise."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=api_key,
            leeway=LEEWAY_SECONDS,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.PyJWTError as exc:
        raise InvalidSignature(f"invalid session token: {exc}") from None
    dest = urlsplit(str(claims["dest"])).hostname or ""
    iss = urlsplit(str(claims["iss"])).hostname or ""
    shop = valid_shop_domain(dest)
    if shop is None:
        raise InvalidSignature("session token dest is not a myshopify.com shop")
    if iss != dest or not str(claims["iss"]).rstrip("/").endswith("/admin"):
        raise InvalidSignature("session token iss does not belong to its dest shop")
    return SessionToken(
        shop=shop, user_id=str(claims["sub"]), session_id=str(claims["sid"]), claims=claims
    )
