"""Scale-out, shown: webhooks and production jobs through gunicorn, N workers, S3 and a lost worker.

The production set-up, all real processes on this machine: gunicorn (``wsgi:app``, 2 sync
workers, as ``bench/webhooks.py``), ``--workers`` ``luneo worker`` processes on every queue (the
default queue in process, render and sync forked), ``luneo scheduler`` (the webhook sweeper
every minute), PostgreSQL (or SQLite), Redis, S3 (a moto server) and a Shopify stand-in
(``standins/shopify.py``, its own process) that the order and product syncs read from.

``--shops`` installed shops (on the Pro plan), each with a template (a 200 x 90 mm mug wrap at
``--dpi``, its mockup in S3), its catalog and its share of ``--orders`` orders, one personalized
line each with a saved design. Then ``--webhooks`` signed deliveries are sent concurrently:
one ``orders/create`` per order, ``products/update`` for the rest (about the shops' products,
so their syncs collapse as a burst does), of which ``--redeliveries`` are repeats of an earlier
delivery with its ``X-Shopify-Event-Id`` (Shopify's retries; some race their original). A
sender that gets no 200 sends the same delivery again, as Shopify does. Mid-run (once
``--kill-at`` of the renders are done) one worker and its work-horse are killed with SIGKILL
while it renders, and a new worker is started: the job must be found abandoned and retried.

Verified at the end, non-zero exit when anything fails:

- lost: every delivery sent has its row (by event id), every row is ``processed`` (none left
  received or failed), every order is synced with its line, every line has its production job,
  every job is ready with its 4 files (print PNG and PDF, preview, proof), every file row's
  object is in the bucket, every order's shopper got the "Change your design" e-mail (an SMTP
  sink counts them), no RQ job failed or is left waiting, running or scheduled;
- done twice: one row per event id (repeats answered ``duplicate``), one order, line and
  production job per order, 4 files per job (a second render would add or replace files: its
  ``files_version`` would pass 1), no e-mail sent twice, and no object in the bucket that no
  row names, except what the killed render had uploaded before it died (printed; a crash
  cannot take back its uploads).

Figures: intake (deliveries/s through gunicorn while the workers run), events/s processed per
worker (events over the time from the first delivery to the last event processed, over the
workers), renders/min per worker (renders over the time from the first to the last ready job,
over the workers; the restart of the killed worker is in it), and the total time.

Run::

    .venv/bin/python bench/scale_out.py --database-url postgresql://postgres@127.0.0.1:5432/test \\
        --redis-url redis://127.0.0.1:6379/12          # 10,000 webhooks, 500 production jobs
    .venv/bin/python bench/scale_out.py --webhooks 300 --orders 20   # SQLite, embedded Redis
    # (a throwaway database is created beside the one named, and dropped at the end; the Redis
    # database must be empty)

``--maintenance-interval`` and ``--monitoring-interval`` set ``LUNEO_WORKER_*`` (default: the
production defaults, 30 s and 10 s: a dead worker's render is retried within a minute).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import multiprocessing
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "bench"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from webhooks import SECRET, _server_database, free_port  # noqa: E402

TOKEN = "shpat_" + "c" * 32
BUCKET = "luneo-scale"
PRODUCTS_PER_SHOP = 100  # products in each shop's catalog (the first is the template's)
FILES_PER_JOB = ("front.pdf", "front.png", "front.preview", "proof.proof")
LUNEO = [sys.executable, "-m", "app.cli"]


def domain(shop: int) -> str:
    return f"scale-{shop}.myshopify.com"


def product_number(shop: int, index: int) -> int:
    return 1_000_000 * (shop + 1) + index


def order_number(shop: int, index: int) -> int:
    return 1_000_000 * (shop + 1) + index


# ------------------------------------------------------------------------ the deliveries
@dataclass(frozen=True)
class Delivery:
    topic: str
    domain: str
    event_id: str
    body: bytes

    def headers(self) -> dict[str, str]:
        digest = hmac.new(SECRET.encode(), self.body, hashlib.sha256).digest()
        return {
            "Content-Type": "application/json",
            "X-Shopify-Topic": self.topic,
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
            "X-Shopify-Shop-Domain": self.domain,
            "X-Shopify-API-Version": "2026-07",
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": self.event_id,
        }


def deliveries(
    shops: int, orders: list[tuple[int, int]], total: int, repeats: int, seed: int
) -> tuple[list[Delivery], int]:
    """``total`` deliveries in sending order, ``repeats`` of them repeats; and how many are new."""
    rng = random.Random(seed)
    unique: list[Delivery] = []
    for shop, index in orders:
        number = order_number(shop, index)
        body = {"id": number, "admin_graphql_api_id": f"gid://shopify/Order/{number}"}
        unique.append(Delivery("orders/create", domain(shop), str(uuid.uuid4()), _json(body)))
    for i in range(total - repeats - len(orders)):
        shop = i % shops
        number = product_number(shop, rng.randrange(PRODUCTS_PER_SHOP))
        body = {
            "id": number,
            "admin_graphql_api_id": f"gid://shopify/Product/{number}",
            "title": f"Product {number}",
            "updated_at": datetime.now(UTC).isoformat(),
        }
        unique.append(Delivery("products/update", domain(shop), str(uuid.uuid4()), _json(body)))
    rng.shuffle(unique)
    order = [(float(i), d) for i, d in enumerate(unique)]
    for _ in range(repeats):  # a repeat comes after its original, sometimes right after
        at = rng.randrange(len(unique))
        later = rng.choice((0.5, rng.uniform(1, 50), rng.uniform(50, 5000)))
        order.append((at + later, unique[at]))
    order.sort(key=lambda pair: pair[0])
    sent = [d for _, d in order]
    return sent, len(unique)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _post(port: int, delivery: Delivery) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/webhooks/shopify", delivery.body, delivery.headers())
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _sender(port: int, share: list[Delivery], threads: int, out: Any) -> None:
    """Send ``share`` from ``threads`` threads; a delivery without a 200 is sent again."""
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    queue = list(reversed(share))

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                delivery = queue.pop()
            for attempt in range(8):
                try:
                    status = _post(port, delivery)
                except OSError:
                    status = 0
                with lock:
                    statuses[str(status) if attempt == 0 else f"retry {status}"] += 1
                if status == 200:
                    break
                time.sleep(0.5 * (attempt + 1))
            else:
                with lock:
                    statuses["given up"] += 1

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put(dict(statuses))


def send_all(port: int, sent: list[Delivery], procs: int, threads: int) -> tuple[float, Counter]:
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    workers = [
        ctx.Process(target=_sender, args=(port, sent[i::procs], threads, out)) for i in range(procs)
    ]
    start = time.perf_counter()
    for w in workers:
        w.start()
    statuses: Counter[str] = Counter()
    for _ in workers:
        statuses.update(out.get())
    elapsed = time.perf_counter() - start
    for w in workers:
        w.join()
    return elapsed, statuses


# ------------------------------------------------------------------------ Shopify and S3
def _fake_shopify(conn: Connection, shops: int, orders: dict[int, list[tuple[int, str]]]) -> None:
    """The stand-in's process: every shop's catalog and orders, until told to stop."""
    from standins.shopify import FakeShopify, FakeStore, serve, upstream_line, upstream_order
    from standins.shopify import upstream_product as product

    fake = FakeShopify()
    placed = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for shop in range(shops):
        store = fake.add_store(FakeStore(domain(shop), TOKEN))
        catalog = [product(product_number(shop, i)) for i in range(PRODUCTS_PER_SHOP)]
        store.add_products(*catalog)
        for index, design in orders.get(shop, []):
            number = order_number(shop, index)
            line = upstream_line(number, catalog[0], attributes={"_luneo_design": design})
            store.add_orders(upstream_order(number, [line], updated_at=placed))
    with serve(fake) as served:
        conn.send(served.origin_template)
        conn.recv()
        calls: Counter[str] = Counter()
        for store in served.stores.values():
            calls.update(call.operation for call in store.calls)
        conn.send(dict(calls))


@contextmanager
def fake_shopify(shops: int, orders: dict[int, list[tuple[int, str]]]) -> Iterator[Any]:
    ctx = multiprocessing.get_context("fork")
    ours, theirs = ctx.Pipe()
    proc = ctx.Process(target=_fake_shopify, args=(theirs, shops, orders), daemon=True)
    proc.start()
    handle = {"origin": ours.recv(), "calls": {}}
    try:
        yield handle
    finally:
        ours.send("stop")
        if ours.poll(30):
            handle["calls"] = ours.recv()
        proc.join(10)
        if proc.is_alive():
            proc.kill()


@contextmanager
def moto_server(log_dir: Path) -> Iterator[str]:
    port = free_port()
    log = open(log_dir / "moto.log", "ab")  # noqa: SIM115 - open while the server runs
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(command, stdout=log, stderr=log)  # noqa: S603 - our interpreter
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(port, "/moto-api/"), 60, "moto server")
        yield endpoint
    finally:
        stop(proc)
        log.close()


def _answers(port: int, path: str) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        conn.getresponse().read()
        conn.close()
        return True
    except OSError:
        return False


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.session.Session(
        aws_access_key_id="scale-access-key",
        aws_secret_access_key="scale-secret-key",  # noqa: S106 - moto's, not a secret
        region_name="us-east-1",
    ).client("s3", endpoint_url=endpoint)


def bucket_keys(client: Any) -> set[str]:
    keys: set[str] = set()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        keys.update(obj["Key"] for obj in page.get("Contents", []))
    return keys


class MailSink:
    """An SMTP server (aiosmtpd, in a thread) counting the messages it gets by subject."""

    def __init__(self) -> None:
        self.subjects: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        with self.lock:
            self.subjects[str(message["Subject"])] += 1
        return "250 OK"


@contextmanager
def smtp_sink() -> Iterator[tuple[int, MailSink]]:
    from aiosmtpd.controller import Controller

    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, sink
    finally:
        controller.stop()


# ------------------------------------------------------------------------ processes
def wait_for(check: Any, timeout: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    raise SystemExit(f"{what}: not ready within {timeout:.0f} s")


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A process in a group of its own (so a kill takes its work-horses too), logging to ``log``."""
    out = open(log, "ab")  # noqa: SIM115 - open while the process runs
    return subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
        command, env=env, stdout=out, stderr=out, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def gunicorn(port: int, env: dict[str, str], log_dir: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    command += ["--chdir", str(ROOT), "--log-level", "warning", "wsgi:app"]
    proc = spawn(command, env, log_dir / "gunicorn.log")
    wait_for(lambda: _answers(port, "/healthz"), 90, "gunicorn")
    return proc


# ------------------------------------------------------------------------ seeding
def seed(app: Any, shops: int, orders: int, dpi: int) -> dict[int, list[tuple[int, str]]]:
    """Installed shops on the Pro plan, each with a template, its catalog's first product and
    saved designs; which designs each shop's orders carry ({shop: [(order index, design)]})."""
    import io

    from PIL import Image

    from app.extensions import get_db
    from app.models import (
        Design,
        DesignStatus,
        FileKind,
        Platform,
        PrintArea,
        Product,
        Shop,
        StoredFile,
        Template,
        Variant,
    )
    from app.storage import new_key

    storage = app.extensions["luneo.storage"]
    mockup = io.BytesIO()
    Image.new("RGB", (800, 400), (240, 240, 240)).save(mockup, "PNG")
    designed: dict[int, list[tuple[int, str]]] = {}
    with app.app_context(), get_db().session() as session:
        for s in range(shops):
            shop = Shop(
                platform=Platform.SHOPIFY,
                domain=domain(s),
                name=f"Scale {s}",
                access_token=TOKEN,
                scopes="read_products,read_orders,write_orders",
                installed_at=datetime.now(UTC),
                plan="pro",
            )
            session.add(shop)
            session.flush()
            number = product_number(s, 0)
            product = Product(
                shop_id=shop.id, external_id=f"gid://shopify/Product/{number}", title="Mug"
            )
            product.variants.append(
                Variant(
                    shop_id=shop.id,
                    external_id=f"gid://shopify/ProductVariant/{number}001",
                    title="Size 1",
                    price=Decimal("19.90"),
                )
            )
            session.add(product)
            session.flush()
            key = new_key(shop.id, "mockup", "png")
            written = storage.put(key, mockup.getvalue(), "image/png")
            stored = StoredFile(
                shop_id=shop.id,
                key=key,
                kind=FileKind.MOCKUP,
                content_type="image/png",
                size=written.size,
                sha256=written.sha256,
            )
            session.add(stored)
            session.flush()
            template = Template(shop_id=shop.id, product_id=product.id, name="Mug wrap")
            template.print_areas.append(
                PrintArea(
                    shop_id=shop.id,
                    key="front",
                    name="Front",
                    width_mm=Decimal("200"),
                    height_mm=Decimal("90"),
                    dpi=dpi,
                    bleed_mm=Decimal("3"),
                    safe_margin_mm=Decimal("5"),
                    mockup_file_id=stored.id,
                    mockup_placement={"x": 100, "y": 100, "width": 600, "height": 270},
                )
            )
            session.add(template)
            session.flush()
            mine = [i for i in range(orders) if i % shops == s]
            rows = [
                Design(
                    shop_id=shop.id,
                    template_id=template.id,
                    product_id=product.id,
                    status=DesignStatus.SAVED,
                    document=_document(i),
                )
                for i in mine
            ]
            session.add_all(rows)
            session.flush()
            designed[s] = [(i, row.public_id) for i, row in zip(mine, rows, strict=True)]
        session.commit()
    return designed


def _document(i: int) -> dict[str, Any]:
    rect = {"type": "shape", "shape": "rect", "fill": "#d0342c", "x_mm": 0, "y_mm": 0}
    rect |= {"width_mm": 40, "height_mm": 90}
    text = {"type": "text", "text": f"For Ada, no. {i}", "font": "Inter", "size_mm": 12}
    text |= {"x_mm": 60, "y_mm": 35}
    return {"version": 1, "areas": {"front": {"layers": [rect, text]}}}


# ------------------------------------------------------------------------ watching
@dataclass
class State:
    events: int = 0
    waiting_events: int = 0
    failed_events: int = 0
    jobs: int = 0
    ready: int = 0
    failed_jobs: int = 0
    queued_rq: int = 0
    running_rq: int = 0
    scheduled_rq: int = 0
    failed_rq: int = 0

    @property
    def handled(self) -> int:
        return self.events - self.waiting_events - self.failed_events


def state(app: Any) -> State:
    from sqlalchemy import func, select

    from app.extensions import get_db, get_redis
    from app.models import ProductionJob, ProductionStatus, WebhookEvent, WebhookStatus
    from app.queue import QUEUE_NAMES, get_queue

    out = State()
    with app.app_context(), get_db().session() as session:
        by_status = dict(
            session.execute(
                select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status)
            ).all()
        )
        out.events = sum(by_status.values())
        out.waiting_events = by_status.get(WebhookStatus.RECEIVED, 0)
        out.failed_events = by_status.get(WebhookStatus.FAILED, 0)
        jobs = dict(
            session.execute(
                select(ProductionJob.status, func.count()).group_by(ProductionJob.status)
            ).all()
        )
        out.jobs = sum(jobs.values())
        out.ready = jobs.get(ProductionStatus.READY, 0)
        out.failed_jobs = jobs.get(ProductionStatus.FAILED, 0)
        redis = get_redis()
        for name in QUEUE_NAMES:
            queue = get_queue(name, redis)
            out.queued_rq += queue.count
            out.running_rq += queue.started_job_registry.count
            out.scheduled_rq += queue.scheduled_job_registry.count
            out.failed_rq += queue.failed_job_registry.count
    return out


@dataclass
class Killing:
    """Kill one worker and its work-horse (each in its own process group: RQ gives the horse
    one) while it renders: its production job's RENDERING is committed, its files not yet."""

    at_ready: int
    done: bool = False
    job_id: str | None = None
    killed_at: float = 0.0
    notes: list[str] = field(default_factory=list)

    def maybe(self, app: Any, now: State, workers: list[subprocess.Popen], restart: Any) -> None:
        if self.done or now.ready < self.at_ready:
            return
        from rq import Worker

        from app.extensions import get_redis

        with app.app_context():
            live = {w.pid: w for w in Worker.all(connection=get_redis())}
        for index, proc in enumerate(workers):
            worker = live.get(proc.pid)
            job_id = worker.get_current_job_id() if worker is not None else None
            if job_id and job_id.startswith("render-") and rendering(app, job_id):
                for horse in children(proc.pid):  # RQ puts each in a process group of its own
                    with suppress(ProcessLookupError):
                        os.killpg(horse, signal.SIGKILL)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                self.done, self.job_id, self.killed_at = True, job_id, time.monotonic()
                self.notes.append(f"killed worker {proc.pid} and its horse (kill -9) in {job_id}")
                workers[index] = restart()
                self.notes.append(f"started worker pid {workers[index].pid} in its place")
                return


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux's /proc): a worker's work-horse."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def rendering(app: Any, job_id: str) -> bool:
    """The production job of RQ job ``job_id`` is being rendered (its RENDERING committed)."""
    from app.extensions import get_db
    from app.models import ProductionJob, ProductionStatus

    with app.app_context(), get_db().session() as session:
        job = session.get(ProductionJob, int(job_id.removeprefix("render-")))
        return job is not None and job.status is ProductionStatus.RENDERING


def live_workers(app: Any) -> int:
    from rq import Worker

    from app.extensions import get_redis

    with app.app_context():
        return len(Worker.all(connection=get_redis()))


def settled(now: State, expected_events: int, expected_jobs: int) -> bool:
    return (
        now.events >= expected_events
        and now.waiting_events == 0
        and now.jobs >= expected_jobs
        and now.ready + now.failed_jobs >= now.jobs
        and now.queued_rq + now.running_rq + now.scheduled_rq == 0
    )


# ------------------------------------------------------------------------ verifying
def verify(
    app: Any,
    sent: list[Delivery],
    orders: int,
    s3: Any,
    killed_job: str | None,
    statuses: Counter,
) -> tuple[list[str], list[str], dict[str, Any]]:
    """(what was lost, what was done twice, figures)."""
    from sqlalchemy import func, select

    from app.extensions import get_db
    from app.models import (
        Order,
        OrderItem,
        ProductionFile,
        ProductionJob,
        ProductionStatus,
        StoredFile,
        WebhookEvent,
        WebhookStatus,
    )

    lost: list[str] = []
    twice: list[str] = []
    figures: dict[str, Any] = {}
    if statuses.get("given up"):
        lost.append(f"{statuses['given up']} deliveries never answered 200")
    with app.app_context(), get_db().session() as session:
        rows = session.execute(
            select(
                WebhookEvent.delivery_id,
                WebhookEvent.status,
                WebhookEvent.received_at,
                WebhookEvent.processed_at,
            )
        ).all()
        per_id = Counter(row.delivery_id for row in rows)
        wanted = {d.event_id for d in sent}
        recorded = {delivery_id.rsplit(":", 1)[-1] for delivery_id in per_id}
        missing = [e for e in wanted if e not in recorded]
        if missing:
            lost.append(f"{len(missing)} deliveries have no row (e.g. {missing[0]})")
        doubled = [k for k, n in per_id.items() if n > 1]
        if doubled or len(rows) > len(wanted):
            twice.append(f"{len(rows)} rows for {len(wanted)} deliveries ({len(doubled)} doubled)")
        states = Counter(str(row.status) for row in rows)
        figures["event states"] = dict(states)
        unprocessed = len(rows) - states.get(str(WebhookStatus.PROCESSED), 0)
        if unprocessed:
            lost.append(f"{unprocessed} events not processed: {dict(states)}")
        processed = [r for r in rows if r.processed_at is not None]
        if processed:
            first = min(r.received_at for r in rows)
            last = max(r.processed_at for r in processed)
            figures["event span s"] = (last - first).total_seconds()
        figures["events"] = len(processed)

        order_count = session.scalar(select(func.count()).select_from(Order)) or 0
        item_count = session.scalar(select(func.count()).select_from(OrderItem)) or 0
        per_item = Counter(session.scalars(select(ProductionJob.order_item_id)))
        if order_count < orders or item_count < orders or len(per_item) < orders:
            lost.append(
                f"{order_count} orders, {item_count} lines, {len(per_item)} jobs of {orders}"
            )
        if order_count > orders or item_count > orders or any(n > 1 for n in per_item.values()):
            twice.append(f"{order_count} orders, {item_count} lines, {sum(per_item.values())} jobs")
        jobs = session.execute(
            select(
                ProductionJob.id,
                ProductionJob.status,
                ProductionJob.attempts,
                ProductionJob.files_version,
                ProductionJob.status_changed_at,
            )
        ).all()
        not_ready = [j for j in jobs if j.status is not ProductionStatus.READY]
        if not_ready:
            lost.append(f"{len(not_ready)} production jobs not ready: {not_ready[:3]}")
        figures["render attempts"] = dict(Counter(j.attempts for j in jobs))
        for j in jobs:
            if killed_job == f"render-{j.id}":
                figures["killed job"] = f"{j.status.value} after {j.attempts} attempt(s)"
        if any(j.files_version != 1 for j in jobs):
            twice.append(f"{sum(j.files_version != 1 for j in jobs)} jobs' files were replaced")
        ready_at = sorted(j.status_changed_at for j in jobs if j.status is ProductionStatus.READY)
        if len(ready_at) > 1:
            figures["render span s"] = (ready_at[-1] - ready_at[0]).total_seconds()
        figures["renders"] = len(ready_at)
        files = Counter(
            (f.production_job_id, f"{f.area_key}.{f.format}")
            for f in session.scalars(select(ProductionFile))
        )
        per_job: dict[int, list[str]] = {}
        for (job_id, name), n in files.items():
            per_job.setdefault(job_id, []).extend([name] * n)
        wrong = [j.id for j in jobs if sorted(per_job.get(j.id, [])) != list(FILES_PER_JOB)]
        if wrong:
            extra = [j for j in wrong if len(per_job.get(j, [])) > len(FILES_PER_JOB)]
            (twice if extra else lost).append(f"{len(wrong)} jobs without exactly their 4 files")
        keys = set(session.scalars(select(StoredFile.key)))
    prefix = "scale/"
    in_bucket = {k.removeprefix(prefix) for k in bucket_keys(s3)}
    absent = keys - in_bucket
    if absent:
        lost.append(f"{len(absent)} stored files missing from the bucket")
    orphans = in_bucket - keys
    figures["objects"] = len(in_bucket)
    figures["unreferenced objects"] = len(orphans)
    allowed = len(FILES_PER_JOB) if killed_job else 0
    if len(orphans) > allowed:
        twice.append(f"{len(orphans)} objects in the bucket no row names")
    return lost, twice, figures


def unmailed(app: Any, subjects: Counter[str]) -> list[str]:
    """The orders no e-mail named, with what their line and production job say."""
    from sqlalchemy import select

    from app.extensions import get_db
    from app.models import Order, OrderItem, ProductionJob

    mailed = {subject.rsplit(" ", 1)[-1] for subject in subjects}
    stmt = (
        select(Order.name, OrderItem.personalization, OrderItem.edit_link_sent_at)
        .join(OrderItem, OrderItem.order_id == Order.id)
        .add_columns(ProductionJob.status, ProductionJob.status_changed_at)
        .outerjoin(ProductionJob, ProductionJob.order_item_id == OrderItem.id)
    )
    with app.app_context(), get_db().session() as session:
        return [str(tuple(row)) for row in session.execute(stmt) if row[0] not in mailed]


# ------------------------------------------------------------------------ main
def run(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet
    from redis import Redis

    from app import migrate

    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="luneo-bench-scale-"))
    drop = None
    if args.database_url:
        database_url, drop = _server_database(args.database_url)
    else:
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    if args.redis_url and Redis.from_url(args.redis_url).dbsize():
        raise SystemExit(f"{args.redis_url} is not empty: give the bench an empty database")
    print(f"database: {database_url.split('@')[-1]}; redis: {args.redis_url or 'embedded'}")
    print(f"logs in {tmp}", flush=True)
    procs: list[subprocess.Popen] = []
    workers: list[subprocess.Popen] = []
    try:
        with moto_server(tmp) as endpoint, smtp_sink() as (smtp_port, mails):
            s3 = s3_client(endpoint)
            s3.create_bucket(Bucket=BUCKET)
            key = Fernet.generate_key().decode()
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "LUNEO_ENV": "production",
                "SECRET_KEY": secrets.token_hex(32),
                "LUNEO_ENCRYPTION_KEYS": key,
                "DATABASE_URL": database_url,
                "LUNEO_INSTANCE_PATH": str(tmp / "instance"),
                "STORAGE_URL": f"s3://{BUCKET}/scale",
                "S3_ENDPOINT_URL": endpoint,
                "AWS_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "scale-access-key",
                "AWS_SECRET_ACCESS_KEY": "scale-secret-key",
                "SHOPIFY_API_KEY": "bench",
                "SHOPIFY_API_SECRET": SECRET,
                "SHOPIFY_APP_URL": "https://luneo.bench",
                "LOG_LEVEL": "WARNING",
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(smtp_port),
                "SMTP_SECURITY": "none",
                "LUNEO_WORKER_MAINTENANCE_INTERVAL": str(args.maintenance_interval),
                "LUNEO_WORKER_MONITORING_INTERVAL": str(args.monitoring_interval),
            }
            env.pop("REDIS_URL", None)
            if args.redis_url:
                env["REDIS_URL"] = args.redis_url
            migrate.upgrade(database_url)
            os.environ.update(env)
            from app import create_app

            app = create_app()
            designed = seed(app, args.shops, args.orders, args.dpi)
            order_keys = [(s, i) for s, lines in designed.items() for i, _ in lines]
            sent, unique = deliveries(
                args.shops, order_keys, args.webhooks, args.redeliveries, args.seed
            )
            with fake_shopify(args.shops, designed) as shopify:
                env["SHOPIFY_SHOP_ORIGIN"] = shopify["origin"]
                port = free_port()
                procs.append(gunicorn(port, env, tmp))
                scheduler = spawn([*LUNEO, "scheduler"], env, tmp / "scheduler.log")
                procs.append(scheduler)

                def new_worker() -> subprocess.Popen:
                    worker_env = {**env, "LOG_LEVEL": args.worker_log_level}
                    return spawn([*LUNEO, "worker"], worker_env, tmp / "workers.log")

                workers.extend(new_worker() for _ in range(args.workers))
                wait_for(lambda: live_workers(app) >= args.workers, 120, "workers", every=0.5)
                ready_at = time.perf_counter()
                print(
                    f"{args.shops} shops, {args.orders} orders; gunicorn on :{port}, "
                    f"{args.workers} workers, scheduler, moto at {endpoint}, Shopify stand-in at "
                    f"{shopify['origin'].rsplit('/', 1)[0]} (set-up {ready_at - started:.1f} s)",
                    flush=True,
                )
                killing = Killing(max(1, int(args.kill_at * args.orders))) if args.kill else None
                t0 = time.perf_counter()
                outcome: dict[str, Any] = {}

                def send() -> None:
                    elapsed, statuses = send_all(port, sent, args.procs, args.threads)
                    outcome.update(elapsed=elapsed, statuses=statuses)

                sender = threading.Thread(target=send)
                sender.start()
                deadline = time.monotonic() + args.timeout
                last_print = 0.0
                saturated = [0, 0.0]  # events handled, seconds, while events were waiting
                previous: tuple[float, State] | None = None
                while True:
                    now = state(app)
                    moment = time.perf_counter()
                    if previous is not None and previous[1].waiting_events > 0:
                        saturated[0] += now.handled - previous[1].handled
                        saturated[1] += moment - previous[0]
                    previous = (moment, now)
                    if killing is not None:
                        killing.maybe(app, now, workers, new_worker)
                    if time.monotonic() - last_print > 10:
                        last_print = time.monotonic()
                        print(
                            f"  {time.perf_counter() - t0:6.0f} s: {now.events} events "
                            f"({now.waiting_events} waiting), {now.ready}/{now.jobs} renders "
                            f"ready; rq: {now.queued_rq} queued, {now.running_rq} running, "
                            f"{now.scheduled_rq} scheduled, {now.failed_rq} failed",
                            flush=True,
                        )
                    if not sender.is_alive() and settled(now, unique, args.orders):
                        break
                    if now.failed_rq or now.failed_jobs or now.failed_events:
                        print(f"  failure seen: {now}", flush=True)
                        if not sender.is_alive():
                            break
                    if time.monotonic() > deadline:
                        print(f"  timed out after {args.timeout:.0f} s: {now}", flush=True)
                        break
                    armed = killing is not None and not killing.done and now.jobs > 0
                    time.sleep(0.1 if armed and now.ready >= killing.at_ready else 1.0)
                total = time.perf_counter() - t0
                sender.join()
                stop(scheduler)  # what it enqueued last (a periodic job) is let finish
                wait_for(lambda: settled(state(app), unique, args.orders), 300, "the last jobs", 1)
                for proc in [*workers, *procs]:
                    stop(proc)
            end = state(app)
            lost, twice, figures = verify(
                app, sent, args.orders, s3, killing.job_id if killing else None,
                outcome["statuses"],
            )  # fmt: skip
            if end.failed_rq:
                lost.append(f"{end.failed_rq} RQ jobs failed")
            if end.queued_rq + end.running_rq + end.scheduled_rq:
                lost.append(f"RQ jobs left: {end}")
            figures["saturated"] = saturated
            order_mails = [subject for subject in mails.subjects if "for order #" in subject]
            for line in unmailed(app, mails.subjects):
                print(f"  no e-mail: {line}")
            figures["mails"] = dict(mails.subjects.most_common(2))
            figures["order mails"] = len(order_mails)
            if len(order_mails) < args.orders:
                lost.append(f"e-mails about {len(order_mails)} orders of {args.orders}")
            if any(n > 1 for n in mails.subjects.values()):
                twice.append(f"e-mails sent twice: {figures['mails']}")
            report(args, sent, unique, outcome, figures, total, killing, shopify["calls"])
            verdict(lost, twice)
            return 1 if lost or twice else 0
    finally:
        for proc in [*workers, *procs]:
            with suppress(Exception):
                stop(proc)
        from app import embedded_redis

        embedded_redis.stop(tmp / "instance")
        if drop is not None:
            drop()


def report(
    args: argparse.Namespace,
    sent: list[Delivery],
    unique: int,
    outcome: dict[str, Any],
    figures: dict[str, Any],
    total: float,
    killing: Killing | None,
    calls: dict[str, int],
) -> None:
    n = args.workers
    print(
        f"sent {len(sent)} deliveries ({unique} events, {len(sent) - unique} repeats) in "
        f"{outcome['elapsed']:.1f} s: {len(sent) / outcome['elapsed']:.0f} webhooks/s intake; "
        f"answers {dict(outcome['statuses'])}"
    )
    span = figures.get("event span s")
    if span:
        events = figures["events"]
        print(
            f"{events} events processed in {span:.1f} s (first received to last processed): "
            f"{events / span:.0f} events/s, {events / span / n:.0f} events/s per worker"
        )
    handled, seconds = figures["saturated"]
    if seconds:
        print(
            f"while events were waiting ({seconds:.1f} s): {handled / seconds:.0f} events/s, "
            f"{handled / seconds / n:.0f} events/s per worker (syncs and renders running beside)"
        )
    else:
        print("events never waited: the workers kept up with the intake")
    rspan = figures.get("render span s")
    if rspan:
        renders = figures["renders"]
        per_min = (renders - 1) / rspan * 60
        print(
            f"{renders} renders ({args.dpi} DPI, 200 x 90 mm), first to last ready in "
            f"{rspan:.1f} s: {per_min:.0f} renders/min, {per_min / n:.1f} renders/min per worker"
        )
    print(f"render attempts per job: {figures.get('render attempts')}")
    print(f"objects in the bucket: {figures.get('objects')} "
          f"({figures.get('unreferenced objects')} no row names)")  # fmt: skip
    print(f"Shopify stand-in calls: {calls}")
    print(f"e-mails about {figures['order mails']} orders, most sent: {figures['mails']}")
    if killing is not None:
        for note in killing.notes or ["no worker was caught rendering: none killed"]:
            print(note)
        if "killed job" in figures:
            print(f"the killed render ({killing.job_id}): {figures['killed job']}")
    print(f"total: {total:.1f} s from the first delivery to everything settled")


def verdict(lost: list[str], twice: list[str]) -> None:
    for line in lost:
        print(f"LOST: {line}")
    for line in twice:
        print(f"DONE TWICE: {line}")
    if not lost and not twice:
        print("verdict: nothing lost, nothing done twice")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--redis-url", help="an empty Redis database (default: embedded)")
    parser.add_argument("--webhooks", type=int, default=10_000, help="deliveries sent in all")
    parser.add_argument("--orders", type=int, default=500, help="orders: one production job each")
    parser.add_argument("--redeliveries", type=int, default=None, help="default: 10 %%")
    parser.add_argument("--shops", type=int, default=5)
    parser.add_argument("--workers", type=int, default=3, help="luneo worker processes")
    parser.add_argument("--dpi", type=int, default=300, help="the print area's resolution")
    parser.add_argument("--kill", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--kill-at", type=float, default=0.3, help="share of renders done")
    parser.add_argument("--maintenance-interval", type=int, default=30)
    parser.add_argument("--monitoring-interval", type=int, default=10)
    parser.add_argument("--procs", type=int, default=2, help="sender processes")
    parser.add_argument("--threads", type=int, default=8, help="sender threads per process")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds to settle")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--worker-log-level", default="WARNING", help="INFO logs every job")
    args = parser.parse_args()
    if args.redeliveries is None:
        args.redeliveries = args.webhooks // 10
    if args.orders + args.redeliveries > args.webhooks:
        parser.error("--webhooks must cover the orders and the redeliveries")
    sys.exit(run(args))


if __name__ == "__main__":
    main()
