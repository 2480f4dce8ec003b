"""Handing production jobs to the ``render`` queue, by id, once the rows are committed.

The job is named by its dotted path (``jobs.production.produce``); ``meta["shop_id"]`` lets an
uninstall or a redaction cancel it while it waits (``app.queue.cancel_shop_jobs``).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from app.extensions import get_redis
from app.queue import JobSpec, enqueue_after_commit

FUNC = "jobs.production.produce"
RETRY_INTERVALS = (30, 120, 600)  # storage or database trouble rarely clears in seconds


def production_spec(production_job_id: int, shop_id: int) -> JobSpec:
    return JobSpec(
        "render",
        FUNC,
        (production_job_id,),
        job_id=f"render-{production_job_id}",
        retry_intervals=RETRY_INTERVALS,
        description=f"production job {production_job_id}",
        meta={"shop_id": shop_id},
    )


def enqueue_production(session: Session, jobs: Iterable[tuple[int, int]]) -> None:
    """Enqueue ``produce`` for each (production job id, shop id) once ``session`` commits."""
    redis = get_redis()
    for job_id, shop_id in jobs:
        enqueue_after_commit(session, redis, production_spec(job_id, shop_id))
