"""The catalog sync as the merchant sees it: what was recorded on the shop, plus the live job.

The sync job records its outcome in ``shop.extra["sync"]`` (state, times, counts, last error)
and its progress in the RQ job's ``meta["progress"]``. Both are read defensively: the dashboard
must render whatever an older or newer sync wrote, and with no job or no Redis at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import DeserializationError, NoSuchJobError
from rq.job import Job
from sqlalchemy import func, select

from app.models import Product, Shop, ShopScope

log = logging.getLogger(__name__)

SYNC_JOB_ID = "sync-initial-{shop_id}"
ACTIVE_JOB_STATUSES = frozenset({"queued", "started", "deferred", "scheduled", "created"})
RUNNING_STATES = frozenset({"queued", "running", "started", "in_progress", "syncing"})
MAX_ERROR_LENGTH = 500
MAX_COUNTS = 20
SYNCED_STATE = "synced"  # no run recorded, but products were copied (see sync_status)


@dataclass(frozen=True)
class Progress:
    percent: int
    done: int | None = None
    total: int | None = None
    message: str = ""


@dataclass(frozen=True)
class JobView:
    status: str
    progress: Progress | None


@dataclass(frozen=True)
class SyncStatus:
    state: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counts: tuple[tuple[str, int], ...] = ()
    last_error: str | None = None
    job_status: str | None = None
    progress: Progress | None = None

    @property
    def running(self) -> bool:
        if self.job_status is not None:
            return self.job_status in ACTIVE_JOB_STATUSES
        return self.state in RUNNING_STATES

    def as_json(self) -> dict[str, Any]:
        progress = self.progress
        return {
            "state": self.state,
            "running": self.running,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "counts": dict(self.counts),
            "last_error": self.last_error,
            "job_status": self.job_status,
            "progress": progress.__dict__ if progress is not None else None,
        }


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _progress(raw: Any) -> Progress | None:
    if not isinstance(raw, Mapping):
        return None
    done, total = _int(raw.get("done")), _int(raw.get("total"))
    percent = _int(raw.get("percent"))
    if percent is None and done is not None and total:
        percent = round(100 * done / total)
    if percent is None:
        return None
    message = raw.get("message")
    return Progress(
        percent=min(100, max(0, percent)),
        done=done,
        total=total,
        message=message[:200] if isinstance(message, str) else "",
    )


def fetch_sync_job(redis: Redis, shop_id: int) -> JobView | None:
    """The shop's initial-sync job if Redis still knows it; None when absent or unreachable."""
    try:
        job = Job.fetch(SYNC_JOB_ID.format(shop_id=shop_id), connection=redis)
        status = job.get_status(refresh=False)
        meta = job.meta
    except (NoSuchJobError, DeserializationError):
        return None
    except RedisError:
        log.warning("sync job status unavailable: Redis did not answer", exc_info=True)
        return None
    value = status.value if status is not None else "unknown"
    return JobView(status=value, progress=_progress(meta.get("progress")))


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _counts(raw: Any, prefix: str = "") -> list[tuple[str, int]]:
    """Flattened counts: ``{"products": {"created": 3}}`` -> ``("products created", 3)``."""
    if not isinstance(raw, Mapping):
        return []
    counts: list[tuple[str, int]] = []
    for key, value in raw.items():
        label = f"{prefix} {key}".strip().replace("_", " ")
        number = _int(value)
        if number is not None:
            counts.append((label, number))
        else:
            counts.extend(_counts(value, label))
    return counts[:MAX_COUNTS]


def sync_status(
    recorded: Any, job: JobView | None, last_synced: datetime | None = None
) -> SyncStatus:
    """What to show from ``shop.extra["sync"]`` and the live job (either may be missing).

    ``last_synced`` is when a product was last copied from the store. Products also arrive
    outside a recorded run (webhooks, single-product syncs, the seeded demo shop), so with no
    recorded run but synced products the catalog is "synced" as of then, never "not synced yet".
    """
    data: Mapping[str, Any] = recorded if isinstance(recorded, Mapping) else {}
    state = data.get("state")
    error = data.get("last_error") or data.get("error")
    finished_at = _when(data.get("finished_at"))
    state = state if isinstance(state, str) and state else "never"
    if state == "never" and last_synced is not None:
        state, finished_at = SYNCED_STATE, last_synced
    return SyncStatus(
        state=state,
        started_at=_when(data.get("started_at")),
        finished_at=finished_at,
        counts=tuple(_counts(data.get("counts"))),
        last_error=str(error)[:MAX_ERROR_LENGTH] if error else None,
        job_status=job.status if job is not None else None,
        progress=job.progress if job is not None else _progress(data.get("progress")),
    )


def last_product_sync(scope: ShopScope) -> datetime | None:
    """When a product of this shop was last copied from the store (None: never)."""
    stmt = select(func.max(Product.synced_at)).where(Product.shop_id == scope.shop_id)
    return scope.session.scalar(stmt)


def shop_sync_status(scope: ShopScope, shop: Shop, redis: Redis) -> SyncStatus:
    """The sync status the dashboard and its API show for ``shop``."""
    job = fetch_sync_job(redis, shop.id)
    return sync_status(shop.extra.get("sync"), job, last_product_sync(scope))


def recorded_or_derived(scope: ShopScope, shop: Shop) -> dict[str, Any]:
    """``shop.extra["sync"]`` as recorded or, with none, what the synced products say."""
    recorded = shop.extra.get("sync")
    if isinstance(recorded, Mapping) and recorded:
        return dict(recorded)
    last = last_product_sync(scope)
    if last is None:
        return {"state": "never"}
    return {"state": SYNCED_STATE, "finished_at": last.isoformat()}
