"""The editor's live preview (``POST .../template/preview``): the real renderer on unsaved values.

What a merchant sees while building must be what the renderer draws (a text field's ink lands in
its box), and the route is a trust boundary like every template write: another shop's product is
missing, a cookie session needs its CSRF token, garbage is a 422 and never a 500, nothing is
stored, and each shop's previews are bounded.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from app.admin import template_preview
from app.models import Product, ShopScope, Template
from tests.factories import make_template
from tests.integration.admin.conftest import image_bytes

Headers = Callable[[], dict[str, str]]
PX_PER_MM = 8  # a 100 × 100 mm area without a mockup is drawn 800 × 800 px

TEXT_BOX = {"x_mm": 20, "y_mm": 30, "width_mm": 60, "height_mm": 20, "rotation_deg": 0}
PHOTO_BOX = {"x_mm": 10, "y_mm": 60, "width_mm": 30, "height_mm": 30, "rotation_deg": 0}


def url(product: Product) -> str:
    return f"/api/admin/products/{product.id}/template/preview"


def editor_values(**overrides: Any) -> dict[str, Any]:
    """What the editor sends: the whole unsaved template, fields included."""
    body: dict[str, Any] = {
        "name": "Tote",
        "is_active": True,
        "fonts": ["Inter"],
        "colors": ["#000000"],
        "max_layers": 8,
        "ai_enabled": False,
        "min_image_dpi": 150,
        "price_rules": [],
        "editor_mode": "form",
        "surcharge": "0.00",
        "print_areas": [
            {
                "key": "front",
                "name": "Front",
                "width_mm": 100,
                "height_mm": 100,
                "dpi": 300,
                "bleed_mm": 3,
                "safe_margin_mm": 5,
            }
        ],
        "fields": [
            {
                "id": "name",
                "kind": "text",
                "area": "front",
                "label": "Name",
                "max_chars": 20,
                "font": "Inter",
                "fonts": [],
                "color": "#000000",
                "colors": [],
                "size_mm": 10,
                "align": "center",
                "box": TEXT_BOX,
            }
        ],
    }
    body.update(overrides)
    return copy.deepcopy(body)


def ask(client: FlaskClient, product: Product, headers: dict[str, str], **body: Any) -> Any:
    request = {"template": editor_values(), "values": {"name": "HELLO"}, "area": "front"}
    request.update(body)
    return client.post(url(product), json=request, headers=headers)


def ink_box(png: bytes) -> tuple[int, int, int, int] | None:
    """The bounding box of everything not white on a white preview."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    inverted = Image.eval(image, lambda v: 255 - v)
    return inverted.getbbox()


def inside(bbox: tuple[int, int, int, int], box: dict[str, float]) -> bool:
    left, top = box["x_mm"] * PX_PER_MM, box["y_mm"] * PX_PER_MM
    right = (box["x_mm"] + box["width_mm"]) * PX_PER_MM
    bottom = (box["y_mm"] + box["height_mm"]) * PX_PER_MM
    slack = PX_PER_MM  # one millimetre for anti-aliasing
    return (
        bbox[0] >= left - slack
        and bbox[1] >= top - slack
        and bbox[2] <= right + slack
        and bbox[3] <= bottom + slack
    )


@pytest.fixture
def template(session: Session, product: Product) -> Template:
    """The product's SAVED template (what a preview must leave alone)."""
    template = make_template(session, product, name="Saved name")
    session.commit()
    return template


def test_a_text_fields_ink_lands_inside_its_box(
    cookie_client: FlaskClient, csrf: dict[str, str], product: Product
) -> None:
    response = ask(cookie_client, product, csrf)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "no-store"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (100 * PX_PER_MM, 100 * PX_PER_MM)
    bbox = ink_box(response.data)
    assert bbox is not None, "the text drew nothing"
    assert inside(bbox, TEXT_BOX), bbox


def test_the_preview_follows_the_sample_text_and_hidden_fields(
    cookie_client: FlaskClient, csrf: dict[str, str], product: Product
) -> None:
    first = ask(cookie_client, product, csrf, values={"name": "HELLO"})
    second = ask(cookie_client, product, csrf, values={"name": "WORLD WIDE"})
    assert first.status_code == second.status_code == 200
    assert first.data != second.data

    # The text shows only when the earlier choice "style" is "named".
    fields = editor_values()["fields"]
    choice = {
        "id": "style",
        "kind": "choice",
        "label": "Style",
        "display": "buttons",
        "options": [{"value": "plain", "label": "Plain"}, {"value": "named", "label": "Named"}],
    }
    fields[0]["visible_when"] = {"field": "style", "in": ["named"]}
    template = editor_values(fields=[choice, *fields])
    hidden = ask(
        cookie_client, product, csrf, template=template, values={"style": "plain", "name": "HI"}
    )
    shown = ask(
        cookie_client, product, csrf, template=template, values={"style": "named", "name": "HI"}
    )
    assert hidden.status_code == shown.status_code == 200
    assert ink_box(hidden.data) is None
    assert ink_box(shown.data) is not None


def test_a_photo_frame_shows_the_sample_photo_in_its_box(
    cookie_client: FlaskClient, csrf: dict[str, str], product: Product
) -> None:
    photo = {
        "id": "photo",
        "kind": "photo",
        "area": "front",
        "label": "Your photo",
        "shape": "rect",
        "box": PHOTO_BOX,
    }
    template = editor_values(fields=[photo])
    sample = {"photo": {"src": template_preview.SAMPLE_PHOTO}}

    response = ask(cookie_client, product, csrf, template=template, values=sample)

    assert response.status_code == 200, response.get_data(as_text=True)
    bbox = ink_box(response.data)
    assert bbox is not None
    assert inside(bbox, PHOTO_BOX), bbox


def test_unsaved_values_are_not_saved(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    product: Product,
    template: Template,
) -> None:
    before = (template.name, [a.key for a in template.print_areas], list(template.fields or []))

    response = ask(cookie_client, product, csrf, template=editor_values(name="Unsaved name"))

    assert response.status_code == 200
    session.expire_all()
    again = ShopScope(session, product.shop_id).get_by(Template, product_id=product.id)
    assert again is not None
    assert (again.name, [a.key for a in again.print_areas], list(again.fields or [])) == before


def test_another_shops_product_is_missing(
    cookie_client: FlaskClient, csrf: dict[str, str], other_product: Product
) -> None:
    response = ask(cookie_client, other_product, csrf)

    assert response.status_code == 404
    assert response.json["error"]["message"] == "There is no product with this id in your store."


def test_another_shops_mockup_is_not_drawn(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    product: Product,
    other_product: Product,
    session: Session,
    storage: Any,
) -> None:
    from app.admin.mockups import store_mockup

    theirs, _ = store_mockup(
        ShopScope(session, other_product.shop_id), storage, image_bytes(size=(400, 400)), "m.png"
    )
    session.commit()
    template = editor_values()
    template["print_areas"][0]["mockup_file_id"] = theirs.id
    template["print_areas"][0]["mockup_placement"] = {"x": 0, "y": 0, "width": 400, "height": 400}

    response = ask(cookie_client, product, csrf, template=template)

    assert response.status_code == 200
    # drawn alone (800 × 800 on white), not on their 400 × 400 picture
    assert Image.open(io.BytesIO(response.data)).size == (800, 800)


def test_a_cookie_session_needs_the_csrf_token(
    cookie_client: FlaskClient, product: Product
) -> None:
    response = ask(cookie_client, product, {})

    assert response.status_code == 403
    assert response.json["error"]["code"] == "csrf_failed"


def test_inside_shopify_the_session_token_is_enough(
    client: FlaskClient, bearer: Headers, product: Product
) -> None:
    response = ask(client, product, bearer())

    assert response.status_code == 200
    assert response.mimetype == "image/png"


def test_signed_out_is_refused(client: FlaskClient, product: Product) -> None:
    assert ask(client, product, {}).status_code in (401, 403)


def _garbage() -> list[tuple[str, Any]]:
    broken_area = editor_values()
    broken_area["print_areas"][0]["width_mm"] = "wide"
    text_without_box = editor_values()
    del text_without_box["fields"][0]["box"]
    odd_box = editor_values()
    odd_box["fields"][0]["box"] = {"x_mm": "left", "y_mm": [], "width_mm": {}, "height_mm": None}
    return [
        ("a list", []),
        ("a string", "preview please"),
        ("template not an object", {"template": [1, 2]}),
        ("values not an object", {"template": editor_values(), "values": ["HELLO"]}),
        ("no such area", {"template": editor_values(), "area": "back"}),
        ("an area that is not text", {"template": editor_values(), "area": {"key": "front"}}),
        ("a bad area width", {"template": broken_area}),
        ("no print areas", {"template": editor_values(print_areas=[])}),
        ("fields not a list", {"template": editor_values(fields="name")}),
        ("a field that is not an object", {"template": editor_values(fields=[7])}),
        ("a text field without a box", {"template": text_without_box}),
        ("a box of nonsense", {"template": odd_box}),
        ("a text value that is a number", {"template": editor_values(), "values": {"name": 12}}),
        (
            "a photo value of nonsense",
            {"template": editor_values(), "values": {"name": {"src": 5}}},
        ),
        ("a huge number", {"template": editor_values(max_layers=10**400)}),
    ]


@pytest.mark.parametrize(("what", "body"), _garbage(), ids=[w for w, _ in _garbage()])
def test_garbage_is_a_422_never_a_500(
    cookie_client: FlaskClient, csrf: dict[str, str], product: Product, what: str, body: Any
) -> None:
    response = cookie_client.post(url(product), json=body, headers=csrf)

    assert response.status_code in (200, 422), (what, response.status_code, response.get_data())
    if response.status_code == 422:
        assert response.json["error"]["message"]


def test_a_body_that_is_not_json_is_refused(
    cookie_client: FlaskClient, csrf: dict[str, str], product: Product
) -> None:
    response = cookie_client.post(
        url(product), data=b"\xff\x00garbage", headers={**csrf, "Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500


def test_field_errors_name_the_editors_paths(
    cookie_client: FlaskClient, csrf: dict[str, str], product: Product
) -> None:
    template = editor_values()
    template["print_areas"][0]["width_mm"] = -5

    response = ask(cookie_client, product, csrf, template=template)

    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_template"
    assert "print_areas[0].width_mm" in response.json["error"]["fields"]


def test_each_shop_has_a_preview_budget(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    product: Product,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(template_preview, "PREVIEWS_PER_SHOP", 2)
    answers = [ask(cookie_client, product, csrf).status_code for _ in range(3)]

    assert answers == [200, 200, 429]


def test_the_picture_is_bounded_on_a_large_mockup(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    product: Product,
    session: Session,
    storage: Any,
) -> None:
    from app.admin.mockups import store_mockup
    from app.design.raster import PREVIEW_MAX_PX

    mine, _ = store_mockup(
        ShopScope(session, product.shop_id), storage, image_bytes(size=(3000, 2000)), "big.png"
    )
    session.commit()
    template = copy.deepcopy(editor_values())
    template["print_areas"][0]["mockup_file_id"] = mine.id
    template["print_areas"][0]["mockup_placement"] = {
        "x": 1000,
        "y": 500,
        "width": 1000,
        "height": 1000,
    }

    response = ask(cookie_client, product, csrf, template=template)

    assert response.status_code == 200
    assert max(Image.open(io.BytesIO(response.data)).size) <= PREVIEW_MAX_PX


def test_a_bad_field_is_named_by_its_editor_path(
    cookie_client: FlaskClient, csrf: dict[str, str], product: Product
) -> None:
    narrow = editor_values()
    narrow["fields"][0]["box"]["width_mm"] = 0
    elsewhere = editor_values()
    elsewhere["fields"][0]["area"] = "back"

    for template, path in ((narrow, "fields[0].box.width_mm"), (elsewhere, "fields[0].area")):
        response = ask(cookie_client, product, csrf, template=template)

        assert response.status_code == 422
        assert response.json["error"]["code"] == "invalid_template"
        assert path in response.json["error"]["fields"], response.json


def test_another_shops_picture_is_never_drawn(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    product: Product,
    other_product: Product,
    session: Session,
    storage: Any,
) -> None:
    from app.admin.mockups import store_mockup

    theirs, _ = store_mockup(
        ShopScope(session, other_product.shop_id), storage, image_bytes(size=(300, 300)), "t.png"
    )
    session.commit()
    photo = {"id": "photo", "kind": "photo", "area": "front", "label": "Photo", "box": PHOTO_BOX}
    template = editor_values(fields=[photo])

    for src in (f"file:{theirs.id}", theirs.key):
        response = ask(
            cookie_client, product, csrf, template=template, values={"photo": {"src": src}}
        )

        # refused as missing (the message only repeats the ref the caller sent): no picture
        assert response.status_code == 422, response.status_code
        assert response.mimetype == "application/json"
