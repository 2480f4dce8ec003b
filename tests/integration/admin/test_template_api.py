"""The template editor's API: make customizable, save with exact values, refuse bad values."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import FileKind, PrintArea, Product, Shop, ShopScope, StoredFile, Template
from tests.factories import make_template
from tests.support.shopify import session_token

Headers = Callable[[], dict[str, str]]


def url(product: Product) -> str:
    return f"/api/admin/products/{product.id}/template"


def payload(**overrides: Any) -> dict[str, Any]:
    """A full, valid editor payload; tests change one thing at a time."""
    body: dict[str, Any] = {
        "name": "  Tote front print ",
        "is_active": True,
        "fonts": ["Pacifico", "Inter", "Pacifico"],
        "colors": ["#1F2937", "#fff"],
        "max_layers": 8,
        "ai_enabled": False,
        "min_image_dpi": 150,
        "price_rules": [
            {"area": "front", "label": "Front print", "amount": "4.5"},
            {"option": "Gift wrap", "amount": 2},
        ],
        "print_areas": [
            {
                "key": "front",
                "name": "Front",
                "width_mm": 250.5,
                "height_mm": "300",
                "dpi": 300,
                "bleed_mm": 3,
                "safe_margin_mm": 5.25,
                "mockup_placement": {"x": 100, "y": 120.5, "width": 250.5, "height": 300},
            }
        ],
    }
    body.update(overrides)
    return body


def with_area(**changes: Any) -> dict[str, Any]:
    """The payload with its one area changed (and no rule naming that area's key)."""
    body = payload(price_rules=[{"option": "Gift wrap", "amount": "2"}])
    body["print_areas"][0].update(changes)
    return body


def template_of(session: Session, product: Product) -> Template | None:
    session.expire_all()
    return ShopScope(session, product.shop_id).get_by(Template, product_id=product.id)


def count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


# ---------------------------------------------------------------- make customizable


def test_make_customizable_creates_a_template_with_one_default_area(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    response = cookie_client.post(url(product), headers=csrf)

    assert response.status_code == 201
    template = template_of(session, product)
    assert template is not None
    assert (template.name, template.is_active) == ("Canvas Tote Bag", True)
    assert template.fonts == ["Inter", "Playfair Display", "Pacifico"]
    assert template.colors == ["#000000", "#ffffff", "#dc2626", "#2563eb", "#16a34a"]
    [area] = template.print_areas
    assert (area.key, area.name, area.position, area.dpi) == ("front", "Front", 0, 300)
    assert (area.width_mm, area.height_mm) == (Decimal("100.00"), Decimal("100.00"))
    assert (area.bleed_mm, area.safe_margin_mm) == (Decimal("3.00"), Decimal("5.00"))
    body = response.json["template"]
    assert body["id"] == template.id
    assert body["currency"] == "EUR"
    assert body["print_areas"][0]["width_mm"] == 100.0
    assert body["print_areas"][0]["pixel_size"] == [1252, 1252]


def test_make_customizable_twice_keeps_one_template(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    first = cookie_client.post(url(product), headers=csrf)
    second = cookie_client.post(url(product), headers=csrf)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json["template"]["id"] == second.json["template"]["id"]
    assert count(session, Template) == 1
    assert count(session, PrintArea) == 1


# ---------------------------------------------------------------- saving


def test_save_stores_exactly_the_editors_values(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    cookie_client.post(url(product), headers=csrf)

    response = cookie_client.put(url(product), json=payload(), headers=csrf)

    assert response.status_code == 200, response.json
    template = template_of(session, product)
    assert template is not None
    assert template.name == "Tote front print"
    assert (template.is_active, template.ai_enabled) == (True, False)
    assert (template.max_layers, template.min_image_dpi) == (8, 150)
    assert template.fonts == ["Pacifico", "Inter"]
    assert template.colors == ["#1f2937", "#ffffff"]
    assert template.price_rules == [
        {"area": "front", "label": "Front print", "amount": "4.50"},
        {"option": "Gift wrap", "label": "", "amount": "2.00"},
    ]
    [area] = template.print_areas
    assert (area.key, area.name, area.position, area.dpi) == ("front", "Front", 0, 300)
    assert (area.width_mm, area.height_mm) == (Decimal("250.50"), Decimal("300.00"))
    assert (area.bleed_mm, area.safe_margin_mm) == (Decimal("3.00"), Decimal("5.25"))
    assert area.mockup_placement == {"x": 100, "y": 120.5, "width": 250.5, "height": 300}
    assert area.mockup_file_id is None
    shown = response.json["template"]
    assert shown["price_rules"] == template.price_rules
    assert shown["print_areas"][0]["width_mm"] == 250.5
    assert shown["print_areas"][0]["safe_margin_mm"] == 5.25


def test_save_keeps_reorders_renames_and_removes_areas_by_id(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    # given a template with front, back and sleeve
    template = make_template(session, product)
    for position, key in enumerate(("back", "sleeve"), start=1):
        template.print_areas.append(
            PrintArea(
                shop_id=product.shop_id,
                key=key,
                name=key.title(),
                position=position,
                width_mm=Decimal("50"),
                height_mm=Decimal("50"),
                uv_region={"u0": 0, "v0": 0, "u1": 1, "v1": 1},
            )
        )
    session.commit()
    ids = {a.key: a.id for a in template.print_areas}
    area = with_area()["print_areas"][0]

    # when the editor swaps front/back keys, drops the sleeve and adds a lid, back first
    areas = [
        {**area, "id": ids["back"], "key": "front", "name": "Was back"},
        {**area, "id": ids["front"], "key": "back", "name": "Was front"},
        {**area, "key": "lid", "name": "Lid"},
    ]
    response = cookie_client.put(url(product), json=payload(print_areas=areas), headers=csrf)

    # then rows keep their ids (and their 3D regions), in the new order
    assert response.status_code == 200, response.json
    saved = template_of(session, product)
    assert saved is not None
    rows = [(a.id, a.key, a.name, a.position) for a in saved.print_areas]
    assert rows[:2] == [
        (ids["back"], "front", "Was back", 0),
        (ids["front"], "back", "Was front", 1),
    ]
    assert rows[2][1:] == ("lid", "Lid", 2)
    assert rows[2][0] not in (ids["front"], ids["back"])  # a new row (SQLite may reuse an id)
    assert "sleeve" not in [a.key for a in saved.print_areas]
    assert saved.print_areas[0].uv_region == {"u0": 0, "v0": 0, "u1": 1, "v1": 1}
    assert count(session, PrintArea) == 3


def test_prices_in_a_currency_without_cents_are_whole(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, shop: Shop, product: Product
) -> None:
    shop.currency = "JPY"
    session.commit()
    cookie_client.post(url(product), headers=csrf)
    rules = [{"area": "front", "amount": "500"}, {"option": "Gift box", "amount": "300.5"}]

    refused = cookie_client.put(url(product), json=payload(price_rules=rules), headers=csrf)
    rules[1]["amount"] = 300
    accepted = cookie_client.put(url(product), json=payload(price_rules=rules), headers=csrf)

    assert refused.status_code == 400
    assert refused.json["error"]["fields"] == {"price_rules[1].amount": "Whole numbers."}
    assert accepted.status_code == 200
    assert [r["amount"] for r in accepted.json["template"]["price_rules"]] == ["500", "300"]


# ---------------------------------------------------------------- validation


def _two_fronts() -> dict[str, Any]:
    body = payload()
    body["print_areas"].append(copy.deepcopy(body["print_areas"][0]))
    return body


SIZE = "Must be more than 0 and at most 2000 mm."
DPI = "Must be a whole number from 72 to 1200."
MARGIN = "Must be from 0 to 50 mm."
KEY = "Use 1 to 64 lowercase letters, digits, - or _."
NO_AREA = "Add at least one print area."
AREA = "print_areas[0]"


@pytest.mark.parametrize(
    ("_case", "body", "fields"),
    [
        ("no print area", with_area() | {"print_areas": []}, {"print_areas": NO_AREA}),
        ("areas not a list", with_area() | {"print_areas": {"key": "x"}}, {"print_areas": NO_AREA}),
        ("width zero", with_area(width_mm=0), {f"{AREA}.width_mm": SIZE}),
        ("width over 2000", with_area(width_mm=2000.01), {f"{AREA}.width_mm": SIZE}),
        ("height not a number", with_area(height_mm="tall"), {f"{AREA}.height_mm": SIZE}),
        ("height missing", with_area(height_mm=None), {f"{AREA}.height_mm": SIZE}),
        ("width a boolean", with_area(width_mm=True), {f"{AREA}.width_mm": SIZE}),
        (
            "three decimals",
            with_area(width_mm=10.125),
            {f"{AREA}.width_mm": "Use at most 2 decimal places."},
        ),
        ("dpi under 72", with_area(dpi=71), {f"{AREA}.dpi": DPI}),
        ("dpi over 1200", with_area(dpi=1201), {f"{AREA}.dpi": DPI}),
        ("dpi fractional", with_area(dpi=300.5), {f"{AREA}.dpi": DPI}),
        ("bleed negative", with_area(bleed_mm=-1), {f"{AREA}.bleed_mm": MARGIN}),
        ("bleed over 50", with_area(bleed_mm=50.5), {f"{AREA}.bleed_mm": MARGIN}),
        ("safe margin over 50", with_area(safe_margin_mm=51), {f"{AREA}.safe_margin_mm": MARGIN}),
        (
            "safe margin half the short side",
            with_area(width_mm=20, height_mm=10, safe_margin_mm=5),
            {f"{AREA}.safe_margin_mm": "Must be less than half the shorter side (5.00 mm)."},
        ),
        ("key with capitals", with_area(key="Front"), {f"{AREA}.key": KEY}),
        ("key with a space", with_area(key="front print"), {f"{AREA}.key": KEY}),
        ("key too long", with_area(key="a" * 65), {f"{AREA}.key": KEY}),
        ("key empty", with_area(key=""), {f"{AREA}.key": KEY}),
        (
            "keys repeated",
            _two_fronts(),
            {"print_areas[1].key": "Another print area already uses this key."},
        ),
        ("area name empty", with_area(name="  "), {f"{AREA}.name": "Required."}),
        (
            "placement with a zero width",
            with_area(mockup_placement={"x": 0, "y": 0, "width": 0, "height": 10}),
            {f"{AREA}.mockup_placement.width": "Must be a number from 0 to 20000 pixels."},
        ),
        (
            "area id not an id",
            with_area(id="7"),
            {f"{AREA}.id": "Must be an id from this template, or null."},
        ),
        ("template name empty", payload(name=""), {"name": "Required."}),
        ("active not a boolean", payload(is_active="yes"), {"is_active": "Must be true or false."}),
        (
            "no layers",
            payload(max_layers=0),
            {"max_layers": "Must be a whole number from 1 to 100."},
        ),
        (
            "min image dpi 10",
            payload(min_image_dpi=10),
            {"min_image_dpi": "Must be a whole number from 50 to 1200."},
        ),
        (
            "unknown font",
            payload(fonts=["Inter", "Comic Sans MS"]),
            {"fonts[1]": "Not one of Luneo's fonts or yours."},
        ),
        (
            "colour by name",
            payload(colors=["#000000", "red"]),
            {"colors[1]": "Use a hex colour like #1f2937."},
        ),
        (
            "negative price",
            payload(price_rules=[{"area": "front", "amount": "-1"}]),
            {"price_rules[0].amount": "Must be an amount from 0 to 100000."},
        ),
        (
            "price in tenths of a cent",
            payload(price_rules=[{"area": "front", "amount": "1.005"}]),
            {"price_rules[0].amount": "Use at most 2 decimal places."},
        ),
        (
            "price for an area that does not exist",
            payload(price_rules=[{"area": "back", "amount": "1"}]),
            {"price_rules[0].area": "No print area has this key."},
        ),
        (
            "price for an area and an option at once",
            payload(price_rules=[{"area": "front", "option": "Gift", "amount": "1"}]),
            {"price_rules[0]": "Give either a print area or an option."},
        ),
    ],
)
def test_each_invalid_value_is_a_400_naming_its_field(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    product: Product,
    _case: str,
    body: dict[str, Any],
    fields: dict[str, str],
) -> None:
    template = make_template(session, product)
    session.commit()
    before = [(a.id, a.key, a.width_mm) for a in template.print_areas]

    response = cookie_client.put(url(product), json=body, headers=csrf)

    assert response.status_code == 400
    assert response.json == {
        "error": {
            "code": "invalid",
            "message": "Some values need fixing: see the highlighted fields.",
            "fields": fields,
        }
    }
    after = template_of(session, product)
    assert after is not None
    assert [(a.id, a.key, a.width_mm) for a in after.print_areas] == before
    assert after.name == "Canvas Tote Bag template"


def test_every_bad_field_is_reported_at_once(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    make_template(session, product)
    session.commit()
    body = with_area(width_mm=-5, dpi=20, key="BAD")
    body["name"] = ""

    response = cookie_client.put(url(product), json=body, headers=csrf)

    assert response.status_code == 400
    assert set(response.json["error"]["fields"]) == {
        "name",
        "print_areas[0].width_mm",
        "print_areas[0].dpi",
        "print_areas[0].key",
    }


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null"])
def test_a_body_that_is_not_a_json_object_is_a_400(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product, body: str
) -> None:
    make_template(session, product)
    session.commit()

    response = cookie_client.put(
        url(product), data=body, headers={**csrf, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json["error"] == {
        "code": "invalid",
        "message": "Send the template as a JSON object.",
        "fields": {},
    }


# ---------------------------------------------------------------- other shops


@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
def test_another_shops_product_is_404(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    other_product: Product,
    method: str,
) -> None:
    make_template(session, other_product, name="Theirs")
    session.commit()

    response = cookie_client.open(url(other_product), method=method, json=payload(), headers=csrf)

    assert response.status_code == 404
    assert "Theirs" not in response.text
    theirs = template_of(session, other_product)
    assert theirs is not None
    assert theirs.name == "Theirs"
    assert [a.key for a in theirs.print_areas] == ["front"]
    assert count(session, Template) == 1


def test_a_product_without_template_has_nothing_to_get_or_save(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    assert cookie_client.get(url(product)).status_code == 404
    assert cookie_client.put(url(product), json=payload(), headers=csrf).status_code == 404
    assert count(session, Template) == 0


def test_another_shops_area_id_cannot_be_taken_over(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    product: Product,
    other_product: Product,
) -> None:
    make_template(session, product)
    theirs = make_template(session, other_product)
    session.commit()
    their_area = theirs.print_areas[0]

    response = cookie_client.put(url(product), json=with_area(id=their_area.id), headers=csrf)

    assert response.status_code == 400
    assert response.json["error"]["fields"] == {
        "print_areas[0].id": "Not a print area of this template."
    }
    session.expire_all()
    assert session.get(PrintArea, their_area.id).template_id == theirs.id  # type: ignore[union-attr]


def test_another_shops_mockup_cannot_be_used(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    product: Product,
    other_shop: Shop,
) -> None:
    make_template(session, product)
    their_file = StoredFile(
        shop_id=other_shop.id,
        key=f"shops/{other_shop.id}/mockup/2025/01/theirs.png",
        kind=FileKind.MOCKUP,
        content_type="image/png",
        size=10,
        sha256="0" * 64,
    )
    session.add(their_file)
    session.commit()

    response = cookie_client.put(
        url(product), json=with_area(mockup_file_id=their_file.id), headers=csrf
    )

    assert response.status_code == 400
    assert response.json["error"]["fields"] == {
        "print_areas[0].mockup_file_id": "This mockup is not one of your uploads: upload it again."
    }


# ---------------------------------------------------------------- who may call


def test_embedded_requests_authenticate_with_the_session_token_alone(
    client: FlaskClient, session: Session, bearer: Headers, product: Product
) -> None:
    created = client.post(url(product), headers=bearer())
    saved = client.put(url(product), json=payload(), headers=bearer())
    shown = client.get(url(product), headers=bearer())

    assert (created.status_code, saved.status_code, shown.status_code) == (201, 200, 200)
    assert shown.json["template"]["name"] == "Tote front print"
    assert "Set-Cookie" not in saved.headers


def test_a_session_token_for_another_shop_cannot_reach_this_product(
    client: FlaskClient, session: Session, other_shop: Shop, product: Product
) -> None:
    headers = {"Authorization": f"Bearer {session_token(other_shop.domain)}"}

    response = client.post(url(product), headers=headers)

    assert response.status_code == 404
    assert count(session, Template) == 0


def test_an_expired_session_token_gets_a_retryable_401(
    client: FlaskClient, session: Session, shop: Shop, product: Product
) -> None:
    token = session_token(shop.domain, exp=int(time.time()) - 60)

    response = client.post(url(product), headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"
    assert count(session, Template) == 0


@pytest.mark.parametrize(
    ("_case", "headers"),
    [("no CSRF header", {}), ("wrong CSRF token", {"X-CSRF-Token": "guessed"})],
)
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_cookie_session_writes_need_the_csrf_token(
    cookie_client: FlaskClient,
    session: Session,
    product: Product,
    _case: str,
    headers: dict[str, str],
    method: str,
) -> None:
    if method == "PUT":
        make_template(session, product)
        session.commit()
    cookie_client.get("/admin/products")  # the page that hands out the token

    response = cookie_client.open(url(product), method=method, json=payload(), headers=headers)

    assert response.status_code == 403
    assert response.json["error"]["code"] == "csrf_failed"
    template = template_of(session, product)
    assert (template.name if template else None) == (
        "Canvas Tote Bag template" if method == "PUT" else None
    )


def test_cookie_session_reads_need_no_csrf_token(
    cookie_client: FlaskClient, session: Session, product: Product
) -> None:
    make_template(session, product)
    session.commit()

    assert cookie_client.get(url(product)).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/admin/products/1/template"),
        ("POST", "/api/admin/products/1/template"),
        ("PUT", "/api/admin/products/1/template"),
        ("POST", "/api/admin/mockups"),
        ("GET", "/api/admin/sync"),
    ],
)
def test_the_editor_api_needs_a_signed_in_shop(
    client: FlaskClient, session: Session, product: Product, method: str, path: str
) -> None:
    response = client.open(path, method=method, json={})

    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert count(session, Template) == 0


def test_a_built_in_3d_model_is_chosen_or_refused(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    cookie_client.post(url(product), headers=csrf)

    chosen = cookie_client.put(url(product), json=payload(model_3d="mug"), headers=csrf)
    refused = cookie_client.put(url(product), json=payload(model_3d="teapot"), headers=csrf)
    cleared = cookie_client.put(url(product), json=payload(model_3d=None), headers=csrf)

    assert chosen.status_code == 200
    assert chosen.json["template"]["model_3d"] == "mug"
    assert refused.status_code == 400
    assert refused.json["error"]["fields"] == {
        "model_3d": "Choose one of the offered 3D models, or none."
    }
    assert cleared.status_code == 200
    template = template_of(session, product)
    assert template is not None
    assert template.model_3d is None


# ---------------------------------------------------------------- clipart sets


def test_clipart_sets_are_saved_and_expanded_for_the_picker(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    created = cookie_client.post(url(product), headers=csrf)
    assert created.json["template"]["clipart_sets"] == ["love", "celebrations", "nature"]

    response = cookie_client.put(
        url(product), json=payload(clipart_sets=["animals", "love", "animals"]), headers=csrf
    )

    assert response.status_code == 200, response.json
    template = template_of(session, product)
    assert template is not None
    assert template.clipart_sets == ["animals", "love"]
    clipart = response.json["template"]["clipart"]
    assert [s["set"] for s in clipart] == ["love", "animals"]  # the library's curated order
    heart = next(i for i in clipart[0]["items"] if i["name"] == "heart")
    assert heart == {
        "src": "clipart:love/heart",
        "name": "heart",
        "label": "Heart",
        "url": "/clipart/love/heart.svg",
    }


def test_saving_without_clipart_sets_keeps_them(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    cookie_client.post(url(product), headers=csrf)
    cookie_client.put(url(product), json=payload(clipart_sets=["sports"]), headers=csrf)

    response = cookie_client.put(url(product), json=payload(), headers=csrf)

    assert response.status_code == 200
    assert response.json["template"]["clipart_sets"] == ["sports"]


def test_an_unknown_clipart_set_is_refused_with_its_path(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    cookie_client.post(url(product), headers=csrf)

    response = cookie_client.put(
        url(product), json=payload(clipart_sets=["love", "weapons"]), headers=csrf
    )

    assert response.status_code == 400
    assert "clipart_sets[1]" in str(response.json)
