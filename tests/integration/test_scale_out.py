"""Scale-out, small: ``bench/scale_out.py`` end to end, nothing lost and nothing done twice.

The real processes (gunicorn, three ``luneo worker``, ``luneo scheduler``), S3 on a moto server,
the Shopify stand-in and an SMTP sink; 300 signed webhooks (30 of them repeats of an earlier
event id) and 20 orders, each a production job rendered to S3, while one worker is killed with
SIGKILL (its work-horse too) in a render and replaced. On the suite's database: a throwaway
PostgreSQL database beside ``DATABASE_URL``, or a SQLite file that all those processes share
(WAL, ``BEGIN IMMEDIATE``: several writers take turns). The bench verifies and exits non-zero
on anything lost or done twice; the test reads its verdict.

A dead worker's render is found abandoned within the maintenance interval plus two missed
heartbeats: 5 s + 2 x 2 s here (30 s + 2 x 10 s by default).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from redis import Redis

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def test_webhooks_and_renders_through_three_workers_lose_nothing_and_do_nothing_twice(
    redis_url: str,
) -> None:
    Redis.from_url(redis_url).flushdb()  # the bench refuses a Redis holding others' jobs
    command = [sys.executable, str(REPO / "bench" / "scale_out.py")]
    command += ["--webhooks", "300", "--orders", "20", "--dpi", "100", "--workers", "3"]
    command += ["--maintenance-interval", "5", "--monitoring-interval", "2", "--timeout", "150"]
    command += ["--redis-url", redis_url]
    if os.environ.get("DATABASE_URL"):
        command += ["--database-url", os.environ["DATABASE_URL"]]

    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        command, capture_output=True, text=True, timeout=400, cwd=REPO, check=False
    )
    Redis.from_url(redis_url).flushdb()

    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "verdict: nothing lost, nothing done twice" in output, output
    assert "answers {'200': 300}" in output, output  # every delivery, repeats too, got its 200
    assert "and its horse (kill -9) in render-" in output, output  # both died in a render
    assert re.search(r"the killed render \(render-\d+\): ready after [2-9] attempt", output), output
    assert "e-mails about 20 orders" in output, output  # each order's one e-mail, sent once
