"""The job queue on a real Redis: enqueue → worker → result, retries, progress, dead workers."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import queue as queue_module
from app.config import from_environment
from app.models import Shop
from app.queue import (
    JobSpec,
    collapsed,
    enqueue,
    enqueue_after_commit,
    enqueue_when_committed,
    get_queue,
    job_progress,
)
from jobs.worker import build_worker
from tests.factories import make_shop
from tests.support.workers import run_jobs

REPO = Path(__file__).resolve().parents[2]


def test_enqueued_job_runs_on_a_worker_and_reports_progress(app: Flask, redis: Redis) -> None:
    job = enqueue(redis, JobSpec("default", "tests.support.jobs.add", (2, 3)))

    run_jobs(app, "default")

    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == 5
    assert job.meta["progress"] == {"done": 1, "total": 1, "percent": 100, "message": "added"}
    assert job_progress(job)["status"] == "finished"


def test_unknown_queue_is_refused(redis: Redis) -> None:
    with pytest.raises(ValueError, match="unknown queue 'printing'"):
        get_queue("printing", redis)


def test_job_with_same_id_is_not_enqueued_twice_while_waiting(redis: Redis) -> None:
    spec = JobSpec("sync", "tests.support.jobs.add", (1, 1), job_id="sync-shop-7")

    first = enqueue(redis, spec)
    second = enqueue(redis, spec)

    assert first.id == second.id == "sync-shop-7"
    assert get_queue("sync", redis).count == 1


def test_finished_job_id_can_run_again(app: Flask, redis: Redis) -> None:
    spec = JobSpec("sync", "tests.support.jobs.add", (1, 1), job_id="sync-shop-8")
    enqueue(redis, spec)
    run_jobs(app, "sync")

    again = enqueue(redis, spec)

    assert again.get_status() == JobStatus.QUEUED
    assert get_queue("sync", redis).count == 1


def test_failing_job_is_retried_until_it_succeeds(app: Flask, redis: Redis) -> None:
    spec = JobSpec(
        "default", "tests.support.jobs.flaky", ("flaky:1", 2), retries=3, retry_intervals=(0,)
    )
    job = enqueue(redis, spec)

    run_jobs(app, "default")

    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == "succeeded on attempt 3"
    assert job.retries_left == 1


def test_job_out_of_retries_lands_in_failed_registry_with_its_error(
    app: Flask, redis: Redis
) -> None:
    spec = JobSpec(
        "default", "tests.support.jobs.flaky", ("flaky:2", 5), retries=1, retry_intervals=(0,)
    )
    job = enqueue(redis, spec)

    run_jobs(app, "default")

    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    assert job.id in get_queue("default", redis).failed_job_registry.get_job_ids()
    assert job_progress(job)["error"] == ["RuntimeError: transient failure 2"]


def test_retry_with_backoff_is_scheduled_not_run_at_once(app: Flask, redis: Redis) -> None:
    spec = JobSpec("default", "tests.support.jobs.flaky", ("flaky:3", 1), retry_intervals=(30,))
    job = enqueue(redis, spec)

    run_jobs(app, "default")

    job.refresh()
    assert job.get_status() == JobStatus.SCHEDULED
    assert job.id in get_queue("default", redis).scheduled_job_registry.get_job_ids()


def test_job_is_enqueued_only_after_commit(app: Flask, session: Session, redis: Redis) -> None:
    shop = make_shop(session)
    enqueue_after_commit(session, redis, JobSpec("sync", "tests.support.jobs.add", (shop.id, 0)))

    assert get_queue("sync", redis).count == 0
    session.commit()

    assert get_queue("sync", redis).count == 1


def test_job_is_dropped_when_the_transaction_rolls_back(
    app: Flask, session: Session, redis: Redis
) -> None:
    make_shop(session)
    enqueue_after_commit(session, redis, JobSpec("sync", "tests.support.jobs.add", (1, 0)))

    session.rollback()
    session.commit()

    assert get_queue("sync", redis).count == 0


def test_job_asked_for_inside_a_savepoint_waits_for_the_outer_commit(
    app: Flask, session: Session, redis: Redis
) -> None:
    # A savepoint's release fires SQLAlchemy's after_commit too: the order sync writes each
    # order in one, and its e-mail job ran before the order was committed (it found no line).
    shop = make_shop(session)
    with session.begin_nested():
        enqueue_after_commit(session, redis, JobSpec("sync", "tests.support.jobs.add", (1, 0)))

    assert get_queue("sync", redis).count == 0  # released, not committed
    session.commit()

    assert get_queue("sync", redis).count == 1
    assert shop.id is not None


def test_a_rolled_back_savepoint_drops_only_the_jobs_asked_for_inside_it(
    app: Flask, session: Session, redis: Redis
) -> None:
    make_shop(session)
    enqueue_after_commit(session, redis, JobSpec("sync", "tests.support.jobs.add", (1, 1)))
    savepoint = session.begin_nested()
    enqueue_after_commit(session, redis, JobSpec("sync", "tests.support.jobs.add", (2, 2)))
    savepoint.rollback()  # e.g. the unique-key retry of the sync's upserts

    session.commit()

    assert [job.args for job in get_queue("sync", redis).jobs] == [(1, 1)]


def test_job_after_writes_waits_for_their_commit(
    app: Flask, session: Session, redis: Redis
) -> None:
    make_shop(session)  # flushed, not committed
    enqueue_when_committed(session, redis, JobSpec("sync", "tests.support.jobs.add", (1, 0)))

    assert get_queue("sync", redis).count == 0
    session.commit()

    assert get_queue("sync", redis).count == 1


def test_job_after_only_reads_or_a_commit_is_enqueued_at_once(
    app: Flask, session: Session, redis: Redis
) -> None:
    make_shop(session)
    session.commit()
    session.scalars(select(Shop)).all()  # a new transaction, read-only

    enqueue_when_committed(session, redis, JobSpec("sync", "tests.support.jobs.add", (1, 0)))

    assert get_queue("sync", redis).count == 1
    session.rollback()
    assert get_queue("sync", redis).count == 1


def _worker_env(app: Flask, settings: dict[str, Any]) -> dict[str, str]:
    return {
        **os.environ,
        "LUNEO_ENV": "testing",
        "LUNEO_INSTANCE_PATH": str(settings["INSTANCE_PATH"]),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "STORAGE_URL": app.config["STORAGE_URL"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LUNEO_ENCRYPTION_KEYS": app.config["ENCRYPTION_KEYS"],
        "PYTHONPATH": str(REPO),
    }


def _luneo(*args: str, env: dict[str, str], **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        env=env,
        cwd=REPO,
        **kwargs,
    )


@pytest.mark.slow
def test_luneo_worker_burst_processes_queued_jobs(
    app: Flask, redis: Redis, settings: dict[str, Any]
) -> None:
    jobs = [enqueue(redis, JobSpec("default", "tests.support.jobs.add", (i, i))) for i in range(3)]

    proc = _luneo("worker", "--burst", "default", env=_worker_env(app, settings))
    assert proc.wait(timeout=60) == 0

    assert [Job.fetch(j.id, connection=redis).return_value() for j in jobs] == [0, 2, 4]


@pytest.mark.slow
def test_job_of_a_killed_worker_is_retried_by_another(
    app: Flask, redis: Redis, settings: dict[str, Any]
) -> None:
    # Given a forking worker (a separate process, as in production) in the middle of a job
    job = enqueue(
        redis,
        JobSpec("render", "tests.support.jobs.slow", ("slow:started", 2.0), retry_intervals=(0,)),
    )
    proc = _luneo("worker", "render", env=_worker_env(app, settings), start_new_session=True)
    try:
        started = redis.blpop(["slow:started"], timeout=60)
        assert started is not None, "the worker never started the job"
        # When the worker and its work-horse die without a chance to clean up (kill -9)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    queue = get_queue("render", redis)
    assert job.get_status(refresh=True) == JobStatus.STARTED
    assert queue.started_job_registry.count == 1

    # Then once its heartbeat lapses, RQ's maintenance finds the job abandoned and retries it
    heartbeat_lapsed = time.time() + app.config["WORKER_MONITORING_INTERVAL"] + 61
    queue.started_job_registry.cleanup(timestamp=heartbeat_lapsed)
    job.refresh()
    assert job.get_status() in (JobStatus.QUEUED, JobStatus.SCHEDULED)
    assert job.retries_left == 2

    # And another worker finishes it
    run_jobs(app, "render", scheduler=True)
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == "done"


@pytest.mark.slow
def test_a_killed_workers_job_is_found_by_an_idle_worker_within_the_maintenance_interval(
    app: Flask, redis: Redis, settings: dict[str, Any]
) -> None:
    # Given workers that sweep every second and beat every second (set through the settings)
    env = {
        **_worker_env(app, settings),
        "LUNEO_WORKER_MAINTENANCE_INTERVAL": "1",
        "LUNEO_WORKER_MONITORING_INTERVAL": "1",
    }
    job = enqueue(
        redis,
        JobSpec("render", "tests.support.jobs.slow", ("slow:killed", 2.0), retry_intervals=(0,)),
    )
    victim = _luneo("worker", "render", env=env, start_new_session=True)
    other: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + 60
        while (horse := redis.lpop("slow:killed")) is None:  # short polls (5 s read timeout)
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.1)
        # When the worker and its work-horse (its own process group) are killed (kill -9: no
        # cleanup), and another worker idles on the queue
        os.kill(int(horse), signal.SIGKILL)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        other = _luneo("worker", "render", env=env, start_new_session=True)

        # Then that worker finds the job abandoned on its own (no manual cleanup) and runs it.
        # RQ's idle worker would block 405 s on the queue before sweeping; a generous bound
        # here, far below that, not a timing assertion.
        deadline = time.monotonic() + 60
        while job.get_status(refresh=True) != JobStatus.FINISHED:
            assert time.monotonic() < deadline, f"still {job.get_status()} after 60 s"
            time.sleep(0.25)
    finally:
        for proc in (victim, other):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    assert job.return_value() == "done"
    assert redis.lpop("slow:killed") is not None  # it finished in a second run, not the killed one


def test_workers_wake_and_let_dead_heartbeats_lapse_on_the_configured_intervals(
    app: Flask, redis: Redis
) -> None:
    job = enqueue(redis, JobSpec("render", "tests.support.jobs.add", (1, 1)))
    with app.app_context():
        forking = build_worker(app, ["render"])
        simple = build_worker(app, ["render"], simple=True)

    interval = app.config["WORKER_MAINTENANCE_INTERVAL"]
    beat = app.config["WORKER_MONITORING_INTERVAL"]
    # An idle worker blocks on its queues no longer than one sweep interval (RQ: 405 s)
    assert forking.dequeue_timeout == simple.dequeue_timeout == interval
    # A running job's heartbeat lapses after two missed beats (RQ: beat + 60 s)
    assert forking.get_heartbeat_ttl(job) == 3 * beat
    # In-process jobs send no heartbeat while they run: RQ's TTL (the job's timeout + 60) stays
    assert simple.get_heartbeat_ttl(job) == 900 + 60


def _started(redis: Redis, key: str, within: float = 60) -> int:
    """The work-horse pid a ``slow`` job pushed when it started (short polls: 5 s read timeout)."""
    deadline = time.monotonic() + within
    while (pid := redis.lpop(key)) is None:
        assert time.monotonic() < deadline, f"{key} never started"
        time.sleep(0.1)
    return int(pid)


@pytest.mark.slow
def test_a_busy_worker_still_finds_a_dead_workers_job_while_its_own_job_runs(
    app: Flask, redis: Redis, settings: dict[str, Any]
) -> None:
    env = {
        **_worker_env(app, settings),
        "LUNEO_WORKER_MAINTENANCE_INTERVAL": "1",
        "LUNEO_WORKER_MONITORING_INTERVAL": "1",
    }
    killed = enqueue(
        redis, JobSpec("render", "tests.support.jobs.slow", ("slow:k", 30.0), retry_intervals=(0,))
    )
    long = enqueue(redis, JobSpec("ai", "tests.support.jobs.slow", ("slow:long", 20.0)))
    victim = _luneo("worker", "render", env=env, start_new_session=True)
    busy: subprocess.Popen[bytes] | None = None
    try:
        horse = _started(redis, "slow:k")
        # Given another worker (on both queues) busy with a long job of its own
        busy = _luneo("worker", "ai", "render", env=env, start_new_session=True)
        long_horse = _started(redis, "slow:long")
        # When the first worker and its horse are killed mid-job
        os.kill(horse, signal.SIGKILL)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)

        # Then the busy worker finds the dead job from its monitoring loop, long before its own
        # job ends (RQ's busy worker would only look after it)
        deadline = time.monotonic() + 15
        while killed.get_status(refresh=True) == JobStatus.STARTED:
            assert time.monotonic() < deadline, "the dead worker's job was not found"
            time.sleep(0.25)
        assert killed.get_status() in (JobStatus.QUEUED, JobStatus.SCHEDULED)
        assert long.get_status(refresh=True) == JobStatus.STARTED
    finally:
        for proc in (victim, busy):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if busy is not None:
            with contextlib.suppress(ProcessLookupError, UnboundLocalError):
                os.kill(long_horse, signal.SIGKILL)


def test_by_default_a_dead_workers_job_is_found_within_the_minute_the_readme_states() -> None:
    config = from_environment({}, Path("."))
    sweep, beat = config["WORKER_MAINTENANCE_INTERVAL"], config["WORKER_MONITORING_INTERVAL"]

    # the bound the worker keeps: one sweep interval after the heartbeat lapsed (3 beats)
    assert sweep + 3 * beat <= 60


def _fetch_then_lose(monkeypatch: pytest.MonkeyPatch) -> None:
    """Job.fetch answers, then the job's hash is gone before the next read: what a worker sees
    when another finished or replaced that job in between (three workers raced so at scale)."""
    fetch = Job.fetch

    def fetch_then_lose(job_id: str, connection: Redis, **kwargs: Any) -> Job:
        job = fetch(job_id, connection=connection, **kwargs)
        connection.delete(job.key)
        return job

    monkeypatch.setattr(Job, "fetch", staticmethod(fetch_then_lose))


def test_a_collapsed_job_deleted_while_its_status_is_read_gets_a_fresh_run(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = JobSpec("sync", "tests.support.jobs.add", (1, 1), job_id="sync-product-1-9")
    enqueue(redis, spec)
    _fetch_then_lose(monkeypatch)

    assert collapsed(redis, spec) == spec  # gone: a fresh run, not InvalidJobOperation


def test_a_duplicate_deleted_while_its_status_is_read_is_enqueued_afresh(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = JobSpec("sync", "tests.support.jobs.add", (1, 1), job_id="sync-shop-9")
    enqueue(redis, spec)
    get_queue("sync", redis).remove("sync-shop-9")  # its id stays taken until its hash goes
    _fetch_then_lose(monkeypatch)

    job = enqueue(redis, spec)

    assert job.id == "sync-shop-9"
    assert get_queue("sync", redis).job_ids == ["sync-shop-9"]


def test_a_duplicate_queued_again_by_another_process_meanwhile_is_that_job(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = JobSpec("sync", "tests.support.jobs.add", (1, 1), job_id="sync-shop-10")
    first = enqueue(redis, spec)
    # The id was free when read (finished and deleted, or gone), then another worker queued the
    # same work before this enqueue: seen once in the scale-out bench, as a failed event job.
    monkeypatch.setattr(queue_module, "_fetched", lambda _redis, _job_id: None)

    job = enqueue(redis, spec)

    assert job.id == first.id == "sync-shop-10"
    assert get_queue("sync", redis).count == 1
