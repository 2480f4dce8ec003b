"""Retention jobs: the daily sweep of designs nobody ordered and of files nothing uses.

Thin, like every job module: ``sweep_all`` (from the scheduler) hands each shop its own job,
``sweep_shop`` loads the setting and calls ``app.retention``. Both are safe to run again: a
sweep commits batch by batch, so a killed or retried job carries on where the last one stopped.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from app import retention
from app.extensions import get_db, get_redis, get_storage
from app.stored_files import delete_pending_bytes
from jobs.queue import JobSpec, enqueue, report_progress

SHOP_TIMEOUT = 3600  # a first sweep of a large shop's backlog can take a while


def retention_days() -> int:
    return int(current_app.config["DESIGN_RETENTION_DAYS"])


def sweep_spec(shop_id: int) -> JobSpec:
    return JobSpec(
        "default",
        "jobs.retention.sweep_shop",
        (shop_id,),
        job_id=f"retention-{shop_id}",
        timeout=SHOP_TIMEOUT,
        description=f"retention sweep of shop {shop_id}",
        meta={"shop_id": shop_id},
    )


def sweep_all() -> dict[str, int]:
    """Periodic: one sweep job per shop (none when LUNEO_DESIGN_RETENTION_DAYS is 0)."""
    if retention_days() <= 0:
        return {"shops": 0, "leftovers": 0}
    with get_db().session() as session:
        shops = retention.shop_ids(session)
        # Bytes of shops deleted since a sweep queued them: no shop job will ever see them.
        drained = delete_pending_bytes(session, get_storage(), only_gone_shops=True)
    redis = get_redis()
    for shop_id in shops:
        enqueue(redis, sweep_spec(shop_id))
    return {"shops": len(shops), "leftovers": drained.deleted}


def sweep_shop(shop_id: int) -> dict[str, Any] | None:
    """Remove the shop's old unordered designs and unused shopper files; what went."""
    with get_db().session() as session:
        result = retention.sweep_shop(
            session, get_storage(), shop_id, retention_days(), progress=report_progress
        )
    return result.as_dict() if result is not None else None
