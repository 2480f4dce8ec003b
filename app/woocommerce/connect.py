"""Connecting a WooCommerce store through its documented auth endpoint (no Flask here).

1. ``start_connection``: check the store URL, remember a single-use token for it, and return
   ``{store}/wc-auth/v1/authorize?app_name=Luneo&scope=read_write&user_id=<token>&...``.
2. The merchant approves in WordPress; WooCommerce POSTs ``{key_id, user_id, consumer_key,
   consumer_secret, key_permissions}`` to our ``callback_url`` (and needs a 200), then sends the
   merchant to ``return_url`` with ``success`` and ``user_id``.
3. ``complete_connection``: the POST's ``user_id`` must be a token we issued and nobody used,
   and the store at the token's URL must confirm the keys as its own read_write keys
   (``key_proof``); only then is the token used up. A store Luneo already knows keeps its keys
   unless the connection was started by one of its members (or the CLI operator): anyone else
   gets a 200 (the keys are genuine, WooCommerce must not show an error) and nothing changes.
   Otherwise the keys are stored encrypted on the Shop, the account that started the connection
   becomes its owner if it has none, and, after commit, a job creates the webhooks and starts
   the first sync. Anything refused stores nothing and is logged.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.memberships import claim_connected_store, membership
from app.models import Membership, Platform, Role, Shop
from app.queue import JobSpec, enqueue_after_commit
from app.ratelimit import RateLimited
from app.woocommerce import pending
from app.woocommerce.key_proof import KeysNotConfirmed, confirm_keys
from app.woocommerce.store_url import Resolver, resolve_host, validate
from app.woocommerce.storefront_keys import ensure_storefront_key
from app.woocommerce.urls import callback_url, return_url
from connectors.woocommerce import is_loopback_host

log = logging.getLogger(__name__)

APP_NAME = "Luneo"
SCOPE = "read_write"  # products and orders are read; webhooks, notes and statuses written
MAX_KEY_LENGTH = 200


class ConnectionRefused(Exception):
    """The key POST cannot be accepted; ``status``/``code`` are the HTTP answer.

    ``store`` is the domain the token was issued for, when the token was known (for the log).
    """

    def __init__(self, status: int, code: str, message: str, store: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.store = store


@dataclass(frozen=True)
class KeyGrant:
    """What WooCommerce POSTs to the callback; keys stay out of repr (and so out of logs)."""

    user_id: str
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    key_permissions: str
    key_id: int | None


def start_connection(
    store_url: str,
    *,
    config: Mapping[str, Any],
    redis: Redis,
    resolve: Resolver = resolve_host,
    account_id: int | None = None,
) -> str:
    """The authorize URL to send the merchant to; InvalidStoreUrl for an unusable store URL.

    ``account_id`` is the Luneo account connecting it, which becomes the store's owner.
    """
    address = validate(store_url, str(config["ENV"]), resolve)
    query = {
        "app_name": APP_NAME,
        "scope": SCOPE,
        "user_id": pending.create(redis, address.url, address.domain, account_id),
        "return_url": return_url(config),
        "callback_url": callback_url(config),
    }
    log.info("woocommerce connection started", extra={"store": address.domain})
    return f"{address.url}/wc-auth/v1/authorize?{urlencode(query)}"


def _key(payload: Mapping[str, Any], name: str, prefix: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.startswith(prefix) or len(value) > MAX_KEY_LENGTH:
        raise ConnectionRefused(400, "invalid_keys", f"{name} is missing or malformed")
    return value


def parse_grant(payload: Any) -> KeyGrant:
    if not isinstance(payload, dict):
        raise ConnectionRefused(400, "invalid_json", "the body must be a JSON object")
    user_id = payload.get("user_id")
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        user_id = str(user_id)
    if not isinstance(user_id, str) or not user_id:
        raise ConnectionRefused(400, "missing_user_id", "user_id is missing")
    key_id = payload.get("key_id")
    return KeyGrant(
        user_id=user_id,
        consumer_key=_key(payload, "consumer_key", "ck_"),
        consumer_secret=_key(payload, "consumer_secret", "cs_"),
        key_permissions=str(payload.get("key_permissions") or ""),
        key_id=key_id if isinstance(key_id, int) and not isinstance(key_id, bool) else None,
    )


def find_store(session: Session, domain: str) -> Shop | None:
    stmt = select(Shop).where(Shop.platform == Platform.WOOCOMMERCE, Shop.domain == domain)
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


def _save_keys(session: Session, link: pending.PendingConnection, grant: KeyGrant) -> Shop:
    """Create the store's Shop or reconnect it; the webhook secret and path survive a reconnect."""
    now = datetime.now(UTC)
    shop = find_store(session, link.domain)
    if shop is None:
        shop = Shop(platform=Platform.WOOCOMMERCE, domain=link.domain, name=link.domain)
        session.add(shop)
    shop.api_key = grant.consumer_key
    shop.access_token = grant.consumer_secret
    shop.webhook_secret = shop.webhook_secret or secrets.token_urlsafe(32)
    ensure_storefront_key(shop)  # the widget's public key; a reconnect keeps the pages working
    shop.scopes = grant.key_permissions
    shop.needs_reauth = False
    shop.is_development = is_loopback_host(urlsplit(link.store_url).hostname)
    if not shop.is_installed:
        shop.installed_at, shop.uninstalled_at = now, None
    extra = dict(shop.extra or {})
    woo = {"key_id": grant.key_id, "connected_at": now.isoformat()}
    shop.extra = {
        **extra,
        "store_url": link.store_url,
        "webhook_path": extra.get("webhook_path") or secrets.token_urlsafe(24),
        "woocommerce": {**(extra.get("woocommerce") or {}), **woo},
    }
    session.flush()
    return shop


@dataclass(frozen=True)
class KeyPostResult:
    """A genuine key POST: ``connected``, or ``refused`` (the store is another team's)."""

    status: str
    domain: str
    shop_id: int | None


def may_change_keys(session: Session, shop: Shop | None, user_id: int | None) -> bool:
    """Whether a connection started by ``user_id`` (None: the CLI) may set ``shop``'s keys.

    A store nobody in Luneo manages yet may be connected by whoever proved they control it;
    a store with a team only by one of its owners (staff cannot manage the connection) or the
    operator.
    """
    if shop is None or user_id is None:
        return True
    member = membership(session, user_id, shop.id)
    if member is not None:
        return member.role is Role.OWNER
    count = select(func.count()).select_from(Membership).where(Membership.shop_id == shop.id)
    return not session.scalar(count)


def _confirmed(
    redis: Redis, config: Mapping[str, Any], grant: KeyGrant
) -> pending.PendingConnection:
    """The token's pending connection, once its store has confirmed the keys (not used up)."""
    link = pending.peek(redis, grant.user_id)
    if link is None:
        raise ConnectionRefused(
            403, "unknown_connection", "no pending connection for this user_id (expired or used)"
        )
    if grant.key_permissions != SCOPE:
        raise ConnectionRefused(
            403,
            "insufficient_permissions",
            f"Luneo needs {SCOPE} keys to sync and fulfil orders",
            store=link.domain,
        )
    try:
        pending.count_attempt(redis, grant.user_id, link)
    except RateLimited as exc:
        raise ConnectionRefused(429, "rate_limited", exc.message, store=link.domain) from None
    try:
        confirm_keys(link.store_url, grant.consumer_key, grant.consumer_secret, config)
    except KeysNotConfirmed as exc:
        raise ConnectionRefused(
            403,
            "keys_not_confirmed",
            f"the store did not confirm these keys: {exc}",
            store=link.domain,
        ) from None
    return link


def complete_connection(
    session: Session, redis: Redis, config: Mapping[str, Any], payload: Any
) -> KeyPostResult:
    """Accept WooCommerce's key POST; ConnectionRefused (nothing stored) when it must not be."""
    grant = parse_grant(payload)
    link = _confirmed(redis, config, grant)
    if pending.consume(redis, grant.user_id) is None:  # a concurrent POST got there first
        raise ConnectionRefused(403, "unknown_connection", "this connection was completed already")
    existing = find_store(session, link.domain)
    if not may_change_keys(session, existing, link.user_id):
        assert existing is not None
        pending.remember_result(redis, grant.user_id, link.domain, membership="refused")
        log.warning(
            "woocommerce keys for a store of another team left unused",
            extra={"shop_id": existing.id, "store": link.domain, "user_id": link.user_id},
        )
        return KeyPostResult("refused", link.domain, None)
    shop = _save_keys(session, link, grant)
    claimed = None
    if link.user_id is not None:
        claimed = claim_connected_store(session, link.user_id, shop)
    enqueue_after_commit(session, redis, connect_job(shop.id))
    session.commit()
    pending.remember_result(redis, grant.user_id, link.domain, shop_id=shop.id, membership=claimed)
    log.info("woocommerce store connected", extra={"shop_id": shop.id, "store": link.domain})
    return KeyPostResult("connected", link.domain, shop.id)


def connect_job(shop_id: int) -> JobSpec:
    """Create the webhooks, then start the first sync (jobs.woocommerce_events.store_connected)."""
    return JobSpec(
        "sync",
        "jobs.woocommerce_events.store_connected",
        (shop_id,),
        job_id=f"woo-connect-{shop_id}",
    )
