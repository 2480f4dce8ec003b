"""Disconnecting a WooCommerce store: its webhooks deleted through the API, its keys dropped.

The store is asked first, while the keys still work; if it cannot be reached or refuses, the
keys are dropped all the same (the merchant asked for it) and the webhooks left behind fail
their signature check here, so WooCommerce disables them after a few deliveries. Products,
orders and designs stay: a reconnect picks them up again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis import Redis
from sqlalchemy.orm import Session

from app.db import utcnow
from app.models import Shop
from app.queue import cancel_shop_jobs
from app.woocommerce.connect import find_store
from app.woocommerce.urls import webhook_url
from connectors import for_shop
from connectors.base import ConnectorError
from connectors.woocommerce import WooCommerceConnector

log = logging.getLogger(__name__)


class NotConnected(LookupError):
    """No connected WooCommerce store has that domain."""


@dataclass(frozen=True)
class Disconnected:
    domain: str
    webhooks_deleted: int
    error: str | None  # why the webhooks could not be deleted, if they could not


def _delete_webhooks(shop: Shop, config: Mapping[str, Any]) -> tuple[int, str | None]:
    path = shop.extra.get("webhook_path")
    if not path:
        return 0, None
    try:
        connector = for_shop(shop, config)
    except ConnectorError as exc:
        return 0, str(exc)
    try:
        if not isinstance(connector, WooCommerceConnector):
            return 0, "not a WooCommerce connector"
        return connector.delete_webhooks(webhook_url(config, str(path))), None
    except ConnectorError as exc:
        return 0, str(exc)
    finally:
        connector.close()


def disconnect(
    session: Session, redis: Redis, config: Mapping[str, Any], domain: str
) -> Disconnected:
    shop = find_store(session, domain)
    if shop is None or not shop.is_installed:
        raise NotConnected(f"no connected WooCommerce store with domain {domain}")
    deleted, error = _delete_webhooks(shop, config)
    shop.api_key = None
    shop.access_token = None
    shop.webhook_secret = None
    shop.uninstalled_at = utcnow()
    shop.extra = {**shop.extra, "webhooks": {"topics": [], "removed_at": utcnow().isoformat()}}
    cancelled = cancel_shop_jobs(redis, shop.id)
    session.commit()
    log.info(
        "woocommerce store disconnected",
        extra={"shop_id": shop.id, "webhooks_deleted": deleted, "jobs_cancelled": cancelled},
    )
    return Disconnected(domain, deleted, error)
