"""The worker entry point: one app, one app context, then RQ's loop.

Uses RQ's forking Worker (each job in a fresh work-horse process, killed on timeout) with the
scheduler enabled, so retries with backoff and scheduled jobs run. Registry maintenance runs
every ``WORKER_MAINTENANCE_INTERVAL`` seconds; that is where a job whose worker died (kill -9, a
lost host) is found abandoned and retried.

RQ alone does not keep that promise: an idle worker blocks on its queues for ``worker_ttl - 15``
seconds (405 by default) before it looks at its maintenance clock, and a busy one never looks
while its job runs, so a dead worker's job waited ~7 minutes. Here an idle worker wakes at least
every interval and a busy one sweeps from its monitoring loop. And a running job's heartbeat
lapses two missed heartbeats after the last one (RQ: a flat 60 s), so a dead worker's job is
found within ``interval + 3 × WORKER_MONITORING_INTERVAL`` seconds: 60 s with the defaults (a
30 s sweep, 10 s heartbeats), as the README states.

Not every job is worth a fork. A webhook event's job reads one row, changes a few and hands a
sync on: forking a work-horse for it cost more than the job (11 events/s per worker). So jobs
from the queues in ``WORKER_IN_PROCESS_QUEUES`` (``default``: webhook and Stripe events, mails,
compliance; small, pure Python, no large files) run in the worker's own process as RQ's
``SimpleWorker`` runs them, while ``render``, ``ai`` and ``sync`` (images and catalogs that may
exhaust memory, native code that may crash) still get a forked work-horse each. In-process jobs
keep what matters: the job timeout is RQ's death penalty (SIGALRM in this, the main, thread);
a job that raises, or even calls ``sys.exit``, is recorded failed and retried while the worker
goes on (RQ's ``perform_job`` catches everything). Nothing beats the alarm while a job runs, so
their heartbeat is RQ's SimpleWorker one (the job's timeout + 60 s): a worker killed during an
in-process job has it found abandoned after that, not after 60 s.

A worker that serves ``default`` is also a webhook *dispatcher* (``app.webhook_events.
dispatch``): the receivers only commit each delivery's row, and the worker hands the waiting
rows' jobs to the queue in batches, between jobs (at most every ``DISPATCH_EVERY`` seconds while
a batch is not full) and at least that often while idle (its wait for a job is cut to that).
A worker on ``--burst`` dispatches before it finds its queues empty, so it does not quit with
recorded events left. A failing dispatch (database or Redis down) is logged and tried again
at the next one; the job loop goes on.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from typing import Any

from flask import Flask
from redis.client import Pipeline
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker, Worker
from rq.executions import Execution
from rq.job import Job
from rq.worker import WorkerStatus
from rq.worker.base import BaseWorker
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import get_db, get_redis
from app.queue import QUEUE_NAMES, get_queue
from app.webhook_events import DISPATCH_EVERY, dispatch

log = logging.getLogger(__name__)

# ``luneo dev`` runs one worker per pool, so a shopper never waits behind back-office work: a
# catalog sync, or a shipment push retrying against an unreachable store, can hold a worker for
# minutes, while the editor polls its AI image and previews (``ai``, ``render``) live.
DEV_WORKER_POOLS: tuple[tuple[str, ...], ...] = (("ai", "render"), ("default", "sync"))


class _SweepsOnTime(BaseWorker):
    """Wake from an idle wait at least every maintenance interval, so the sweep runs on time; a
    worker serving ``default`` dispatches recorded webhook events (see above)."""

    EVENT_QUEUE = "default"  # where the jobs of webhook and Stripe events go
    _next_dispatch = 0.0  # time.monotonic() of the next dispatch

    @property
    def dispatches(self) -> bool:
        queues = getattr(self, "queues", ())  # none yet while RQ's __init__ runs
        return any(queue.name == self.EVENT_QUEUE for queue in queues)

    @property
    def dequeue_timeout(self) -> int:
        wait = min(int(super().dequeue_timeout), int(self.maintenance_interval))
        if self.dispatches:
            wait = min(wait, math.ceil(DISPATCH_EVERY))
        return max(1, wait)

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        """RQ's heartbeat, then (before each wait for a job, and after each job) a dispatch."""
        super().heartbeat(timeout, pipeline)
        if timeout is None and pipeline is None and self.dispatches:
            self.dispatch_events()

    def dispatch_events(self, *, now: float | None = None) -> None:
        """Hand over the recorded events waiting for their job, unless the last dispatch was
        less than ``DISPATCH_EVERY`` ago and took all there was."""
        moment = time.monotonic() if now is None else now
        if moment < self._next_dispatch:
            return
        full = False
        try:
            with get_db().session() as session:
                full = dispatch(session, self.connection)
        except (SQLAlchemyError, RedisError):
            log.warning("webhook dispatch failed: the next one tries again", exc_info=True)
        self._next_dispatch = moment if full else moment + DISPATCH_EVERY


class LuneoWorker(_SweepsOnTime, Worker):
    """RQ's forking worker that also sweeps while busy and lets dead jobs' heartbeats lapse soon;
    jobs from ``in_process_queues`` run in this process instead (no fork, see above)."""

    # Missed heartbeats after which a running job counts as abandoned (RQ waits a flat 60 s).
    MISSED_HEARTBEATS = 2

    def __init__(self, *args: Any, in_process_queues: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_process_queues = frozenset(in_process_queues)
        self._running_in_process = False

    def runs_in_process(self, job: Job, queue: Queue) -> bool:
        return queue.name in self.in_process_queues

    def execute_job(self, job: Job, queue: Queue) -> None:
        if not self.runs_in_process(job, queue):
            super().execute_job(job, queue)  # a work-horse, killed on timeout
            return
        self._running_in_process = True
        try:  # what SimpleWorker.execute_job does; perform_job records any failure itself
            execution = self.prepare_execution(job)
            self.perform_job(job, queue, execution)
            self.set_state(WorkerStatus.IDLE)
        finally:
            self._running_in_process = False

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """The next heartbeat is due in ``job_monitoring_interval`` seconds (the monitoring
        loop's alarm, in the worker's own process, not the job's); two may be missed. An
        in-process job has no monitoring loop: its heartbeat lasts its timeout + 60 s."""
        if self._running_in_process:
            return int(SimpleWorker.get_heartbeat_ttl(self, job, working_time))  # type: ignore[arg-type]
        rq_ttl = int(super().get_heartbeat_ttl(job, working_time))
        grace = self.MISSED_HEARTBEATS * int(self.job_monitoring_interval)
        return min(rq_ttl, rq_ttl - 60 + grace)

    def maintain_heartbeats(self, job: Job, execution: Execution) -> None:
        super().maintain_heartbeats(job, execution)
        if self.should_run_maintenance_tasks:  # a long job must not stop the sweep
            self.clean_registries()  # type: ignore[no-untyped-call]


class LuneoSimpleWorker(_SweepsOnTime, SimpleWorker):
    """In-process jobs (tests, ``--simple``): no heartbeat while a job runs, so RQ's TTLs stay."""


def build_worker(
    app: Flask, queue_names: Sequence[str] = (), *, simple: bool = False
) -> BaseWorker:
    """A worker on ``queue_names`` (all queues when empty, in priority order)."""
    names = list(queue_names) or list(QUEUE_NAMES)
    connection = get_redis()
    queues = [get_queue(name, connection) for name in names]
    options: dict[str, Any] = {
        "connection": connection,
        "maintenance_interval": app.config["WORKER_MAINTENANCE_INTERVAL"],
        "job_monitoring_interval": app.config["WORKER_MONITORING_INTERVAL"],
    }
    if simple:
        return LuneoSimpleWorker(queues, **options)
    in_process = [name for name in app.config["WORKER_IN_PROCESS_QUEUES"] if name in names]
    return LuneoWorker(queues, in_process_queues=in_process, **options)


def run_worker(
    app: Flask, queue_names: Sequence[str] = (), *, burst: bool = False, simple: bool = False
) -> bool:
    """Work until stopped (or, with ``burst``, until the queues are empty)."""
    with app.app_context():
        worker = build_worker(app, queue_names, simple=simple)
        log.info(
            "worker starting",
            extra={"queues": ",".join(q.name for q in worker.queues), "burst": burst},
        )
        return worker.work(burst=burst, with_scheduler=True, logging_level=app.config["LOG_LEVEL"])
