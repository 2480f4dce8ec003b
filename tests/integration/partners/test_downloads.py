"""Signed, expiring file links, the packing slip PDF, the streamed ZIP, and their audit trail."""

from __future__ import annotations

import io
import time
import zipfile
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import signing
from app.fulfilment import downloads
from app.models import AuditEvent, ProductionFile
from app.storage import Storage

from .conftest import World, bearer, csrf_of, portal_login


def links(client: FlaskClient, key: str, job_id: int) -> dict[str, object]:
    response = client.get(f"/partner-api/v1/jobs/{job_id}/files", headers=bearer(key))
    assert response.status_code == 200
    body: dict[str, object] = response.get_json()
    return body


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_a_signed_link_downloads_the_file_and_is_recorded(
    client: FlaskClient, session: Session, storage: Storage, world: World
) -> None:
    job_id = world.jobs_a[0].id
    files = links(client, world.a.key, job_id)["files"]
    assert isinstance(files, list)
    png = next(f for f in files if f["format"] == "png")

    response = client.get(path_of(png["url"]), headers={"User-Agent": "press-bot/1.0"})

    assert response.status_code == 200
    row = session.get(ProductionFile, png["id"])
    assert row is not None
    assert response.data == b"".join(storage.iter_chunks(row.stored_file.key))
    assert png["filename"] in response.headers["Content-Disposition"]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "download_file")).one()
    assert (event.actor_type, event.user_agent) == ("api_key", "press-bot/1.0")
    assert event.partner_id == world.a.partner.id
    assert event.detail == {"file_id": png["id"], "format": "png"}
    assert event.ip == "127.0.0.1"


def test_an_expired_link_is_refused(app: Flask, client: FlaskClient, world: World) -> None:
    job = world.jobs_a[0]
    secret = app.config["SECRET_KEY"]
    grant = downloads.grant_for(job.partner_id, job.id, "slip", "api_key:1", 60, time.time() - 120)
    response = client.get(f"/partner-api/v1/downloads/{downloads.issue(secret, grant)}")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "link_expired"


@pytest.mark.parametrize(
    "purpose", [p for p in signing.Purpose if p is not signing.Purpose.PARTNER_DOWNLOAD]
)
def test_a_token_made_for_another_purpose_opens_no_download(
    app: Flask, client: FlaskClient, session: Session, world: World, purpose: signing.Purpose
) -> None:
    """The very claims of a download link, signed by us, but for a reset, a file, an invitation…"""
    job = world.jobs_a[0]
    claims = [job.partner_id, job.id, downloads.SLIP, "api_key:1"]
    token = signing.issue(app.config["SECRET_KEY"], purpose, claims, ttl=600).token

    response = client.get(f"/partner-api/v1/downloads/{token}")

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "invalid_signature"
    assert session.scalars(select(AuditEvent)).all() == []


@pytest.mark.parametrize("_case", ["other partner", "other job's file", "forged", "truncated"])
def test_a_link_cannot_be_forged_or_bent_to_another_file(
    app: Flask, client: FlaskClient, session: Session, world: World, _case: str
) -> None:
    secret = app.config["SECRET_KEY"]
    mine, theirs = world.jobs_a[0], world.jobs_b[0]
    their_file = session.scalars(
        select(ProductionFile.id).where(
            ProductionFile.production_job_id == theirs.production_job_id
        )
    ).first()
    valid = links(client, world.a.key, mine.id)["packing_slip"]
    assert isinstance(valid, dict)
    token = path_of(valid["url"]).rsplit("/", 1)[1]
    if _case == "other partner":  # signed with another key: a guess
        grant = downloads.grant_for(world.b.partner.id, theirs.id, "slip", "x:1", 60)
        token = downloads.issue("not-the-secret", grant)
        expected = 403
    elif _case == "other job's file":  # validly signed, but the file is not this job's
        grant = downloads.grant_for(mine.partner_id, mine.id, str(their_file), "x:1", 60)
        token = downloads.issue(secret, grant)
        expected = 404
    elif _case == "forged":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        expected = 403
    else:
        token = token[: len(token) // 2]
        expected = 403
    response = client.get(f"/partner-api/v1/downloads/{token}")
    assert response.status_code == expected
    assert "error" in response.get_json()
    assert session.scalars(select(AuditEvent)).all() == []


def test_the_packing_slip_names_the_order_and_the_job(
    client: FlaskClient, session: Session, world: World
) -> None:
    job = world.jobs_a[0]
    slip = links(client, world.a.key, job.id)["packing_slip"]
    assert isinstance(slip, dict)

    response = client.get(path_of(slip["url"]))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    data = client.get(f"/partner-api/v1/jobs/{job.id}", headers=bearer(world.a.key)).get_json()
    assert f"Order {data['order']['name']}" in text
    assert f"Job {job.id}" in text
    assert "Personalized mug" in text
    assert "MUG-11" in text
    assert "Ada Lovelace" in text
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    assert len(page.images) == 1  # the preview thumbnail (the QR code is vector drawing)
    assert session.scalars(select(AuditEvent.action)).all() == ["download_packing_slip"]


def test_the_portal_downloads_many_jobs_as_one_zip(
    client: FlaskClient, session: Session, storage: Storage, world: World
) -> None:
    portal_login(client, world.a.user.email)
    token = csrf_of(client)
    ids = [str(a.id) for a in world.jobs_a]

    response = client.post(
        "/partners/jobs/download.zip", data={"csrf_token": token, "job": ids}, buffered=False
    )

    assert response.status_code == 200
    assert response.is_streamed
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.response)))
    assert archive.testzip() is None
    names = archive.namelist()
    assert len(names) == 8  # per job: the slip and three files
    first = world.jobs_a[0]
    assert f"job-{first.id}/packing-slip-job-{first.id}.pdf" in names
    png = next(n for n in names if n.startswith(f"job-{first.id}/") and n.endswith("front.png"))
    file_id = int(png.split("/")[1].split("-")[0])
    row = session.get(ProductionFile, file_id)
    assert row is not None
    assert archive.read(png) == b"".join(storage.iter_chunks(row.stored_file.key))
    assert session.scalars(select(AuditEvent.action)).all() == ["download_zip", "download_zip"]


def test_the_zip_refuses_another_partners_job(client: FlaskClient, world: World) -> None:
    portal_login(client, world.a.user.email)
    token = csrf_of(client)
    ids = [str(world.jobs_a[0].id), str(world.jobs_b[0].id)]
    response = client.post("/partners/jobs/download.zip", data={"csrf_token": token, "job": ids})
    assert response.status_code == 404


@pytest.mark.parametrize("job", [str(2**31), str(2**40), "9" * 5000, "\u00b9"])
def test_the_zip_of_job_numbers_no_row_can_have_is_not_a_server_error(
    client: FlaskClient, world: World, job: str
) -> None:
    """Past the database's integer range, past Python's digit limit, a superscript digit."""
    portal_login(client, world.a.user.email)
    token = csrf_of(client)
    response = client.post("/partners/jobs/download.zip", data={"csrf_token": token, "job": [job]})
    assert response.status_code == 302  # "choose at least one job", as for no job at all
