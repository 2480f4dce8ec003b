"""The worker entry point: one app, one app context, then RQ's loop.

Uses RQ's forking Worker (each job in a fresh work-horse process, killed on timeout) with the
scheduler enabled, so retries with backoff and scheduled jobs run. Registry maintenance runs
every ``WORKER_MAINTENANCE_INTERVAL`` seconds; that is where a job whose worker died (kill -9, a
lost host) is found abandoned and retried.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import Flask
from rq import SimpleWorker, Worker
from rq.worker.base import BaseWorker

from app.extensions import get_redis
from jobs.queue import QUEUE_NAMES, get_queue

log = logging.getLogger(__name__)


def build_worker(
    app: Flask, queue_names: Sequence[str] = (), *, simple: bool = False
) -> BaseWorker:
    """A worker on ``queue_names`` (all queues when empty, in priority order)."""
    names = list(queue_names) or list(QUEUE_NAMES)
    connection = get_redis()
    queues = [get_queue(name, connection) for name in names]
    worker_class = SimpleWorker if simple else Worker
    return worker_class(
        queues,
        connection=connection,
        maintenance_interval=app.config["WORKER_MAINTENANCE_INTERVAL"],
        job_monitoring_interval=app.config["WORKER_MONITORING_INTERVAL"],
    )


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
