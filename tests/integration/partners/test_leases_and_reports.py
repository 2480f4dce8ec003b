"""Claiming with leases, status reports, and idempotency keys on writes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.db import utcnow
from app.models import AuditEvent, JobAssignment, ProductionJob, ProductionStatus, ShipmentPush
from app.queue import get_queue

from .conftest import World, bearer

SHIPPED = {
    "status": "shipped",
    "carrier": "La Poste",
    "tracking_number": "6A12345678901",
    "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
}


def claim(client: FlaskClient, key: str, job_id: int, **body: Any) -> TestResponse:
    return client.post(f"/partner-api/v1/jobs/{job_id}/claim", json=body, headers=bearer(key))


def test_two_workers_claiming_one_job_get_one_lease(client: FlaskClient, world: World) -> None:
    job_id = world.jobs_a[0].id
    first = claim(client, world.a.key, job_id, worker="press-1")
    second = claim(client, world.a.key, job_id, worker="press-2")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "lease_held"
    assert first.get_json()["job"]["lease"]["owner"] == "press-1"


def test_an_expired_lease_can_be_taken_and_the_holder_can_renew(
    client: FlaskClient, session: Session, world: World
) -> None:
    job_id = world.jobs_a[0].id
    token = claim(client, world.a.key, job_id, worker="press-1").get_json()["lease_token"]
    renewed = claim(client, world.a.key, job_id, lease_token=token, lease_seconds=60)
    assert renewed.status_code == 200
    assert renewed.get_json()["lease_token"] == token

    row = session.get(JobAssignment, job_id)
    assert row is not None
    row.lease_expires_at = utcnow() - timedelta(seconds=1)  # the holder went away
    session.commit()

    taken = claim(client, world.a.key, job_id, worker="press-2")
    assert taken.status_code == 200
    assert taken.get_json()["lease_token"] != token


def test_reports_need_the_lease_token_while_a_lease_is_live(
    client: FlaskClient, world: World
) -> None:
    job_id = world.jobs_a[0].id
    token = claim(client, world.a.key, job_id).get_json()["lease_token"]
    url = f"/partner-api/v1/jobs/{job_id}/status"

    without = client.post(url, json={"status": "printing"}, headers=bearer(world.a.key))
    with_token = client.post(
        url, json={"status": "printing", "lease_token": token}, headers=bearer(world.a.key)
    )

    assert without.status_code == 409
    assert with_token.status_code == 200
    assert with_token.get_json()["job"]["status"] == "printing"


def test_a_shipped_report_is_stored_and_queues_the_push(
    client: FlaskClient, session: Session, redis: Redis, world: World
) -> None:
    job_id = world.jobs_a[0].id
    response = client.post(
        f"/partner-api/v1/jobs/{job_id}/status", json=SHIPPED, headers=bearer(world.a.key)
    )

    assert response.status_code == 200
    assert response.get_json()["job"]["shipment"]["tracking_number"] == "6A12345678901"
    session.expire_all()
    row = session.get(JobAssignment, job_id)
    assert row is not None
    production = session.get(ProductionJob, row.production_job_id)
    assert production is not None
    assert production.status is ProductionStatus.SHIPPED
    push = session.scalars(select(ShipmentPush)).one()
    assert push.status.value == "reported"
    assert get_queue("default", redis).job_ids == [f"push-{push.id}"]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "status_shipped")).one()
    assert event.actor_type == "api_key"
    assert event.detail["carrier"] == "La Poste"
    again = client.post(
        f"/partner-api/v1/jobs/{job_id}/status",
        json={"status": "printing"},
        headers=bearer(world.a.key),
    )
    assert again.status_code == 409  # shipped is final


def test_invalid_reports_are_refused_with_a_reason(client: FlaskClient, world: World) -> None:
    url = f"/partner-api/v1/jobs/{world.jobs_a[0].id}/status"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"status": "shipped", "carrier": "DHL"}, "tracking number"),
        ({"status": "problem"}, "reason"),
        ({"status": "new"}, "printing"),
        ({"status": "lost"}, "printing"),
        (
            {
                "status": "shipped",
                "carrier": "DHL",
                "tracking_number": "1",
                "tracking_url": "javascript:alert(1)",
            },
            "http",
        ),
        ({"status": "printing", "carrier": 7}, "carrier"),
    ]
    for body, hint in cases:
        response = client.post(url, json=body, headers=bearer(world.a.key))
        assert response.status_code == 422, body
        assert hint in response.get_json()["error"]["message"]
    not_json = client.post(
        url, data="[1", headers={**bearer(world.a.key), "Content-Type": "application/json"}
    )
    assert not_json.status_code == 422


def test_a_problem_report_keeps_the_reason(client: FlaskClient, world: World) -> None:
    url = f"/partner-api/v1/jobs/{world.jobs_a[0].id}/status"
    body = {"status": "problem", "reason": "Mug blank out of stock until Monday"}
    response = client.post(url, json=body, headers=bearer(world.a.key))
    assert response.get_json()["job"]["problem_reason"] == "Mug blank out of stock until Monday"
    listed = client.get("/partner-api/v1/jobs?status=problem", headers=bearer(world.a.key))
    assert [j["id"] for j in listed.get_json()["jobs"]] == [world.jobs_a[0].id]


def test_the_same_idempotency_key_replays_the_answer(
    client: FlaskClient, session: Session, redis: Redis, world: World
) -> None:
    url = f"/partner-api/v1/jobs/{world.jobs_a[0].id}/status"
    headers = {**bearer(world.a.key), "Idempotency-Key": "ship-1001-a"}

    first = client.post(url, json=SHIPPED, headers=headers)
    second = client.post(url, json=SHIPPED, headers=headers)
    other = client.post(url, json={**SHIPPED, "tracking_number": "X"}, headers=headers)

    assert first.status_code == second.status_code == 200
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    shipped_events = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "status_shipped")
    )
    assert shipped_events == 1
    assert session.scalar(select(func.count()).select_from(ShipmentPush)) == 1


def test_idempotency_keys_are_per_partner(client: FlaskClient, world: World) -> None:
    headers_a = {**bearer(world.a.key), "Idempotency-Key": "same"}
    headers_b = {**bearer(world.b.key), "Idempotency-Key": "same"}
    a = client.post(f"/partner-api/v1/jobs/{world.jobs_a[0].id}/claim", json={}, headers=headers_a)
    b = client.post(f"/partner-api/v1/jobs/{world.jobs_b[0].id}/claim", json={}, headers=headers_b)
    assert a.status_code == b.status_code == 200
    assert a.get_json()["job"]["id"] != b.get_json()["job"]["id"]
