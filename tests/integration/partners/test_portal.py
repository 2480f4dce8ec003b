"""The partner portal: sign-in, CSRF, secure headers, filters, job pages and reports."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.fulfilment import audit
from app.models import AssignmentStatus, AuditEvent, JobAssignment, PartnerApiKey, ProductionJob

from .conftest import PASSWORD, World, bearer, csrf_of, portal_login


@pytest.mark.parametrize(
    "path",
    [
        "/partners/",
        "/partners/jobs/1",
        "/partners/keys",
        "/partners/activity",
        "/partners/jobs/1/packing-slip.pdf",
        "/partners/jobs/1/files/1",
    ],
)
def test_every_portal_page_needs_a_signed_in_partner_user(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/partners/login")


def test_a_wrong_password_is_refused_and_a_right_one_signs_in(
    client: FlaskClient, world: World, redis: Redis
) -> None:
    wrong = portal_login(client, world.a.user.email, "not the password")
    assert wrong.status_code == 401
    assert "Wrong email or password" in wrong.get_data(as_text=True)
    unknown = portal_login(client, "nobody@print.test")
    assert unknown.status_code == 401

    right = portal_login(client, world.a.user.email.upper())

    assert right.status_code == 302
    page = client.get("/partners/")
    assert page.status_code == 200
    assert "Print A" in page.get_data(as_text=True)


def test_forms_without_the_csrf_token_are_refused(
    client: FlaskClient, session: Session, world: World
) -> None:
    login = client.post(
        "/partners/login", data={"email": world.a.user.email, "password": "correct horse battery"}
    )
    assert login.status_code == 400
    portal_login(client, world.a.user.email)
    forged = client.post(
        f"/partners/jobs/{world.jobs_a[0].id}/status",
        data={"status": "printing", "csrf_token": "guess"},
    )
    assert forged.status_code == 400
    session.expire_all()
    assert session.get(JobAssignment, world.jobs_a[0].id).status is AssignmentStatus.NEW  # type: ignore[union-attr]


def test_portal_pages_send_secure_headers(client: FlaskClient, world: World) -> None:
    portal_login(client, world.a.user.email)
    response = client.get("/partners/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    cookie = client.get_cookie("session", domain="luneo.test")
    assert cookie is not None
    assert cookie.http_only


def test_the_job_list_shows_only_the_partners_jobs_and_filters_by_status(
    client: FlaskClient, world: World
) -> None:
    portal_login(client, world.a.user.email)
    page = client.get("/partners/").get_data(as_text=True)
    listed = sorted(int(x) for x in re.findall(r'data-job="(\d+)"', page))
    assert listed == sorted(a.id for a in world.jobs_a)

    token = csrf_of(client)
    client.post(
        f"/partners/jobs/{world.jobs_a[0].id}/status",
        data={"status": "printing", "csrf_token": token},
    )
    printing = client.get("/partners/?status=printing").get_data(as_text=True)
    assert re.findall(r'data-job="(\d+)"', printing) == [str(world.jobs_a[0].id)]
    new = client.get("/partners/?status=new").get_data(as_text=True)
    assert re.findall(r'data-job="(\d+)"', new) == [str(world.jobs_a[1].id)]


def test_another_partners_job_and_files_are_not_found(
    client: FlaskClient, session: Session, world: World
) -> None:
    portal_login(client, world.a.user.email)
    theirs = world.jobs_b[0]
    assert client.get(f"/partners/jobs/{theirs.id}").status_code == 404
    assert client.get(f"/partners/jobs/{theirs.id}/packing-slip.pdf").status_code == 404
    mine = client.get(f"/partners/jobs/{world.jobs_a[0].id}").get_data(as_text=True)
    file_ids = re.findall(rf"/partners/jobs/{world.jobs_a[0].id}/files/(\d+)", mine)
    assert file_ids
    others = [
        fid for fid in range(1, max(int(i) for i in file_ids) + 10) if str(fid) not in file_ids
    ]
    for fid in others:  # every other file id (other jobs', other partners', none at all)
        response = client.get(f"/partners/jobs/{world.jobs_a[0].id}/files/{fid}")
        assert response.status_code == 404
    assert session.scalars(select(AuditEvent)).all() == []


def test_the_job_page_and_a_shipped_report_from_the_portal(
    client: FlaskClient, session: Session, world: World
) -> None:
    portal_login(
        client,
        world.a.user.email,
    )
    job = world.jobs_a[0]
    page = client.get(f"/partners/jobs/{job.id}").get_data(as_text=True)
    assert "Photo prints at 180 DPI." in page
    assert "quantity <strong>2</strong>" in page
    assert "ada@example.com" not in page

    token = csrf_of(client, f"/partners/jobs/{job.id}")
    response = client.post(
        f"/partners/jobs/{job.id}/status",
        data={
            "csrf_token": token,
            "status": "shipped",
            "carrier": "Colissimo",
            "tracking_number": "8R000000001",
            "tracking_url": "https://colissimo.test/8R000000001",
        },
    )

    assert response.status_code == 302
    session.expire_all()
    row = session.get(JobAssignment, job.id)
    assert row is not None
    assert row.status is AssignmentStatus.SHIPPED
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "status_shipped")).one()
    assert event.actor_type == "partner_user"
    assert event.actor_id == str(world.a.user.id)


def test_a_new_key_is_shown_once_and_works(
    client: FlaskClient, session: Session, world: World
) -> None:
    portal_login(client, world.a.user.email)
    token = csrf_of(client, "/partners/keys")
    page = client.post("/partners/keys", data={"csrf_token": token, "name": "press 2"})
    key = re.search(r"data-new-key>([^<]+)<", page.get_data(as_text=True))
    assert key is not None
    assert client.get("/partner-api/v1/jobs", headers=bearer(key.group(1))).status_code == 200
    assert key.group(1) not in client.get("/partners/keys").get_data(as_text=True)
    row = session.scalars(select(PartnerApiKey).where(PartnerApiKey.name == "press 2")).one()
    assert row.partner_id == world.a.partner.id


def test_a_partner_user_replaces_the_temporary_password(
    client: FlaskClient, session: Session, world: World, redis: Redis
) -> None:
    portal_login(client, world.a.user.email)
    token = csrf_of(client, "/partners/password")
    wrong = client.post(
        "/partners/password", data={"csrf_token": token, "current": "nope", "new": "x" * 12}
    )
    short = client.post(
        "/partners/password", data={"csrf_token": token, "current": PASSWORD, "new": "short"}
    )
    done = client.post(
        "/partners/password",
        data={"csrf_token": token, "current": PASSWORD, "new": "a new long secret"},
    )

    assert (wrong.status_code, short.status_code, done.status_code) == (422, 422, 302)
    client.post("/partners/logout", data={"csrf_token": csrf_of(client)})
    assert portal_login(client, world.a.user.email).status_code == 401
    assert portal_login(client, world.a.user.email, "a new long secret").status_code == 302
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions == ["password_changed"]


def test_a_job_whose_design_changed_says_so_with_its_version(
    client: FlaskClient, world: World, session: Session
) -> None:
    """After the customer changed the design (app.sync.order_edits): who, and which version."""
    assignment = world.jobs_a[0]
    job = session.get(ProductionJob, assignment.production_job_id)
    assert job is not None
    portal_login(client, world.a.user.email)
    assert "data-files-version" not in client.get(f"/partners/jobs/{assignment.id}").text
    job.files_version = 2
    audit.record(
        session,
        audit.Actor("customer", None, "ada"),
        "design.changed",
        partner_id=assignment.partner_id,
        job_id=job.id,
        detail={"by": "shopper", "files_version": 2},
    )
    session.commit()

    page = client.get(f"/partners/jobs/{assignment.id}").text

    assert "Design changed by the customer — version 2." in page
    assert "print this version" in page
