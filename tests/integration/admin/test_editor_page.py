"""The template editor page and the products page's way into it."""

from __future__ import annotations

import json
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Product, Shop
from tests.factories import make_product, make_template
from tests.support.shopify import session_token


def embedded_json(page: str, element_id: str) -> Any:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page)
    assert match is not None, f"no #{element_id} on the page"
    return json.loads(match.group(1))


def test_products_offer_make_customizable_or_edit_template(
    cookie_client: FlaskClient, session: Session, product: Product, shop: Shop
) -> None:
    templated = make_product(session, shop, title="Mug with template")
    make_template(session, templated)
    session.commit()

    page = cookie_client.get("/admin/products")

    make = re.findall(r'href="([^"]+)"\s+data-make-customizable="([^"]+)"', page.text)
    assert make == [
        (f"/admin/products/{product.id}/template", f"/api/admin/products/{product.id}/template")
    ]
    edit = re.findall(r'href="([^"]+)" data-edit-template', page.text)
    assert edit == [f"/admin/products/{templated.id}/template"]


def test_the_editor_page_carries_the_template_and_the_fixed_choices(
    cookie_client: FlaskClient, session: Session, product: Product
) -> None:
    template = make_template(session, product, fonts=["Inter"], colors=["#112233"])
    session.commit()

    page = cookie_client.get(f"/admin/products/{product.id}/template")

    assert page.status_code == 200
    data = embedded_json(page.text, "template-data")
    assert data["id"] == template.id
    assert data["product"] == {"id": product.id, "title": "Canvas Tote Bag", "image_url": None}
    assert (data["fonts"], data["colors"], data["currency"]) == (["Inter"], ["#112233"], "EUR")
    assert data["print_areas"][0] | {"id": 0} == {
        "id": 0,
        "key": "front",
        "name": "Front",
        "position": 0,
        "width_mm": 200.0,
        "height_mm": 90.0,
        "dpi": 300,
        "bleed_mm": 3.0,
        "safe_margin_mm": 5.0,
        "mockup_file_id": None,
        "mockup_url": None,
        "mockup_placement": {},
        "views": [],
        "uv_region": {},
        "pixel_size": [2433, 1134],
    }
    options = embedded_json(page.text, "editor-options")
    assert [f["family"] for f in options["fonts"]][:3] == ["Inter", "Roboto", "Open Sans"]
    assert options["limits"]["max_size_mm"] == 2000.0
    assert f'data-save-url="/api/admin/products/{product.id}/template"' in page.text
    assert '<script src="/static/admin/template-editor.js" defer></script>' in page.text


def test_a_product_without_template_is_offered_to_be_made_customizable(
    cookie_client: FlaskClient, product: Product
) -> None:
    page = cookie_client.get(f"/admin/products/{product.id}/template")

    assert page.status_code == 200
    assert "Not customizable yet" in page.text
    assert f'data-make-customizable="/api/admin/products/{product.id}/template"' in page.text
    assert "template-data" not in page.text


def test_another_shops_product_has_no_editor_here(
    cookie_client: FlaskClient, session: Session, other_product: Product
) -> None:
    make_template(session, other_product, name="Their template")
    session.commit()

    page = cookie_client.get(f"/admin/products/{other_product.id}/template")

    assert page.status_code == 404
    assert "Their template" not in page.text
    assert "Their Mug" not in page.text


def test_the_editor_opens_inside_shopify_with_a_session_token(
    client: FlaskClient, session: Session, shop: Shop, product: Product
) -> None:
    make_template(session, product)
    session.commit()
    query = {
        "shop": shop.domain,
        "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZWRpdG9y",
        "embedded": "1",
        "id_token": session_token(shop.domain),
    }

    page = client.get(f"/admin/products/{product.id}/template", query_string=query)

    assert page.status_code == 200
    assert '<meta name="luneo-auth" content="token">' in page.text
    assert "luneo-csrf" not in page.text
    assert embedded_json(page.text, "template-data")["product"]["id"] == product.id
    assert page.headers["Content-Security-Policy"] == (
        f"frame-ancestors https://{shop.domain} https://admin.shopify.com"
    )
