"""The sync jobs as the queue knows them: by dotted path and shop id, never by import.

Services that start a sync (install, connect, a webhook, the reconciliation) build these specs;
``jobs.sync`` holds the functions they name, so nothing here imports the job layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.queue import JobSpec


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
