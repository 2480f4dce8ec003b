"""Changes of an ordered design racing each other, and racing a partner's claim, on separate
PostgreSQL connections: the first writer holds its row until it commits, and the other finds
the row changed (SQLite runs one writer at a time: test_order_edits.py covers the stale read)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import delete

from app.api_error import ApiError
from app.db import Database
from app.fulfilment import assignments
from app.fulfilment.audit import Actor
from app.models import (
    DesignStatus,
    JobAssignment,
    Partner,
    Personalization,
    ProductionJob,
    ProductionStatus,
    Shop,
)
from app.signing import Mark, lasting_signature
from app.sync import order_edits
from tests.factories import make_design, make_order, make_product, make_shop, make_template

DOCUMENT = {
    "version": 1,
    "areas": {
        "front": {
            "layers": [
                {"type": "text", "text": "Ada", "font": "Inter", "size_mm": 6, "x_mm": 4, "y_mm": 4}
            ]
        }
    },
}
ACTOR = Actor("customer", None, "ada")


@pytest.fixture
def database(migrated_database_url: str) -> Iterator[Database]:
    if migrated_database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL (DATABASE_URL)")
    db = Database(migrated_database_url)
    yield db
    db.engine.dispose()


@dataclass
class Rows:
    shop_id: int
    partner_id: int
    assignment_id: int
    job_id: int
    token: str
    bodies: list[dict[str, str]]


@pytest.fixture
def rows(app: Flask, database: Database) -> Iterator[Rows]:
    secret = app.config["SECRET_KEY"]
    with database.session() as setup:
        shop = make_shop(setup, plan="pro")
        template = make_template(
            setup, make_product(setup, shop, title="Mug"), surcharge=Decimal("4.00")
        )
        ordered = make_design(setup, template, document=DOCUMENT, status=DesignStatus.ORDERED)
        order = make_order(setup, shop, ordered, email="ada@example.test")
        (item,) = order.items
        item.product_id = template.product_id
        item.personalization = Personalization.DESIGNED
        item.surcharge = item.expected_surcharge = Decimal("4.00")
        job = ProductionJob(
            shop_id=shop.id,
            order_item_id=item.id,
            design_id=ordered.id,
            status=ProductionStatus.READY,
        )
        partner = Partner(name="Racing", email="race@print.test", kind="network")
        setup.add_all([job, partner])
        setup.flush()
        job.partner_id = partner.id
        assignment = JobAssignment(shop_id=shop.id, production_job_id=job.id, partner_id=partner.id)
        setup.add(assignment)
        new = [
            make_design(setup, template, document=DOCUMENT, status=DesignStatus.SAVED)
            for _ in (1, 2)
        ]
        setup.flush()
        bodies = [
            {
                "design_id": d.public_id,
                "edit_token": lasting_signature(secret, Mark.DESIGN_EDIT, d.public_id),
            }
            for d in new
        ]
        made = Rows(
            shop.id, partner.id, assignment.id, job.id, order_edits.link_token(secret, item), bodies
        )
        setup.commit()
    yield made
    with database.session() as cleanup:
        cleanup.execute(delete(Shop).where(Shop.id == made.shop_id))
        cleanup.execute(delete(Partner).where(Partner.id == made.partner_id))
        cleanup.commit()


def _change(
    app: Flask,
    database: Database,
    rows: Rows,
    body: dict[str, str],
    outcomes: list[str],
    hold: threading.Event | None = None,
    wait: threading.Event | None = None,
) -> None:
    """One request's change; with ``hold``, it keeps its rows locked a moment after writing."""
    with app.test_request_context(), database.session() as session:
        if wait is not None:
            wait.wait(10)
        line = order_edits.open_line(session, app.config["SECRET_KEY"], rows.token)
        try:
            order_edits.replace(line, app.config["SECRET_KEY"], body, ACTOR)
            if hold is not None:
                hold.set()
                time.sleep(0.5)
            session.commit()
            outcomes.append("won")
        except ApiError as exc:
            session.rollback()
            outcomes.append(exc.code)


def test_of_two_changes_at_once_exactly_one_wins(
    app: Flask, database: Database, rows: Rows
) -> None:
    outcomes: list[str] = []
    written = threading.Event()
    opened = threading.Event()

    def second() -> None:
        # opens the line (version 1) while the first change is written but not committed
        with app.test_request_context(), database.session() as session:
            written.wait(10)
            line = order_edits.open_line(session, app.config["SECRET_KEY"], rows.token)
            opened.set()
            try:
                order_edits.replace(line, app.config["SECRET_KEY"], rows.bodies[1], ACTOR)
                session.commit()
                outcomes.append("won")
            except ApiError as exc:
                session.rollback()
                outcomes.append(exc.code)

    threads = [
        threading.Thread(
            target=_change, args=(app, database, rows, rows.bodies[0], outcomes, written)
        ),
        threading.Thread(target=second),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["edit_conflict", "won"]
    with database.session() as check:
        job = check.get(ProductionJob, rows.job_id)
        assert job is not None
        assert job.files_version == 2


def test_a_claim_holding_its_row_makes_the_change_fail(
    app: Flask, database: Database, rows: Rows
) -> None:
    outcomes: list[str] = []
    claimed = threading.Event()

    def partner() -> None:
        with database.session() as session:
            assignments.claim(session, rows.partner_id, rows.assignment_id, owner="press-1")
            claimed.set()
            time.sleep(0.5)  # the change runs now, and waits for this row
            session.commit()
            outcomes.append("claimed")

    threads = [
        threading.Thread(target=partner),
        threading.Thread(
            target=_change, args=(app, database, rows, rows.bodies[0], outcomes, None, claimed)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["claimed", "edit_window_closed"]
    with database.session() as check:
        job = check.get(ProductionJob, rows.job_id)
        assert job is not None
        assert job.files_version == 1
