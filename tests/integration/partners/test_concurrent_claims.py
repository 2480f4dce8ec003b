"""Two workers claiming the same job at the same instant, on separate database connections."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.db import Database
from app.fulfilment import assignments
from app.fulfilment.errors import Conflict
from app.models import Partner, Shop
from app.storage import Storage
from tests.factories import make_shop

from .conftest import assign, make_partner, ready_job, route_to


@pytest.fixture
def database(migrated_database_url: str) -> Iterator[Database]:
    if migrated_database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL (DATABASE_URL)")
    db = Database(migrated_database_url)
    yield db
    db.engine.dispose()


def test_of_two_simultaneous_claims_exactly_one_wins(database: Database, storage: Storage) -> None:
    # given a job committed for real (other connections must see it)
    with database.session() as setup:
        shop = make_shop(setup, plan="pro")
        partner = make_partner(setup, "Racing", "race@print.test").partner
        route_to(setup, shop, partner)
        assignment_id = assign(setup, ready_job(setup, storage, shop)).id
        partner_id, shop_id = partner.id, shop.id
        setup.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker(name: str) -> None:
        with database.session() as session:
            barrier.wait()
            try:
                assignments.claim(session, partner_id, assignment_id, owner=name)
                session.commit()
                outcomes.append("won")
            except Conflict:
                session.rollback()
                outcomes.append("conflict")

    try:
        threads = [threading.Thread(target=worker, args=(f"press-{i}",)) for i in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes) == ["conflict", "won"]
    finally:
        with database.session() as cleanup:
            _remove(cleanup, shop_id, partner_id)


def _remove(session: Session, shop_id: int, partner_id: int) -> None:
    session.execute(delete(Shop).where(Shop.id == shop_id))
    session.execute(delete(Partner).where(Partner.id == partner_id))
    session.commit()
