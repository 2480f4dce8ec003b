"""Sync jobs on the ``sync`` queue: each names a shop (and a resource) and runs ``app.sync``.

RQ stores these dotted paths (``jobs.sync.initial_sync``…) with every queued job, and
``app.queue.cancel_shop_jobs`` recognises a shop's sync jobs by them: keep the names.
"""

from __future__ import annotations

from typing import Any

from app import sync


def initial_sync(shop_id: int) -> dict[str, Any] | None:
    """After install: the whole catalog (bulk when big), then the recent orders."""
    return sync.initial_sync(shop_id)


def incremental_sync(shop_id: int) -> dict[str, Any] | None:
    """What changed since the last successful sync (a full one if there never was one)."""
    return sync.incremental_sync(shop_id)


def sync_product(shop_id: int, product_gid: str) -> dict[str, Any] | None:
    """One product, from a product webhook."""
    return sync.sync_product(shop_id, product_gid)


def archive_product(shop_id: int, product_gid: str) -> dict[str, Any] | None:
    """A product deleted upstream: archived here, no API call."""
    return sync.archive_product(shop_id, product_gid)


def sync_order(shop_id: int, order_gid: str) -> dict[str, Any] | None:
    """One order, from an order webhook (and its production)."""
    return sync.sync_order(shop_id, order_gid)


def reconcile_all() -> int:
    """Periodic: an incremental sync job for every installed or connected shop."""
    return sync.reconcile_all()
