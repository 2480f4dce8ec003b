"""``luneo dev`` keeps the shopper-facing queues moving while back-office work is slow.

Runs the real command (migrations, demo seed, web server, workers, scheduler) as a subprocess on
its own SQLite file and the suite's Redis, then puts a long job on ``default`` before an ``ai``
job. With one worker on every queue (in priority order, ``default`` first) the AI job waited
for the long one; with a worker per pool it completes while the long job still runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq.job import Job, JobStatus

from app.queue import JobSpec, enqueue

REPO = Path(__file__).resolve().parents[2]
LONG = 120.0  # seconds the back-office job takes: far longer than any wait below


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {timeout:.0f}s")


@pytest.fixture
def dev_redis(redis_url: str) -> Iterator[Redis]:
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def luneo_dev(base_settings: dict[str, Any], tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "LUNEO_ENV": "development",
        "LUNEO_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "REDIS_URL": base_settings["REDIS_URL"],
        "STORAGE_URL": str(tmp_path / "files"),
        "PYTHONPATH": str(REPO),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "dev"]
        + ["--port", str(_free_port())],
        env=env,
        cwd=REPO,
        start_new_session=True,  # one process group: torn down together
    )
    yield proc
    os.killpg(proc.pid, signal.SIGKILL)  # the command, its workers and the long job's work-horse
    proc.wait(timeout=30)


@pytest.mark.slow
def test_an_ai_job_completes_while_a_long_job_holds_the_default_queue(
    luneo_dev: subprocess.Popen[bytes], dev_redis: Redis
) -> None:
    # Given a long back-office job queued before a shopper's AI job
    long_job = enqueue(dev_redis, JobSpec("default", "tests.support.jobs.slow", ("long", LONG)))
    ai_job = enqueue(dev_redis, JobSpec("ai", "tests.support.jobs.add", (2, 3)))

    # When `luneo dev` is up and a worker has started the long job
    _wait_for(lambda: dev_redis.llen("long") > 0, 90, "no worker started the long job")

    # Then the AI job still completes, while the long one is running
    _wait_for(
        lambda: Job.fetch(ai_job.id, connection=dev_redis).get_status() == JobStatus.FINISHED,
        60,
        "the ai job did not finish beside the long default job",
    )
    assert Job.fetch(ai_job.id, connection=dev_redis).return_value() == 5
    assert long_job.get_status(refresh=True) == JobStatus.STARTED
    assert luneo_dev.poll() is None
