"""Syncing a shop: pull its catalog and orders through its connector and store them.

The jobs (``jobs.sync``) only name the shop; this gets its adapter (``app.shopify.tokens``
renews a Shopify token) and hands the records to ``app.sync.store`` in batches that are
committed as they go (a long sync shows progress, and a crash loses one batch at most; running
again is safe, every write is an upsert).

- ``AuthError``: the shop is marked ``needs_reauth`` and the job ends quietly. Retrying cannot
  help, and a shop in that state is skipped by every later sync until it is authorized again.
- anything else (``RetryableError`` after the client's own retries, bugs): recorded as the last
  error, then re-raised so RQ retries with backoff.
- a malformed record: skipped, counted and listed in the summary; the sync carries on.

Each run returns its summary (RQ keeps it as the result) and keeps it in ``shop.extra["sync"]``
for the admin dashboard, with the watermarks the next incremental sync starts from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Literal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.extensions import get_db, get_redis
from app.models import Platform, Shop, ShopScope
from app.queue import TIMEOUTS, enqueue, report_progress
from app.shopify import tokens
from app.sync.personalization import PaidCheck
from app.sync.readahead import read_ahead
from app.sync.specs import incremental_sync_spec
from app.sync.store import (
    UPSERT_BATCH,
    Tally,
    archive_missing,
    archive_products,
    upsert_order,
    upsert_products,
)
from connectors.base import (
    AuthError,
    CatalogExport,
    CommerceConnector,
    DeletionFeed,
    OrderRecord,
    ProductRecord,
    Progress,
    RecordError,
    SkippedRecord,
)

log = logging.getLogger(__name__)

BULK_THRESHOLD = 500  # products; below it paging is quicker than waiting for a bulk export
RECENT_ORDERS = timedelta(days=60)  # the read_orders scope reaches the last 60 days
OVERLAP = timedelta(minutes=5)  # re-read a little on the next run: clocks differ, upserts are free
PRODUCT_BATCH = UPSERT_BATCH  # products per transaction: one set-based upsert each
ORDER_BATCH = 25

What = Literal["products", "orders", "all"]


@dataclass
class Summary:
    kind: str
    products: Tally = field(default_factory=Tally)
    orders: Tally = field(default_factory=Tally)
    designs_ordered: int = 0
    designs_not_found: int = 0
    production_jobs: int = 0
    designs_missing: int = 0
    designs_unpaid: int = 0
    recovery_links: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "products": self.products.as_dict(),
            "orders": self.orders.as_dict(),
            "designs_ordered": self.designs_ordered,
            "designs_not_found": self.designs_not_found,
            "production_jobs": self.production_jobs,
            "designs_missing": self.designs_missing,
            "designs_unpaid": self.designs_unpaid,
            "recovery_links": self.recovery_links,
        }


@dataclass
class SyncRun:
    """One run's working set: where to write, what to read from, what happened so far."""

    session: Session
    shop_id: int
    connector: CommerceConnector
    progress: Progress
    summary: Summary
    started_at: datetime
    previous: dict[str, Any]  # shop.extra["sync"] as the run found it
    record_state: bool
    check: PaidCheck  # how this shop's order lines prove their surcharge was charged
    watermarks: dict[str, str] = field(default_factory=dict)
    last_progress: dict[str, Any] = field(default_factory=dict)

    @property
    def scope(self) -> ShopScope:
        return ShopScope(self.session, self.shop_id)

    def report(self, done: int, total: int, message: str) -> None:
        self.last_progress = {"done": done, "total": total, "message": message}
        self.progress(done, total, message)

    def checkpoint(self) -> None:
        if self.record_state and self.last_progress:
            _update_state(self.session, self.shop_id, progress=self.last_progress)
        self.session.commit()


# ------------------------------------------------------------------------ shop state
def _parse(raw: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _update_state(session: Session, shop_id: int, **changes: Any) -> None:
    shop = session.get(Shop, shop_id)
    if shop is not None:
        state = {**(shop.extra.get("sync") or {}), **changes}
        shop.extra = {**shop.extra, "sync": state}  # a new dict, so SQLAlchemy sees the change


def _mark_needs_reauth(session: Session, shop_id: int, error: AuthError) -> None:
    shop = session.get(Shop, shop_id)
    if shop is not None:
        shop.needs_reauth = True
    _update_state(
        session,
        shop_id,
        state="needs_reauth",
        finished_at=utcnow().isoformat(),
        last_error=str(error),
    )
    log.warning("shop needs re-authorization", extra={"shop_id": shop_id, "error": str(error)})


# --------------------------------------------------------------------------- storing
def _store_products(run: SyncRun, records: Iterable[ProductRecord | SkippedRecord]) -> set[str]:
    """Upsert in batches; returns every external id seen (skipped ones too: they still exist)."""
    seen: set[str] = set()
    batch: list[ProductRecord] = []
    for item in records:
        seen.add(item.external_id)
        if isinstance(item, SkippedRecord):
            run.summary.products.skip(item)
            continue
        batch.append(item)
        if len(batch) >= PRODUCT_BATCH:
            _flush_products(run, batch)
            batch = []
    _flush_products(run, batch)
    return seen


def _flush_products(run: SyncRun, batch: list[ProductRecord]) -> None:
    if batch:
        for outcome in upsert_products(run.scope, batch):
            run.summary.products.add(outcome)
        run.checkpoint()


def _store_order(run: SyncRun, record: OrderRecord) -> None:
    outcome, effects = upsert_order(run.scope, record, run.check)
    run.summary.orders.add(outcome)
    run.summary.designs_ordered += effects.designs_ordered
    run.summary.designs_not_found += effects.designs_not_found
    run.summary.production_jobs += effects.production_jobs
    run.summary.designs_missing += effects.designs_missing
    run.summary.designs_unpaid += effects.designs_unpaid
    run.summary.recovery_links += effects.recovery_links


def _store_orders(run: SyncRun, records: Iterable[OrderRecord | SkippedRecord]) -> None:
    pending = 0
    for item in records:
        if isinstance(item, SkippedRecord):
            run.summary.orders.skip(item)
            continue
        _store_order(run, item)
        pending += 1
        if pending >= ORDER_BATCH:
            run.checkpoint()
            pending = 0
    run.checkpoint()


# ------------------------------------------------------------------------------ work
def _all_products(run: SyncRun) -> None:
    """Every product (bulk export for big catalogs); what the platform lacks is archived."""
    connector = run.connector
    if isinstance(connector, CatalogExport) and connector.count_products() >= BULK_THRESHOLD:
        records = read_ahead(connector.export_products, run.report)
    else:
        records = read_ahead(partial(connector.iter_products, None), run.report)
    seen = _store_products(run, records)
    run.summary.products.archived += archive_missing(run.scope, seen, run.started_at)
    run.checkpoint()
    run.watermarks["products_since"] = (run.started_at - OVERLAP).isoformat()


def _changed_products(run: SyncRun, since: datetime) -> None:
    connector = run.connector
    _store_products(run, read_ahead(partial(connector.iter_products, since), run.report))
    if isinstance(connector, DeletionFeed):
        deleted = connector.iter_deleted_products(since)
        run.summary.products.archived += archive_products(run.scope, deleted)
        run.checkpoint()
    run.watermarks["products_since"] = (run.started_at - OVERLAP).isoformat()


def _orders(run: SyncRun, full: bool) -> None:
    window_start = run.started_at - RECENT_ORDERS
    since = None if full else _parse(run.previous.get("orders_since"))
    _store_orders(
        run, run.connector.iter_orders(max(since or window_start, window_start), run.report)
    )
    run.watermarks["orders_since"] = (run.started_at - OVERLAP).isoformat()


def _sync_work(what: What, full: bool) -> Callable[[SyncRun], None]:
    def work(run: SyncRun) -> None:
        if what in ("products", "all"):
            since = None if full else _parse(run.previous.get("products_since"))
            if since is None:
                _all_products(run)
            else:
                _changed_products(run, since)
        if what in ("orders", "all"):
            _orders(run, full)

    return work


# ---------------------------------------------------------------------------- runner
def _run(
    shop_id: int,
    kind: str,
    work: Callable[[SyncRun], None],
    progress: Progress,
    *,
    record_state: bool,
) -> dict[str, Any] | None:
    with get_db().session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None or not shop.is_installed or shop.needs_reauth:
            reason = "gone" if shop is None or not shop.is_installed else "needs re-authorization"
            log.info("sync skipped", extra={"shop_id": shop_id, "kind": kind, "reason": reason})
            return None
        summary = Summary(kind)
        previous = dict(shop.extra.get("sync") or {})
        try:
            connector = tokens.connector(shop, current_app.config)
        except AuthError as exc:
            _mark_needs_reauth(session, shop_id, exc)
            return summary.as_dict()
        check = PaidCheck.of(shop, str(current_app.config["SECRET_KEY"] or ""))
        run = SyncRun(
            session, shop_id, connector, progress, summary, utcnow(), previous, record_state, check
        )
        try:
            _execute(run, kind, work)
        except AuthError as exc:
            session.rollback()
            _mark_needs_reauth(session, shop_id, exc)
        finally:
            connector.close()
        return summary.as_dict()


def _execute(run: SyncRun, kind: str, work: Callable[[SyncRun], None]) -> None:
    """Run ``work``, bracketing it with the dashboard state when this run records one."""
    if run.record_state:
        _update_state(
            run.session,
            run.shop_id,
            state="running",
            kind=kind,
            started_at=run.started_at.isoformat(),
            finished_at=None,
            progress={},
            last_error=None,
        )
        run.session.commit()
    try:
        work(run)
    except AuthError:
        raise
    except Exception as exc:
        run.session.rollback()
        if run.record_state:
            _update_state(
                run.session,
                run.shop_id,
                state="failed",
                finished_at=utcnow().isoformat(),
                last_error=f"{type(exc).__name__}: {exc}",
                counts=run.summary.as_dict(),
            )
            run.session.commit()
        raise
    if run.record_state:
        _update_state(
            run.session,
            run.shop_id,
            state="succeeded",
            finished_at=utcnow().isoformat(),
            last_success_at=run.started_at.isoformat(),
            counts=run.summary.as_dict(),
            **run.watermarks,
        )
    log.info("sync finished", extra={"shop_id": run.shop_id, "kind": kind})


def _already_running(shop_id: int) -> bool:
    """A full or incremental sync of this shop started within the sync timeout and not ended."""
    with get_db().session() as session:
        shop = session.get(Shop, shop_id)
        state = (shop.extra.get("sync") or {}) if shop is not None else {}
    started = _parse(state.get("started_at"))
    timeout = timedelta(seconds=TIMEOUTS["sync"])
    return state.get("state") == "running" and started is not None and utcnow() - started < timeout


# ------------------------------------------------------------------ what jobs run
def sync_shop(
    shop_id: int, what: What = "all", *, full: bool = False, progress: Progress = report_progress
) -> dict[str, Any] | None:
    """Sync products, orders or both; ``full`` re-reads everything (and archives the missing)."""
    kind = f"{'full' if full else 'incremental'}-{what}"
    return _run(shop_id, kind, _sync_work(what, full), progress, record_state=True)


def initial_sync(shop_id: int) -> dict[str, Any] | None:
    """After install: the whole catalog (bulk when big), then the recent orders."""
    return sync_shop(shop_id, "all", full=True)


def incremental_sync(shop_id: int) -> dict[str, Any] | None:
    """What changed since the last successful sync (a full one if there never was one)."""
    if _already_running(shop_id):
        log.info("incremental sync skipped: a sync is running", extra={"shop_id": shop_id})
        return None
    return sync_shop(shop_id, "all", full=False)


def _one_product(product_gid: str) -> Callable[[SyncRun], None]:
    def work(run: SyncRun) -> None:
        try:
            record = run.connector.get_product(product_gid)
        except RecordError as exc:
            run.summary.products.skip(SkippedRecord("product", exc.external_id, exc.reason))
            log.warning("skipping malformed product", extra={"external_id": product_gid})
            return
        if record is None:  # deleted since the webhook was sent
            run.summary.products.archived += archive_products(run.scope, [product_gid])
        else:
            for outcome in upsert_products(run.scope, [record]):
                run.summary.products.add(outcome)

    return work


def sync_product(shop_id: int, product_gid: str) -> dict[str, Any] | None:
    """One product, from a products/create or products/update webhook."""
    return _run(shop_id, "product", _one_product(product_gid), report_progress, record_state=False)


def archive_product(shop_id: int, product_gid: str) -> dict[str, Any] | None:
    """products/delete: archive it here (orders keep pointing at it). No API call needed."""
    with get_db().session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None:
            return None
        summary = Summary("archive-product")
        summary.products.archived = archive_products(ShopScope(session, shop_id), [product_gid])
        return summary.as_dict()


def _one_order(order_gid: str) -> Callable[[SyncRun], None]:
    def work(run: SyncRun) -> None:
        try:
            record = run.connector.get_order(order_gid)
        except RecordError as exc:
            run.summary.orders.skip(SkippedRecord("order", exc.external_id, exc.reason))
            log.warning("skipping malformed order", extra={"external_id": order_gid})
            return
        if record is not None:
            _store_order(run, record)

    return work


def sync_order(shop_id: int, order_gid: str) -> dict[str, Any] | None:
    """One order, from an orders/create or orders/updated webhook."""
    return _run(shop_id, "order", _one_order(order_gid), report_progress, record_state=False)


def reconcile_all() -> int:
    """Periodic reconciliation: an incremental sync for every installed or connected shop."""
    with get_db().session() as session:
        query = select(Shop.id).where(
            Shop.platform.in_((Platform.SHOPIFY, Platform.WOOCOMMERCE)),
            Shop.installed_at.is_not(None),
            Shop.uninstalled_at.is_(None),
            Shop.needs_reauth.is_(False),
        )
        shop_ids = list(session.scalars(query.order_by(Shop.id)))
    redis = get_redis()
    for shop_id in shop_ids:
        enqueue(redis, incremental_sync_spec(shop_id))
    log.info("reconciliation enqueued", extra={"shops": len(shop_ids)})
    return len(shop_ids)
