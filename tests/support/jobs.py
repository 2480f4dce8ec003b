"""Job functions used only by the queue tests; importable by worker subprocesses too."""

from __future__ import annotations

import os
import time

from rq import get_current_job

from app.queue import report_progress


def add(a: int, b: int) -> int:
    report_progress(1, 1, "added")
    return a + b


def flaky(key: str, failures: int) -> str:
    """Fail the first ``failures`` runs (counted in Redis), then succeed."""
    job = get_current_job()
    assert job is not None
    attempt = int(job.connection.incr(key))
    if attempt <= failures:
        raise RuntimeError(f"transient failure {attempt}")
    return f"succeeded on attempt {attempt}"


def slow(key: str, seconds: float) -> str:
    """Record that it started (with the work-horse pid), then take a while."""
    job = get_current_job()
    assert job is not None
    job.connection.rpush(key, os.getpid())
    time.sleep(seconds)
    return "done"


def pid() -> int:
    """The process the job ran in: the worker's own, or a forked work-horse."""
    return os.getpid()


def boom() -> None:
    raise RuntimeError("a job that fails")


def exits() -> None:
    raise SystemExit(3)
