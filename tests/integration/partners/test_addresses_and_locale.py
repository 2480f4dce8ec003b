"""Addresses as partners receive them: the API's country code, the portal's Ship to, the slip.

The demo order once reached the API with ``country_code == ""`` (its seed wrote ``country``), the
job list's "Ship to" column was empty, and the job page and packing slip dropped the country.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import seed_demo_shop
from app.fulfilment import jobdata, keys, routing
from app.models import Partner, ProductionJob, ProductionStatus
from app.storage import Storage

from .conftest import World, bearer, portal_login
from .test_openapi import validator

POLISH_ADDRESS = {
    "name": "Łukasz Wiśniewski",
    "address1": "ul. Marszałkowska 1",
    "city": "Warszawa",
    "zip": "00-001",
    "country_code": "PL",
    "phone": "+48 22 000 00 00",
}


def _demo_job_for_the_print_room(session: Session, storage: Storage) -> tuple[int, str]:
    shop = seed_demo_shop(session, storage)
    job = session.scalars(select(ProductionJob).where(ProductionJob.shop_id == shop.id)).one()
    job.move_to(ProductionStatus.RENDERING)
    job.move_to(ProductionStatus.READY)
    session.flush()
    assignment = routing.route_job(session, job.id)
    assert assignment is not None
    partner = session.get(Partner, assignment.partner_id)
    assert partner is not None
    _row, key = keys.create_key(session, partner.id, "test", None)
    session.commit()
    return assignment.id, key


def test_the_demo_order_reaches_the_partner_api_with_its_country_code(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    storage: Storage = app.extensions["luneo.storage"]
    job_id, key = _demo_job_for_the_print_room(session, storage)

    body = client.get(f"/partner-api/v1/jobs/{job_id}", headers=bearer(key)).get_json()

    validator("Job").validate(body)
    assert body["shipping_address"] == {
        "name": "Sam Rivera",
        "address1": "123 Example Street",
        "address2": "Apt 4",
        "city": "Springfield",
        "province": "OR",
        "zip": "97477",
        "country_code": "US",  # machine values: the code, not a name
        "phone": "+1 555 010 0199",
    }


def test_a_row_stored_in_an_older_shape_reads_through_the_normaliser(
    client: FlaskClient, session: Session, world: World
) -> None:
    job = world.jobs_a[0]
    order = jobdata.load(session, job).order
    order.shipping_address = {"name": "Old Row", "city": "Lyon", "country": "France"}
    session.commit()

    body = client.get(f"/partner-api/v1/jobs/{job.id}", headers=bearer(world.a.key)).get_json()

    validator("Job").validate(body)
    assert body["shipping_address"]["country_code"] == "FR"
    assert body["shipping_address"]["city"] == "Lyon"


def test_the_job_list_says_where_each_parcel_goes(client: FlaskClient, world: World) -> None:
    portal_login(client, world.a.user.email)

    page = client.get("/partners/").get_data(as_text=True)

    cells = [row.split("</tr>")[0] for row in page.split("<tr data-job=")[1:]]
    assert len(cells) == 2
    assert all('data-label="Ship to">Paris, France</td>' in cell for cell in cells)


def test_the_job_page_lays_out_the_address_with_its_country(
    client: FlaskClient, session: Session, world: World
) -> None:
    portal_login(client, world.a.user.email)
    job = world.jobs_a[0]

    page = client.get(f"/partners/jobs/{job.id}").get_data(as_text=True)

    assert "Ada Lovelace<br>1 Main St<br>75001 PARIS<br>France<br>+33 1 00 00 00 00" in page


def test_the_job_page_names_the_country_in_the_readers_language(
    client: FlaskClient, world: World
) -> None:
    portal_login(client, world.a.user.email)
    job = world.jobs_a[0]

    page = client.get(f"/partners/jobs/{job.id}", headers={"Accept-Language": "de-DE,de;q=0.9"})

    assert "75001 PARIS<br>Frankreich" in page.get_data(as_text=True)


def _font_descriptors(data: bytes) -> list[Any]:
    reader = PdfReader(io.BytesIO(data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    found = []
    for ref in fonts.values():
        font = ref.get_object()
        if font.get("/Subtype") == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        found.append((font["/BaseFont"], font.get("/FontDescriptor")))
    return found


def test_the_packing_slip_prints_the_address_with_its_country_in_an_embedded_font(
    client: FlaskClient, session: Session, world: World
) -> None:
    job = world.jobs_a[0]
    jobdata.load(session, job).order.shipping_address = POLISH_ADDRESS
    session.commit()
    portal_login(client, world.a.user.email)

    response = client.get(f"/partners/jobs/{job.id}/packing-slip.pdf")

    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Łukasz Wiśniewski" in text
    assert "ul. Marszałkowska 1" in text
    assert "00-001 WARSZAWA" in text
    assert "Poland" in text
    fonts = _font_descriptors(response.data)
    assert fonts, "the slip names no font"
    for name, descriptor in fonts:
        assert "Helvetica" not in str(name)
        assert descriptor is not None, f"{name} is not embedded"
        assert "/FontFile2" in descriptor.get_object(), f"{name} has no embedded TrueType program"
    tags = [str(name).split("+")[0] for name, _d in fonts]
    assert len(set(tags)) == len(tags)  # pdfx.finish_pdf: each subset its own tag


@pytest.mark.parametrize("country", ["FR", "DE"])
def test_the_packing_slip_always_names_the_country(
    client: FlaskClient, session: Session, world: World, country: str
) -> None:
    setup = world.a if country == "FR" else world.b
    job = next(
        j
        for j in (*world.jobs_a, *world.jobs_b)
        if j.partner_id == setup.partner.id
        and jobdata.load(session, j).order.shipping_address.get("country_code") == country
    )
    portal_login(client, setup.user.email)

    response = client.get(f"/partners/jobs/{job.id}/packing-slip.pdf")

    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert {"FR": "France", "DE": "Germany"}[country] in text
    assert "75001 PARIS" in text
