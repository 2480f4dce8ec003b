"""Issue #20: a template's cut line and engraving settings, saved by the editor's API (bad values
refused field by field), shown by it, and carried by export and import."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Product, Shop, ShopScope, Template
from tests.factories import make_product

from .test_template_api import payload, url

CUT = {"source": "artwork", "offset_mm": 2.5}
ENGRAVE = {"method": "dither", "threshold": 100, "invert": True, "outline_text": False}


def _template(session: Session, product: Product) -> Template:
    session.expire_all()
    found = ShopScope(session, product.shop_id).get_by(Template, product_id=product.id)
    assert found is not None
    return found


@pytest.fixture
def saved(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> Template:
    cookie_client.post(url(product), headers=csrf)
    response = cookie_client.put(
        url(product), json=payload(cut_line=CUT, engraving=ENGRAVE), headers=csrf
    )
    assert response.status_code == 200, response.json
    return _template(session, product)


def test_the_settings_are_saved_in_the_template_and_shown(
    cookie_client: FlaskClient, saved: Template, product: Product
) -> None:
    assert saved.extra["cut_line"] == CUT
    assert saved.extra["engraving"] == ENGRAVE
    shown = cookie_client.get(url(product)).json["template"]
    assert (shown["cut_line"], shown["engraving"]) == (CUT, ENGRAVE)


def test_not_sending_keeps_them_and_null_removes_them(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    saved: Template,
    product: Product,
) -> None:
    assert cookie_client.put(url(product), json=payload(), headers=csrf).status_code == 200
    assert _template(session, product).extra["cut_line"] == CUT

    response = cookie_client.put(url(product), json=payload(cut_line=None), headers=csrf)

    assert response.status_code == 200
    extra = _template(session, product).extra
    assert "cut_line" not in extra
    assert extra["engraving"] == ENGRAVE


@pytest.mark.parametrize(
    ("sent", "problems"),
    [
        (
            {"cut_line": {"source": "artwork", "offset_mm": -1}},
            {"cut_line.offset_mm": "Must be a number from 0 to 20 mm."},
        ),
        (
            {"cut_line": {"offset_mm": "wide", "shape": "star"}},
            {
                "cut_line.offset_mm": "Must be a number from 0 to 20 mm.",
                "cut_line.shape": "Choose rect, rounded or ellipse.",
            },
        ),
        (
            {"engraving": {"threshold": 256, "invert": "yes"}},
            {
                "engraving.threshold": "Must be a whole number from 0 to 255.",
                "engraving.invert": "Must be true or false.",
            },
        ),
        (
            {"cut_line": [2]},
            {"cut_line": "Must be an object with source and offset_mm, or null for no cut line."},
        ),
    ],
)
def test_bad_settings_are_a_400_naming_each_field(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    saved: Template,
    product: Product,
    sent: dict[str, Any],
    problems: dict[str, str],
) -> None:
    response = cookie_client.put(url(product), json=payload(**sent), headers=csrf)

    assert response.status_code == 400
    assert response.json["error"]["fields"] == problems
    assert _template(session, product).extra["cut_line"] == CUT  # nothing changed


def test_export_and_import_carry_the_settings(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    saved: Template,
    product: Product,
    shop: Shop,
) -> None:
    target = make_product(session, shop, title="Sticker")
    session.commit()
    document = cookie_client.get(f"{url(product)}/export").json
    assert (document["cut_line"], document["engraving"]) == (CUT, ENGRAVE)

    response = cookie_client.post(f"{url(target)}/import", json=document, headers=csrf)

    assert response.status_code == 201, response.get_data(as_text=True)
    imported = _template(session, target)
    assert (imported.extra["cut_line"], imported.extra["engraving"]) == (CUT, ENGRAVE)


def test_an_import_with_a_bad_cut_line_is_refused_by_the_schema(
    cookie_client: FlaskClient, csrf: dict[str, str], saved: Template, product: Product
) -> None:
    document = cookie_client.get(f"{url(product)}/export").json
    document["cut_line"] = {"source": "artwork", "offset_mm": 50}

    response = cookie_client.post(f"{url(product)}/import", json=document, headers=csrf)

    assert response.status_code == 400
    assert "cut_line.offset_mm" in response.json["error"]["fields"]


SCORES = [
    {"x1_mm": 125, "y1_mm": -3, "x2_mm": 125, "y2_mm": 303},
    {"x1_mm": 0, "y1_mm": 100.5, "x2_mm": 250.5, "y2_mm": 100.5},
]


def test_score_lines_are_saved_shown_and_removed_by_an_empty_list(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    saved: Template,
    product: Product,
) -> None:
    response = cookie_client.put(url(product), json=payload(score_lines=SCORES), headers=csrf)

    assert response.status_code == 200, response.json
    assert _template(session, product).extra["score_lines"] == SCORES
    assert cookie_client.get(url(product)).json["template"]["score_lines"] == SCORES
    assert cookie_client.put(url(product), json=payload(), headers=csrf).status_code == 200
    assert _template(session, product).extra["score_lines"] == SCORES  # not sent: kept
    assert (
        cookie_client.put(url(product), json=payload(score_lines=[]), headers=csrf).status_code
        == 200
    )
    assert "score_lines" not in _template(session, product).extra


def test_bad_score_lines_are_a_400_naming_each_field(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    saved: Template,
    product: Product,
) -> None:
    bad = [SCORES[0], {**SCORES[1], "x2_mm": 260, "y1_mm": "top"}]  # the bleed ends at 253.5

    response = cookie_client.put(url(product), json=payload(score_lines=bad), headers=csrf)

    assert response.status_code == 400
    assert response.json["error"]["fields"] == {
        "score_lines[1].y1_mm": "Must be a number of millimetres.",
        "score_lines[1].x2_mm": "Must lie inside the bleed box of area front: -3 to 253.5 mm.",
    }
    assert "score_lines" not in _template(session, product).extra  # nothing changed


def test_export_and_import_carry_the_score_lines(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    saved: Template,
    product: Product,
    shop: Shop,
) -> None:
    cookie_client.put(url(product), json=payload(score_lines=SCORES), headers=csrf)
    target = make_product(session, shop, title="Card")
    session.commit()
    document = cookie_client.get(f"{url(product)}/export").json
    assert document["score_lines"] == SCORES

    response = cookie_client.post(f"{url(target)}/import", json=document, headers=csrf)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert _template(session, target).extra["score_lines"] == SCORES
    document["score_lines"] = [{"x1_mm": 1}]
    refused = cookie_client.post(f"{url(target)}/import", json=document, headers=csrf)
    assert refused.status_code == 400
    assert any(k.startswith("score_lines") for k in refused.json["error"]["fields"])
