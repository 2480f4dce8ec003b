"""The production job: ``produce(production_job_id)`` on the ``render`` queue.

Thin on purpose: the work is ``app.production.produce_job``; this module gives it the app's
session, storage and RQ progress, and says whether RQ will retry (so a failure shows "will be
retried" or "failed" in the admin). Enqueued by id after the commit that created or re-queued
the job; ``meta["shop_id"]`` lets an uninstall or redaction cancel it while it waits.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rq import get_current_job
from sqlalchemy.orm import Session

from app.extensions import get_db, get_redis, get_storage
from app.production import produce_job
from jobs.fulfilment import route_after_production
from app.queue import JobSpec, enqueue_after_commit, report_progress

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


def _will_retry() -> bool:
    job = get_current_job()
    return job is not None and bool(job.retries_left)


def produce(production_job_id: int) -> dict[str, Any]:
    """Render, store and mark READY (or FAILED with the reason) one production job."""
    with get_db().session() as session:
        outcome = produce_job(
            session,
            get_storage(),
            production_job_id,
            progress=report_progress,
            will_retry=_will_retry,
        )
        if outcome.status == "ready":
            route_after_production(session, production_job_id)
    return outcome.as_dict()
