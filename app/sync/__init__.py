"""Sync: a shop's products and orders, read through its connector, stored by idempotent upserts.

One face for callers: the jobs (``jobs.sync``), the CLI (``luneo sync``), the platforms'
webhook handlers and install/connect use what this exports. ``run`` drives a run (batches,
progress, the dashboard state, needs_reauth); ``store`` writes records; ``specs`` names the jobs.
"""

from app.sync.run import (
    Summary,
    What,
    archive_product,
    incremental_sync,
    initial_sync,
    reconcile_all,
    sync_order,
    sync_product,
    sync_shop,
)
from app.sync.specs import (
    ORDER_SYNC,
    PRODUCT_ARCHIVE,
    PRODUCT_SYNC,
    NarrowSync,
    enqueue_narrow_sync,
    incremental_sync_spec,
    initial_sync_spec,
)
from app.sync.store import Tally, archive_missing

__all__ = [
    "ORDER_SYNC",
    "PRODUCT_ARCHIVE",
    "PRODUCT_SYNC",
    "NarrowSync",
    "enqueue_narrow_sync",
    "Summary",
    "Tally",
    "What",
    "archive_missing",
    "archive_product",
    "incremental_sync",
    "incremental_sync_spec",
    "initial_sync",
    "initial_sync_spec",
    "reconcile_all",
    "sync_order",
    "sync_product",
    "sync_shop",
]
