"""Template fields through the storefront: the server regenerates field layers, refuses what
the template does not allow, prices the design itself and signs the price for Shopify's cart."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    Design,
    EditorMode,
    FileKind,
    LowDpiPolicy,
    Product,
    Shop,
    Template,
    Variant,
)
from app.shopify.surcharge_token import shop_key, verify
from app.storage import Storage
from tests.factories import make_product, make_shop

from .conftest import Caller, png, put_file, small_template, woo_caller

BOX = {"x_mm": 2, "y_mm": 4, "width_mm": 36, "height_mm": 10, "rotation_deg": 0}
NAME = {
    "id": "name",
    "kind": "text",
    "label": "Name",
    "area": "front",
    "box": BOX,
    "size_mm": 8,
    "font": "Inter",
    "color": "#000000",
    "max_chars": 12,
    "required": True,
    "price": {"amount": "2.00", "per_character": "0.10"},
}
STYLE = {
    "id": "style",
    "kind": "choice",
    "label": "Finish",
    "default": "plain",
    "options": [
        {"value": "plain", "label": "Plain"},
        {
            "value": "gold",
            "label": "Gold",
            "price": "3.00",
            "color": {"fields": ["name"], "value": "#d4af37"},
        },
    ],
}
PHOTO = {
    "id": "photo",
    "kind": "photo",
    "label": "Photo",
    "area": "back",
    "box": {"x_mm": 10, "y_mm": 2, "width_mm": 16, "height_mm": 16},
    "shape": "ellipse",
    "min_dpi": 150,
    "visible_when": {"field": "style", "in": ["gold"]},
    "price": {"amount": "4.00"},
}


@pytest.fixture
def fielded(session: Session, storage: Storage, shopify_shop: Shop) -> Template:
    made = small_template(
        session,
        storage,
        shopify_shop,
        "gid://shopify/Product/77",
        fields=[STYLE, NAME, PHOTO],
        editor_mode=EditorMode.FORM,
        surcharge=Decimal("1.50"),
    )
    made.max_layers = 5
    session.commit()
    return made


def _save(caller: Caller, template: Template, doc: Any, **extra: Any) -> Any:
    return caller.post("/designs", json={"template_id": template.id, "document": doc, **extra})


def _doc(**values: Any) -> dict[str, Any]:
    return {"version": 1, "fields": values}


def _saved(session: Session, public_id: str) -> Design:
    return session.scalars(select(Design).where(Design.public_id == public_id)).one()


def test_a_form_design_is_drawn_priced_and_signed(
    proxy: Caller, fielded: Template, session: Session, app: Flask, shopify_shop: Shop
) -> None:
    response = _save(proxy, fielded, _doc(name="Anna", style="plain"))

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    assert body["price"] == {
        "currency": "EUR",
        "total": "3.90",
        "lines": [
            {"label": "Personalization", "amount": "1.50", "kind": "template"},
            {"label": "Name", "amount": "2.00", "kind": "field"},
            {"label": "Name (4 characters)", "amount": "0.40", "kind": "characters"},
        ],
    }
    assert body["properties"] == {"Finish": "Plain", "Name": "Anna"}
    attributes = body["cart_attributes"]
    assert attributes["_luneo_design"] == body["design_id"]
    assert attributes["_luneo_preview"] == body["preview_url"]
    key = shop_key(app.config["SECRET_KEY"], shopify_shop.domain)
    signed = verify(key, body["design_id"], attributes["_luneo_price"])
    assert signed is not None
    assert (signed.amount, signed.currency) == (Decimal("3.90"), "EUR")
    saved = _saved(session, body["design_id"])
    (layer,) = saved.document["areas"]["front"]["layers"]
    assert (layer["field"], layer["text"], layer["box"]) == ("name", "Anna", BOX)


def test_a_tampered_price_in_the_request_is_ignored(proxy: Caller, fielded: Template) -> None:
    doc = {**_doc(name="Anna"), "meta": {"price": "0.00"}}

    response = _save(proxy, fielded, doc, price={"total": "0.00"}, amount="0.01")

    assert response.status_code == 201
    assert response.json["price"]["total"] == "3.90"


def test_a_text_layer_sent_moved_and_restyled_is_put_back(
    proxy: Caller, fielded: Template, session: Session
) -> None:
    moved = {
        "type": "text",
        "field": "name",
        "text": "Something else",
        "font": "Pacifico",
        "size_mm": 30,
        "x_mm": 0,
        "y_mm": 0,
        "color": "#000000",
        "box": {"x_mm": 0, "y_mm": 0, "width_mm": 40, "height_mm": 20},
    }
    doc = {**_doc(name="Anna"), "areas": {"front": {"layers": [moved]}}}

    response = _save(proxy, fielded, doc)

    # Pacifico is not offered for this field: refused, named at the field.
    assert response.status_code == 422
    assert response.json["error"]["errors"] == [
        {"path": "fields.name.font", "message": "choose one of the fonts offered for this field"}
    ]
    moved["font"] = "Inter"
    response = _save(proxy, fielded, doc)
    assert response.status_code == 201, response.get_data(as_text=True)
    (layer,) = _saved(session, response.json["design_id"]).document["areas"]["front"]["layers"]
    assert (layer["text"], layer["box"], layer["size_mm"] <= 8) == ("Anna", BOX, True)
    assert (layer["x_mm"], layer["font"]) == (20, "Inter")


@pytest.mark.parametrize(
    ("values", "path", "message"),
    [
        ({"name": "x" * 13}, "fields.name", "at most 12 characters"),
        (
            {"name": "Al", "style": "platinum"},
            "fields.style",
            "choose one of the options offered here",
        ),
        ({}, "fields.name", "is required"),
        ({"name": ["a"]}, "fields.name", "must be text"),
    ],
)
def test_values_the_template_does_not_allow_are_refused(
    proxy: Caller, fielded: Template, values: dict[str, Any], path: str, message: str
) -> None:
    response = _save(proxy, fielded, _doc(**values))

    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_design"
    assert {"path": path, "message": message} in response.json["error"]["errors"]


def test_a_hidden_fields_value_is_ignored_and_not_charged(
    proxy: Caller, fielded: Template, session: Session
) -> None:
    # The photo shows only for the gold finish; sent with "plain", it is dropped, not charged.
    doc = _doc(name="Al", style="plain", photo={"src": "shops/999/uploads/not-mine.png"})

    response = _save(proxy, fielded, doc)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert [line["kind"] for line in response.json["price"]["lines"]] == [
        "template",
        "field",
        "characters",
    ]
    saved = _saved(session, response.json["design_id"]).document
    assert "photo" not in saved["fields"]
    assert "back" not in saved["areas"]


def test_a_free_layer_is_dropped_in_form_mode(
    proxy: Caller, fielded: Template, session: Session
) -> None:
    free = {"type": "text", "text": "free", "font": "Inter", "size_mm": 5, "x_mm": 1, "y_mm": 1}
    doc = {**_doc(name="Al"), "areas": {"front": {"layers": [free]}}}

    response = _save(proxy, fielded, doc)

    layers = _saved(session, response.json["design_id"]).document["areas"]["front"]["layers"]
    assert [la.get("field") for la in layers] == ["name"]


def test_a_photo_too_small_for_its_frame_is_refused_when_the_merchant_refuses_them(
    proxy: Caller, fielded: Template, session: Session, storage: Storage, shopify_shop: Shop
) -> None:
    fielded.low_dpi_policy = LowDpiPolicy.REFUSE
    stored = put_file(session, storage, shopify_shop, png((60, 60)), FileKind.UPLOAD)
    session.commit()
    doc = _doc(name="Al", style="gold", photo={"src": stored.key})
    before = session.scalar(select(func.count()).select_from(Design))

    response = _save(proxy, fielded, doc)

    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == "photo_resolution_too_low"
    (problem,) = error["errors"]
    assert problem["path"] == "fields.photo"
    assert re.search(r"\b\d+ dpi, needs \d+", problem["message"])  # the photo's dpi, the minimum
    assert session.scalar(select(func.count()).select_from(Design)) == before  # nothing saved


def test_a_photo_too_small_for_its_frame_is_a_warning_when_the_merchant_warns(
    proxy: Caller, fielded: Template, session: Session, storage: Storage, shopify_shop: Shop
) -> None:
    stored = put_file(session, storage, shopify_shop, png((60, 60)), FileKind.UPLOAD)
    session.commit()
    doc = _doc(name="Al", style="gold", photo={"src": stored.key})

    response = _save(proxy, fielded, doc)

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    assert body["ready"] is True  # warn: the shopper is told, and may order it
    (finding,) = [f for f in body["findings"] if f["path"] == "fields.photo"]
    assert finding["severity"] == "warning"
    assert finding["code"] == "image_dpi_too_low"
    assert finding["message"].startswith("This photo will print blurry in the frame")
    assert "You can still order it" in finding["message"]
    assert body["price"]["total"] == "10.70"  # 1.50 + 3.00 gold + 2.00 + 0.20 + 4.00 photo
    assert body["properties"]["Photo"] == "Photo added"
    (photo,) = _saved(session, body["design_id"]).document["areas"]["back"]["layers"]
    assert photo["clip"] == {"shape": "ellipse"}


def test_clipart_is_not_a_photo(proxy: Caller, fielded: Template) -> None:
    doc = _doc(name="Al", style="gold", photo={"src": "clipart:love/heart"})

    response = _save(proxy, fielded, doc)

    assert response.status_code == 422
    assert response.json["error"]["errors"] == [
        {"path": "areas.back.layers[0].src", "message": "clipart goes in a clipart layer"}
    ]


def test_another_shops_photo_in_a_field_is_refused(
    proxy: Caller, fielded: Template, session: Session, storage: Storage
) -> None:
    other = make_shop(session)
    stored = put_file(session, storage, other, png((600, 600)), FileKind.UPLOAD)
    session.commit()

    response = _save(proxy, fielded, _doc(name="Al", style="gold", photo={"src": stored.key}))

    assert response.status_code == 422
    assert response.json["error"]["errors"][0]["path"] == "areas.back.layers[0].src"


def test_the_quote_answers_price_and_problems_without_saving(
    proxy: Caller, fielded: Template, session: Session
) -> None:
    before = session.scalar(select(Design.id).limit(1))

    response = proxy.post(
        "/designs/quote",
        json={"product_id": fielded.product_id, "document": _doc(name="x" * 20, style="gold")},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert body["price"]["total"] == "7.70"  # 1.50 + 3.00 + 2.00 + 12 characters cut: 1.20
    assert body["problems"] == [{"path": "fields.name", "message": "at most 12 characters"}]
    assert session.scalar(select(Design.id).limit(1)) == before


def test_the_quote_refuses_garbage_with_a_4xx(proxy: Caller, fielded: Template) -> None:
    for body in ({"template_id": fielded.id, "document": "nope"}, {"product_id": "x"}, [1]):
        response = proxy.post("/designs/quote", json=body)
        assert 400 <= response.status_code < 500, body


def test_another_shops_product_is_not_quoted(
    client: FlaskClient, fielded: Template, session: Session
) -> None:
    from .conftest import proxy_caller

    other = make_shop(session, domain="other-shop.myshopify.com")
    session.commit()

    response = proxy_caller(client, other).post(
        "/designs/quote", json={"product_id": fielded.product_id, "document": _doc(name="A")}
    )

    assert response.status_code == 404


def test_reading_a_design_answers_its_price_and_properties(
    proxy: Caller, fielded: Template
) -> None:
    saved = _save(proxy, fielded, _doc(name="Anna", style="gold")).json

    response = proxy.get(f"/designs/{saved['design_id']}")

    assert response.status_code == 200
    assert response.json["price"] == saved["price"]
    assert response.json["properties"] == {"Finish": "Gold", "Name": "Anna"}


def test_the_properties_come_back_in_the_templates_field_order(
    proxy: Caller,
    client: FlaskClient,
    session: Session,
    storage: Storage,
    shopify_shop: Shop,
    woo_shop: Shop,
) -> None:
    """Not alphabetically: the cart line (Shopify's properties from the save answer, the Woo
    plugin's item data from GET /designs/<id>) lists them as the form asks them."""
    fields = [copy.deepcopy(NAME), copy.deepcopy({**STYLE, "label": "A finish"})]
    shopify = small_template(
        session, storage, shopify_shop, "gid://shopify/Product/81", fields=fields
    )
    woo = small_template(session, storage, woo_shop, "502", fields=copy.deepcopy(fields))
    session.commit()
    woo_proxy = woo_caller(client)

    saved = _save(proxy, shopify, _doc(name="Anna", style="gold"))
    woo_saved = _save(woo_proxy, woo, _doc(name="Anna", style="gold"))
    read = woo_proxy.get(f"/designs/{woo_saved.json['design_id']}")

    for answer in (saved, woo_saved, read):
        assert list(answer.json["properties"].items()) == [("Name", "Anna"), ("A finish", "Gold")]
        raw = answer.get_data(as_text=True)
        assert raw.index('"Name"') < raw.index('"A finish"')


def test_the_template_document_carries_fields_mode_and_surcharge(
    proxy: Caller, fielded: Template
) -> None:
    response = proxy.get("/products/77/template")

    assert response.status_code == 200
    body = response.json
    assert (body["editor_mode"], body["surcharge"], body["currency"]) == ("form", "1.50", "EUR")
    assert [f["id"] for f in body["fields"]] == ["style", "name", "photo"]
    assert body["field_clipart"] == {}  # no field here draws clipart


def test_the_template_document_carries_the_products_variants(
    proxy: Caller, fielded: Template, session: Session, shopify_shop: Shop
) -> None:
    """A choice option names a variant by Luneo's id; the widget needs the platform's id to
    select it on the product page and put it in the cart."""
    product = session.get(Product, fielded.product_id)
    assert product is not None
    product.variants.append(
        Variant(
            shop_id=shopify_shop.id,
            external_id="gid://shopify/ProductVariant/778",
            title="",
            sku="MUG-XL",
            position=1,
        )
    )
    other = make_product(session, shopify_shop)  # another product's variants are not listed
    session.commit()

    body = proxy.get("/products/77/template").json

    first, second = product.variants
    assert body["variants"] == [
        {"id": first.id, "external_id": first.external_id, "title": "Default", "options": {}},
        {
            "id": second.id,
            "external_id": "gid://shopify/ProductVariant/778",
            "title": "MUG-XL",
            "options": {},
        },
    ]
    assert other.variants[0].id not in {v["id"] for v in body["variants"]}


def test_the_fonts_a_text_field_draws_with_are_served(
    proxy: Caller, session: Session, storage: Storage, shopify_shop: Shop
) -> None:
    field = {**NAME, "font": "Lobster", "fonts": ["Lobster", "Caveat"]}
    small_template(session, storage, shopify_shop, "gid://shopify/Product/79", fields=[field])
    session.commit()

    files = proxy.get("/products/79/template").json["font_files"]

    assert {"Inter", "Pacifico", "Lobster", "Caveat"} == set(files)


def test_the_template_document_links_every_clipart_its_fields_draw(
    proxy: Caller, session: Session, storage: Storage, shopify_shop: Shop
) -> None:
    badge = {
        "id": "badge",
        "kind": "clipart",
        "label": "Badge",
        "area": "front",
        "box": BOX,
        "sets": ["love"],
        "default": "clipart:love/heart",
    }
    frame = {
        "id": "photo",
        "kind": "photo",
        "label": "Photo",
        "area": "front",
        "box": BOX,
        "shape": "mask",
        "mask": "clipart:nature/sun",
    }
    small_template(
        session,
        storage,
        shopify_shop,
        "gid://shopify/Product/78",
        fields=[badge, frame],
        clipart_sets=["love"],
    )
    session.commit()

    body = proxy.get("/products/78/template").json

    pieces = body["field_clipart"]
    assert "clipart:nature/sun" in pieces
    assert pieces["clipart:love/heart"]["label"] == "Heart"
    assert pieces["clipart:love/heart"]["url"].startswith("http")
    assert pieces["clipart:love/heart"]["url"].endswith("/clipart/love/heart.svg")


def test_a_woocommerce_save_has_no_cart_attributes(
    client: FlaskClient, session: Session, storage: Storage, woo_shop: Shop
) -> None:
    template = small_template(
        session, storage, woo_shop, "501", fields=[copy.deepcopy(NAME)], surcharge=Decimal("2")
    )
    session.commit()

    response = _save(woo_caller(client), template, _doc(name="Bo"))

    assert response.status_code == 201, response.get_data(as_text=True)
    assert "cart_attributes" not in response.json
    assert response.json["price"]["total"] == "4.20"
    assert response.json["price"]["currency"] == woo_shop.currency


def test_previews_draw_the_fields(proxy: Caller, fielded: Template) -> None:
    response = proxy.post(
        "/previews",
        json={"template_id": fielded.id, "area": "front", "document": _doc(name="Anna")},
    )

    assert response.status_code == 200
    assert response.mimetype == "image/png"


def test_a_free_frame_is_cut_only_by_lunos_clipart(
    proxy: Caller, template: Template, session: Session, storage: Storage, shopify_shop: Shop
) -> None:
    stored = put_file(session, storage, shopify_shop, png((60, 60)), FileKind.UPLOAD)
    session.commit()
    layer = {
        "type": "image",
        "src": stored.key,
        "x_mm": 2,
        "y_mm": 2,
        "width_mm": 10,
        "height_mm": 10,
        "clip": {"shape": "mask", "mask": f"file:{stored.id}"},
    }
    doc = {"version": 1, "areas": {"front": {"layers": [layer]}}}

    refused = _save(proxy, template, doc)
    layer["clip"] = {"shape": "mask", "mask": "clipart:love/heart"}
    accepted = _save(proxy, template, doc)

    assert refused.status_code == 422
    assert refused.json["error"]["errors"] == [
        {
            "path": "areas.front.layers[0].clip.mask",
            "message": "a frame's shape must be one of Luneo's clipart",
        }
    ]
    assert accepted.status_code == 201, accepted.get_data(as_text=True)
