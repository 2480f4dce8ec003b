"""The admin order page shows production: previews, preflight, download links, retry."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq.job import Job
from sqlalchemy.orm import Session

from app.models import ProductionJob, ProductionStatus, Shop
from app.queue import get_queue
from app.storage import Storage

from .conftest import Setup, make_setup, text


def sign_in(client: FlaskClient, shop: Shop) -> dict[str, str]:
    """The development sign-in (cookie session); returns the CSRF header admin writes send."""
    page = client.get("/dev/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post("/dev/sign-in", data={"csrf_token": token.group(1), "shop_id": shop.id})
    assert response.status_code == 302
    admin = client.get("/admin/orders")
    csrf = re.search(r'<meta name="luneo-csrf" content="([^"]+)">', admin.text)
    assert csrf is not None
    return {"X-CSRF-Token": csrf.group(1)}


def links(page: str, selector: str) -> dict[str, str]:
    """label → href of the links inside the element carrying ``selector``."""
    block = page.split(selector, 1)[1].split("</ul>", 1)[0]
    found = re.findall(r'<a href="([^"]+)" rel="noopener" download>([^<]+)</a>', block)
    return {html.unescape(label): html.unescape(href) for href, label in found}


def reload(session: Session, job: ProductionJob) -> ProductionJob:
    session.expire_all()
    fresh = session.get(ProductionJob, job.id)
    assert fresh is not None
    return fresh


@pytest.fixture
def ready(session: Session, storage: Storage, produce: Callable[..., Job]) -> Setup:
    setup = make_setup(session, storage)
    produce(setup.job)
    return setup


def test_the_order_page_shows_previews_preflight_and_signed_download_links(
    client: FlaskClient, session: Session, storage: Storage, ready: Setup
) -> None:
    sign_in(client, ready.shop)

    page = client.get(f"/admin/orders/{ready.order.id}")

    assert page.status_code == 200
    assert "Production · Item" in page.text
    assert 'class="badge badge--ready">Ready<' in page.text
    # the preview on the mockup, as a thumbnail
    preview = re.search(r'<img src="([^"]+)" alt="Preview: Front"', page.text)
    assert preview is not None
    # the preflight findings, with severity and message
    finding = re.search(r'<tr data-finding="image_dpi_low">(.*?)</tr>', page.text, re.S)
    assert finding is not None
    assert "Warning" in finding.group(1)
    assert "Front, layer 3" in finding.group(1)  # the area's name, not its key
    assert "the picture is 127 dpi at this size and may print blurry" in finding.group(1)
    # a signed, expiring download link per file, which downloads the stored bytes
    downloads = links(page.text, "data-downloads")
    # named by the area's name and a plain format, not "front · PNG"
    assert sorted(downloads) == [
        "Front — preview",
        "Front — print file (PDF)",
        "Front — print file (PNG)",
        "Proof sheet (PDF)",
    ]
    job = reload(session, ready.job)
    by_format = {f.format: f.stored_file for f in job.files}
    for label, fmt in (("Front — print file (PNG)", "png"), ("Front — print file (PDF)", "pdf")):
        url = urlsplit(downloads[label])
        assert url.path == f"/files/{by_format[fmt].key}"
        assert "expires=" in url.query
        assert "signature=" in url.query
        response = client.get(f"{url.path}?{url.query}", buffered=True)
        assert response.status_code == 200
        with storage.open(by_format[fmt].key) as stream:
            assert response.data == stream.read()
    forged = urlsplit(downloads["Front — print file (PNG)"])
    assert client.get(f"{forged.path}?{forged.query}x").status_code == 403


def test_a_failed_job_shows_its_reason_and_a_retry_that_requeues_it(
    client: FlaskClient,
    session: Session,
    storage: Storage,
    redis: Redis,
    produce: Callable[..., Job],
) -> None:
    setup = make_setup(session, storage, [text("Ada", font="Comic Sans")])
    produce(setup.job)
    headers = sign_in(client, setup.shop)

    page = client.get(f"/admin/orders/{setup.order.id}")

    assert 'class="badge badge--failed">Failed<' in page.text
    error = re.search(r"<div[^>]*data-job-error>(.*?)</div>", page.text, re.S)
    assert error is not None
    assert "unknown font &#39;Comic Sans&#39;" in error.group(1)
    assert '<tr data-finding="unknown_font">' in page.text
    retry_url = f"/api/admin/production-jobs/{setup.job.id}/retry"
    assert f'data-retry-production="{retry_url}"' in page.text

    response = client.post(retry_url, headers=headers)

    assert response.status_code == 200
    assert response.json == {"job": {"id": setup.job.id, "status": "queued"}}
    assert reload(session, setup.job).status is ProductionStatus.QUEUED
    assert get_queue("render", redis).job_ids == [f"render-{setup.job.id}"]


def test_retry_without_the_csrf_token_changes_nothing(
    client: FlaskClient, session: Session, storage: Storage, redis: Redis
) -> None:
    setup = make_setup(session, storage)
    setup.job.move_to(ProductionStatus.FAILED, error="storage was down")
    session.commit()
    sign_in(client, setup.shop)

    response = client.post(f"/api/admin/production-jobs/{setup.job.id}/retry")

    assert response.status_code == 403
    assert response.json is not None
    assert response.json["error"]["code"] == "csrf_failed"
    assert reload(session, setup.job).status is ProductionStatus.FAILED
    assert get_queue("render", redis).count == 0


def test_another_shops_job_cannot_be_retried(
    app: Flask, client: FlaskClient, session: Session, storage: Storage, redis: Redis
) -> None:
    mine, theirs = make_setup(session, storage), make_setup(session, storage)
    theirs.job.move_to(ProductionStatus.FAILED, error="theirs")
    session.commit()
    headers = sign_in(client, mine.shop)

    response = client.post(f"/api/admin/production-jobs/{theirs.job.id}/retry", headers=headers)

    assert response.status_code == 404
    assert reload(session, theirs.job).status is ProductionStatus.FAILED
    assert get_queue("render", redis).count == 0


def test_a_ready_job_is_not_retried(
    client: FlaskClient, session: Session, storage: Storage, redis: Redis, ready: Setup
) -> None:
    headers = sign_in(client, ready.shop)
    redis.flushdb()

    response = client.post(f"/api/admin/production-jobs/{ready.job.id}/retry", headers=headers)

    assert response.status_code == 409
    assert response.json is not None
    assert response.json["error"]["code"] == "not_retryable"
    assert get_queue("render", redis).count == 0
