"""Running queued jobs inside a test: one real RQ worker, in this process, until the queues empty.

The one way the tests run jobs (``SimpleWorker``: no fork, so the test's database connection,
fakes and monkeypatches are what the jobs see), instead of a worker loop typed again per module.
"""

from __future__ import annotations

from flask import Flask
from rq import SimpleWorker

from jobs.worker import build_worker


def run_jobs(app: Flask, *queues: str, scheduler: bool = False) -> None:
    """Run every job waiting on ``queues`` (default: ``default``), and what they enqueue there.

    ``scheduler`` also moves due scheduled jobs and retries onto their queues first.
    """
    with app.app_context():
        worker = build_worker(app, list(queues) or ["default"], simple=True)
        assert isinstance(worker, SimpleWorker)
        worker.work(burst=True, with_scheduler=scheduler)
