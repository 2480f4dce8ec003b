"""GET /metrics: its guard, the request counters, and the state gauges read from the stores."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis
from rq import Worker
from sqlalchemy.orm import Session

from app import create_app
from app.models import (
    Generation,
    GenerationStatus,
    JobAssignment,
    Partner,
    Platform,
    ProductionJob,
    ProductionStatus,
    PushStatus,
    ShipmentPush,
    WebhookEvent,
    WebhookStatus,
)
from app.queue import JobSpec, enqueue, get_queue
from tests.factories import make_design, make_order, make_product, make_shop, make_template
from tests.support.workers import run_jobs

TOKEN = "metrics-token-" + "k" * 32
REPO = Path(__file__).resolve().parents[2]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]  # (name, labels) -> value


def scrape(client: FlaskClient, **headers: str) -> Samples:
    """Every sample of a 200 scrape, parsed by prometheus_client's own parser."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; version=1.0.0; charset=utf-8"
    return samples(response.text)


def samples(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


def _close(app: Flask) -> None:
    app.extensions["luneo.db"].engine.dispose()
    app.extensions["luneo.redis"].close()


@pytest.fixture
def token_app(settings: dict[str, Any]) -> Iterator[Flask]:
    app = create_app({**settings, "METRICS_TOKEN": TOKEN})
    yield app
    _close(app)


@pytest.fixture
def production_app(settings: dict[str, Any]) -> Iterator[Flask]:
    app = create_app({**settings, "ENV": "production"})
    yield app
    _close(app)


# ------------------------------------------------------------------------------------ guard


@pytest.mark.parametrize(
    ("_case", "authorization"),
    [
        ("no header", None),
        ("wrong token", f"Bearer {TOKEN}x"),
        ("token without scheme", TOKEN),
        ("basic scheme", f"Basic {TOKEN}"),
        ("empty bearer", "Bearer "),
    ],
)
def test_a_set_token_is_required(token_app: Flask, _case: str, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}

    response = token_app.test_client().get("/metrics", headers=headers)

    assert response.status_code == 401
    assert response.json == {
        "error": {
            "code": "unauthorized",
            "message": "Send the metrics token: Authorization: Bearer <token>.",
        }
    }
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "luneo_" not in response.text


def test_the_right_token_gets_the_metrics(token_app: Flask) -> None:
    found = scrape(token_app.test_client(), Authorization=f"Bearer {TOKEN}")

    assert value(found, "luneo_up", component="database") == 1.0


def test_production_without_a_token_answers_404(production_app: Flask) -> None:
    response = production_app.test_client().get("/metrics")

    assert response.status_code == 404
    assert "luneo_" not in response.text


def test_production_with_a_token_serves_it_to_the_token_only(settings: dict[str, Any]) -> None:
    app = create_app({**settings, "ENV": "production", "METRICS_TOKEN": TOKEN})
    try:
        client = app.test_client()
        assert client.get("/metrics").status_code == 401
        found = scrape(client, Authorization=f"Bearer {TOKEN}")
        assert value(found, "luneo_up", component="redis") == 1.0
    finally:
        _close(app)


# ---------------------------------------------------------------------------- HTTP metrics


def test_requests_are_counted_by_endpoint_and_status(client: FlaskClient) -> None:
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page/42")
    client.open("/healthz", method="BREW")

    found = scrape(client)
    scrape_again = scrape(client)

    total = "luneo_http_requests_total"
    assert value(found, total, method="GET", endpoint="health.healthz", status="200") == 2.0
    assert value(found, total, method="GET", endpoint="none", status="404") == 1.0
    assert value(found, total, method="other", endpoint="none", status="405") == 1.0
    count = "luneo_http_request_duration_seconds_count"
    assert value(found, count, method="GET", endpoint="health.healthz") == 2.0
    assert not [key for key in scrape_again if ("endpoint", "metrics.scrape") in key[1]]
    assert not [key for key in scrape_again if ("endpoint", "/no/such/page/42") in key[1]]


def test_each_app_counts_only_its_own_requests(app: Flask, settings: dict[str, Any]) -> None:
    app.test_client().get("/healthz")
    other = create_app(settings)
    try:
        found = scrape(other.test_client())
    finally:
        _close(other)

    assert not [name for name, _ in found if name == "luneo_http_requests_total"]


# ------------------------------------------------------------------------------- the queues


def test_queue_gauges_show_waiting_scheduled_and_failed_jobs(
    app: Flask, client: FlaskClient, redis: Redis
) -> None:
    enqueue(redis, JobSpec("render", "tests.support.jobs.add", (1, 2)))
    enqueue(redis, JobSpec("render", "tests.support.jobs.add", (3, 4)))
    get_queue("sync", redis).enqueue_in(timedelta(hours=1), "tests.support.jobs.add", 5, 6)
    enqueue(redis, JobSpec("ai", "tests.support.jobs.flaky", ("metrics-flaky", 9), retries=0))
    run_jobs(app, "ai")

    found = scrape(client)

    jobs = "luneo_rq_jobs"
    assert value(found, jobs, queue="render", state="waiting") == 2.0
    assert value(found, jobs, queue="sync", state="scheduled") == 1.0
    assert value(found, jobs, queue="ai", state="failed") == 1.0
    assert value(found, jobs, queue="ai", state="waiting") == 0.0
    assert value(found, jobs, queue="default", state="started") == 0.0


def test_only_live_workers_are_counted(client: FlaskClient, redis: Redis) -> None:
    worker = Worker([get_queue("render", redis), get_queue("ai", redis)], connection=redis)
    worker.register_birth()
    # A worker killed with -9 stays in RQ's sets until a sweep, but its key expires.
    redis.sadd("rq:workers", "rq:worker:gone")
    redis.sadd("rq:workers:render", "rq:worker:gone")

    found = scrape(client)

    assert value(found, "luneo_rq_workers") == 1.0
    assert value(found, "luneo_rq_queue_workers", queue="render") == 1.0
    assert value(found, "luneo_rq_queue_workers", queue="ai") == 1.0
    assert value(found, "luneo_rq_queue_workers", queue="sync") == 0.0
    worker.register_death()
    assert value(scrape(client), "luneo_rq_workers") == 0.0


# --------------------------------------------------------------------------- the database


def _production_job(session: Session, status: ProductionStatus) -> ProductionJob:
    shop = make_shop(session)
    design = make_design(session, make_template(session, make_product(session, shop)))
    order = make_order(session, shop, design)
    job = ProductionJob(
        shop_id=shop.id, order_item_id=order.items[0].id, design_id=design.id, status=status
    )
    session.add(job)
    session.flush()
    return job


def test_production_jobs_are_counted_per_status(client: FlaskClient, session: Session) -> None:
    for status in (ProductionStatus.QUEUED, ProductionStatus.QUEUED, ProductionStatus.FAILED):
        _production_job(session, status)
    session.commit()

    found = scrape(client)

    jobs = "luneo_production_jobs"
    assert value(found, jobs, status="queued") == 2.0
    assert value(found, jobs, status="failed") == 1.0
    assert value(found, jobs, status="shipped") == 0.0  # every status has a series


def test_shops_webhooks_generations_and_pushes(client: FlaskClient, session: Session) -> None:
    shop = make_shop(session)
    make_shop(session, platform=Platform.WOOCOMMERCE, domain="store.shop.test")
    make_shop(session, uninstalled_at=datetime.now(UTC))
    for n, status in enumerate((WebhookStatus.RECEIVED, WebhookStatus.PROCESSED)):
        session.add(
            WebhookEvent(
                platform=Platform.SHOPIFY,
                topic="orders/create",
                delivery_id=f"d-{n}",
                status=status,
            )
        )
    recent, old = datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) - timedelta(hours=30)
    generations = ((recent, GenerationStatus.SUCCEEDED), (old, GenerationStatus.FAILED))
    for n, (created_at, status) in enumerate(generations):
        session.add(
            Generation(
                shop_id=shop.id,
                area_key="front",
                prompt="a fox",
                cache_key=f"key-{n}",
                provider="local",
                status=status,
                created_at=created_at,
            )
        )
    job = _production_job(session, ProductionStatus.SHIPPED)
    partner = Partner(name="Printer", email="printer@shop.test")
    session.add(partner)
    session.flush()
    assignment = JobAssignment(shop_id=job.shop_id, production_job_id=job.id, partner_id=partner.id)
    session.add(assignment)
    session.flush()
    session.add(
        ShipmentPush(
            shop_id=job.shop_id,
            assignment_id=assignment.id,
            status=PushStatus.PUSHING,
            attempts=1,
            last_error="Attempt 1 failed (ConnectionError); it will be retried.",
        )
    )
    session.commit()

    found = scrape(client)

    assert value(found, "luneo_shops_installed", platform="shopify") == 2.0  # + the job's shop
    assert value(found, "luneo_shops_installed", platform="woocommerce") == 1.0
    assert value(found, "luneo_webhook_events_unprocessed", platform="shopify") == 1.0
    assert value(found, "luneo_webhook_events_unprocessed", platform="woocommerce") == 0.0
    assert value(found, "luneo_ai_generations_last_24h", status="succeeded") == 1.0
    assert value(found, "luneo_ai_generations_last_24h", status="failed") == 0.0
    assert value(found, "luneo_shipment_pushes", status="pushing") == 1.0
    assert value(found, "luneo_shipment_pushes_retrying") == 1.0


# ------------------------------------------------------------------------ stores that fail


def test_redis_down_is_a_gauge_not_a_500(settings: dict[str, Any]) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    app = create_app({**settings, "REDIS_URL": "redis://127.0.0.1:1/0"})
    try:
        found = scrape(app.test_client())
    finally:
        app.extensions["luneo.db"].engine.dispose()

    assert value(found, "luneo_up", component="redis") == 0.0
    assert value(found, "luneo_up", component="database") == 1.0
    assert not [name for name, _ in found if name.startswith("luneo_rq_")]
    assert value(found, "luneo_production_jobs", status="queued") == 0.0


def test_database_down_is_a_gauge_not_a_500(settings: dict[str, Any]) -> None:
    down = "postgresql+psycopg://luneo@127.0.0.1:1/luneo"
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": down})
    try:
        found = scrape(app.test_client())
    finally:
        _close(app)

    assert value(found, "luneo_up", component="database") == 0.0
    assert value(found, "luneo_up", component="redis") == 1.0
    assert not [name for name, _ in found if name.startswith("luneo_production_")]
    assert ("luneo_rq_workers", frozenset()) in found


# --------------------------------------------------------------------------- multiprocess

CHILD = """
import sys
from app import create_app

client = create_app().test_client()
for _ in range(int(sys.argv[1])):
    assert client.get("/healthz").status_code == 200
if sys.argv[2] == "scrape":
    sys.stdout.write(client.get("/metrics").text)
"""


@pytest.mark.slow
def test_gunicorn_style_processes_add_up_through_the_multiprocess_dir(
    settings: dict[str, Any], tmp_path: Path
) -> None:
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = {
        **os.environ,
        "LUNEO_ENV": "testing",
        "SECRET_KEY": settings["SECRET_KEY"],
        "LUNEO_ENCRYPTION_KEYS": settings["ENCRYPTION_KEYS"],
        "DATABASE_URL": settings["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": settings["REDIS_URL"],
        "LUNEO_INSTANCE_PATH": str(tmp_path / "child-instance"),
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "LOG_LEVEL": "WARNING",
    }

    def child(requests: int, then: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(requests), then],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout

    child(2, "exit")  # one worker process answers two requests and goes away
    found = samples(child(3, "scrape"))  # another answers three, then the scrape

    total = "luneo_http_requests_total"
    assert value(found, total, method="GET", endpoint="health.healthz", status="200") == 5.0
    assert value(found, "luneo_up", component="database") == 1.0
    assert len(list(multiproc.glob("counter_*.db"))) == 2
