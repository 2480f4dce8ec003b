"""Routing from the merchant's admin: partners, rules, waiting jobs, and new-job webhooks."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.fulfilment import partner_webhooks, routing
from app.fulfilment.routing import route_after_production
from app.models import JobAssignment, Partner, ProductionJob, Shop
from app.queue import get_queue
from app.storage import Storage
from jobs.fulfilment import housekeeping
from tests.factories import make_shop
from tests.support.workers import run_jobs

from .conftest import make_partner, portal_login, ready_job, route_to


def admin_sign_in(client: FlaskClient, shop: Shop) -> str:
    page = client.get("/dev/")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    assert token is not None
    client.post(
        "/dev/sign-in", data={"csrf_token": token.group(1).decode(), "shop_id": str(shop.id)}
    )
    admin = client.get("/admin/partners").get_data(as_text=True)
    csrf = re.search(r'name="luneo-csrf" content="([^"]+)"', admin)
    assert csrf is not None
    return csrf.group(1)


def test_a_job_without_a_route_waits_visibly_until_a_rule_is_added(
    client: FlaskClient, session: Session, storage: Storage, redis: Redis
) -> None:
    shop = make_shop(session, plan="pro")
    job = ready_job(session, storage, shop, country="DE")
    session.commit()
    assert routing.route_job(session, job.id) is None
    csrf = admin_sign_in(client, shop)
    page = client.get("/admin/partners").get_data(as_text=True)
    assert 'data-waiting="1"' in page

    # the merchant adds their own print shop, then a rule for Germany
    created = client.post(
        "/api/admin/fulfilment/partners",
        headers={"X-CSRF-Token": csrf},
        json={"kind": "own", "name": "Atelier", "email": "print@atelier.test"},
    )
    assert created.status_code == 201
    sign_in = created.get_json()["sign_in"]
    partner_id = created.get_json()["partner"]["id"]
    rule = client.post(
        "/api/admin/fulfilment/rules",
        headers={"X-CSRF-Token": csrf},
        json={"partner_id": partner_id, "priority": 5, "country_code": "de"},
    )

    assert rule.status_code == 201
    assert rule.get_json()["routed"] == 1
    session.expire_all()
    assignment = session.scalars(select(JobAssignment)).one()
    assert (assignment.production_job_id, assignment.partner_id) == (job.id, partner_id)
    assert "data-waiting" not in client.get("/admin/partners").get_data(as_text=True)
    # the print shop signs in with what the merchant handed over and sees the job
    portal_login(client, sign_in["email"], sign_in["temporary_password"])
    jobs = client.get("/partners/").get_data(as_text=True)
    assert re.findall(r'data-job="(\d+)"', jobs) == [str(assignment.id)]


def test_rules_are_validated_and_scoped_to_the_shop(client: FlaskClient, session: Session) -> None:
    shop, other = (
        make_shop(session, plan="pro"),
        make_shop(session, plan="pro"),
    )
    stranger = make_partner(session, "Not linked", "x@nl.test")
    session.commit()
    csrf = admin_sign_in(client, shop)
    cases: list[dict[str, Any]] = [
        {"partner_id": stranger.partner.id},
        {"partner_id": "1"},
        {},
    ]
    for body in cases:
        response = client.post(
            "/api/admin/fulfilment/rules", headers={"X-CSRF-Token": csrf}, json=body
        )
        assert response.status_code == 422, body
    no_csrf = client.post("/api/admin/fulfilment/route", json={})
    assert no_csrf.status_code == 403
    route_to(session, other, stranger.partner)
    session.commit()
    other_rule = session.scalars(select(routing.RoutingRule)).one()
    deleted = client.delete(
        f"/api/admin/fulfilment/rules/{other_rule.id}", headers={"X-CSRF-Token": csrf}
    )
    assert deleted.status_code == 404


def test_network_partners_are_linked_not_created(client: FlaskClient, session: Session) -> None:
    shop = make_shop(session, plan="pro")
    network = make_partner(session, "Network Print", "n@network.test")
    session.commit()
    csrf = admin_sign_in(client, shop)
    linked = client.post(
        "/api/admin/fulfilment/partners",
        headers={"X-CSRF-Token": csrf},
        json={"partner_id": network.partner.id},
    )
    assert linked.status_code == 201
    assert "sign_in" not in linked.get_json()
    page = client.get("/admin/partners").get_data(as_text=True)
    assert f'data-partner="{network.partner.id}"' in page


class Receiver(BaseHTTPRequestHandler):
    deliveries: list[tuple[dict[str, str], bytes]] = []
    answers: list[int] = []

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Receiver.deliveries.append((dict(self.headers.items()), body))
        self.send_response(Receiver.answers.pop(0) if Receiver.answers else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.deliveries, Receiver.answers = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/luneo-hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {**settings, "PARTNER_WEBHOOK_RETRY_INTERVALS": "0,0"}


def test_a_job_routed_after_production_is_announced_with_a_signed_webhook(
    app: Flask, session: Session, storage: Storage, redis: Redis, receiver: str
) -> None:
    shop = make_shop(session, plan="pro")
    setup = make_partner(session, "Hooked", "h@hooked.test")
    partner: Partner = setup.partner
    partner.webhook_url = receiver
    partner.webhook_secret = partner_webhooks.new_secret()
    route_to(session, shop, partner)
    job = ready_job(session, storage, shop)
    session.commit()
    Receiver.answers = [500]  # the partner's endpoint fails once

    with app.app_context():
        route_after_production(session, job.id)
    assert get_queue("default", redis).count == 1
    run_jobs(app)

    assert len(Receiver.deliveries) == 2
    headers, body = Receiver.deliveries[-1]
    assert headers["X-Luneo-Event"] == "job.created"
    assert partner_webhooks.verify(partner.webhook_secret, body, headers["X-Luneo-Signature"])
    assert not partner_webhooks.verify("whsec_other", body, headers["X-Luneo-Signature"])
    payload = json.loads(body)
    assignment = session.scalars(select(JobAssignment)).one()
    assert payload["event"] == "job.created"
    assert payload["job"]["id"] == assignment.id
    assert "email" not in json.dumps(payload)
    session.expire_all()
    production = session.get(ProductionJob, job.id)
    assert production is not None
    assert production.partner_id == partner.id


def test_housekeeping_routes_jobs_left_waiting(
    app: Flask, session: Session, storage: Storage, redis: Redis
) -> None:
    shop = make_shop(session, plan="pro")
    job = ready_job(session, storage, shop)
    session.commit()
    partner = make_partner(session, "Late", "late@print.test").partner
    route_to(session, shop, partner)  # a rule saved without routing (e.g. by an operator)
    session.commit()

    with app.app_context():
        assert housekeeping() == {"routed": 1, "pruned": 0}
        assert housekeeping() == {"routed": 0, "pruned": 0}
    session.expire_all()
    production = session.get(ProductionJob, job.id)
    assert production is not None
    assert production.partner_id == partner.id


def test_outside_print_shops_are_a_plan_feature_in_house_printing_is_not(
    client: FlaskClient, session: Session, storage: Storage
) -> None:
    shop = make_shop(session, plan="free")
    network = make_partner(session, "Network Print", "hello@network.test").partner
    network.kind = "network"
    session.commit()
    csrf = {"X-CSRF-Token": admin_sign_in(client, shop)}

    own = client.post(
        "/api/admin/fulfilment/partners",
        headers=csrf,
        json={"kind": "own", "name": "Atelier", "email": "print@atelier.test"},
    )
    linked = client.post(
        "/api/admin/fulfilment/partners", headers=csrf, json={"partner_id": network.id}
    )
    in_house = client.post(
        "/api/admin/fulfilment/partners",
        headers=csrf,
        json={"kind": "in_house", "name": "Our studio", "email": "studio@shop.test"},
    )

    for refused in (own, linked):
        assert refused.status_code == 402
        error = refused.get_json()["error"]
        assert error["code"] == "feature_not_in_plan"
        assert "Free plan" in error["message"]
        assert error["upgrade_path"] == "/admin/billing"
    assert in_house.status_code == 201


def test_after_a_downgrade_rules_to_outside_shops_rest_and_jobs_wait(
    session: Session, storage: Storage
) -> None:
    shop = make_shop(session, plan="pro")
    partner = make_partner(session, "Print A", "a@print-a.test").partner
    route_to(session, shop, partner)
    shop.plan = "free"
    job = ready_job(session, storage, shop)
    session.commit()

    assert routing.route_job(session, job.id) is None
    assert routing.unrouted_job_ids(session, shop.id) == [job.id]

    shop.plan = "pro"  # upgraded again: the waiting job is routed
    assert [a.production_job_id for a in routing.route_waiting(session, shop.id)] == [job.id]


def test_a_job_whose_design_changed_is_announced_again_as_updated(
    app: Flask, session: Session, storage: Storage, redis: Redis, receiver: str
) -> None:
    """After an order edit (app.sync.order_edits) the files are made again; once they are ready,
    the partner hears ``job.updated`` with the new ``files_version`` (its own delivery job)."""
    shop = make_shop(session, plan="pro")
    partner = make_partner(session, "Hooked", "h@hooked.test").partner
    partner.webhook_url = receiver
    partner.webhook_secret = partner_webhooks.new_secret()
    route_to(session, shop, partner)
    job = ready_job(session, storage, shop)
    session.commit()
    with app.app_context():
        route_after_production(session, job.id)
    run_jobs(app)
    job.files_version = 2  # the design changed and the job was made again
    session.commit()

    with app.app_context():
        route_after_production(session, job.id)
    run_jobs(app)

    assert [json.loads(body)["event"] for _headers, body in Receiver.deliveries] == [
        "job.created",
        "job.updated",
    ]
    headers, body = Receiver.deliveries[-1]
    assert headers["X-Luneo-Event"] == "job.updated"
    assert partner_webhooks.verify(partner.webhook_secret, body, headers["X-Luneo-Signature"])
    assert json.loads(body)["job"]["files_version"] == 2
