"""Which jobs a ``luneo worker`` runs without a fork (``WORKER_IN_PROCESS_QUEUES``, ``default``
by default: webhook events, mails) and that it stays safe: a job that raises or exits does not
stop the worker, a job past its timeout is stopped, renders still get a work-horse each."""

from __future__ import annotations

import os
import time

import pytest
from flask import Flask
from redis import Redis
from rq.job import JobStatus

from app.config import ConfigError, finalize, from_environment
from app.queue import JobSpec, enqueue
from jobs.worker import LuneoWorker, build_worker


def _work(app: Flask, *queues: str) -> LuneoWorker:
    with app.app_context():
        worker = build_worker(app, list(queues))
        assert isinstance(worker, LuneoWorker)
        worker.work(burst=True, with_scheduler=False)
    return worker


def _job(redis: Redis, queue: str, func: str, *args: object, **options: object):  # type: ignore[no-untyped-def]
    return enqueue(redis, JobSpec(queue, f"tests.support.jobs.{func}", args, retries=0, **options))  # type: ignore[arg-type]


def test_default_queue_jobs_run_in_the_workers_own_process(app: Flask, redis: Redis) -> None:
    with app.app_context():
        worker = build_worker(app, ["default", "render"])
    assert isinstance(worker, LuneoWorker)
    assert worker.in_process_queues == {"default"}

    first = _job(redis, "default", "pid")
    second = _job(redis, "default", "pid")
    _work(app, "default")

    assert first.return_value(refresh=True) == os.getpid()  # no fork
    assert second.return_value(refresh=True) == os.getpid()


def test_render_jobs_still_get_a_forked_work_horse(app: Flask, redis: Redis) -> None:
    job = _job(redis, "render", "pid")
    _work(app, "render")
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.return_value() != os.getpid()


def test_a_job_that_raises_or_exits_does_not_stop_the_worker(app: Flask, redis: Redis) -> None:
    failing = _job(redis, "default", "boom")
    exiting = _job(redis, "default", "exits")
    after = _job(redis, "default", "add", 2, 3)

    _work(app, "default")

    assert failing.get_status(refresh=True) == JobStatus.FAILED
    assert exiting.get_status(refresh=True) == JobStatus.FAILED
    assert after.get_status(refresh=True) == JobStatus.FINISHED
    assert after.return_value() == 5


def test_an_in_process_job_past_its_timeout_is_stopped(app: Flask, redis: Redis) -> None:
    stuck = _job(redis, "default", "slow", "slow:stuck", 30.0, timeout=1)
    after = _job(redis, "default", "add", 1, 1)

    started = time.monotonic()
    _work(app, "default")

    assert time.monotonic() - started < 15  # stopped after 1 s, not 30
    assert stuck.get_status(refresh=True) == JobStatus.FAILED
    result = stuck.latest_result()
    assert result is not None
    assert "JobTimeoutException" in (result.exc_string or "")
    assert after.return_value(refresh=True) == 2


def test_an_in_process_job_keeps_its_heartbeat_for_its_timeout(app: Flask, redis: Redis) -> None:
    job = _job(redis, "default", "add", 1, 1, timeout=120)
    with app.app_context():
        worker = build_worker(app, ["default"])
    assert isinstance(worker, LuneoWorker)
    beat = app.config["WORKER_MONITORING_INTERVAL"]
    assert worker.get_heartbeat_ttl(job) == 3 * beat  # a forked job: the monitor beats
    worker._running_in_process = True  # no monitoring loop beats while it runs
    assert worker.get_heartbeat_ttl(job) == 120 + 60


def test_every_job_forks_when_no_queue_is_named_in_process(
    settings: dict[str, object], redis: Redis
) -> None:
    from app import create_app

    app = create_app({**settings, "WORKER_IN_PROCESS_QUEUES": ""})
    try:
        job = _job(redis, "default", "pid")
        _work(app, "default")
        assert job.return_value(refresh=True) != os.getpid()
    finally:
        app.extensions["luneo.db"].engine.dispose()
        app.extensions["luneo.redis"].close()


def test_unknown_in_process_queues_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    values = from_environment({"LUNEO_WORKER_IN_PROCESS_QUEUES": "default,renders"}, tmp_path)
    values.update(ENV="testing", SECRET_KEY="x" * 40)
    with pytest.raises(ConfigError, match="renders"):
        finalize(values, tmp_path)
