"""The admin refuses a template too large to print (app/design/limits.py), on save and on
import, at the area's dpi field with the limit in the message; nothing is stored."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Product, ShopScope, Template
from app.product_templates.portable import schema_problems
from tests.factories import make_template

from .test_template_api import payload, url, with_area

TOO_MANY_PIXELS = (
    "Too large to print: 1,506 × 1,506 mm with bleed at 1200 dpi is 71,150 × 71,150 px "
    "(5,062 megapixels); the most Luneo renders is 100 megapixels per area. "
    "Lower the dpi or the size."
)


def areas(session: Session, product: Product) -> list[tuple[str, int]]:
    session.expire_all()
    template = ShopScope(session, product.shop_id).get_by(Template, product_id=product.id)
    assert template is not None
    return [(str(a.width_mm), a.dpi) for a in template.print_areas]


def test_saving_an_area_with_too_many_pixels_is_a_400_at_its_dpi(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    make_template(session, product)
    session.commit()
    before = areas(session, product)
    body = with_area(width_mm=1500, height_mm=1500, dpi=1200, bleed_mm=3)

    response = cookie_client.put(url(product), json=body, headers=csrf)

    assert response.status_code == 400
    assert response.json["error"]["fields"] == {"print_areas[0].dpi": TOO_MANY_PIXELS}
    assert areas(session, product) == before


def test_the_same_size_at_a_print_dpi_is_saved(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    make_template(session, product)
    session.commit()

    body = with_area(width_mm=1500, height_mm=1500, dpi=150, bleed_mm=3)
    response = cookie_client.put(url(product), json=body, headers=csrf)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert areas(session, product) == [("1500.00", 150)]


def test_importing_a_template_too_large_to_print_is_refused(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    make_template(session, product)
    session.commit()
    assert cookie_client.put(url(product), json=payload(), headers=csrf).status_code == 200
    document: dict[str, Any] = copy.deepcopy(cookie_client.get(f"{url(product)}/export").json)
    document["print_areas"][0].update(width_mm=1500, height_mm=1500, dpi=1200, bleed_mm=3)
    before = areas(session, product)

    response = cookie_client.post(f"{url(product)}/import", json=document, headers=csrf)

    assert response.status_code == 400
    assert response.json["error"]["fields"] == {"print_areas[0].dpi": TOO_MANY_PIXELS}
    assert areas(session, product) == before


@pytest.mark.parametrize("width", [5000.01, 6000, "6000", "5001"])
def test_the_template_schema_caps_an_areas_side_at_5000_mm(width: float | str) -> None:
    area = {"key": "front", "width_mm": width, "height_mm": 100}
    document = {"version": 1, "name": "Banner", "print_areas": [area]}

    assert "print_areas[0].width_mm" in schema_problems(document)
    assert schema_problems({**document, "print_areas": [{**area, "width_mm": 5000}]}) == {}
