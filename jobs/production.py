"""The production job: ``produce(production_job_id)`` on the ``render`` queue.

Thin on purpose: the work is ``app.production.produce_job``; this module gives it the app's
session, storage and RQ progress, and says whether RQ will retry (so a failure shows "will be
retried" or "failed" in the admin). A job that became ready is routed to its partner
(``app.fulfilment.routing.route_after_production``), and made again at once when that partner's
file profile asks for other files than it was made with. Enqueued by ``app.production.enqueue``.
"""

from __future__ import annotations

from typing import Any

from rq import get_current_job

from app.extensions import get_db, get_storage
from app.fulfilment.routing import route_after_production
from app.production import produce_job
from app.queue import report_progress


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
        if outcome.status == "ready" and route_after_production(session, production_job_id):
            # Routed to a partner whose profile asks for other files: made again, once.
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
