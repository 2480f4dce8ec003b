"""A photo's edits and a clipart's flips through the storefront: kept when valid, 422 when not."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Design, Template

from .conftest import Caller, document, image, png

EDITS = {
    "turn": 90,
    "flip_x": True,
    "flip_y": False,
    "filters": {"grayscale": True, "brightness": 1.2, "contrast": 0.8, "sepia": False},
    "crop": {"x": 0.25, "y": 0, "width": 0.5, "height": 1},
}


def _photo(proxy: Caller) -> str:
    sent = proxy.post(
        "/uploads",
        data={"file": (io.BytesIO(png((200, 200), (220, 20, 20))), "p.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201
    src: str = sent.json["src"]
    return src


def _clipart(**extra: Any) -> dict[str, Any]:
    piece = {"type": "clipart", "src": "clipart:love/heart", "color": "#dc2626"}
    return {**piece, "x_mm": 2, "y_mm": 2, "width_mm": 8, "height_mm": 8, **extra}


def test_a_design_with_photo_edits_is_saved_as_sent_and_previewed_in_grey(
    proxy: Caller, template: Template, session: Session
) -> None:
    template.clipart_sets = ["love"]
    session.commit()
    doc = document(image(_photo(proxy), **EDITS), _clipart(flip_x=True, flip_y=True))

    saved = proxy.post("/designs", json={"template_id": template.id, "document": doc})
    preview = proxy.post(
        "/previews", json={"template_id": template.id, "document": doc, "area": "front"}
    )

    assert saved.status_code == 201, saved.get_data(as_text=True)
    stmt = select(Design).where(Design.public_id == saved.json["design_id"])
    design = session.scalars(stmt).one()
    [photo, piece] = design.document["areas"]["front"]["layers"]
    assert {k: photo[k] for k in EDITS} == EDITS
    assert (piece["flip_x"], piece["flip_y"]) == (True, True)
    assert preview.status_code == 200
    # The mockup is 200 x 100 px with the front area at (10, 10), 2 px per mm: the photo's
    # centre (26, 10) mm is at (62, 30), grey; brightened, flattened, then its luma: about 84.
    shown = Image.open(io.BytesIO(preview.data)).convert("RGB")
    r, g, b = shown.getpixel((62, 30))  # type: ignore[misc]
    assert max(r, g, b) - min(r, g, b) <= 2
    assert 74 <= r <= 94


@pytest.mark.parametrize(
    ("_case", "edits", "path"),
    [
        ("turn of 45", {"turn": 45}, "areas.front.layers[0].turn"),
        ("turn as text", {"turn": "90"}, "areas.front.layers[0].turn"),
        ("brightness over 2", {"filters": {"brightness": 2.5}}, "areas.front.layers[0].filters"),
        ("negative contrast", {"filters": {"contrast": -1}}, "areas.front.layers[0].filters"),
        ("unknown filter", {"filters": {"blur": 3}}, "areas.front.layers[0].filters"),
        ("flip as text", {"flip_y": "yes"}, "areas.front.layers[0].flip_y"),
        ("crop outside", {"crop": {"x": 0.8, "y": 0, "width": 0.5, "height": 1}}, "areas.front"),
    ],
)
@pytest.mark.parametrize("endpoint", ["/designs", "/previews"])
def test_bad_photo_edits_get_a_422_naming_the_field(
    proxy: Caller,
    template: Template,
    session: Session,
    _case: str,
    edits: dict[str, Any],
    path: str,
    endpoint: str,
) -> None:
    doc = document(image(_photo(proxy), **edits))

    response = proxy.post(
        endpoint, json={"template_id": template.id, "document": doc, "area": "front"}
    )

    assert response.status_code == 422
    errors = response.json["error"]["errors"]
    assert any(e["path"].startswith(path) for e in errors), errors
    assert session.scalars(select(Design)).all() == []


def test_a_clipart_colour_outside_the_templates_palette_is_refused(
    proxy: Caller, template: Template, session: Session
) -> None:
    template.clipart_sets = ["love"]
    session.commit()
    doc = document(_clipart(color="#16a34a", flip_x=True))

    response = proxy.post("/designs", json={"template_id": template.id, "document": doc})

    assert response.status_code == 422
    assert response.json["error"]["errors"] == [
        {"path": "areas.front.layers[0].color", "message": "choose one of this product's colours"}
    ]
