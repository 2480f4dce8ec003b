"""The sync jobs (and the recovery e-mail an order sync asks for) as the queue knows them: by
dotted path and ids, never by import.

Services that start a sync (install, connect, a webhook, the reconciliation) build these specs;
``jobs.sync`` holds the functions they name, so nothing here imports the job layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redis import Redis
from sqlalchemy.orm import Session

from app.models import Order, OrderItem
from app.queue import JobSpec, collapsed, enqueue_after_commit


def initial_sync_spec(shop_id: int) -> JobSpec:
    return JobSpec("sync", "jobs.sync.initial_sync", (shop_id,), job_id=f"sync-initial-{shop_id}")


def incremental_sync_spec(shop_id: int) -> JobSpec:
    return JobSpec(
        "sync", "jobs.sync.incremental_sync", (shop_id,), job_id=f"sync-incremental-{shop_id}"
    )


@dataclass(frozen=True)
class NarrowSync:
    """The sync job one resource topic hands its resource to."""

    resource: str  # the GraphQL type in the gid: Product, Order
    job_prefix: str  # RQ job id prefix; the shop and the resource's id follow
    func: str


PRODUCT_SYNC = NarrowSync("Product", "sync-product", "jobs.sync.sync_product")
PRODUCT_ARCHIVE = NarrowSync("Product", "archive-product", "jobs.sync.archive_product")
ORDER_SYNC = NarrowSync("Order", "sync-order", "jobs.sync.sync_order")


def enqueue_narrow_sync(
    session: Session, redis: Redis, shop_id: int, sync: NarrowSync, resource_id: str
) -> None:
    """Hand one resource (a Shopify gid or a WooCommerce id) to its narrow sync, once per burst.

    Every webhook of a burst about one product names the same job id, so ``collapsed`` keeps a
    single waiting run (or one follow-up behind a running one); the job re-reads the resource.
    """
    key = re.sub(r"[^A-Za-z0-9_-]", "_", resource_id.rsplit("/", 1)[-1])
    job_id = f"{sync.job_prefix}-{shop_id}-{key}"
    spec = collapsed(redis, JobSpec("sync", sync.func, (shop_id, resource_id), job_id=job_id))
    if spec is not None:
        enqueue_after_commit(session, redis, spec)


RECOVERY_MAIL = "jobs.recovery.send_link"


def recovery_mail_spec(item: OrderItem) -> JobSpec:
    """The e-mail asking a shopper for the design an ordered line lacks (``app.sync.recovery``).

    One waiting job per line (its id), on ``default``: the e-mail must still go out while the
    shop's sync and render queues are busy.
    """
    return JobSpec(
        "default",
        RECOVERY_MAIL,
        (item.id,),
        job_id=f"recovery-mail-{item.id}",
        description=f"design recovery e-mail for order line {item.id}",
        meta={"shop_id": item.shop_id},
    )


EDIT_MAIL = "jobs.order_edits.send_link"


def edit_mail_spec(item: OrderItem) -> JobSpec:
    """The e-mail with the link to change an ordered line's design (``app.sync.order_edits``),
    one waiting job per line, on ``default`` like the recovery e-mail."""
    return JobSpec(
        "default",
        EDIT_MAIL,
        (item.id,),
        job_id=f"edit-mail-{item.id}",
        description=f"design change e-mail for order line {item.id}",
        meta={"shop_id": item.shop_id},
    )


DESIGN_LINKS = "jobs.order_edits.publish_links"


def design_links_spec(order: Order, intervals: tuple[int, ...]) -> JobSpec:
    """The order's change links on Shopify's order status page (``app.sync.design_links``): one
    waiting job per order, on ``default``, retried after ``intervals`` seconds like a push."""
    return JobSpec(
        "default",
        DESIGN_LINKS,
        (order.id,),
        job_id=f"design-links-{order.id}",
        retries=len(intervals),
        retry_intervals=intervals,
        description=f"design change links on Shopify order {order.id}",
        meta={"shop_id": order.shop_id},
    )
