"""Two partners, three shops: each partner's key and people reach only that partner's jobs."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent, PartnerApiKey

from .conftest import World, bearer, portal_login


def test_each_partner_lists_only_the_jobs_routed_to_it(client: FlaskClient, world: World) -> None:
    for setup, mine in ((world.a, world.jobs_a), (world.b, world.jobs_b)):
        body = client.get("/partner-api/v1/jobs", headers=bearer(setup.key)).get_json()
        assert [j["id"] for j in body["jobs"]] == [a.id for a in mine]
        assert {j["shop"]["name"] for j in body["jobs"]} <= {"Shop One", "Shop Two", "Shop Three"}


def test_routing_follows_country_and_priority(world: World) -> None:
    # shop 3: FR goes to A (priority 10), everything else to B (priority 50)
    assert world.jobs_a[1].shop_id == world.shops[2].id
    assert world.jobs_a[1].partner_id == world.a.partner.id
    assert world.jobs_b[1].shop_id == world.shops[2].id
    assert world.jobs_b[1].partner_id == world.b.partner.id


def test_the_job_shows_only_what_printing_and_shipping_need(
    client: FlaskClient, world: World
) -> None:
    job = client.get(f"/partner-api/v1/jobs/{world.jobs_a[0].id}", headers=bearer(world.a.key))
    data = job.get_json()
    assert data["item"] == {"title": "Personalized mug", "sku": "MUG-11", "quantity": 2}
    assert data["shipping_address"]["country_code"] == "FR"
    assert "email" not in str(data)
    assert "ada@example.com" not in job.get_data(as_text=True)
    assert data["preflight"]["warnings"] == 1
    assert sorted(f["format"] for f in data["files"]) == ["pdf", "png", "preview"]


@pytest.mark.parametrize(
    ("_case", "method", "suffix", "body"),
    [
        ("read", "GET", "", None),
        ("files", "GET", "/files", None),
        ("claim", "POST", "/claim", {}),
        ("status", "POST", "/status", {"status": "printing"}),
        ("release", "POST", "/release", {"lease_token": "x"}),
    ],
)
def test_another_partners_job_answers_like_a_missing_one(
    client: FlaskClient,
    session: Session,
    world: World,
    _case: str,
    method: str,
    suffix: str,
    body: dict[str, str] | None,
) -> None:
    theirs = world.jobs_b[0].id
    response = client.open(
        f"/partner-api/v1/jobs/{theirs}{suffix}",
        method=method,
        json=body,
        headers=bearer(world.a.key),
    )
    missing = client.open(
        f"/partner-api/v1/jobs/999999{suffix}",
        method=method,
        json=body,
        headers=bearer(world.a.key),
    )
    assert response.status_code == missing.status_code == 404
    assert response.get_json() == missing.get_json()
    session.expire_all()
    assert world.jobs_b[0].status.value == "new"
    assert world.jobs_b[0].lease_token is None


@pytest.mark.parametrize(
    ("_case", "header"),
    [
        ("none", None),
        ("not bearer", "Basic abc"),
        ("garbage", "Bearer nope"),
        ("right shape, wrong secret", "Bearer lnp_000000000000_" + "x" * 43),
    ],
)
def test_the_api_refuses_requests_without_a_live_key(
    client: FlaskClient, world: World, _case: str, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/partner-api/v1/jobs", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working_and_keys_are_stored_hashed(
    client: FlaskClient, session: Session, world: World
) -> None:
    row = session.scalars(
        select(PartnerApiKey).where(PartnerApiKey.partner_id == world.a.partner.id)
    ).one()
    assert world.a.key not in (row.key_hash, row.key_id)
    assert len(row.key_hash) == 64
    portal_login(client, world.a.user.email)
    page = client.get("/partners/keys")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    assert world.a.key not in page.get_data(as_text=True)  # never shown again

    revoked = client.post(f"/partners/keys/{row.id}/revoke", data={"csrf_token": token})

    assert revoked.status_code == 302
    assert client.get("/partner-api/v1/jobs", headers=bearer(world.a.key)).status_code == 401
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "api_key_revoked" in actions


def test_a_partner_cannot_revoke_another_partners_key(
    client: FlaskClient, session: Session, world: World
) -> None:
    theirs = session.scalars(
        select(PartnerApiKey).where(PartnerApiKey.partner_id == world.b.partner.id)
    ).one()
    portal_login(client, world.a.user.email)
    page = client.get("/partners/keys")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    assert (
        client.post(f"/partners/keys/{theirs.id}/revoke", data={"csrf_token": token}).status_code
        == 404
    )
    assert client.get("/partner-api/v1/jobs", headers=bearer(world.b.key)).status_code == 200


def test_cursor_pages_through_new_jobs_only(client: FlaskClient, world: World) -> None:
    first = client.get("/partner-api/v1/jobs?limit=1", headers=bearer(world.a.key)).get_json()
    assert [j["id"] for j in first["jobs"]] == [world.jobs_a[0].id]
    second = client.get(
        f"/partner-api/v1/jobs?limit=1&cursor={first['next_cursor']}", headers=bearer(world.a.key)
    ).get_json()
    assert [j["id"] for j in second["jobs"]] == [world.jobs_a[1].id]
    third = client.get(
        f"/partner-api/v1/jobs?cursor={second['next_cursor']}", headers=bearer(world.a.key)
    ).get_json()
    assert third == {"jobs": [], "next_cursor": second["next_cursor"]}
    bad = client.get("/partner-api/v1/jobs?cursor=%%%", headers=bearer(world.a.key))
    assert bad.status_code == 422


@pytest.mark.parametrize("job_id", ["0", "2147483648", "99999999999999999999999"])
def test_out_of_range_ids_are_not_found(client: FlaskClient, world: World, job_id: str) -> None:
    for suffix in ("", "/files"):
        response = client.get(f"/partner-api/v1/jobs/{job_id}{suffix}", headers=bearer(world.a.key))
        assert response.status_code == 404
    huge_cursor = client.get(
        "/partner-api/v1/jobs?cursor=YTo5OTk5OTk5OTk5OTk", headers=bearer(world.a.key)
    )
    assert huge_cursor.status_code == 422
