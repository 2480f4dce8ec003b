"""Webhook intake under gunicorn: Luneo's ``/webhooks/shopify`` against a bare Flask app.

Both run under the same gunicorn settings (``--workers 2``, sync workers, one after the other
on the same machine), in the same database. The bare app (``bare_app`` below) does the least a
receiver can: verify the HMAC of the raw body and insert one row. Luneo's path also parses the
body, binds the shop and records the delivery once (idempotent by its event id); its job is
handed to the queue later, by a worker's dispatcher (no worker runs during the bench, so the
figures are the intake's alone). Every delivery is a signed ``products/update`` of an
installed shop with a fresh ``X-Shopify-Event-Id``, sent on a fresh connection (gunicorn's sync
workers close each one).

Three figures per app:

- requests/s, closed loop (``--clients`` senders back to back for ``--seconds``); the goal is
  Luneo >= 0.5 x the bare app;
- p99 latency at 70 % of the bare app's rate (open loop: each request is due at its time and
  its latency counts from then, so a stalled server is not hidden by a stalled sender);
- p99 for a burst of 2,000 deliveries arriving at random (Poisson) over 30 s;
- and Luneo's p99 at 70 % of its own maximum (how the issue first measured it).

The load generator (threads + http.client, split over ``--procs`` processes) runs on the same
machine and takes CPU from the servers; on a 2-core machine the figures are a floor.

Run::

    .venv/bin/python bench/webhooks.py                  # SQLite (a file in a temp dir)
    .venv/bin/python bench/webhooks.py --database-url postgresql://postgres@127.0.0.1:5432/test
    # (a throwaway database is created beside the one named, and dropped at the end)

Redis: ``--redis-url`` (default: the embedded Redis in a temp instance dir).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import math
import multiprocessing
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET = "shpss_bench" + "0" * 24
DOMAIN = "bench.myshopify.com"
BARE_TABLE = "bench_bare_deliveries"
LOG_DIR = Path(tempfile.gettempdir())  # the servers' logs


# ------------------------------------------------------------------------ the bare app
def bare_app() -> Any:
    """HMAC on the raw body, one INSERT, 200: the floor any webhook receiver pays (gunicorn
    loads it as ``webhooks:bare_app()`` with ``BENCH_DATABASE_URL`` in the environment)."""
    from flask import Flask, jsonify, request
    from sqlalchemy import create_engine, text

    from app.config import from_environment

    url = from_environment({"DATABASE_URL": os.environ["BENCH_DATABASE_URL"]}, Path("."))[
        "SQLALCHEMY_DATABASE_URI"
    ]
    if url.startswith("sqlite"):  # Luneo's connection set-up: WAL, busy timeout, BEGIN IMMEDIATE
        from app.db import Database

        engine = Database(url).engine
    else:  # a plain pool (Luneo's also pings each connection it takes: a round trip more)
        engine = create_engine(url)
    app = Flask("bare")
    columns = "(delivery_id, topic, payload) VALUES (:d, :t, :p)"
    insert = text(f"INSERT INTO {BARE_TABLE} {columns}")  # noqa: S608 - our constant

    @app.post("/webhooks/shopify")
    def receive() -> Any:
        body = request.get_data(cache=True)
        digest = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest())
        given = request.headers.get("X-Shopify-Hmac-Sha256", "").encode()
        if not hmac.compare_digest(digest, given):
            return jsonify({"error": "invalid_hmac"}), 401
        with engine.begin() as conn:
            conn.execute(
                insert,
                {
                    "d": request.headers.get("X-Shopify-Event-Id", ""),
                    "t": request.headers.get("X-Shopify-Topic", ""),
                    "p": body.decode(),
                },
            )
        return jsonify({"status": "received"})

    return app


# ------------------------------------------------------------------------ set-up
def _server_database(base: str) -> tuple[str, Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app.config import from_environment

    url = make_url(from_environment({"DATABASE_URL": base}, Path("."))["SQLALCHEMY_DATABASE_URI"])
    name = f"luneo_bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def prepare(database_url: str, key: str) -> None:
    """Migrate, add the installed shop and the bare app's table."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from app import migrate
    from app.crypto import keyring

    keyring.configure([key])
    from app.models import Platform, Shop

    migrate.upgrade(database_url)
    engine = create_engine(database_url)
    with Session(engine) as session:
        session.add(
            Shop(
                platform=Platform.SHOPIFY,
                domain=DOMAIN,
                name="Bench",
                access_token="shpat_bench",  # noqa: S106 - a bench shop
                scopes="read_products,read_orders",
                installed_at=datetime.now(UTC),
            )
        )
        session.commit()
    serial = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE {BARE_TABLE} (id {serial} PRIMARY KEY, "
                "delivery_id VARCHAR(255) NOT NULL UNIQUE, topic VARCHAR(128) NOT NULL, "
                "payload TEXT NOT NULL)"
            )
        )
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(target: str, port: int, env: dict[str, str], chdir: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable)),
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(chdir),
        "--log-level",
        "warning",
        target,
    ]
    log = open(LOG_DIR / f"{port}.log", "ab")  # noqa: SIM115 - open while the server runs
    proc = subprocess.Popen(command, env=env, stderr=log)  # noqa: S603 - our own interpreter
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = post(port, 5.0)
            if status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn {target} did not answer on port {port}")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


# ------------------------------------------------------------------------ load
BODY = json.dumps(
    {
        "id": 632910392,
        "admin_graphql_api_id": "gid://shopify/Product/632910392",
        "title": "IPod Nano - 8GB",
        "body_html": "<p>It's the small iPod with one very big idea: Video.</p>" * 4,
        "vendor": "Apple",
        "product_type": "Cult Products",
        "updated_at": "2026-07-01T12:00:00-04:00",
        "tags": "Emotive, Flash Memory, MP3, Music",
        "variants": [{"id": 808950810 + i, "price": "199.00", "sku": f"IPOD{i}"} for i in range(4)],
    }
).encode()
SIGNATURE = base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()).decode()


def post(port: int, timeout: float = 30.0) -> tuple[int, float]:
    """One signed delivery on a fresh connection; its status and seconds."""
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "products/update",
        "X-Shopify-Hmac-Sha256": SIGNATURE,
        "X-Shopify-Shop-Domain": DOMAIN,
        "X-Shopify-API-Version": "2026-07",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
    }
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/webhooks/shopify", BODY, headers)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - start
    finally:
        conn.close()


def _closed_loop(port: int, clients: int, seconds: float, out: Any) -> None:
    done = [0]
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def sender() -> None:
        while time.perf_counter() < stop_at:
            try:
                status, _ = post(port)
            except OSError:
                status = 0
            with lock:
                done[0] += 1
                errors[0] += status != 200

    threads = [threading.Thread(target=sender) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((done[0], errors[0]))


def _open_loop(port: int, due: list[float], threads: int, out: Any) -> None:
    """Send each request at its due time (perf_counter); latency from due time to answer."""
    latencies: list[float] = []
    errors = [0]
    index = [0]
    lock = threading.Lock()

    def sender() -> None:
        while True:
            with lock:
                if index[0] >= len(due):
                    return
                at = due[index[0]]
                index[0] += 1
            wait = at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                status, _ = post(port)
            except OSError:
                status = 0
            latency = time.perf_counter() - at
            with lock:
                latencies.append(latency)
                errors[0] += status != 200

    pool = [threading.Thread(target=sender) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, errors[0]))


def throughput(port: int, clients: int, seconds: float, procs: int) -> tuple[float, int]:
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    per = max(1, clients // procs)
    workers = [
        ctx.Process(target=_closed_loop, args=(port, per, seconds, out)) for _ in range(procs)
    ]
    start = time.perf_counter()
    for w in workers:
        w.start()
    results = [out.get() for _ in workers]
    elapsed = time.perf_counter() - start
    for w in workers:
        w.join()
    return sum(r[0] for r in results) / elapsed, sum(r[1] for r in results)


def open_loop(port: int, gaps: list[float], procs: int, threads: int) -> tuple[float, float, int]:
    """p50 and p99 in ms, and errors, for requests due after ``gaps`` (seconds between)."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    start = time.perf_counter() + 0.5
    due = list(itertools_accumulate(gaps, start))
    shares = [due[i::procs] for i in range(procs)]
    workers = [ctx.Process(target=_open_loop, args=(port, s, threads, out)) for s in shares]
    for w in workers:
        w.start()
    results = [out.get() for _ in workers]
    for w in workers:
        w.join()
    latencies = sorted(x for r in results for x in r[0])
    return (
        1000 * percentile(latencies, 50),
        1000 * percentile(latencies, 99),
        sum(r[1] for r in results),
    )


def itertools_accumulate(gaps: list[float], start: float) -> list[float]:
    out, at = [], start
    for gap in gaps:
        at += gap
        out.append(at)
    return out


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return math.nan
    k = min(len(sorted_values) - 1, max(0, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


# ------------------------------------------------------------------------ main
def run(args: argparse.Namespace) -> None:
    from cryptography.fernet import Fernet

    global LOG_DIR
    tmp = Path(tempfile.mkdtemp(prefix="luneo-bench-webhooks-"))
    LOG_DIR = tmp
    drop = None
    if args.database_url:
        database_url, drop = _server_database(args.database_url)
    else:
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    print(f"database: {database_url.split('@')[-1]}; redis: {args.redis_url or 'embedded'}")
    print(f"server logs in {tmp}")
    try:
        key = Fernet.generate_key().decode()
        prepare(database_url, key)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "LUNEO_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "LUNEO_ENCRYPTION_KEYS": key,
            "DATABASE_URL": database_url,
            "BENCH_DATABASE_URL": database_url,
            "LUNEO_INSTANCE_PATH": str(tmp / "instance"),
            "STORAGE_URL": str(tmp / "files"),
            "SHOPIFY_API_KEY": "bench",
            "SHOPIFY_API_SECRET": SECRET,
            "SHOPIFY_APP_URL": "https://luneo.bench",
        }
        env.pop("REDIS_URL", None)
        if args.redis_url:
            env["REDIS_URL"] = args.redis_url
            if Redis.from_url(args.redis_url).dbsize():  # old jobs' ids would collide with ours
                raise SystemExit(f"{args.redis_url} is not empty: give the bench an empty database")
        apps = {"bare": ("webhooks:bare_app()", ROOT / "bench"), "luneo": ("wsgi:app", ROOT)}
        rates: dict[str, float] = {}
        procs: dict[str, subprocess.Popen] = {}
        ports: dict[str, int] = {}
        for name, (target, chdir) in apps.items():
            ports[name] = free_port()
            procs[name] = start_gunicorn(target, ports[name], env, chdir)
        try:
            for name in apps:  # one at a time: the other is idle
                throughput(ports[name], args.clients, 1.0, args.procs)  # warm-up
                rate, errors = throughput(ports[name], args.clients, args.seconds, args.procs)
                rates[name] = rate
                print(f"{name:5}: {rate:7.0f} requests/s closed loop ({errors} not 200)")
            ratio = rates["luneo"] / rates["bare"]
            print(f"ratio luneo/bare: {ratio:.2f}  (goal >= 0.5)")

            target_rate = 0.7 * rates["bare"]
            n = int(target_rate * args.seconds)
            rng = random.Random(7)
            even = [1 / target_rate] * n
            burst = [rng.expovariate(2000 / 30) for _ in range(2000)]
            for name in apps:
                p50, p99, errors = open_loop(ports[name], even, args.procs, args.threads)
                print(
                    f"{name:5}: at {target_rate:.0f}/s (70 % of bare) for {args.seconds:.0f} s: "
                    f"p50 {p50:.1f} ms, p99 {p99:.1f} ms ({errors} not 200)"
                )
            own_rate = 0.7 * rates["luneo"]  # the first measure: 70 % of its own max
            own = [1 / own_rate] * int(own_rate * args.seconds)
            p50, p99, errors = open_loop(ports["luneo"], own, args.procs, args.threads)
            print(
                f"luneo: at {own_rate:.0f}/s (70 % of its own max) for {args.seconds:.0f} s: "
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms ({errors} not 200)"
            )
            for name in apps:
                p50, p99, errors = open_loop(ports[name], burst, args.procs, args.threads)
                print(
                    f"{name:5}: burst of 2,000 in 30 s (Poisson): p50 {p50:.1f} ms, "
                    f"p99 {p99:.1f} ms ({errors} not 200)"
                )
        finally:
            for proc in procs.values():
                stop(proc)
    finally:
        from app import embedded_redis

        embedded_redis.stop(tmp / "instance")
        if drop is not None:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--redis-url", help="default: the embedded Redis")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16, help="closed-loop senders")
    parser.add_argument("--procs", type=int, default=2, help="load generator processes")
    parser.add_argument("--threads", type=int, default=32, help="open-loop threads per process")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
