"""Periodic work: the cron scheduler enqueues reconciliation, and a worker runs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from redis import Redis
from sqlalchemy.orm import Session

from app.queue import get_queue
from jobs.schedule import PERIODIC, build_scheduler
from tests.factories import make_shop


def test_every_periodic_job_has_a_valid_cron_and_a_known_queue(redis: Redis) -> None:
    scheduler = build_scheduler(redis)

    assert len(scheduler._cron_jobs) == len(PERIODIC)
    for job in scheduler._cron_jobs:
        assert job.next_enqueue_time is not None
        assert job.next_enqueue_time > datetime.now(UTC) - timedelta(seconds=1)
        get_queue(job.queue_name, redis)  # raises for an unknown queue


def test_due_reconciliation_enqueues_an_incremental_sync_per_installed_shop(
    app: Flask, session: Session, redis: Redis
) -> None:
    shops = [make_shop(session), make_shop(session)]
    make_shop(session, needs_reauth=True)
    session.commit()
    scheduler = build_scheduler(redis)
    for job in scheduler._cron_jobs:
        job.next_enqueue_time = datetime.now(UTC) - timedelta(seconds=1)

    scheduler.enqueue_jobs()
    [job] = get_queue("sync", redis).jobs
    assert job.func_name == "jobs.sync.reconcile_all"
    job.delete()
    with app.app_context():
        assert job.func() == 2

    waiting = sorted(j.id for j in get_queue("sync", redis).jobs)
    assert waiting == sorted(f"sync-incremental-{s.id}" for s in shops)
