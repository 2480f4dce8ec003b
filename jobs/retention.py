"""Retention jobs: the daily sweep of designs nobody ordered and of files nothing uses, the
sweep every 15 minutes of shoppers' photos no design places, and the daily removal of
analytics counters older than 13 months.

Thin, like every job module: ``sweep_all`` (from the scheduler) hands each shop its own job,
``sweep_shop`` loads the setting and calls ``app.retention``; ``sweep_uploads_all`` does the same
for the shops holding photos old enough to weigh, with ``sweep_uploads``. All are safe to run
again: a sweep commits batch by batch, so a killed or retried job carries on where it stopped.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from app import retention
from app.extensions import get_db, get_redis, get_storage
from app.queue import enqueue, report_progress
from app.stored_files import delete_pending_bytes


def retention_days() -> int:
    return int(current_app.config["DESIGN_RETENTION_DAYS"])


def upload_retention_hours() -> int:
    return int(current_app.config["UPLOAD_RETENTION_HOURS"])


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
        enqueue(redis, retention.sweep_spec(shop_id))
    return {"shops": len(shops), "leftovers": drained.deleted}


def sweep_shop(shop_id: int) -> dict[str, Any] | None:
    """Remove the shop's old unordered designs and unused shopper files; what went."""
    with get_db().session() as session:
        result = retention.sweep_shop(
            session, get_storage(), shop_id, retention_days(), progress=report_progress
        )
    return result.as_dict() if result is not None else None


def sweep_analytics() -> dict[str, int]:
    """Periodic: delete analytics counters older than 13 months, every shop's."""
    with get_db().session() as session:
        return {"rows": retention.sweep_analytics(session)}


def sweep_uploads_all() -> dict[str, int]:
    """Periodic: one job per shop holding photos old enough to go (none when the setting is 0)."""
    hours = upload_retention_hours()
    if hours <= 0:
        return {"shops": 0}
    with get_db().session() as session:
        shops = retention.shops_with_uploads_to_weigh(session, hours)
    redis = get_redis()
    for shop_id in shops:
        enqueue(redis, retention.sweep_uploads_spec(shop_id))
    return {"shops": len(shops)}


def sweep_uploads(shop_id: int) -> dict[str, Any] | None:
    """Remove the shop's photos no design places, once LUNEO_UPLOAD_RETENTION_HOURS old."""
    with get_db().session() as session:
        result = retention.sweep_uploads(session, get_storage(), shop_id, upload_retention_hours())
    return result.as_dict() if result is not None else None
