"""A partner's file profile: read and set through the API and the portal, each guarded."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.passwords import hash_password
from app.fulfilment import profiles
from app.models import AuditEvent, Partner, PartnerRole, PartnerUser

from .conftest import PASSWORD, World, bearer, csrf_of, portal_login

PROFILE = {
    "formats": ["pdf-cmyk", "cut-svg"],
    "cmyk_profile": "gracol2006",
    "bleed_mm": 5,
    "crop_marks": False,
    "cut_lines": True,
    "file_name": "{order}_{item}_{area}",
}


def _partner(session: Session, partner_id: int) -> Partner:
    session.expire_all()
    return session.get_one(Partner, partner_id)


def test_a_partner_reads_the_default_and_states_its_own(
    client: FlaskClient, session: Session, world: World
) -> None:
    got = client.get("/partner-api/v1/profile", headers=bearer(world.a.key))
    assert got.status_code == 200
    body = got.get_json()
    assert body["profile"] == profiles.DEFAULT.as_dict()
    assert {f["format"] for f in body["formats_available"]} >= {"png", "pdf", "pdf-cmyk"}
    assert body["cmyk_profiles_available"] == ["fogra39", "gracol2006"]

    put = client.put("/partner-api/v1/profile", json=PROFILE, headers=bearer(world.a.key))

    assert put.status_code == 200
    assert put.get_json()["profile"] == {**PROFILE, "bleed_mm": 5.0}
    assert _partner(session, world.a.partner.id).file_profile["formats"] == ["pdf-cmyk", "cut-svg"]
    again = client.get("/partner-api/v1/profile", headers=bearer(world.a.key)).get_json()
    assert again["digest"] == put.get_json()["digest"] != body["digest"]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "file_profile_updated")
    ).one()
    assert event.partner_id == world.a.partner.id
    # another partner's profile is its own
    other = client.get("/partner-api/v1/profile", headers=bearer(world.b.key)).get_json()
    assert other["profile"] == profiles.DEFAULT.as_dict()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"formats": []}, "formats"),
        ({"formats": ["png", "exe"]}, "formats"),
        ({"formats": ["png", "png"]}, "formats"),
        ({"formats": "png"}, "formats"),
        ({"cmyk_profile": "swop"}, "cmyk_profile"),
        ({"bleed_mm": -1}, "bleed_mm"),
        ({"bleed_mm": 21}, "bleed_mm"),
        ({"bleed_mm": True}, "bleed_mm"),
        ({"bleed_mm": "3"}, "bleed_mm"),
        ({"crop_marks": "no"}, "crop_marks"),
        ({"file_name": ""}, "file_name"),
        ({"file_name": "../../etc/{area}-{item}"}, "file_name"),
        ({"file_name": "{area}"}, "file_name"),  # two items' files would share a name
        ({"file_name": "{area}-{item}-{shop.secret}"}, "file_name"),
        ({"file_name": "{area}-{item}-{"}, "file_name"),
        ({"file_name": "x" * 121}, "file_name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_profile_is_refused_field_by_field_and_nothing_changes(
    client: FlaskClient, session: Session, world: World, body: dict[str, Any], field: str
) -> None:
    response = client.put("/partner-api/v1/profile", json=body, headers=bearer(world.a.key))

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert _partner(session, world.a.partner.id).file_profile == {}


@pytest.mark.parametrize("raw", [b"[1, 2]", b"not json", b'"text"'])
def test_garbage_is_a_4xx(client: FlaskClient, world: World, raw: bytes) -> None:
    response = client.put(
        "/partner-api/v1/profile",
        data=raw,
        content_type="application/json",
        headers=bearer(world.a.key),
    )
    assert response.status_code == 422


def test_the_profile_needs_a_key(client: FlaskClient, world: World) -> None:
    assert client.get("/partner-api/v1/profile").status_code == 401
    forged = bearer(world.a.key[:-2] + "xx")
    assert client.put("/partner-api/v1/profile", json=PROFILE, headers=forged).status_code == 401


def test_a_partner_admin_sets_it_in_the_portal(
    client: FlaskClient, session: Session, world: World
) -> None:
    portal_login(client, world.a.user.email)
    page = client.get("/partners/files")
    assert page.status_code == 200
    assert "PDF/X-4 (CMYK)" in page.get_data(as_text=True)
    token = csrf_of(client, "/partners/files")
    form = {
        "csrf_token": token,
        "formats": ["pdf-cmyk", "png"],
        "cmyk_profile": "fogra39",
        "bleed_mm": "2,5",
        "crop_marks": "1",
        "file_name": "{order}-{area}-{job}",
    }

    saved = client.post("/partners/files", data=form)

    assert saved.status_code == 302
    stored = _partner(session, world.a.partner.id).file_profile
    assert stored["formats"] == ["pdf-cmyk", "png"]
    assert (stored["bleed_mm"], stored["crop_marks"], stored["cut_lines"]) == (2.5, True, False)

    bad = client.post("/partners/files", data={**form, "bleed_mm": "lots"})
    assert bad.status_code == 422
    assert "A number of millimetres" in bad.get_data(as_text=True)
    assert _partner(session, world.a.partner.id).file_profile == stored

    forged = client.post(
        "/partners/files", data={k: v for k, v in form.items() if k != "csrf_token"}
    )
    assert forged.status_code == 400
    assert _partner(session, world.a.partner.id).file_profile == stored


def test_a_partner_operator_cannot_change_it(
    client: FlaskClient, session: Session, world: World
) -> None:
    operator = PartnerUser(
        partner_id=world.a.partner.id,
        email="operator@print-a.test",
        name="Operator",
        password_hash=hash_password(PASSWORD),
        role=PartnerRole.OPERATOR,
    )
    session.add(operator)
    session.commit()
    portal_login(client, operator.email)
    token = csrf_of(client)

    assert client.get("/partners/files").status_code == 403
    refused = client.post(
        "/partners/files",
        data={"csrf_token": token, "formats": ["png"], "file_name": "{area}-{job}"},
    )
    assert refused.status_code == 403
    assert _partner(session, world.a.partner.id).file_profile == {}
