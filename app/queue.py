"""Queues, enqueueing and progress: the only way work is handed to RQ workers.

Jobs are enqueued by dotted path with plain ids, never ORM objects, and only after the
transaction that created their rows has committed (``enqueue_after_commit``), so a worker never
looks for a row that is not there yet. Naming a job by its path is also what keeps services
from importing the job layer (``jobs/``): the spec is built beside the service that wants the
work done. A burst of changes to one resource shares one waiting run (``collapsed``), and an
uninstall or a redaction stops the shop's waiting jobs (``cancel_shop_jobs``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from redis import Redis
from rq import Queue, Retry, get_current_job
from rq.exceptions import DuplicateJobError, InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.db import has_uncommitted_writes

log = logging.getLogger(__name__)

QUEUE_NAMES = ("default", "sync", "render", "ai")

# Seconds a job may run before the worker kills it; generous where files or catalogs are big.
TIMEOUTS = {"default": 300, "sync": 3600, "render": 900, "ai": 300}

# Retries with growing backoff; also applies when a worker dies mid-job (abandoned job).
DEFAULT_RETRY_INTERVALS = (10, 30, 60)

SHOP_QUEUES = ("sync", "render", "ai")  # never "default": compliance jobs must still run
_WAITING = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED})
_FINISHED = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELED, JobStatus.STOPPED}


@dataclass(frozen=True)
class JobSpec:
    """What to run, where, and how: everything enqueue() needs, built before commit."""

    queue: str
    func: str
    args: tuple[Any, ...] = ()
    job_id: str | None = None  # letters, digits, "_" and "-" only, e.g. "render-42"
    retries: int = len(DEFAULT_RETRY_INTERVALS)
    retry_intervals: Sequence[int] = DEFAULT_RETRY_INTERVALS
    timeout: int | None = None
    description: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def get_queue(name: str, connection: Redis) -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}; queues are {', '.join(QUEUE_NAMES)}")
    return Queue(name, connection=connection, default_timeout=TIMEOUTS[name])


def enqueue(connection: Redis, spec: JobSpec) -> Job:
    """Enqueue ``spec``; with a job_id, a job still waiting or running is returned, not doubled."""
    queue = get_queue(spec.queue, connection)
    retry = Retry(max=spec.retries, interval=list(spec.retry_intervals)) if spec.retries else None
    kwargs: dict[str, Any] = {
        "args": spec.args,
        "job_id": spec.job_id,
        "retry": retry,
        "timeout": spec.timeout or TIMEOUTS[spec.queue],
        "description": spec.description,
        "meta": dict(spec.meta),
        "failure_ttl": 7 * 24 * 3600,  # failed jobs stay visible to operators for a week
    }
    if spec.job_id is None:
        return queue.enqueue_call(spec.func, **kwargs)
    try:
        return queue.enqueue_call(spec.func, unique=True, **kwargs)
    except DuplicateJobError:
        existing = _fetched(connection, spec.job_id)
        if existing is not None and existing.get_status(refresh=False) not in _FINISHED:
            return existing
        if existing is not None:
            existing.delete()  # a finished run of the same work: start a fresh one
        try:
            return queue.enqueue_call(spec.func, unique=True, **kwargs)
        except DuplicateJobError:  # another process queued the same work meanwhile: it is that
            return Job.fetch(spec.job_id, connection=connection)


# A job read while another process finishes or replaces it can vanish between two reads (its
# hash deleted after ``Job.fetch`` answered): RQ then raises ``InvalidJobOperation`` from the
# status read. Three workers collapsing the same burst of product updates did, at scale.
_GONE = (NoSuchJobError, InvalidJobOperation)


def _fetched(redis: Redis, job_id: str) -> Job | None:
    """The job with its status read now, or None when it is gone (or went while being read)."""
    try:
        job = Job.fetch(job_id, connection=redis)
        job.get_status(refresh=True)
    except _GONE:
        return None
    return job


def _job_status(redis: Redis, job_id: str) -> JobStatus | None:
    job = _fetched(redis, job_id)
    return job.get_status(refresh=False) if job is not None else None


def collapsed(redis: Redis, spec: JobSpec) -> JobSpec | None:
    """The spec to enqueue, or None when a run that has not started will see this change anyway.

    A burst of updates shares one waiting run. A run already started may have read the resource
    before this change, so one follow-up run (``-next``) is queued behind it instead.
    """
    if spec.job_id is None:
        return spec
    for job_id in (spec.job_id, f"{spec.job_id}-next"):
        status = _job_status(redis, job_id)
        if status in _WAITING:
            return None
        if status is not JobStatus.STARTED:
            return replace(spec, job_id=job_id)
    return replace(spec, job_id=None)


_PENDING = "luneo.pending_jobs"


def enqueue_after_commit(session: Session, connection: Redis, spec: JobSpec) -> None:
    """Enqueue ``spec`` once ``session``'s transaction commits; drop it if that transaction, or
    the savepoint it was asked for in, rolls back.

    A savepoint's release is not the commit: SQLAlchemy fires ``after_commit`` for it too, and a
    worker that took the job then would not see the rows it is about (the order sync writes each
    order in a savepoint: its e-mail job once ran first, found no line and sent nothing).
    """
    if not event.contains(session, "after_commit", _enqueue_pending):
        event.listen(session, "after_commit", _enqueue_pending)
        event.listen(session, "after_soft_rollback", _drop_pending)
    asked_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((asked_in, connection, spec))


def enqueue_when_committed(session: Session, connection: Redis, spec: JobSpec) -> None:
    """Enqueue ``spec`` after the commit of what ``session`` has written, or at once if nothing.

    For work that refers to rows a caller may still be writing (an e-mail with a link to a new
    invitation) but that must not wait for a commit that a read-only request never makes.
    """
    if has_uncommitted_writes(session):
        enqueue_after_commit(session, connection, spec)
    else:
        enqueue(connection, spec)


def _enqueue_pending(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction goes on
        return
    for _asked_in, connection, spec in session.info.pop(_PENDING, []):
        enqueue(connection, spec)


def _drop_pending(session: Session, rolled_back: SessionTransaction) -> None:
    """Forget the jobs asked for in ``rolled_back`` (all of them when it is the transaction)."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if rolled_back.parent is None:
        session.info.pop(_PENDING, None)
        return
    session.info[_PENDING] = [entry for entry in pending if not _inside(entry[0], rolled_back)]


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def report_progress(done: int, total: int, message: str = "") -> None:
    """Record progress on the running job (``job.meta['progress']``) for the admin and CLI."""
    job = get_current_job()
    if job is None:
        return
    percent = 100 if total <= 0 else min(100, round(100 * done / total))
    job.meta["progress"] = {"done": done, "total": total, "percent": percent, "message": message}
    job.save_meta()


def job_progress(job: Job) -> dict[str, Any]:
    """What the admin shows for a job: status, progress and the error if it failed."""
    status = job.get_status(refresh=True)
    info: dict[str, Any] = {
        "id": job.id,
        "status": status.value if status else "unknown",
        "progress": job.meta.get("progress"),
        "description": job.description,
        "retries_left": job.retries_left,
    }
    if status == JobStatus.FAILED:
        result = job.latest_result()
        info["error"] = (result.exc_string or "").strip().splitlines()[-1:] if result else None
    return info


# ---------------------------------------------------------------- stopping a shop's jobs
def _acts_for(job: Job, shop_id: int) -> bool:
    """Jobs that name the shop: ``meta["shop_id"]``, or a sync job whose first argument it is."""
    if job.meta.get("shop_id") == shop_id:
        return True
    is_sync = (job.func_name or "").startswith("jobs.sync.")
    return is_sync and bool(job.args) and job.args[0] == shop_id


def _waiting_job_ids(redis: Redis, queue_name: str) -> list[str]:
    queue = get_queue(queue_name, redis)
    return [
        *queue.get_job_ids(),
        *queue.scheduled_job_registry.get_job_ids(),
        *queue.deferred_job_registry.get_job_ids(),
    ]


def cancel_shop_jobs(redis: Redis, shop_id: int) -> int:
    """Best effort: cancel the shop's jobs that have not started yet; how many were cancelled."""
    cancelled = 0
    for queue_name in SHOP_QUEUES:
        for job in Job.fetch_many(_waiting_job_ids(redis, queue_name), connection=redis):
            try:
                if job is not None and not job.is_canceled and _acts_for(job, shop_id):
                    job.cancel()
                    cancelled += 1
            except Exception:  # an unreadable job must not stop the uninstall
                log.warning("could not inspect a queued job", extra={"shop_id": shop_id})
    return cancelled


def configured_intervals(raw: Any, default: Sequence[int]) -> tuple[int, ...]:
    """Retry intervals from a setting ("10,60,300" or a list); ``default`` when it is empty."""
    if not raw:
        return tuple(default)
    if isinstance(raw, str):
        return tuple(int(x) for x in raw.split(",") if x.strip())
    return tuple(int(x) for x in raw)
