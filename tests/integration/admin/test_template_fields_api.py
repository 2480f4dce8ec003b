"""The template editor's fields, editor mode and surcharge; export, import and copy of a template
(template.v1.json), and who may do each."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.mailer import ConsoleMailer
from app.design.fields import template_schema
from app.models import (
    EditorMode,
    FileKind,
    LowDpiPolicy,
    Platform,
    Product,
    Role,
    Shop,
    ShopScope,
    StoredFile,
    Template,
)
from tests.factories import make_product, make_shop, make_template
from tests.integration.accounts.conftest import Browser, csrf_of, make_member, make_user

from .test_template_api import payload, url

Headers = Callable[[], dict[str, str]]
BOX = {"x_mm": 10, "y_mm": 20, "width_mm": 200, "height_mm": 40}
NAME = {
    "id": "name",
    "kind": "text",
    "label": "Name",
    "area": "front",
    "box": BOX,
    "max_chars": 20,
    "price": {"amount": "2", "per_character": 0.1},
}
STYLE = {
    "id": "style",
    "kind": "choice",
    "label": "Finish",
    "options": [
        {"value": "plain", "label": "Plain"},
        {"value": "gold", "label": "Gold", "price": "3.5"},
    ],
}


def _template(session: Session, product: Product) -> Template:
    session.expire_all()
    found = ShopScope(session, product.shop_id).get_by(Template, product_id=product.id)
    assert found is not None
    return found


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Template)) or 0)


def _with_fields(**extra: Any) -> dict[str, Any]:
    return payload(fields=[STYLE, NAME], editor_mode="both", surcharge="1.5", **extra)


@pytest.fixture
def outbox(app: Flask) -> ConsoleMailer:
    mailer = app.extensions["luneo.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    return mailer


@pytest.fixture
def saved(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> Template:
    cookie_client.post(url(product), headers=csrf)
    response = cookie_client.put(url(product), json=_with_fields(), headers=csrf)
    assert response.status_code == 200, response.get_data(as_text=True)
    return _template(session, product)


# ---------------------------------------------------------------- saving fields


def test_fields_mode_and_surcharge_are_saved_with_amounts_in_the_shops_places(
    cookie_client: FlaskClient, saved: Template, product: Product
) -> None:
    assert (saved.editor_mode, saved.surcharge) == (EditorMode.BOTH, Decimal("1.50"))
    assert saved.fields[1]["price"] == {"amount": "2.00", "per_character": "0.10"}
    assert saved.fields[0]["options"][1]["price"] == "3.50"
    body = cookie_client.get(url(product)).json["template"]
    assert (body["editor_mode"], body["surcharge"]) == ("both", "1.50")
    assert [f["id"] for f in body["fields"]] == ["style", "name"]


def test_saving_without_fields_keeps_them(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    saved: Template,
    session: Session,
    product: Product,
) -> None:
    response = cookie_client.put(url(product), json=payload(), headers=csrf)

    assert response.status_code == 200
    again = _template(session, product)
    assert (len(again.fields), again.editor_mode) == (2, EditorMode.BOTH)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"fields": [{**NAME, "box": {**BOX, "width_mm": 0}}]}, "fields[0].box.width_mm"),
        ({"fields": [NAME, NAME]}, "fields[1].id"),
        ({"fields": [{**NAME, "area": "back"}]}, "fields[0].area"),
        ({"fields": [{**NAME, "price": {"amount": "2.001"}}]}, "fields[0].price.amount"),
        ({"fields": [{**NAME, "price": {"amount": "999999"}}]}, "fields[0].price.amount"),
        ({"fields": "all of them"}, "fields"),
        ({"fields": [NAME] * 41}, "fields"),
        ({"editor_mode": "wizard"}, "editor_mode"),
        ({"surcharge": "-1"}, "surcharge"),
        ({"surcharge": "NaN"}, "surcharge"),
        (
            {
                "fields": [
                    {**STYLE, "options": [{"value": f"o{i}", "label": "O"} for i in range(51)]}
                ]
            },
            "fields[0].options",
        ),
    ],
)
def test_each_bad_field_value_is_a_400_naming_its_path(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    saved: Template,
    session: Session,
    product: Product,
    change: dict[str, Any],
    path: str,
) -> None:
    response = cookie_client.put(url(product), json=payload(**change), headers=csrf)

    assert response.status_code == 400, response.get_data(as_text=True)
    assert path in response.json["error"]["fields"]
    assert len(_template(session, product).fields) == 2  # nothing changed


def test_an_option_may_only_select_a_variant_of_this_product(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    saved: Template,
    product: Product,
    other_product: Product,
    session: Session,
) -> None:
    style = copy.deepcopy(STYLE)
    style["options"][1]["variant_id"] = other_product.variants[0].id

    response = cookie_client.put(url(product), json=payload(fields=[style]), headers=csrf)

    assert response.status_code == 400
    assert response.json["error"]["fields"] == {
        "fields[0].options[1].variant_id": "Not a variant of this product."
    }
    style["options"][1]["variant_id"] = product.variants[0].id
    assert (
        cookie_client.put(url(product), json=payload(fields=[style]), headers=csrf).status_code
        == 200
    )


# ---------------------------------------------------------------- export and import


def test_the_export_is_a_template_document_without_ids(
    cookie_client: FlaskClient, saved: Template, product: Product
) -> None:
    response = cookie_client.get(f"{url(product)}/export")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    document = json.loads(response.data)
    Draft202012Validator(template_schema()).validate(document)
    assert (document["version"], document["editor_mode"], document["surcharge"]) == (
        1,
        "both",
        "1.50",
    )
    assert [f["id"] for f in document["fields"]] == ["style", "name"]
    area = document["print_areas"][0]
    assert "id" not in area
    assert "mockup_file_id" not in area
    assert area["width_mm"] == 250.5


def test_an_export_imports_into_another_product_as_the_same_template(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    saved: Template,
    product: Product,
    session: Session,
    shop: Shop,
) -> None:
    target = make_product(session, shop, title="Mug")
    session.commit()
    document = cookie_client.get(f"{url(product)}/export").json

    response = cookie_client.post(f"{url(target)}/import", json=document, headers=csrf)

    assert response.status_code == 201, response.get_data(as_text=True)
    imported = _template(session, target)
    assert (imported.fields, imported.surcharge, imported.editor_mode) == (
        saved.fields,
        saved.surcharge,
        saved.editor_mode,
    )
    assert [a.key for a in imported.print_areas] == ["front"]
    assert cookie_client.get(f"{url(target)}/export").json == {**document, "name": document["name"]}


def test_the_low_dpi_policy_is_saved_validated_exported_and_imported(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    saved: Template,
    product: Product,
    session: Session,
    shop: Shop,
) -> None:
    assert saved.low_dpi_policy is LowDpiPolicy.WARN  # the default: today's behaviour
    bad = cookie_client.put(url(product), json=_with_fields(low_dpi_policy="block"), headers=csrf)
    put = cookie_client.put(url(product), json=_with_fields(low_dpi_policy="refuse"), headers=csrf)
    assert bad.status_code == 400  # the editor's validation answer, naming the field
    assert "low_dpi_policy" in json.dumps(bad.json)
    assert put.status_code == 200, put.get_data(as_text=True)
    assert cookie_client.get(url(product)).json["template"]["low_dpi_policy"] == "refuse"
    document = cookie_client.get(f"{url(product)}/export").json
    assert document["low_dpi_policy"] == "refuse"
    Draft202012Validator(template_schema()).validate(document)
    target = make_product(session, shop, title="Poster")
    session.commit()

    imported = cookie_client.post(f"{url(target)}/import", json=document, headers=csrf)
    older = {k: v for k, v in document.items() if k != "low_dpi_policy"}
    third = make_product(session, shop, title="Sticker")
    session.commit()
    imported_old = cookie_client.post(f"{url(third)}/import", json=older, headers=csrf)

    assert imported.status_code == 201, imported.get_data(as_text=True)
    assert _template(session, target).low_dpi_policy is LowDpiPolicy.REFUSE
    assert imported_old.status_code == 201
    assert _template(session, third).low_dpi_policy is LowDpiPolicy.WARN


def test_an_import_over_a_template_keeps_the_mockups_of_matching_areas(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    saved: Template,
    product: Product,
    session: Session,
    shop: Shop,
) -> None:
    mockup = StoredFile(
        shop_id=shop.id,
        key=f"shops/{shop.id}/mockup/m.png",
        kind=FileKind.MOCKUP,
        content_type="image/png",
        size=1,
        sha256="0" * 64,
    )
    session.add(mockup)
    session.flush()
    saved.print_areas[0].mockup_file_id = mockup.id
    session.commit()
    document = cookie_client.get(f"{url(product)}/export").json
    document["fields"] = [NAME]

    response = cookie_client.post(f"{url(product)}/import", json=document, headers=csrf)

    assert response.status_code == 200, response.get_data(as_text=True)
    again = _template(session, product)
    assert [f["id"] for f in again.fields] == ["name"]
    assert again.print_areas[0].mockup_file_id == mockup.id


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"[1, 2]", 400, "invalid_json"),
        (b'"a string"', 400, "invalid_json"),
        (b"\xff\xfe", 400, "invalid_json"),
        (b'{"a": "\\u0000"}', 400, "invalid_json"),
        (b"[" * 5000 + b"]" * 5000, 400, "invalid_json"),
        (b'{"version": 1, "print_areas": [], "x": ' + b"1" * 600_000 + b"}", 413, "too_large"),
        (b'{"version": 2, "print_areas": []}', 400, "invalid"),
    ],
)
def test_garbage_is_a_clear_4xx_and_changes_nothing(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    product: Product,
    session: Session,
    body: bytes,
    status: int,
    code: str,
) -> None:
    response = cookie_client.post(
        f"{url(product)}/import",
        data=body,
        headers={**csrf, "Content-Type": "application/json"},
    )

    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code
    assert _count(session) == 0


def test_a_document_that_breaks_the_schema_names_each_path(
    cookie_client: FlaskClient, csrf: dict[str, str], product: Product, session: Session
) -> None:
    document = {
        "version": 1,
        "print_areas": [{"key": "front", "width_mm": -1, "height_mm": 10}],
        "fields": [{**NAME, "box": {"x_mm": 0}}],
        "surcharge": "lots",
    }

    response = cookie_client.post(f"{url(product)}/import", json=document, headers=csrf)

    assert response.status_code == 400
    fields = response.json["error"]["fields"]
    assert {"print_areas[0].width_mm", "fields[0].box.y_mm", "surcharge"} <= set(fields)
    assert _count(session) == 0


def test_a_template_whose_rules_break_the_editors_checks_is_refused_whole(
    cookie_client: FlaskClient, csrf: dict[str, str], product: Product, session: Session
) -> None:
    document = {
        "version": 1,
        "print_areas": [{"key": "front", "width_mm": 100, "height_mm": 50}],
        "fields": [{**NAME, "area": "back"}],
    }

    response = cookie_client.post(f"{url(product)}/import", json=document, headers=csrf)

    assert response.status_code == 400
    assert response.json["error"]["fields"] == {"fields[0].area": "No print area has this key."}
    assert _count(session) == 0


# ---------------------------------------------------------------- copy


def test_a_copy_takes_areas_mockups_fields_and_prices_along(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    saved: Template,
    product: Product,
    session: Session,
    shop: Shop,
) -> None:
    saved.print_areas[0].uv_region = {"u0": 0, "v0": 0, "u1": 0.5, "v1": 1}
    session.commit()
    target = make_product(session, shop, title="Mug")
    session.commit()

    response = cookie_client.post(
        f"{url(product)}/copy",
        json={"to_product_id": target.id},
        headers=csrf,
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    copied = _template(session, target)
    source = _template(session, product)
    assert copied.id != source.id
    assert (copied.fields, copied.surcharge, copied.price_rules) == (
        source.fields,
        source.surcharge,
        source.price_rules,
    )
    (area,) = copied.print_areas
    assert (area.key, area.mockup_placement, area.uv_region) == (
        "front",
        source.print_areas[0].mockup_placement,
        {"u0": 0, "v0": 0, "u1": 0.5, "v1": 1},
    )
    assert area.id != source.print_areas[0].id


def test_a_copy_onto_a_template_needs_replace(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    saved: Template,
    product: Product,
    session: Session,
    shop: Shop,
) -> None:
    target = make_product(session, shop, title="Mug")
    theirs = make_template(session, target)
    session.commit()

    refused = cookie_client.post(
        f"{url(product)}/copy", json={"to_product_id": target.id}, headers=csrf
    )
    replaced = cookie_client.post(
        f"{url(product)}/copy", json={"to_product_id": target.id, "replace": True}, headers=csrf
    )

    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "template_exists"
    assert replaced.status_code == 200, replaced.get_data(as_text=True)
    again = _template(session, target)
    assert again.id == theirs.id  # replaced in place: its designs and orders keep their template
    assert [f["id"] for f in again.fields] == ["style", "name"]


@pytest.mark.parametrize(
    "body",
    [{}, {"to_product_id": "abc"}, {"to_product_id": True}, {"to_product_id": 1, "replace": "yes"}],
)
def test_a_copy_with_a_bad_body_is_a_400(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    saved: Template,
    product: Product,
    body: dict[str, Any],
) -> None:
    response = cookie_client.post(f"{url(product)}/copy", json=body, headers=csrf)

    assert response.status_code == 400


# ---------------------------------------------------------------- another shop, who may


def test_another_shops_product_is_missing_for_copy_import_and_export(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    saved: Template,
    product: Product,
    other_product: Product,
    session: Session,
) -> None:
    theirs = make_template(session, other_product)
    session.commit()
    before = (theirs.name, len(theirs.print_areas))

    onto_theirs = cookie_client.post(
        f"{url(product)}/copy",
        json={"to_product_id": other_product.id, "replace": True},
        headers=csrf,
    )
    from_theirs = cookie_client.post(
        f"{url(other_product)}/copy",
        json={"to_product_id": product.id, "replace": True},
        headers=csrf,
    )
    export_theirs = cookie_client.get(f"{url(other_product)}/export")
    document = cookie_client.get(f"{url(product)}/export").json
    import_theirs = cookie_client.post(f"{url(other_product)}/import", json=document, headers=csrf)

    for response in (onto_theirs, from_theirs, export_theirs, import_theirs):
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
    session.expire_all()
    again = session.get_one(Template, theirs.id)
    assert (again.name, len(again.print_areas), again.fields) == (*before, [])


@pytest.mark.parametrize("action", ["import", "copy"])
def test_cookie_session_writes_need_the_csrf_token(
    cookie_client: FlaskClient,
    saved: Template,
    product: Product,
    session: Session,
    shop: Shop,
    action: str,
) -> None:
    target = make_product(session, shop, title="Mug")
    session.commit()
    cookie_client.get("/admin/products")
    body = (
        cookie_client.get(f"{url(product)}/export").json
        if action == "import"
        else {"to_product_id": target.id}
    )

    response = cookie_client.post(
        f"{url(target)}/{action}" if action == "import" else f"{url(product)}/copy", json=body
    )

    assert response.status_code == 403
    assert response.json["error"]["code"] == "csrf_failed"
    assert _count(session) == 1


def test_embedded_requests_use_the_session_token(
    client: FlaskClient, bearer: Headers, product: Product, session: Session, shop: Shop
) -> None:
    make_template(session, product)
    target = make_product(session, shop, title="Mug")
    session.commit()

    exported = client.get(f"{url(product)}/export", headers=bearer())
    imported = client.post(f"{url(target)}/import", json=exported.json, headers=bearer())

    assert (exported.status_code, imported.status_code) == (200, 201)


@pytest.mark.parametrize(
    ("method", "suffix"), [("GET", "export"), ("POST", "import"), ("POST", "copy")]
)
def test_nobody_signed_in_gets_a_401(
    client: FlaskClient, product: Product, method: str, suffix: str
) -> None:
    response = client.open(f"{url(product)}/{suffix}", method=method, json={})

    assert response.status_code == 401


def test_staff_write_templates_like_owners_as_the_editor_does(
    app: Flask, session: Session, outbox: ConsoleMailer
) -> None:
    """Template writes are not owner-only (the editor's PUT is open to staff too): a staff
    member of a WooCommerce store exports, imports and copies; their CSRF token is required."""
    store = make_shop(
        session,
        platform=Platform.WOOCOMMERCE,
        domain="team.test",
        access_token="cs_" + "c" * 40,
        api_key="ck_" + "d" * 40,
    )
    source, target = make_product(session, store), make_product(session, store)
    make_template(session, source)
    make_member(session, make_user(session, "staff@team.test"), store, Role.STAFF)
    session.commit()
    staff = Browser(app.test_client(), outbox)
    assert staff.sign_in("staff@team.test").status_code == 302
    headers = {"X-CSRF-Token": csrf_of(staff.client.get("/admin/").text)}

    exported = staff.client.get(f"{url(source)}/export")
    copied = staff.client.post(
        f"{url(source)}/copy", json={"to_product_id": target.id}, headers=headers
    )
    imported = staff.client.post(f"{url(target)}/import", json=exported.json, headers=headers)
    unguarded = staff.client.post(f"{url(target)}/import", json=exported.json)

    assert (exported.status_code, copied.status_code, imported.status_code) == (200, 201, 200)
    assert unguarded.status_code == 403
