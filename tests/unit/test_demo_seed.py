"""The demo shop seed: complete, idempotent, and with a real mockup image in storage."""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.demo import (
    CAP_PRODUCT_ID,
    CAP_TEMPLATE_VALUES,
    DEMO_DOMAIN,
    MOCKUP_PLACEMENT,
    MOCKUP_SIZE,
    SHIRT_MOCKUP_SIZE,
    TSHIRT_PRODUCT_ID,
    seed_demo_shop,
)
from app.design.document import parse_design
from app.models import (
    Design,
    DesignStatus,
    EditorMode,
    FileKind,
    Order,
    OrderItem,
    Personalization,
    PrintArea,
    PrintAreaView,
    Product,
    ProductionJob,
    ProductionStatus,
    Shop,
    ShopScope,
    StoredFile,
    Template,
    Variant,
)
from app.product_templates.portable import export_document, import_document
from app.product_templates.pricing import quote_design
from app.product_templates.render_spec import template_spec_from_row, view_mockup
from app.product_templates.try_on import try_on_document
from app.storage import Storage, key_belongs_to_shop

SHOP_OWNED = (
    Product,
    Variant,
    Template,
    PrintArea,
    PrintAreaView,
    StoredFile,
    Design,
    Order,
    OrderItem,
    ProductionJob,
)


@pytest.fixture
def storage(app: Flask) -> Storage:
    storage: Storage = app.extensions["luneo.storage"]
    return storage


def _counts(session: Session) -> dict[str, int]:
    counts = {"shops": int(session.scalar(select(func.count()).select_from(Shop)) or 0)}
    for model in SHOP_OWNED:
        counts[model.__tablename__] = int(
            session.scalar(select(func.count()).select_from(model)) or 0
        )
    return counts


def _snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every seeded row's id and last-update time: equal snapshots mean nothing was rewritten."""
    session.expire_all()
    rows: dict[str, list[tuple[Any, ...]]] = {
        "shops": [(s.id, s.updated_at) for s in session.scalars(select(Shop).order_by(Shop.id))]
    }
    for model in SHOP_OWNED:
        stamp = getattr(model, "updated_at", None)
        columns = [model.id] if stamp is None else [model.id, stamp]
        rows[model.__tablename__] = [
            tuple(r) for r in session.execute(select(*columns).order_by(model.id))
        ]
    return rows


def _mockup(session: Session, shop: Shop) -> tuple[PrintArea, StoredFile]:
    scope = ShopScope(session, shop.id)
    area = scope.get_by(PrintArea, key="wrap")
    assert area is not None
    assert area.mockup_file_id is not None
    stored = scope.get(StoredFile, area.mockup_file_id)
    assert stored is not None
    return area, stored


def test_seeding_twice_leaves_exactly_the_same_rows(session: Session, storage: Storage) -> None:
    # given a seeded database
    first = seed_demo_shop(session, storage)
    session.commit()
    counts, snapshot = _counts(session), _snapshot(session)

    # when the seed runs again
    second = seed_demo_shop(session, storage)
    session.commit()

    # then nothing was added, removed or rewritten
    assert second.id == first.id
    assert counts == {
        "shops": 1,
        "products": 5,
        "variants": 12,
        "templates": 3,  # the mug, the T-shirt and the cap (virtual try-on)
        "print_areas": 4,  # the mug's wrap, the shirt's front and back, the cap's front
        "print_area_views": 3,  # the mug's two sides, the shirt front's close-up
        "stored_files": 6,  # the mug, its sides, the shirt's front, back and close-up
        "designs": 1,
        "orders": 1,
        "order_items": 1,
        "production_jobs": 1,
    }
    assert _counts(session) == counts
    assert _snapshot(session) == snapshot


def test_the_demo_shop_is_an_installed_development_store(
    session: Session, storage: Storage
) -> None:
    shop = seed_demo_shop(session, storage)
    session.commit()
    session.expire_all()

    assert (shop.domain, shop.name, shop.plan) == (DEMO_DOMAIN, "Luneo Demo Store", "pro")
    assert shop.is_development is True
    assert shop.is_installed is True
    assert shop.extra["demo"] is True
    assert shop.access_token is not None
    assert shop.access_token.startswith("shpat_demo")
    raw = text("SELECT access_token FROM shops WHERE id = :id")
    stored_token = session.execute(raw, {"id": shop.id}).scalar_one()
    assert "shpat_demo" not in stored_token  # encrypted at rest like any real token


def test_the_mockup_is_a_png_of_the_expected_size_in_storage(
    session: Session, storage: Storage
) -> None:
    shop = seed_demo_shop(session, storage)
    session.commit()
    area, stored = _mockup(session, shop)

    with storage.open(stored.key) as handle:
        data = handle.read()
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("PNG", MOCKUP_SIZE)
    assert stored.kind is FileKind.MOCKUP
    assert (stored.content_type, stored.size) == ("image/png", len(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert key_belongs_to_shop(stored.key, shop.id)
    assert area.mockup_placement == MOCKUP_PLACEMENT


def test_a_mockup_missing_from_storage_is_written_again_under_the_same_key(
    session: Session, storage: Storage
) -> None:
    # given a seeded shop whose mockup bytes were lost (a wiped instance folder)
    shop = seed_demo_shop(session, storage)
    session.commit()
    _, stored = _mockup(session, shop)
    key = stored.key
    storage.delete(key)

    # when the seed runs again
    seed_demo_shop(session, storage)
    session.commit()

    # then the same row points at restored bytes
    _, again = _mockup(session, shop)
    assert (again.id, again.key) == (stored.id, key)
    assert storage.exists(key)


def test_the_order_line_carries_the_ordered_design_and_a_queued_job(
    session: Session, storage: Storage
) -> None:
    shop = seed_demo_shop(session, storage)
    session.commit()
    scope = ShopScope(session, shop.id)

    order = scope.get_by(Order, name="#1001")
    assert order is not None
    assert len(order.items) == 1
    item = order.items[0]
    design = scope.get(Design, item.design_id or 0)
    assert design is not None
    # The form's values as the cart showed them (in field order), the design id hidden.
    assert list(item.properties.items()) == [
        ("Name", "Sam"),
        ("Ink", "Charcoal"),
        ("_luneo_design", design.public_id),
    ]
    assert design.status is DesignStatus.ORDERED
    parse_design(design.document)  # a valid design document, as the storefront stores one
    layers = design.document["areas"]["wrap"]["layers"]
    # The name drawn from its field (the template's font and place), the free greeting on top.
    assert [(la["type"], la.get("field"), la["text"]) for la in layers if la["type"] == "text"] == [
        ("text", "name", "Sam"),
        ("text", None, "Happy Birthday!"),
    ]
    assert (layers[0]["font"], layers[0]["color"]) == ("Playfair Display", "#1f2937")
    assert [la["type"] for la in layers] == ["text", "text", "shape"]
    # Charged and expected alike: $3.00 template + $0.40 name + 3 letters × $0.20; the line's
    # price is the 11 oz mug's $18.00 + that, as the Cart Transform charged it.
    assert item.surcharge == item.expected_surcharge == Decimal("4.00")
    assert item.personalization is Personalization.DESIGNED
    assert item.unit_price == Decimal("18.00") + item.surcharge == order.total_price
    assert order.shipping_address["name"] == "Sam Rivera"
    job = scope.get_by(ProductionJob, order_item_id=item.id)
    assert job is not None
    assert (job.status, job.design_id) == (ProductionStatus.QUEUED, design.id)


def test_the_mug_template_has_the_wrap_print_area(session: Session, storage: Storage) -> None:
    shop = seed_demo_shop(session, storage)
    session.commit()
    scope = ShopScope(session, shop.id)

    template = scope.get_by(Template, name="Mug wrap-around print")
    assert template is not None
    assert len(template.print_areas) == 1
    area = template.print_areas[0]
    measures = (area.width_mm, area.height_mm, area.dpi, area.bleed_mm, area.safe_margin_mm)
    assert tuple(str(m) for m in measures) == ("200.00", "90.00", "300", "3.00", "5.00")
    assert template.fonts == ["Inter", "Playfair Display", "Roboto Slab", "Caveat"]
    assert len(template.colors) == 6
    assert all(p.external_id.startswith("gid://shopify/Product/") for p in scope.all(Product))


def test_the_mug_template_shows_form_mode_and_surcharges(
    session: Session, storage: Storage
) -> None:
    """A merchant trying ``make run`` sees fields and prices: a name priced per letter, an ink
    that recolours it, an optional photo frame, the free canvas beside the form."""
    shop = seed_demo_shop(session, storage)
    session.commit()
    scope = ShopScope(session, shop.id)
    template = scope.get_by(Template, name="Mug wrap-around print")
    assert template is not None

    assert template.editor_mode is EditorMode.BOTH
    assert template.surcharge == Decimal("3.00")
    assert template.price_rules == []  # the surcharge, not the canvas's area price as well
    fields = {f["id"]: f for f in template.fields}
    assert [(f["id"], f["kind"]) for f in template.fields] == [
        ("name", "text"),
        ("ink", "choice"),
        ("photo", "photo"),
    ]
    assert fields["name"]["price"] == {"amount": "0.40", "per_character": "0.20"}
    assert fields["ink"]["display"] == "swatches"
    assert all(o["color"]["fields"] == ["name"] for o in fields["ink"]["options"])
    assert not fields["photo"].get("required")
    # The template is one the admin accepts: its export imports on another product.
    other = scope.get_by(Product, external_id="gid://shopify/Product/8100000000003")
    assert other is not None
    copy, created = import_document(scope, other, export_document(template, "USD"), "USD")
    assert created
    assert copy.fields == template.fields
    # A shopper's quote: 3.00 + 0.40 + 5 letters × 0.20 + gold ink 1.00 (no photo: free).
    document = {"version": 1, "fields": {"name": "Robin", "ink": "gold"}}
    assert quote_design(template, document, "USD").total == Decimal("5.40")


def test_the_demo_shop_prints_in_house_with_a_catch_all_rule(
    session: Session, storage: Storage
) -> None:
    from app.demo import DEMO_PRINT_ROOM_EMAIL
    from app.models import Partner, PartnerRole, PartnerUser, RoutingRule, ShopPartner

    shop = seed_demo_shop(session, storage)
    seed_demo_shop(session, storage)  # twice: still one partner, one person, one rule
    session.commit()

    (partner,) = session.scalars(select(Partner)).all()
    assert (partner.kind, partner.email) == ("in_house", DEMO_PRINT_ROOM_EMAIL)
    (person,) = session.scalars(select(PartnerUser)).all()
    assert person.role is PartnerRole.ADMIN
    (link,) = session.scalars(select(ShopPartner)).all()
    assert (link.shop_id, link.partner_id) == (shop.id, partner.id)
    (rule,) = session.scalars(select(RoutingRule)).all()
    assert (rule.partner_id, rule.product_id, rule.country_code) == (partner.id, None, None)


def test_the_shirt_follows_its_folds_and_the_products_have_several_views(
    session: Session, storage: Storage
) -> None:
    shop = seed_demo_shop(session, storage)
    session.commit()
    scope = ShopScope(session, shop.id)
    shirt = scope.get_by(Product, external_id=TSHIRT_PRODUCT_ID)
    assert shirt is not None
    template = scope.get_by(Template, product_id=shirt.id)
    assert template is not None
    spec = template_spec_from_row(template)

    assert spec.area_keys == ("front", "back")
    front = spec.area("front")
    assert front.mockup is not None
    assert front.mockup.displacement is not None
    assert [v.name for v in front.views] == ["Close-up"]
    assert front.views[0].placement.displacement is not None
    for key, view in (("front", 0), ("front", 1), ("back", 0)):
        picture = view_mockup(scope, storage, template, key, view)
        assert picture is not None
        with Image.open(io.BytesIO(picture)) as image:
            assert image.size == SHIRT_MOCKUP_SIZE
    mug = scope.get_by(PrintArea, key="wrap")
    assert mug is not None
    assert [(v.name, v.placement["cylinder"]["offset_mm"]) for v in mug.views] == [
        ("Left side", -40.0),
        ("Right side", 40.0),
    ]


def test_the_cap_offers_virtual_try_on_as_a_hat(session: Session, storage: Storage) -> None:
    """`make run` shows the try-on (#23) on the demo cap: a hat on the forehead."""
    shop = seed_demo_shop(session, storage)
    scope = ShopScope(session, shop.id)
    cap = scope.get_by(Product, external_id=CAP_PRODUCT_ID)
    assert cap is not None
    template = scope.get_by(Template, product_id=cap.id)
    assert template is not None
    assert template.try_on == CAP_TEMPLATE_VALUES["try_on"]
    assert try_on_document(template.try_on) == template.try_on  # valid as the editor checks it
