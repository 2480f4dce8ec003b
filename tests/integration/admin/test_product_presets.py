"""Product presets for "Make customizable" (issue #21): each makes a valid template that renders
and passes the render core's limits; the products page offers them and creates one (CSRF)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.design import FontRegistry, RenderInputs, parse_design, preflight, render_area_pil
from app.design.cutline import cut_contours
from app.design.limits import print_size_problem
from app.models import Product, Shop, ShopScope, Template
from app.product_templates import presets
from app.product_templates import service as template_service
from app.product_templates.render_spec import template_spec_from_row
from tests.factories import make_product
from tests.unit.design.conftest import assets

from .test_template_api import url


@pytest.fixture(scope="module")
def fonts() -> FontRegistry:
    from app.design import default_registry

    return default_registry()


def _design(area_key: str) -> dict[str, object]:
    text = {"type": "text", "text": "Ada", "font": "Inter", "size_mm": 8, "x_mm": 6, "y_mm": 6}
    star = {
        "type": "shape",
        "shape": "ellipse",
        "fill": "#d00000",
        "x_mm": 10,
        "y_mm": 20,
        "width_mm": 20,
        "height_mm": 20,
    }
    return {"version": 1, "areas": {area_key: {"layers": [star, text]}}}


@pytest.mark.parametrize("preset", presets.PRESETS, ids=lambda p: p.id)
def test_each_preset_makes_a_template_that_renders_within_the_limits(
    session: Session, shop: Shop, fonts: FontRegistry, preset: presets.Preset
) -> None:
    product = make_product(session, shop, title=preset.name)
    scope = ShopScope(session, shop.id)

    template, created = template_service.make_customizable(scope, product, preset)
    session.flush()
    spec = template_spec_from_row(template)

    assert created
    assert [a.key for a in spec.areas] == [a.key for a in preset.areas]
    for area, wanted in zip(spec.areas, preset.areas, strict=True):
        assert area.width_mm == pytest.approx(float(wanted.width_mm))
        assert area.height_mm == pytest.approx(float(wanted.height_mm))
        assert print_size_problem(area) is None  # at its own dpi, bleed included
        assert area.safe_margin_mm * 2 < min(area.width_mm, area.height_mm)
    first = spec.areas[0].key
    design = parse_design(_design(first))
    inputs = RenderInputs(assets({}), fonts)
    findings = preflight(design, spec, inputs.assets, fonts)
    assert [f for f in findings if f.severity == "error"] == []
    image = render_area_pil(design, spec, first, inputs, dpi=20)  # small: the geometry, fast
    assert image.getbbox() is not None  # something was drawn
    if preset.model_3d:
        assert template.model_3d == preset.model_3d
        assert template.print_areas[0].uv_region  # placed on the model
    if preset.cut_line:
        assert spec.cut_line is not None
        assert cut_contours(design, spec, first, inputs)


def test_the_sizes_are_the_real_ones() -> None:
    sizes = {
        p.id: (float(p.areas[0].width_mm), float(p.areas[0].height_mm)) for p in presets.PRESETS
    }
    assert sizes["poster_a4"] == (210, 297)
    assert sizes["poster_a3"] == (297, 420)
    assert sizes["poster_a2"] == (420, 594)
    assert sizes["poster_18x24"] == pytest.approx((457.2, 609.6))
    assert sizes["poster_24x36"] == pytest.approx((609.6, 914.4))
    assert presets.get("mug_11oz").model_3d == "mug"  # type: ignore[union-attr]
    assert [a.key for a in presets.get("tshirt").areas] == ["front", "back"]  # type: ignore[union-attr]
    kinds = {
        p.id: (p.cut_line or {}).get("source") for p in presets.PRESETS if p.group == "Stickers"
    }
    assert kinds == {
        "sticker_round": "shape",
        "sticker_square": "shape",
        "sticker_die_cut": "artwork",
    }


def test_the_products_page_offers_presets_and_making_one_creates_its_areas(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    page = cookie_client.get("/admin/products").text
    assert "data-preset-select" in page
    assert '<option value="mug_11oz"' in page
    assert re.search(r'<optgroup label="Posters">', page)

    refused = cookie_client.post(url(product), json={"preset": "mug_11oz"})
    unknown = cookie_client.post(url(product), json={"preset": "teapot"}, headers=csrf)
    made = cookie_client.post(url(product), json={"preset": "mug_11oz"}, headers=csrf)
    again = cookie_client.post(url(product), json={"preset": "poster_a3"}, headers=csrf)

    assert refused.status_code == 403
    assert unknown.status_code == 422
    assert unknown.json["error"]["code"] == "unknown_preset"
    assert made.status_code == 201, made.get_data(as_text=True)
    assert again.status_code == 200  # it exists: the merchant's template is kept
    session.expire_all()
    template = session.query(Template).filter_by(product_id=product.id).one()
    assert template.model_3d == "mug"
    [area] = template.print_areas
    assert (area.key, area.width_mm, area.height_mm) == ("wrap", Decimal("200"), Decimal("85"))
    assert (area.dpi, area.bleed_mm) == (300, Decimal("2"))
    editor = cookie_client.get(f"/admin/products/{product.id}/template")
    assert editor.status_code == 200
    assert 'id="template-data"' in editor.text


def test_the_editor_offers_the_presets_before_a_template_exists(
    cookie_client: FlaskClient, session: Session, shop: Shop
) -> None:
    product = make_product(session, shop, title="Poster")
    session.commit()

    page = cookie_client.get(f"/admin/products/{product.id}/template").text

    assert 'id="template-preset"' in page
    assert "Poster A3 — 297 × 420 mm portrait" in page


def test_without_a_preset_the_default_square_is_made(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, shop: Shop
) -> None:
    product = make_product(session, shop, title="Coaster")
    session.commit()

    made = cookie_client.post(url(product), headers=csrf)

    assert made.status_code == 201
    session.expire_all()
    [area] = session.query(Template).filter_by(product_id=product.id).one().print_areas
    assert (area.width_mm, area.height_mm) == (Decimal("100"), Decimal("100"))
