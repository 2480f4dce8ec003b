"""Installing Luneo on a Shopify store: tokens from Shopify, the ``Shop`` row, the first sync.

Both documented ways of getting a shop's offline access token end at
``{origin}/admin/oauth/access_token`` and then in ``save_grant``:

* token exchange (Shopify-managed installation, embedded apps): the session token (``id_token``)
  of an admin load is exchanged for an offline token;
* authorization-code grant: the merchant approves on ``/admin/oauth/authorize`` and the ``code``
  Shopify sends to our callback is exchanged.

Both ask for *expiring* offline tokens (``expiring=1``): Shopify requires them of public apps
(apps created from April 2026, every app from January 2027), so ``expires_in`` and the refresh
token are stored too. ``{origin}`` is ``SHOPIFY_SHOP_ORIGIN`` (default ``https://{shop}``), so
staging and tests can point a shop at a simulation. No Flask here: callers pass the settings
mapping, the database session and Redis.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from redis import Redis
from redis.exceptions import LockError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Platform, Shop
from app.queue import JobSpec, enqueue_after_commit
from app.shopify import cart_transform
from connectors.http import HttpClient

log = logging.getLogger(__name__)

# Token exchange URNs, as Shopify documents them (names, not secrets: hence the noqa).
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"  # noqa: S105
# A token this close to its expiry counts as expired: it would die mid-request.
EXPIRY_MARGIN = timedelta(seconds=60)
LOCK_TIMEOUT = 60  # seconds a token request may hold the shop's lock (> its 5 + 30 s timeout)
LOCK_WAIT = 15  # seconds a concurrent load waits for it
_WRITE_SCOPE = re.compile(r"^(unauthenticated_)?write_(.+)$")
_ADMIN_HOST = re.compile(r"[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~-]+)*")  # host[:port]/path


class InstallError(Exception):
    """Installing or re-authorizing a shop could not finish; nothing was stored."""


class NotConfigured(InstallError):
    """The Shopify app credentials (or app URL) are missing from the settings."""


class ShopifyUnavailable(InstallError):
    """Shopify's token endpoint failed, answered non-200 or answered something unreadable."""


class GrantRefused(ShopifyUnavailable):
    """Shopify refused the grant itself (400/401 ``invalid_grant``): expired, used or revoked.

    Retrying the same grant cannot succeed; for a refresh token only the merchant can help.
    """


class InstallBusy(InstallError):
    """Another request is installing the same shop right now."""


@dataclass(frozen=True)
class ShopifyApp:
    """The app's Shopify settings, read once from the config mapping."""

    api_key: str
    api_secret: str = field(repr=False)
    scope: str  # comma-separated, as in SCOPES / shopify.app.toml
    shop_origin: str  # with a ``{shop}`` placeholder
    app_url: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ShopifyApp:
        key, secret = config["SHOPIFY_API_KEY"], config["SHOPIFY_API_SECRET"]
        if not key or not secret:
            raise NotConfigured("SHOPIFY_API_KEY and SHOPIFY_API_SECRET must be set")
        scopes = [s.strip() for s in str(config["SCOPES"] or "").split(",") if s.strip()]
        return cls(
            api_key=str(key),
            api_secret=str(secret),
            scope=",".join(scopes),
            shop_origin=str(config["SHOPIFY_SHOP_ORIGIN"] or "https://{shop}"),
            app_url=str(config["SHOPIFY_APP_URL"]) if config["SHOPIFY_APP_URL"] else None,
        )

    @property
    def required_scopes(self) -> frozenset[str]:
        return frozenset(s for s in self.scope.split(",") if s)

    def origin(self, shop: str) -> str:
        """Where this shop's OAuth and Admin API live (a simulation in staging and tests)."""
        return self.shop_origin.format(shop=shop).rstrip("/")

    @property
    def redirect_uri(self) -> str:
        """The callback declared in shopify.app.toml ``[auth] redirect_urls``."""
        if not self.app_url:
            raise NotConfigured("SHOPIFY_APP_URL must be set for the authorization-code grant")
        return self.app_url.rstrip("/") + "/auth/callback"


@dataclass(frozen=True)
class TokenGrant:
    """What Shopify's token endpoint granted; tokens stay out of repr (and so out of logs)."""

    access_token: str = field(repr=False)
    scope: str
    expires_at: datetime | None = None
    refresh_token: str | None = field(default=None, repr=False)
    refresh_token_expires_at: datetime | None = None


# ---------------------------------------------------------------- scopes


def expand_scopes(scope: str | frozenset[str]) -> frozenset[str]:
    """Scopes with the read access each write scope implies (Shopify omits those when granting)."""
    names = {s.strip() for s in scope.split(",")} if isinstance(scope, str) else set(scope)
    names.discard("")
    implied = set()
    for name in names:
        match = _WRITE_SCOPE.match(name)
        if match:
            implied.add(f"{match.group(1) or ''}read_{match.group(2)}")
    return frozenset(names | implied)


def missing_scopes(app: ShopifyApp, granted: str) -> frozenset[str]:
    """The required scopes that ``granted`` does not cover: non-empty means re-authorize."""
    return app.required_scopes - expand_scopes(granted)


# ---------------------------------------------------------------- the Shop row


def find_shop(session: Session, domain: str, *, fresh: bool = False) -> Shop | None:
    """The Shopify shop with this myshopify domain; ``fresh`` re-reads rows already loaded."""
    stmt = select(Shop).where(Shop.platform == Platform.SHOPIFY, Shop.domain == domain)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return session.scalars(stmt).one_or_none()


def needs_authorization(shop: Shop | None, app: ShopifyApp) -> bool:
    """True when the merchant must (re)approve Luneo: not installed, token revoked or scopes new."""
    if shop is None or not shop.is_installed or not shop.access_token or shop.needs_reauth:
        return True
    return bool(missing_scopes(app, shop.scopes))


def token_expired(shop: Shop, now: datetime | None = None) -> bool:
    """An expiring offline token past (or about to pass) its expiry."""
    if shop.token_expires_at is None:
        return False
    return shop.token_expires_at <= (now or datetime.now(UTC)) + EXPIRY_MARGIN


def needs_token_exchange(shop: Shop | None, app: ShopifyApp, now: datetime | None = None) -> bool:
    """An embedded load gets a new offline token when the stored one is missing or unusable."""
    return shop is None or needs_authorization(shop, app) or token_expired(shop, now)


def initial_sync_job(shop_id: int) -> JobSpec:
    return JobSpec("sync", "jobs.sync.initial_sync", (shop_id,), job_id=f"sync-initial-{shop_id}")


def save_grant(
    session: Session, redis: Redis, domain: str, grant: TokenGrant, now: datetime | None = None
) -> Shop:
    """Store a fresh token: create the shop, reinstall it, or renew it; caller commits.

    Only a first install or a reinstall (after ``app/uninstalled``) enqueues the initial catalog
    sync, and only once the transaction commits; that and a grant with new scopes also enqueue
    the cart transform check (``app.shopify.cart_transform``).
    """
    now = now or datetime.now(UTC)
    shop = find_shop(session, domain, fresh=True)
    if shop is None:
        shop = Shop(platform=Platform.SHOPIFY, domain=domain)
        session.add(shop)
    installing = not shop.is_installed
    rescoped = shop.scopes != grant.scope
    _apply_tokens(shop, grant)
    shop.scopes = grant.scope
    shop.needs_reauth = False
    if installing:
        shop.installed_at = now
        shop.uninstalled_at = None
    session.flush()
    if installing:
        enqueue_after_commit(session, redis, initial_sync_job(shop.id))
    if installing or rescoped:
        # The cart transform needs write_cart_transforms, which a shop installed before Luneo
        # asked for it only has after approving the new scopes.
        enqueue_after_commit(session, redis, cart_transform.ensure_job(shop.id))
    log.info(
        "shopify token stored",
        extra={"shop": domain, "shop_id": shop.id, "installed": installing, "scopes": grant.scope},
    )
    return shop


def _apply_tokens(shop: Shop, grant: TokenGrant) -> None:
    """The token fields of ``shop`` from ``grant`` (encrypted by their column type)."""
    shop.access_token = grant.access_token
    shop.token_expires_at = grant.expires_at
    shop.refresh_token = grant.refresh_token
    refresh_expiry = grant.refresh_token_expires_at
    extra = dict(shop.extra or {})
    extra["refresh_token_expires_at"] = refresh_expiry.isoformat() if refresh_expiry else None
    shop.extra = extra


# ---------------------------------------------------------------- Shopify's token endpoint


def _seconds(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        seconds = int(value)
    except ValueError:
        return None
    return seconds if seconds > 0 else None


def _after(now: datetime, seconds: int | None) -> datetime | None:
    return now + timedelta(seconds=seconds) if seconds else None


def parse_grant(payload: Any, now: datetime | None = None) -> TokenGrant:
    """Read Shopify's token response (``access_token``, ``scope``, optional expiry fields)."""
    if not isinstance(payload, dict):
        raise ShopifyUnavailable("Shopify's token response is not a JSON object")
    token = payload.get("access_token")
    if not isinstance(token, str) or not token:
        raise ShopifyUnavailable("Shopify's token response has no access_token")
    now = now or datetime.now(UTC)
    refresh = payload.get("refresh_token")
    scope = payload.get("scope")
    return TokenGrant(
        access_token=token,
        scope=scope if isinstance(scope, str) else "",
        expires_at=_after(now, _seconds(payload.get("expires_in"))),
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        refresh_token_expires_at=_after(now, _seconds(payload.get("refresh_token_expires_in"))),
    )


def _error_code(response: Any) -> str | None:
    """Shopify's short ``error`` code from a failed response, safe to log (never the body)."""
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) and len(code) <= 64 else None


def request_token(app: ShopifyApp, shop: str, body: dict[str, str]) -> TokenGrant:
    """POST ``body`` (JSON) to the shop's token endpoint; ShopifyUnavailable unless it granted."""
    url = f"{app.origin(shop)}/admin/oauth/access_token"
    # The origin is operator-set (SHOPIFY_SHOP_ORIGIN) and may be a local simulation.
    client = HttpClient(allow_private=True)
    try:
        response = client.post(url, json=body, headers={"Accept": "application/json"})
        if response.status_code != 200:
            log.warning(
                "shopify token request refused",
                extra={
                    "shop": shop,
                    "status": response.status_code,
                    "error": _error_code(response),
                },
            )
            code = _error_code(response)
            if response.status_code in (400, 401) and code == "invalid_grant":
                raise GrantRefused(f"Shopify answered {response.status_code} invalid_grant")
            raise ShopifyUnavailable(f"Shopify answered {response.status_code}")
        try:
            payload = response.json()
        except ValueError:
            raise ShopifyUnavailable("Shopify's token response is not JSON") from None
    except OSError as exc:  # requests' errors are OSErrors; requests itself is banned here
        raise ShopifyUnavailable(f"Shopify could not be reached ({type(exc).__name__})") from None
    finally:
        client.close()
    return parse_grant(payload)


def exchange_code(app: ShopifyApp, shop: str, code: str) -> TokenGrant:
    """Authorization-code grant: the callback's ``code`` for an expiring offline token."""
    body = {"client_id": app.api_key, "client_secret": app.api_secret, "code": code}
    return request_token(app, shop, {**body, "expiring": "1"})


def exchange_id_token(app: ShopifyApp, shop: str, id_token: str) -> TokenGrant:
    """Token exchange: a (verified) session token for an expiring offline token."""
    body = {
        "client_id": app.api_key,
        "client_secret": app.api_secret,
        "grant_type": TOKEN_EXCHANGE_GRANT,
        "subject_token": id_token,
        "subject_token_type": ID_TOKEN_TYPE,
        "requested_token_type": OFFLINE_TOKEN_TYPE,
        "expiring": "1",
    }
    return request_token(app, shop, body)


def refresh_grant(app: ShopifyApp, shop: str, refresh_token: str) -> TokenGrant:
    """A new expiring offline token from the stored refresh token (no merchant involved)."""
    body = {
        "client_id": app.api_key,
        "client_secret": app.api_secret,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    }
    return request_token(app, shop, body)


# ---------------------------------------------------------------- the flows


def token_lock_key(shop: str) -> str:
    """The Redis lock every token request for ``shop`` takes (install, exchange, refresh)."""
    return f"luneo:shopify:install:{shop}"


@contextmanager
def _install_lock(redis: Redis, shop: str) -> Iterator[None]:
    """One token request per shop at a time: a new expiring token revokes the previous one."""
    lock = redis.lock(token_lock_key(shop), timeout=LOCK_TIMEOUT)
    if not lock.acquire(blocking_timeout=LOCK_WAIT):
        raise InstallBusy(f"{shop} is being installed by another request")
    try:
        yield
    finally:
        with suppress(LockError):  # it expired meanwhile; nothing left to release
            lock.release()


def ensure_installed(
    session: Session,
    redis: Redis,
    config: Mapping[str, Any],
    shop_domain: str,
    id_token: str,
    now: datetime | None = None,
) -> Shop:
    """The shop of an embedded load, with a usable offline token (token exchange if needed).

    ``id_token`` must already be verified for ``shop_domain``. Commits when it stores a token.
    The returned shop may still lack scopes (``missing_scopes``): then ask for re-authorization.
    """
    app = ShopifyApp.from_config(config)
    shop = find_shop(session, shop_domain)
    if not needs_token_exchange(shop, app, now):
        assert shop is not None  # for mypy: needs_token_exchange(None) is True
        return shop
    with _install_lock(redis, shop_domain):
        shop = find_shop(session, shop_domain, fresh=True)  # a concurrent load may have done it
        if not needs_token_exchange(shop, app, now):
            assert shop is not None
            return shop
        grant = exchange_id_token(app, shop_domain, id_token)
        shop = save_grant(session, redis, shop_domain, grant, now)
        session.commit()
    log.info("shopify token exchange done", extra={"shop": shop_domain, "shop_id": shop.id})
    return shop


def complete_authorization(
    session: Session, redis: Redis, app: ShopifyApp, shop_domain: str, code: str
) -> Shop:
    """The callback's code for a token, stored and committed (first install enqueues the sync)."""
    with _install_lock(redis, shop_domain):
        grant = exchange_code(app, shop_domain, code)
        shop = save_grant(session, redis, shop_domain, grant)
        session.commit()
    log.info("shopify authorization done", extra={"shop": shop_domain, "shop_id": shop.id})
    return shop


def refresh_offline_token(session: Session, config: Mapping[str, Any], shop: Shop) -> Shop:
    """Renew an expiring offline token with its refresh token; caller commits.

    Call it through ``app.shopify.tokens`` (per-shop lock, row re-read, commit at once): the
    refresh token is single-use. Raises GrantRefused when the refresh token is dead,
    ShopifyUnavailable when Shopify could not answer.
    """
    if not shop.refresh_token:
        raise InstallError(f"{shop.domain} has no refresh token; it must be re-authorized")
    grant = refresh_grant(ShopifyApp.from_config(config), shop.domain, shop.refresh_token)
    _apply_tokens(shop, grant)
    if grant.scope:
        shop.scopes = grant.scope
    session.flush()
    return shop


# ---------------------------------------------------------------- URLs


def authorize_url(app: ShopifyApp, shop: str, state: str) -> str:
    """Shopify's grant screen for an offline token (no ``grant_options[]=per-user``)."""
    query = urlencode(
        {
            "client_id": app.api_key,
            "scope": app.scope,
            "redirect_uri": app.redirect_uri,
            "state": state,
        }
    )
    return f"{app.origin(shop)}/admin/oauth/authorize?{query}"


def admin_apps_url(app: ShopifyApp, shop: str) -> str:
    """Luneo inside this shop's admin (Shopify forwards it to admin.shopify.com)."""
    return f"{app.origin(shop)}/admin/apps/{app.api_key}"


def decode_host(host: str | None) -> str | None:
    """Shopify's ``host`` parameter: base64 of the admin's host and path, e.g.
    ``admin.shopify.com/store/my-shop``; None when it is not that."""
    if not host or len(host) > 512:
        return None
    padded = host.replace("-", "+").replace("_", "/") + "=" * (-len(host) % 4)
    try:
        decoded = base64.b64decode(padded, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded if _ADMIN_HOST.fullmatch(decoded) else None


def embedded_app_url(app: ShopifyApp, shop: str, host: str | None) -> str:
    """Where a merchant lands after authorizing: Luneo in their Shopify admin.

    The documented target is ``https://{decoded host}/apps/{api_key}``; the host is trusted only
    on Shopify's own admin domains, otherwise the shop's ``/admin/apps/{api_key}``.
    """
    decoded = decode_host(host)
    hostname = urlsplit(f"https://{decoded}").hostname if decoded else None
    if hostname and (hostname == "admin.shopify.com" or hostname.endswith(".myshopify.com")):
        return f"https://{decoded}/apps/{app.api_key}"
    return admin_apps_url(app, shop)
