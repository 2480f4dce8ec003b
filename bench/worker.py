"""Events per second of one ``luneo worker`` on recorded webhook deliveries.

N ``products/update`` deliveries of an installed shop, each about another product (so none is
collapsed into another's sync), are recorded as the receiver records them (committed rows
waiting for their job). Then one ``luneo worker --burst default`` (the real command, a
subprocess) dispatches them (one job per event on ``default``, handed over in batches) and
works them off; its time minus the time of the same command on an empty queue
(start-up, imports) over N is the figure. Each event claims its row, reads the shop and hands
a narrow sync to the ``sync`` queue (left there: the sync is not the event's work).

Baseline: RQ's own ``SimpleWorker`` on N no-op jobs, timed the same way: the most a worker
can do per job on this machine. ``--fork-all`` also times the forking worker (every job in a
work-horse, as before ``LUNEO_WORKER_IN_PROCESS_QUEUES``).

Run::

    .venv/bin/python bench/worker.py [--events 1000]
    .venv/bin/python bench/worker.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from webhooks import DOMAIN, SECRET, _server_database, prepare  # noqa: E402


def noop() -> None:
    """The baseline job: nothing."""


def record_events(app: Any, count: int) -> None:
    from sqlalchemy import select

    from app.extensions import get_db
    from app.models import Platform, Shop, WebhookEvent

    with app.app_context(), get_db().session() as session:
        shop_id = session.scalars(select(Shop.id).where(Shop.domain == DOMAIN)).one()
        rows = []
        for i in range(count):
            product = 7_000_000 + i
            rows.append(
                WebhookEvent(
                    platform=Platform.SHOPIFY,
                    shop_id=shop_id,
                    shop_domain=DOMAIN,
                    topic="products/update",
                    delivery_id=f"bench:{secrets.token_hex(8)}",
                    payload={
                        "id": product,
                        "admin_graphql_api_id": f"gid://shopify/Product/{product}",
                    },
                )
            )
        session.add_all(rows)
        session.commit()


def processed(app: Any) -> int:
    from sqlalchemy import func, select

    from app.extensions import get_db
    from app.models import WebhookEvent, WebhookStatus

    with app.app_context(), get_db().session() as session:
        stmt = select(func.count()).where(WebhookEvent.status == WebhookStatus.PROCESSED)
        return int(session.scalar(stmt) or 0)


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return time.perf_counter() - start


LUNEO_WORKER = [sys.executable, "-m", "app.cli", "worker", "--burst", "default"]
RQ_SIMPLE = [
    sys.executable,
    "-c",
    "from app import create_app; from rq import SimpleWorker, Queue; app = create_app(); "
    "r = app.extensions['luneo.redis']; "
    "SimpleWorker([Queue('default', connection=r)], connection=r).work(burst=True, "
    "logging_level='WARNING')",
]


def run(args: argparse.Namespace) -> None:
    from cryptography.fernet import Fernet

    from app import create_app, embedded_redis
    from app.queue import JobSpec, enqueue, get_queue

    tmp = Path(tempfile.mkdtemp(prefix="luneo-bench-worker-"))
    drop = None
    if args.database_url:
        database_url, drop = _server_database(args.database_url)
    else:
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    key = Fernet.generate_key().decode()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
        "LUNEO_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "LUNEO_ENCRYPTION_KEYS": key,
        "DATABASE_URL": database_url,
        "LUNEO_INSTANCE_PATH": str(tmp / "instance"),
        "STORAGE_URL": str(tmp / "files"),
        "SHOPIFY_API_KEY": "bench",
        "SHOPIFY_API_SECRET": SECRET,
        "SHOPIFY_APP_URL": "https://luneo.bench",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
        if Redis.from_url(args.redis_url).dbsize():  # old jobs' ids would collide with ours
            raise SystemExit(f"{args.redis_url} is not empty: give the bench an empty database")
    os.environ.update(env)
    print(f"database: {database_url.split('@')[-1]}; redis: {args.redis_url or 'embedded'}")
    try:
        prepare(database_url, key)
        app = create_app()
        redis = app.extensions["luneo.redis"]
        n = args.events

        def luneo(label: str, extra: dict[str, str], count: int) -> None:
            before = processed(app)
            empty = timed(LUNEO_WORKER, {**env, **extra})
            record_events(app, count)
            full = timed(LUNEO_WORKER, {**env, **extra})
            done = processed(app) - before
            rate = count / max(full - empty, 1e-9)
            print(
                f"luneo worker ({label}): {count} events in {full - empty:.2f} s "
                f"(start-up {empty:.2f} s excluded): {rate:.0f} events/s; processed {done}/{count}"
            )

        luneo("default queue in process", {}, n)
        if args.fork_all:
            luneo("every job forked", {"LUNEO_WORKER_IN_PROCESS_QUEUES": ""}, max(50, n // 10))

        empty = timed(RQ_SIMPLE, env)
        for _ in range(n):
            enqueue(redis, JobSpec("default", "worker.noop", retries=0))
        full = timed(RQ_SIMPLE, env)
        left = get_queue("default", redis).count
        print(
            f"rq SimpleWorker, no-op jobs: {n} in {full - empty:.2f} s: "
            f"{n / max(full - empty, 1e-9):.0f} jobs/s (baseline; {left} left)"
        )
    finally:
        embedded_redis.stop(tmp / "instance")
        if drop is not None:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--redis-url", help="default: the embedded Redis")
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--fork-all", action="store_true", help="also time the forking worker")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
