"""``POST /previews`` with a ``view``: the design on each of the area's pictures, where the
merchant placed it there; a view the area does not have is a clear 422."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from redis import Redis
from sqlalchemy.orm import Session

from app.models import FileKind, PrintAreaView, Shop, Template
from app.storage import Storage

from .conftest import Caller, document, png, put_file

RED_RECT = {
    "type": "shape",
    "shape": "rect",
    "fill": "#dc2626",
    "x_mm": 0,
    "y_mm": 0,
    "width_mm": 10,
    "height_mm": 10,
}
RED = (220, 38, 38)


@pytest.fixture
def with_back_view(
    template: Template, session: Session, storage: Storage, shopify_shop: Shop
) -> Template:
    """A second picture of the front area (300 x 150, dark grey), the area at (200, 100)."""
    picture = put_file(
        session, storage, shopify_shop, png((300, 150), (90, 90, 90)), FileKind.MOCKUP
    )
    template.print_areas[0].views.append(
        PrintAreaView(
            shop_id=shopify_shop.id,
            name="Back",
            mockup_file_id=picture.id,
            placement={"x": 200, "y": 100, "width": 80, "height": 40},
        )
    )
    session.commit()
    return template


def _preview(proxy: Caller, template: Template, **extra: object) -> Image.Image:
    body = {"template_id": template.id, "document": document(RED_RECT), "area": "front", **extra}
    response = proxy.post("/previews", json=body)
    assert response.status_code == 200, response.json
    return Image.open(io.BytesIO(response.data)).convert("RGB")


def test_each_view_shows_the_design_on_its_own_picture(
    proxy: Caller, with_back_view: Template, redis: Redis
) -> None:
    mockup = _preview(proxy, with_back_view)
    first = _preview(proxy, with_back_view, view=0)
    back = _preview(proxy, with_back_view, view=1)

    assert mockup.tobytes() == first.tobytes()  # no view: the mockup (view 0)
    assert mockup.size == (200, 100)
    assert mockup.getpixel((12, 12)) == RED
    assert back.size == (300, 150)
    assert back.getpixel((202, 102)) == RED  # the rect at the area's place on this picture
    assert back.getpixel((12, 12)) == (90, 90, 90)  # where it sat on the mockup: bare product
    assert len(list(redis.scan_iter("luneo:storefront:preview:*"))) == 2  # cached per view


@pytest.mark.parametrize("view", [2, -1, "1", 1.0, True, None])
def test_a_view_the_area_does_not_have_is_refused(
    proxy: Caller, with_back_view: Template, view: object
) -> None:
    body = {"template_id": with_back_view.id, "document": document(), "area": "front", "view": view}

    response = proxy.post("/previews", json=body)

    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_view"
    assert response.json["error"]["errors"] == [
        {"path": "view", "message": "this print area has views 0 to 1"}
    ]


def test_a_view_of_another_area_is_not_this_areas(proxy: Caller, with_back_view: Template) -> None:
    body = {"template_id": with_back_view.id, "document": document(), "area": "back", "view": 1}

    response = proxy.post("/previews", json=body)

    assert (response.status_code, response.json["error"]["code"]) == (422, "invalid_view")
