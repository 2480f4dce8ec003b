"""The one place Shopify Admin calls get their offline token: renewed before it expires.

Expiring offline tokens last an hour and come with a refresh token that Shopify replaces on
every refresh (single-use). ``ShopTokens`` is the ``TokenSource`` every Shopify client is built
with (``connector``, ``admin_client``): it renews the token when less than ``REFRESH_MARGIN``
is left, and once when Shopify answers 401 to a token it still thought valid. Workers share a
shop's tokens, so a renewal holds the shop's Redis token lock (the one install and token
exchange take) and re-reads the row after acquiring it: a worker that waited uses the token the
first one got instead of spending the now-dead refresh token. The new tokens are committed at
once in a session of their own, so a job that rolls back its work cannot lose them. Only a dead
refresh token (Shopify's ``invalid_grant``) or a missing one marks the shop ``needs_reauth``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from redis.exceptions import LockError
from sqlalchemy.orm import Session

from app.db import as_utc
from app.models import Platform, Shop
from app.shopify import install
from connectors import for_shop
from connectors.base import AuthError, CommerceConnector, RetryableError
from connectors.shopify import ShopifyGraphQL, client_for

log = logging.getLogger(__name__)

# Renew this long before expiry: a long bulk poll or a retried request must not outlive it.
REFRESH_MARGIN = timedelta(minutes=5)
REAUTH_MESSAGE = (
    "the access token is no longer accepted and cannot be renewed ({why}): open Luneo from "
    "the Shopify admin to re-authorize it"
)


class ShopTokens:
    """A shop's offline token for one client: cached, renewed under the shop's lock."""

    def __init__(
        self,
        shop: Shop,
        config: Mapping[str, Any],
        redis: Redis,
        sessions: Callable[[], Session],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.shop_id, self.domain = shop.id, shop.domain
        self.config, self.redis, self.sessions, self.clock = config, redis, sessions, clock
        self._token, self._expires_at = shop.access_token, shop.token_expires_at

    def _fresh(self, token: str | None, expires_at: datetime | None) -> bool:
        if not token:
            return False
        return expires_at is None or as_utc(expires_at) - self.clock() > REFRESH_MARGIN

    def current(self) -> str:
        if self._token and self._fresh(self._token, self._expires_at):
            return self._token
        return self._renew(rejected=None)

    def renew(self, rejected: str) -> str:
        return self._renew(rejected=rejected)

    def _renew(self, rejected: str | None) -> str:
        lock = self.redis.lock(install.token_lock_key(self.domain), timeout=install.LOCK_TIMEOUT)
        if not lock.acquire(blocking_timeout=install.LOCK_WAIT):
            raise RetryableError(f"{self.domain}'s token is being renewed by another worker")
        try:
            with self.sessions() as session:
                return self._renew_locked(session, rejected)
        finally:
            with suppress(LockError):  # it expired meanwhile; nothing left to release
                lock.release()

    def _renew_locked(self, session: Session, rejected: str | None) -> str:
        shop = session.get(Shop, self.shop_id, populate_existing=True)
        if shop is None or not shop.is_installed:
            raise AuthError(f"{self.domain} has uninstalled Luneo")
        token = shop.access_token
        if token and token != rejected and self._fresh(token, shop.token_expires_at):
            # Another worker renewed it while we waited for the lock (or nothing was needed).
            self._token, self._expires_at = token, shop.token_expires_at
            return token
        if not shop.refresh_token:
            why = "its token was refused and it has no refresh token"
            self._give_up(session, shop, why)
        # End the read before the network call: no transaction stays open across it, and on
        # SQLite a read transaction that later writes could not wait for another writer.
        session.commit()
        try:
            install.refresh_offline_token(session, self.config, shop)
        except install.GrantRefused:
            self._give_up(session, shop, "the refresh token expired or was revoked")
        except install.ShopifyUnavailable as exc:
            raise RetryableError(f"renewing {self.domain}'s token failed: {exc}") from None
        session.commit()  # the old refresh token is spent: store the new one before anything
        log.info("shopify token renewed", extra={"shop": self.domain, "shop_id": self.shop_id})
        assert shop.access_token is not None  # a grant always carries one (parse_grant)
        self._token, self._expires_at = shop.access_token, shop.token_expires_at
        return shop.access_token

    def _give_up(self, session: Session, shop: Shop, why: str) -> None:
        shop.needs_reauth = True
        session.commit()
        log.warning("shopify token cannot be renewed", extra={"shop": shop.domain, "why": why})
        raise AuthError(REAUTH_MESSAGE.format(why=why))


def tokens_for(shop: Shop, config: Mapping[str, Any]) -> ShopTokens:
    """The shop's token source, on the app's database and Redis (needs an app context)."""
    from app.extensions import get_db, get_redis

    return ShopTokens(shop, config, get_redis(), get_db().new_session)


def connector(shop: Shop, config: Mapping[str, Any]) -> CommerceConnector:
    """``connectors.for_shop``, with renewing tokens for a Shopify shop: what the app calls."""
    if shop.platform is Platform.SHOPIFY and shop.access_token:
        return for_shop(shop, config, tokens=tokens_for(shop, config))
    return for_shop(shop, config)


def admin_client(shop: Shop, config: Mapping[str, Any]) -> ShopifyGraphQL:
    """The shop's GraphQL Admin client (billing calls it directly), renewing its token."""
    if not shop.access_token:
        raise AuthError(f"{shop.domain} has no access token: it must be installed again")
    return client_for(shop.domain, tokens_for(shop, config), config)
