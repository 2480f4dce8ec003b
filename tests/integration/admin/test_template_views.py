"""More pictures per print area (views), as the admin editor saves them: stored in order,
shown back, refused when a picture is another shop's or a view is incomplete; carried through
export, import and copy."""

from __future__ import annotations

import copy
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import FileKind, PrintAreaView, Product, Shop, ShopScope, StoredFile, Template
from app.product_templates import portable
from tests.factories import make_product, make_template
from tests.integration.admin.test_template_api import payload, url

FOLDS = {"x": 40, "y": 60, "width": 300, "height": 320, "displacement": {"strength_px": 12}}


def _file(session: Session, shop: Shop, name: str) -> StoredFile:
    stored = StoredFile(
        shop_id=shop.id,
        key=f"shops/{shop.id}/mockup/2026/12/{name}.png",
        kind=FileKind.MOCKUP,
        content_type="image/png",
        size=10,
        sha256="0" * 64,
    )
    session.add(stored)
    session.commit()
    return stored


def _with_views(*views: dict[str, Any]) -> dict[str, Any]:
    body = payload(price_rules=[])
    body["print_areas"][0]["views"] = list(views)
    return body


def _rows(session: Session, template: Template) -> list[tuple[str, int | None, dict[str, Any]]]:
    session.expire_all()
    stmt = (
        select(PrintAreaView)
        .where(PrintAreaView.print_area_id == template.print_areas[0].id)
        .order_by(PrintAreaView.position)
    )
    return [(v.name, v.mockup_file_id, v.placement) for v in session.scalars(stmt)]


def test_views_are_saved_in_order_and_shown_with_their_pictures(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, shop: Shop, product: Product
) -> None:
    template = make_template(session, product)
    session.commit()
    back, side = _file(session, shop, "back"), _file(session, shop, "side")
    views = [
        {"name": " Back ", "mockup_file_id": back.id, "mockup_placement": FOLDS},
        {
            "name": "Left side",
            "mockup_file_id": side.id,
            "mockup_placement": {"x": 0, "y": 0, "width": 50.5, "height": 80},
        },
    ]

    saved = cookie_client.put(url(product), json=_with_views(*views), headers=csrf)

    assert saved.status_code == 200, saved.json
    assert _rows(session, template) == [
        ("Back", back.id, FOLDS),
        ("Left side", side.id, {"x": 0, "y": 0, "width": 50.5, "height": 80}),
    ]
    shown = cookie_client.get(url(product)).json["template"]["print_areas"][0]["views"]
    assert [(v["name"], v["mockup_file_id"], v["mockup_placement"]) for v in shown] == [
        ("Back", back.id, FOLDS),
        ("Left side", side.id, {"x": 0, "y": 0, "width": 50.5, "height": 80}),
    ]
    assert all(v["mockup_url"] for v in shown)

    # an editor that does not send views (an older page) leaves them as they are
    same_area = payload(price_rules=[])
    same_area["print_areas"][0]["id"] = template.print_areas[0].id
    kept = cookie_client.put(url(product), json=same_area, headers=csrf)
    assert kept.status_code == 200
    assert [name for name, _, _ in _rows(session, template)] == ["Back", "Left side"]

    # renamed, reordered, one removed: exactly what the editor sends stays
    again = cookie_client.put(
        url(product),
        json=_with_views({**views[1], "name": "Side"}),
        headers=csrf,
    )
    assert again.status_code == 200
    assert _rows(session, template) == [
        ("Side", side.id, {"x": 0, "y": 0, "width": 50.5, "height": 80})
    ]
    assert cookie_client.put(url(product), json=_with_views(), headers=csrf).status_code == 200
    assert _rows(session, template) == []


def test_another_shops_picture_cannot_be_a_view(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    product: Product,
    other_shop: Shop,
) -> None:
    template = make_template(session, product)
    session.commit()
    theirs = _file(session, other_shop, "theirs")

    response = cookie_client.put(
        url(product),
        json=_with_views({"name": "Back", "mockup_file_id": theirs.id, "mockup_placement": FOLDS}),
        headers=csrf,
    )

    assert response.status_code == 400
    assert response.json["error"]["fields"] == {
        "print_areas[0].views[0].mockup_file_id": (
            "This picture is not one of your uploads: upload it again."
        )
    }
    assert _rows(session, template) == []


def test_an_incomplete_or_bad_view_is_refused_naming_each_field(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, shop: Shop, product: Product
) -> None:
    make_template(session, product)
    session.commit()
    mine = _file(session, shop, "mine")
    views = [
        {"name": "", "mockup_file_id": mine.id, "mockup_placement": FOLDS},
        {"name": "No picture", "mockup_placement": FOLDS},
        {"name": "Not placed", "mockup_file_id": mine.id},
        {
            "name": "Too strong",
            "mockup_file_id": mine.id,
            "mockup_placement": {**FOLDS, "displacement": {"strength_px": 201}},
        },
        {
            "name": "Not an object",
            "mockup_file_id": mine.id,
            "mockup_placement": {**FOLDS, "displacement": 5},
        },
        "a string",
    ]

    response = cookie_client.put(url(product), json=_with_views(*views), headers=csrf)

    assert response.status_code == 400
    at = "print_areas[0].views"
    assert response.json["error"]["fields"] == {
        f"{at}[0].name": "Required.",
        f"{at}[1].mockup_file_id": "Upload a picture for this view.",
        f"{at}[2].mockup_placement": "Place the print area on this picture.",
        f"{at}[3].mockup_placement.displacement.strength_px": (
            "Must be a number from 0 to 200 pixels."
        ),
        f"{at}[4].mockup_placement.displacement": "Must be an object with strength_px.",
        f"{at}[5]": "Must be an object.",
    }
    too_many = [
        {"name": f"V{n}", "mockup_file_id": mine.id, "mockup_placement": FOLDS} for n in range(8)
    ]
    response = cookie_client.put(url(product), json=_with_views(*too_many), headers=csrf)
    assert response.json["error"]["fields"] == {f"{at}": "At most 7 views besides the mockup."}


def test_the_areas_own_mockup_may_follow_the_fabric_too(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, product: Product
) -> None:
    template = make_template(session, product)
    session.commit()
    body = payload(price_rules=[])
    body["print_areas"][0]["mockup_placement"] = FOLDS

    assert cookie_client.put(url(product), json=body, headers=csrf).status_code == 200
    session.expire_all()
    assert session.get(Template, template.id).print_areas[0].mockup_placement == FOLDS  # type: ignore[union-attr]


def test_export_import_and_copy_carry_the_views(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, shop: Shop, product: Product
) -> None:
    template = make_template(session, product)
    session.commit()
    back, side = _file(session, shop, "back"), _file(session, shop, "side")
    views = [
        {"name": "Back", "mockup_file_id": back.id, "mockup_placement": FOLDS},
        {"name": "Side", "mockup_file_id": side.id, "mockup_placement": {**FOLDS, "x": 1}},
    ]
    assert (
        cookie_client.put(url(product), json=_with_views(*views), headers=csrf).status_code == 200
    )

    exported = cookie_client.get(f"{url(product)}/export").json
    assert exported["print_areas"][0]["views"] == [
        {"name": "Back", "mockup_placement": FOLDS},
        {"name": "Side", "mockup_placement": {**FOLDS, "x": 1}},
    ]
    assert "mockup_file_id" not in str(exported)  # a file carries no pictures of this shop

    # the same file, edited, back into the product: the views stay on their pictures
    edited = copy.deepcopy(exported)
    edited["print_areas"][0]["views"][0]["name"] = "Back (folded)"
    imported = cookie_client.post(f"{url(product)}/import", json=edited, headers=csrf)
    assert imported.status_code == 200, imported.json
    assert _rows(session, template) == [
        ("Back (folded)", back.id, FOLDS),
        ("Side", side.id, {**FOLDS, "x": 1}),
    ]
    # a file without views leaves them as they are; into a fresh product there is no picture
    bare = copy.deepcopy(exported)
    del bare["print_areas"][0]["views"]
    assert cookie_client.post(f"{url(product)}/import", json=bare, headers=csrf).status_code == 200
    assert [name for name, _, _ in _rows(session, template)] == ["Back (folded)", "Side"]
    fresh = make_product(session, shop, title="Fresh tote")
    session.commit()
    made = cookie_client.post(f"{url(fresh)}/import", json=exported, headers=csrf)
    assert made.status_code == 201, made.json
    assert made.json["template"]["print_areas"][0]["views"] == []

    # a copy within the shop takes the pictures along
    target = make_product(session, shop, title="Copy tote")
    session.commit()
    scope = ShopScope(session, shop.id)
    session.expire_all()
    source = scope.get(Template, template.id)
    assert source is not None
    copied, _ = portable.copy_template(scope, source, target, shop.currency, replace=False)
    session.commit()
    assert _rows(session, copied) == _rows(session, template)
    assert _rows(session, copied)[0][0] == "Back (folded)"
