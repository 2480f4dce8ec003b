"""The dashboard's catalog sync (recorded state plus the live RQ job) and design previews."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy.orm import Session

from app.admin.sync_status import fetch_sync_job, sync_status
from app.models import FileKind, Product, Shop, StoredFile
from app.queue import JobSpec, enqueue
from app.storage import Storage, new_key
from tests.factories import make_design, make_order, make_product, make_template
from tests.support.pages import technical_details, visible_text
from tests.support.workers import run_jobs

PROGRESS = {"done": 40, "total": 100, "percent": 40, "message": "Products"}


def sync_job(redis: Redis, shop: Shop, meta: dict[str, Any] | None = None) -> None:
    spec = JobSpec(
        queue="sync",
        func="tests.support.jobs.add",
        args=(1, 2),
        job_id=f"sync-initial-{shop.id}",
        meta=meta or {},
    )
    enqueue(redis, spec)


def record(session: Session, shop: Shop, sync: dict[str, Any]) -> None:
    shop.extra = {**shop.extra, "sync": sync}
    session.commit()


def progressbar(page: str) -> str | None:
    match = re.search(r'role="progressbar"[^>]*aria-valuenow="(\d+)"', page)
    return match.group(1) if match else None


def test_a_running_sync_shows_its_progress(
    cookie_client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    record(session, shop, {"state": "running", "started_at": "2025-05-01T10:00:00+00:00"})
    sync_job(redis, shop, {"progress": PROGRESS})

    page = cookie_client.get("/admin/")
    status = cookie_client.get("/api/admin/sync")

    assert progressbar(page.text) == "40"
    assert 'style="width: 40%"' in page.text
    assert "40 of 100 · Products" in page.text
    assert 'data-sync-poll="/api/admin/sync"' in page.text
    assert 'class="sync-progress" hidden' not in page.text
    assert ">Running</span>" in page.text
    assert status.json == {
        "state": "running",
        "running": True,
        "started_at": "2025-05-01T10:00:00+00:00",
        "finished_at": None,
        "counts": {},
        "last_error": None,
        "job_status": "queued",
        "progress": {"percent": 40, "done": 40, "total": 100, "message": "Products"},
    }


def test_a_finished_sync_shows_its_counts_and_no_progress(
    app: Flask, cookie_client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    sync_job(redis, shop)
    run_jobs(app, "sync")
    record(
        session,
        shop,
        {
            "state": "succeeded",
            "kind": "initial",
            "started_at": "2025-05-01T10:00:00+00:00",
            "finished_at": "2025-05-01T10:02:30+00:00",
            "progress": {"done": 17, "total": 17, "message": "orders"},
            "counts": {
                "kind": "initial",
                "products": {"created": 12, "updated": 3, "skipped_records": []},
                "orders": {"created": 5},
                "production_jobs": 1,
            },
        },
    )

    page = cookie_client.get("/admin/")

    assert ">Up to date</span>" in page.text
    assert 'class="sync-progress" hidden' in page.text
    assert "data-sync-poll" not in page.text
    assert re.findall(r'data-sync-count="([a-z ]+)">(\d+)<', page.text) == [
        ("products created", "12"),
        ("products updated", "3"),
        ("orders created", "5"),
        ("production jobs", "1"),
    ]
    assert "May 1, 2025, 10:02\u202fAM UTC" in page.text


def test_a_failed_sync_shows_the_last_error(
    cookie_client: FlaskClient, session: Session, redis: Redis, shop: Shop
) -> None:
    record(session, shop, {"state": "failed", "last_error": "Shopify answered 401 <Unauthorized>"})

    page = cookie_client.get("/admin/")

    assert ">Failed</span>" in page.text
    # in words, the stored error one click away (issue #21)
    assert "Shopify no longer accepts Luneo's access" in visible_text(page.text)
    assert "Shopify answered 401" not in visible_text(page.text)
    assert "Shopify answered 401 <Unauthorized>" in technical_details(page.text)
    assert progressbar(page.text) == "0"
    assert 'class="sync-progress" hidden' in page.text


def test_a_shop_never_synced_says_so(cookie_client: FlaskClient, redis: Redis) -> None:
    page = cookie_client.get("/admin/")

    assert ">Not synced yet</span>" in page.text
    assert "No sync has run yet." in page.text
    assert "data-sync-poll" not in page.text


def test_another_shops_sync_job_is_not_shown(
    cookie_client: FlaskClient, redis: Redis, other_shop: Shop
) -> None:
    sync_job(redis, other_shop, {"progress": PROGRESS})

    page = cookie_client.get("/admin/")

    assert "data-sync-poll" not in page.text
    assert "40 of 100" not in page.text


def test_no_redis_means_no_live_progress_rather_than_an_error() -> None:
    unreachable = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)

    job = fetch_sync_job(unreachable, 1)

    assert job is None
    assert sync_status({"state": "running"}, job).running is True
    unreachable.close()


def test_recorded_sync_data_of_any_shape_is_tolerated() -> None:
    odd = {"state": 7, "started_at": "yesterday", "counts": ["x"], "error": "boom" * 500}

    status = sync_status(odd, None)

    assert (status.state, status.started_at, status.counts) == ("never", None, ())
    assert status.last_error == ("boom" * 500)[:500]
    assert sync_status("not a dict", None).state == "never"


def test_recent_orders_show_design_preview_thumbnails(
    cookie_client: FlaskClient,
    session: Session,
    storage: Storage,
    redis: Redis,
    shop: Shop,
    product: Product,
    other_shop: Shop,
) -> None:
    key = new_key(shop.id, FileKind.PREVIEW.value, "png")
    written = storage.put(key, b"\x89PNG preview", "image/png")
    preview = StoredFile(
        shop_id=shop.id,
        key=key,
        kind=FileKind.PREVIEW,
        content_type="image/png",
        size=written.size,
        sha256=written.sha256,
    )
    theirs = StoredFile(
        shop_id=other_shop.id,
        key=new_key(other_shop.id, FileKind.PREVIEW.value, "png"),
        kind=FileKind.PREVIEW,
        content_type="image/png",
        size=1,
        sha256="0" * 64,
    )
    session.add_all([preview, theirs])
    session.flush()
    template = make_template(session, product)
    with_preview = make_design(session, template, preview_file_id=preview.id)
    pointing_elsewhere = make_design(session, template, preview_file_id=theirs.id)
    make_order(session, shop, with_preview, name="#3001")
    make_order(session, shop, pointing_elsewhere, name="#3002")
    session.commit()

    page = cookie_client.get("/admin/")

    thumbs = re.findall(r'<img class="thumb" src="([^"]+)"[^>]*data-preview="([^"]+)">', page.text)
    assert [public_id for _, public_id in thumbs] == [with_preview.public_id]
    url = urlsplit(thumbs[0][0].replace("&amp;", "&"))
    assert url.path == f"/files/{key}"
    download = cookie_client.get(f"{url.path}?{url.query}", buffered=True)
    assert (download.status_code, download.data) == (200, b"\x89PNG preview")


def test_products_synced_outside_a_recorded_run_show_when_they_last_synced(
    cookie_client: FlaskClient, session: Session, shop: Shop
) -> None:
    """Products that came by webhook or a one-product sync: the catalog is synced, as of then."""
    older, newer = datetime(2025, 5, 1, 9, 0, tzinfo=UTC), datetime(2025, 5, 2, 9, 30, tzinfo=UTC)
    make_product(session, shop, synced_at=older)
    make_product(session, shop, synced_at=newer)
    make_product(session, shop, synced_at=None)
    session.commit()

    page = cookie_client.get("/admin/")
    status = cookie_client.get("/api/admin/sync")
    summary = cookie_client.get("/api/admin/shop")

    assert "Not synced yet" not in page.text
    assert ">Up to date</span>" in page.text
    assert "<dt>Last synced</dt>" in page.text
    assert status.json is not None
    assert summary.json is not None
    assert status.json["state"] == "synced"
    assert datetime.fromisoformat(status.json["finished_at"]).replace(tzinfo=UTC) == newer
    assert summary.json["sync"]["state"] == "synced"


def test_a_recorded_run_wins_over_the_product_times(
    cookie_client: FlaskClient, session: Session, shop: Shop
) -> None:
    make_product(session, shop, synced_at=datetime(2025, 5, 2, 9, 30, tzinfo=UTC))
    record(session, shop, {"state": "failed", "last_error": "boom"})

    status = cookie_client.get("/api/admin/sync")

    assert status.json is not None
    assert status.json["state"] == "failed"


def test_a_shop_with_no_synced_product_is_not_synced_yet(
    cookie_client: FlaskClient, session: Session, shop: Shop
) -> None:
    make_product(session, shop, synced_at=None)
    session.commit()

    page = cookie_client.get("/admin/")

    assert "Not synced yet" in page.text
    assert cookie_client.get("/api/admin/sync").json == {
        "state": "never",
        "running": False,
        "started_at": None,
        "finished_at": None,
        "counts": {},
        "last_error": None,
        "job_status": None,
        "progress": None,
    }
