"""Concurrent writes on the embedded SQLite database wait for each other instead of failing.

These tests do not use the suite's shared, rolled-back connection: each builds an app on its own
SQLite file with the real migrations applied and fires requests from several threads at once,
each request on its own pooled connection, as `luneo dev` / `make run` serve them. Before
``BEGIN IMMEDIATE`` a transaction that read and then wrote got "database is locked" at once
(SQLite does not wait on a read-to-write lock upgrade) and the request answered 500.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app import create_app, migrate
from app.models import Design, Generation, JobAssignment, PartnerApiKey, Shop
from app.storage import Storage
from tests.factories import make_product, make_shop, make_template
from tests.integration.ai.conftest import Storefront
from tests.integration.partners.conftest import assign, bearer, make_partner, ready_job, route_to
from tests.integration.storefront.conftest import document, signed_query, small_template, text

T = TypeVar("T")
ROUNDS = 3  # a race may be missed once; three rounds of simultaneous requests do not miss it


@pytest.fixture
def file_app(base_settings: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    """An app on its own migrated SQLite file, outside the shared rolled-back transaction."""
    if not base_settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("concurrency of the embedded SQLite database")
    url = f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
    migrate.upgrade(url)
    app = create_app(
        {
            **base_settings,
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": tmp_path / "instance",
            "STORAGE_URL": str(tmp_path / "files"),
            "PARTNER_API_RATE_PER_MINUTE": 0,
        }
    )
    app.extensions["luneo.redis"].flushdb()
    yield app
    app.extensions["luneo.redis"].flushdb()
    app.extensions["luneo.db"].engine.dispose()
    app.extensions["luneo.redis"].close()


def at_once(app: Flask, calls: list[Callable[[Any], T]]) -> list[T]:
    """Run each call in its own thread with its own test client, released together."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        try:
            results[i] = calls[i](client)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(isinstance(r, BaseException) for r in results), results
    return results


def statuses(responses: list[TestResponse]) -> list[int]:
    return [r.status_code for r in responses]


def test_the_engine_runs_wal_with_a_busy_timeout(file_app: Flask) -> None:
    engine = file_app.extensions["luneo.db"].engine
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_simultaneous_claims_with_one_key_give_one_winner_and_no_500(file_app: Flask) -> None:
    db = file_app.extensions["luneo.db"]
    with file_app.app_context(), db.session() as session:
        storage: Storage = file_app.extensions["luneo.storage"]
        partner = make_partner(session, "Print A", "a@print-a.test")
        shop = make_shop(session, name="Shop One", plan="pro")
        route_to(session, shop, partner.partner)
        job_ids = [assign(session, ready_job(session, storage, shop)).id]
        job_ids += [
            assign(session, ready_job(session, storage, shop)).id for _ in range(ROUNDS - 1)
        ]
        key = partner.key

    for job_id in job_ids:
        answers = at_once(
            file_app,
            [
                lambda c, w=w, j=job_id: c.post(
                    f"/partner-api/v1/jobs/{j}/claim", json={"worker": w}, headers=bearer(key)
                )
                for w in ("press-1", "press-2", "press-3")
            ],
        )
        assert sorted(statuses(answers)) == [200, 409, 409], [a.get_data() for a in answers]
        (won,) = [a for a in answers if a.status_code == 200]
        with db.session() as session:
            row = session.get(JobAssignment, job_id)
            assert row is not None
            assert row.lease_owner == won.get_json()["job"]["lease"]["owner"]
    with db.session() as session:
        assert session.scalar(select(PartnerApiKey.last_used_at)) is not None


def test_simultaneous_design_saves_are_all_stored(file_app: Flask) -> None:
    db = file_app.extensions["luneo.db"]
    with file_app.app_context(), db.session() as session:
        shop = make_shop(session, domain="widget-store.myshopify.com", currency="EUR")
        storage: Storage = file_app.extensions["luneo.storage"]
        template = small_template(session, storage, shop, "gid://shopify/Product/42")
        template_id, domain = template.id, shop.domain

    saved = 0
    for _ in range(ROUNDS):
        answers = at_once(
            file_app,
            [
                lambda c, i=i: c.post(
                    f"/proxy/designs?{signed_query(domain)}",
                    json={"template_id": template_id, "document": document(text(f"Ada {i}"))},
                )
                for i in range(6)
            ],
        )
        assert statuses(answers) == [201] * 6, [a.get_data(as_text=True) for a in answers]
        saved += 6
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Design)) == saved


def test_three_shoppers_asking_for_an_ai_image_at_once_are_all_accepted(
    file_app: Flask,
) -> None:
    db = file_app.extensions["luneo.db"]
    with file_app.app_context(), db.session() as session:
        shop = make_shop(session, domain="ai-store.myshopify.com", plan="starter")
        template = make_template(
            session,
            make_product(session, shop, external_id="gid://shopify/Product/555"),
            ai_enabled=True,
        )

    made = 0
    for round_ in range(ROUNDS):
        answers = at_once(
            file_app,
            [
                lambda c, n=n, r=round_: Storefront(c, shop, customer=f"{r}{n}").post(
                    template, f"a lighthouse number {r}-{n}"
                )
                for n in range(1, 4)
            ],
        )
        assert statuses(answers) == [202] * 3, [a.get_data(as_text=True) for a in answers]
        made += 3
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Generation)) == made


def test_a_session_that_has_only_read_holds_no_lock(file_app: Flask) -> None:
    # A job that read, then calls a store for a while, must not hold up the shoppers' writes
    db = file_app.extensions["luneo.db"]
    with file_app.app_context(), db.session() as session:
        shop = make_shop(session, domain="widget-store.myshopify.com", currency="EUR")
        storage: Storage = file_app.extensions["luneo.storage"]
        template_id = small_template(session, storage, shop, "gid://shopify/Product/42").id
    reader = db.new_session()
    try:
        assert reader.get(Shop, shop.id) is not None  # ...and the job is now "calling the store"

        saved = file_app.test_client().post(
            f"/proxy/designs?{signed_query(shop.domain)}",
            json={"template_id": template_id, "document": document(text("Ada"))},
        )
        assert saved.status_code == 201, saved.get_data(as_text=True)

        # and the reader may still write afterwards (no stale snapshot to upgrade from)
        row = reader.get(Shop, shop.id)
        assert row is not None
        row.name = "Renamed"
        reader.commit()
    finally:
        reader.close()
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Design)) == 1
        assert session.scalar(select(Shop.name)) == "Renamed"


def test_a_locking_read_takes_the_write_lock(file_app: Flask) -> None:
    # SQLite has no row locks: SELECT … FOR UPDATE (quota, team, event claims) takes the database's
    db = file_app.extensions["luneo.db"]
    with db.session() as session:
        session.scalar(select(Shop.id))
        assert not session.connection().connection.dbapi_connection.in_transaction
        session.execute(select(Shop.id).with_for_update())
        assert session.connection().connection.dbapi_connection.in_transaction
