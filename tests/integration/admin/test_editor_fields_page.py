"""What the editor page hands its Fields, preview and copy scripts: only this shop's things."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models import Product, Shop
from tests.factories import make_product, make_template
from tests.integration.admin.test_editor_page import embedded_json


def test_the_page_lists_this_products_variants_and_this_shops_other_products(
    cookie_client: FlaskClient,
    session: Session,
    shop: Shop,
    product: Product,
    other_product: Product,
) -> None:
    make_template(session, product)
    templated = make_product(session, shop, title="A mug")
    make_template(session, templated)
    plain = make_product(session, shop, title="B poster")
    session.commit()

    page = cookie_client.get(f"/admin/products/{product.id}/template")

    data = embedded_json(page.text, "product-data")
    assert data["variants"] == [{"id": product.variants[0].id, "title": "Default", "sku": ""}]
    # Another shop's product is never offered as a copy target; this product neither.
    assert data["copy_targets"] == [
        {"id": templated.id, "title": "A mug", "has_template": True},
        {"id": plain.id, "title": "B poster", "has_template": False},
    ]
    assert other_product.id not in {p["id"] for p in data["copy_targets"]}
    # Every clipart set is there for the fields' pickers, whatever the template offers today.
    assert {s["set"] for s in data["clipart"]} >= {"love", "nature"}
    assert f'data-preview-url="/api/admin/products/{product.id}/template/preview"' in page.text
