"""Saving designs and rendering previews: validated against the schema and the template."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from PIL import Image
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Design,
    DesignStatus,
    FileKind,
    Generation,
    GenerationStatus,
    LowDpiPolicy,
    Shop,
    StoredFile,
    Template,
)
from app.storage import MissingFile, Storage
from tests.factories import make_design, make_shop

from .conftest import (
    Caller,
    document,
    image,
    png,
    put_file,
    signed_query,
    small_template,
    text,
)

RED_RECT = {
    "type": "shape",
    "shape": "rect",
    "fill": "#dc2626",
    "x_mm": 0,
    "y_mm": 0,
    "width_mm": 10,
    "height_mm": 10,
}


def _save(proxy: Caller, template: Template, doc: Any, **extra: Any) -> Any:
    return proxy.post("/designs", json={"template_id": template.id, "document": doc, **extra})


def _design(session: Session, public_id: str) -> Design:
    return session.scalars(select(Design).where(Design.public_id == public_id)).one()


def test_a_saved_design_has_an_id_a_lasting_preview_and_a_summary(
    proxy: Caller, template: Template, session: Session, client: FlaskClient, shopify_shop: Shop
) -> None:
    doc = document(RED_RECT, text("Happy birthday Anna"))

    response = _save(proxy, template, doc)

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    assert body["design_id"].startswith("d_")
    assert body["summary"] == "Front — 'Happy birthday Anna'"
    assert (body["status"], body["ready"]) == ("saved", True)
    assert all(f["severity"] != "error" for f in body["findings"])
    saved = _design(session, body["design_id"])
    assert (saved.shop_id, saved.template_id, saved.product_id) == (
        shopify_shop.id,
        template.id,
        template.product_id,
    )
    assert saved.document == doc
    assert saved.status is DesignStatus.SAVED
    preview_file = session.get(StoredFile, saved.preview_file_id)
    assert preview_file is not None
    assert preview_file.kind is FileKind.PREVIEW
    link = urlsplit(body["preview_url"])
    picture = client.get(f"{link.path}?{link.query}")
    assert picture.status_code == 200
    assert picture.mimetype == "image/png"
    # framed on the print: the 80 x 40 px area at (10, 10) and 20 px of mockup around it
    assert Image.open(io.BytesIO(picture.data)).size == (110, 70)
    assert "immutable" in picture.headers["Cache-Control"]


def test_a_preview_link_without_its_signature_is_not_served(
    proxy: Caller, template: Template, client: FlaskClient
) -> None:
    body = _save(proxy, template, document(text("Ada"))).json
    link = urlsplit(body["preview_url"])

    forged = client.get(f"{link.path}?v=1&sig=" + "0" * 32)

    assert forged.status_code == 404


def test_updating_a_draft_keeps_its_id_and_replaces_its_preview(
    proxy: Caller, template: Template, session: Session, storage: Storage
) -> None:
    first = _save(proxy, template, document(text("Ada"))).json
    old_file = session.get(StoredFile, _design(session, first["design_id"]).preview_file_id)
    assert old_file is not None
    old_key = old_file.key

    second = _save(
        proxy,
        template,
        document(text("Grace")),
        design_id=first["design_id"],
        edit_token=first["edit_token"],
    )

    assert second.status_code == 201
    assert second.json["design_id"] == first["design_id"]
    assert second.json["summary"] == "Front — 'Grace'"
    session.expire_all()
    assert (
        _design(session, first["design_id"]).document["areas"]["front"]["layers"][0]["text"]
        == "Grace"
    )
    assert (
        session.scalars(select(StoredFile).where(StoredFile.key == old_key)).one_or_none() is None
    )
    with pytest.raises(MissingFile):
        storage.open(old_key)


def test_an_ordered_design_cannot_be_changed(
    proxy: Caller, template: Template, session: Session, shopify_shop: Shop
) -> None:
    ordered = make_design(session, template, status=DesignStatus.ORDERED, customer_ref="5551")
    session.commit()
    signed_in = Caller(proxy.client, "/proxy", signed_query(shopify_shop.domain, customer="5551"))

    response = _save(signed_in, template, document(text("x")), design_id=ordered.public_id)

    assert response.status_code == 409
    assert response.json["error"]["code"] == "design_locked"


def test_schema_errors_name_every_field(proxy: Caller, template: Template) -> None:
    doc = document(
        {"type": "text", "text": "no size", "font": "Inter", "x_mm": 1, "y_mm": 1},
        text("bad colour", color="red"),
        {"type": "sticker"},
    )

    response = _save(proxy, template, doc)

    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid_design"
    assert error["errors"] == [
        {"path": "areas.front.layers[0].size_mm", "message": "is required"},
        {"path": "areas.front.layers[1].color", "message": "must be a colour like #1f2937"},
        {
            "path": "areas.front.layers[2].type",
            "message": 'must be one of "text", "image", "clipart", "shape"',
        },
    ]
    assert error["message"] == "areas.front.layers[0].size_mm: is required"


def test_the_templates_rules_are_enforced_with_paths(
    proxy: Caller, template: Template, session: Session, storage: Storage
) -> None:
    other_shop = make_shop(session)
    theirs = put_file(session, storage, other_shop, png((50, 50)))
    session.commit()
    doc = document(
        text("font", font="Roboto"),
        text("colour", color="#123456"),
        image(f"file:{theirs.id}"),
        text("fourth"),
        side=[text("nowhere")],
        back=[
            image("file:999999999"),
            image(f"shops/{other_shop.id}/upload/2026/01/x.png"),
            {
                "type": "clipart",
                "src": "clipart:animals/cat",
                "x_mm": 1,
                "y_mm": 1,
                "width_mm": 5,
                "height_mm": 5,
            },
        ],
    )

    response = _save(proxy, template, doc)

    assert response.status_code == 422
    missing = "this picture was not found; please upload it again"
    assert response.json["error"]["errors"] == [
        {"path": "areas.back.layers[0].src", "message": missing},
        {"path": "areas.back.layers[1].src", "message": missing},
        {"path": "areas.back.layers[2].src", "message": "this clipart is not offered here"},
        {"path": "areas.front.layers", "message": "at most 3 layers here"},
        {"path": "areas.front.layers[0].font", "message": "choose one of this product's fonts"},
        {"path": "areas.front.layers[1].color", "message": "choose one of this product's colours"},
        {"path": "areas.front.layers[2].src", "message": missing},
        {"path": "areas.side", "message": "this product has no print area 'side'"},
    ]


@pytest.mark.parametrize(
    ("_case", "kwargs", "status", "code"),
    [
        (
            "not json",
            {"data": b"{not json", "content_type": "application/json"},
            400,
            "invalid_json",
        ),
        ("a list", {"json": [1, 2]}, 400, "invalid_json"),
        ("no template", {"json": {"document": {}}}, 400, "invalid_template_id"),
        (
            "template as text",
            {"json": {"template_id": "abc", "document": {}}},
            400,
            "invalid_template_id",
        ),
        (
            "template as bool",
            {"json": {"template_id": True, "document": {}}},
            400,
            "invalid_template_id",
        ),
        (
            "unknown template",
            {"json": {"template_id": 987654, "document": {}}},
            404,
            "template_not_found",
        ),
        (
            "design id of the wrong shape",
            {"json": {"template_id": 0, "design_id": 5}},
            400,
            "invalid_template_id",
        ),
    ],
)
def test_malformed_requests_get_a_clear_4xx(
    _case: str, kwargs: dict[str, Any], status: int, code: str, proxy: Caller, template: Template
) -> None:
    response = proxy.post("/designs", **kwargs)

    assert response.status_code == status
    assert response.json["error"]["code"] == code


def test_another_shops_template_and_design_are_not_found(
    proxy: Caller, template: Template, session: Session, storage: Storage
) -> None:
    other_shop = make_shop(session)
    other_template = small_template(session, storage, other_shop, "gid://shopify/Product/43")
    other_design = make_design(session, other_template)
    session.commit()

    by_template = _save(proxy, other_template, document(text("x")))
    by_design = _save(proxy, template, document(text("x")), design_id=other_design.public_id)
    fetched = proxy.get(f"/designs/{other_design.public_id}")
    previewed = proxy.post(
        "/previews",
        json={"template_id": other_template.id, "document": document(), "area": "front"},
    )

    assert (by_template.status_code, by_template.json["error"]["code"]) == (
        404,
        "template_not_found",
    )
    assert (by_design.status_code, by_design.json["error"]["code"]) == (404, "design_not_found")
    assert fetched.status_code == 404
    assert previewed.status_code == 404
    session.expire_all()
    assert session.get(Design, other_design.id).document == other_design.document  # type: ignore[union-attr]


def test_a_photo_below_the_templates_resolution_warns_and_may_be_ordered(
    proxy: Caller, template: Template, session: Session
) -> None:
    """``low_dpi_policy`` warn (the default): the shopper is told, the design is ready."""
    uploaded = proxy.post("/uploads", data={"file": (io.BytesIO(png((8, 8))), "tiny.png")}).json

    response = _save(proxy, template, document(image(uploaded["src"]), text("Ada")))

    assert response.status_code == 201
    body = response.json
    assert (body["status"], body["ready"]) == ("saved", True)
    low = [f for f in body["findings"] if f["code"] == "image_dpi_too_low"]
    assert [(f["area"], f["layer"], f["severity"]) for f in low] == [("front", 0, "warning")]
    assert "will print blurry" in low[0]["message"]
    assert body["summary"] == "Front — 'Ada', 1 photo"
    assert _design(session, body["design_id"]).status is DesignStatus.SAVED


def test_a_photo_below_the_templates_resolution_is_refused_when_the_merchant_says_so(
    proxy: Caller, template: Template, session: Session
) -> None:
    template.low_dpi_policy = LowDpiPolicy.REFUSE
    session.commit()
    uploaded = proxy.post("/uploads", data={"file": (io.BytesIO(png((8, 8))), "tiny.png")}).json

    response = _save(proxy, template, document(image(uploaded["src"]), text("Ada")))

    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "photo_resolution_too_low"
    (problem,) = error["errors"]
    assert (problem["path"], problem["area"]) == ("areas.front.layers.0", "front")
    assert "dpi at this size (this product needs at least" in problem["message"]
    assert "dpi" in error["message"]


def test_a_design_on_both_sides_is_summed_up_per_side(proxy: Caller, template: Template) -> None:
    uploaded = proxy.post("/uploads", data={"file": (io.BytesIO(png((200, 200))), "p.png")}).json
    doc = document(text("Hi"), back=[image(uploaded["src"]), text("  Two\nlines ")])

    response = _save(proxy, template, doc)

    assert response.json["summary"] == "Front — 'Hi'; Back — 'Two lines', 1 photo"


def test_previews_render_the_area_on_its_mockup_and_are_cached(
    proxy: Caller, template: Template, redis: Redis
) -> None:
    body = {"template_id": template.id, "document": document(RED_RECT), "area": "front"}

    first = proxy.post("/previews", json=body)
    cached = list(redis.scan_iter("luneo:storefront:preview:*"))
    second = proxy.post("/previews", json=body)
    webp = proxy.post("/previews", json=body, headers={"Accept": "image/webp"})

    assert first.status_code == 200
    assert first.mimetype == "image/png"
    assert len(cached) == 1
    assert second.data == first.data
    picture = Image.open(io.BytesIO(first.data)).convert("RGB")
    assert picture.size == (200, 100)
    assert picture.getpixel((12, 12)) == (220, 38, 38)  # the rect, inside the area on the mockup
    assert picture.getpixel((150, 80)) == (240, 240, 240)  # the mockup itself
    assert webp.mimetype == "image/webp"
    assert Image.open(io.BytesIO(webp.data)).format == "WEBP"


@pytest.mark.parametrize("area", ["side", None, 3])
def test_a_preview_of_an_unknown_area_is_refused(
    area: Any, proxy: Caller, template: Template
) -> None:
    response = proxy.post(
        "/previews", json={"template_id": template.id, "document": document(), "area": area}
    )

    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_area"
    assert response.json["error"]["errors"] == [
        {"path": "area", "message": "this product has no such print area"}
    ]


def test_the_template_names_its_3d_model_and_ai_settings(
    proxy: Caller, template: Template, session: Session, client: FlaskClient
) -> None:
    template.model_3d, template.ai_enabled = "mug", True
    template.extra = {"base_color": "#F5F5F0"}
    session.get_one(Shop, template.shop_id).plan = "pro"  # AI and 3D are plan features
    session.commit()

    body = proxy.get("/products/42/template").json

    ai = body["ai"]
    assert (ai["enabled"], ai["provider"]) == (True, "local")
    assert ai["provider_label"] == "Luneo offline preview (development)"
    assert all({"key", "label"} <= set(style) for style in ai["styles"])
    link = urlsplit(body["model_url"])
    assert link.path == "/storefront/models/mug.glb"
    glb = client.get(f"{link.path}?{link.query}")
    assert glb.status_code == 200
    assert glb.mimetype == "model/gltf-binary"
    assert glb.data[:4] == b"glTF"
    assert glb.headers["Access-Control-Allow-Origin"] == "*"


def test_a_template_without_a_model_has_no_model_url(
    proxy: Caller, template: Template, client: FlaskClient
) -> None:
    body = proxy.get("/products/42/template").json

    assert body["model_url"] is None
    assert body["ai"]["enabled"] is False
    assert client.get("/storefront/models/teapot.glb").status_code == 404


def test_a_huge_json_body_gets_413(proxy: Caller, template: Template) -> None:
    padding = "x" * (1024 * 1024)
    doc = {"version": 1, "areas": {"front": {"layers": []}}, "meta": {"pad": padding}}

    response = _save(proxy, template, doc)

    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"


def test_a_generated_image_the_store_blocked_cannot_be_placed(
    proxy: Caller, template: Template, session: Session, storage: Storage, shopify_shop: Shop
) -> None:
    generated = put_file(session, storage, shopify_shop, png((400, 400)), kind=FileKind.AI_IMAGE)
    session.add(
        Generation(
            shop_id=shopify_shop.id,
            area_key="front",
            prompt="a fox",
            cache_key="k" * 64,
            provider="local",
            status=GenerationStatus.SUCCEEDED,
            file_id=generated.id,
            blocked_at=datetime.now(UTC),
        )
    )
    session.commit()

    response = _save(proxy, template, document(image(generated.key)))

    assert response.status_code == 422
    assert response.json["error"]["errors"] == [
        {
            "path": "areas.front.layers[0].src",
            "message": "the store removed this generated image; please choose another",
        }
    ]


def test_clipart_must_exist_and_wear_an_offered_colour(
    proxy: Caller, template: Template, session: Session
) -> None:
    template.clipart_sets = ["love"]
    session.commit()
    piece = {"type": "clipart", "x_mm": 1, "y_mm": 1, "width_mm": 5, "height_mm": 5}

    response = _save(
        proxy,
        template,
        document(
            {**piece, "src": "clipart:love/unicorn"},
            {**piece, "src": "clipart:love/heart", "color": "#00ff00"},
            {**piece, "src": "clipart:love/heart", "color": "#dc2626"},
        ),
    )

    assert response.status_code == 422
    assert response.json["error"]["errors"] == [
        {"path": "areas.front.layers[0].src", "message": "this clipart was not found"},
        {"path": "areas.front.layers[1].color", "message": "choose one of this product's colours"},
    ]


def test_a_shoppers_photo_is_placed_by_its_key_never_by_a_guessable_id(
    proxy: Caller, template: Template
) -> None:
    """Upload ids count up: another shopper of the store could guess ``file:<id>`` and print
    someone else's photo. Only the unguessable key the upload answered places it."""
    sent = proxy.post(
        "/uploads",
        data={"file": (io.BytesIO(png((400, 200))), "anna.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201
    upload = sent.json

    by_id = _save(proxy, template, document(image(f"file:{upload['file_id']}")))
    by_key = _save(proxy, template, document(image(upload["src"])))

    assert by_id.status_code == 422
    assert by_id.json["error"]["errors"] == [
        {
            "path": "areas.front.layers[0].src",
            "message": "this picture was not found; please upload it again",
        }
    ]
    assert by_key.status_code == 201, by_key.get_data(as_text=True)


ARABIC = (
    "Right-to-left text (Arabic) can't be printed yet: its letters would come out in the wrong "
    "order. Please use Latin, Greek or Cyrillic letters."
)
DEVANAGARI = (
    "Devanagari text can't be printed yet: its letters can't be joined correctly. Please use "
    "Latin, Greek or Cyrillic letters."
)
CJK = (
    "Chinese, Japanese and Korean characters can't be printed yet: none of the fonts has them. "
    "Please use Latin, Greek or Cyrillic letters."
)
EMOJI = "Emoji can't be printed: none of the fonts has them. Please remove them."


@pytest.mark.parametrize(
    ("_case", "value", "message"),
    [
        ("arabic", "مرحبا", ARABIC),
        ("devanagari", "नमस्ते", DEVANAGARI),
        ("chinese", "你好", CJK),
        ("japanese", "こんにちは", CJK),
        ("korean", "안녕하세요", CJK),
        ("emoji", "Anna 🎉", EMOJI),
    ],
)
def test_text_the_print_cannot_hold_is_refused_with_its_script_named(
    _case: str, value: str, message: str, proxy: Caller, template: Template, session: Session
) -> None:
    """Issue #19: never printed as boxes or unjoined letters; a 422 that says why, and the
    live quote names it too."""
    doc = document(text(value))

    response = _save(proxy, template, doc)
    quoted = proxy.post("/designs/quote", json={"template_id": template.id, "document": doc})

    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid_design"
    assert error["errors"] == [{"path": "areas.front.layers[0].text", "message": message}]
    assert session.scalars(select(Design)).all() == []
    assert quoted.status_code == 200
    assert quoted.json["problems"] == [{"path": "areas.front.layers[0].text", "message": message}]


def test_outline_and_shadow_are_saved_and_wear_the_templates_colours(
    proxy: Caller, template: Template, session: Session
) -> None:
    look = {"stroke": "#ffffff", "stroke_width_mm": 0.6}
    shadow = {"color": "#000000", "offset_x_mm": 1, "offset_y_mm": 1, "blur_mm": 0.5}
    saved = _save(proxy, template, document(text("Anna", **look, shadow=shadow)))
    off_palette = _save(
        proxy,
        template,
        document(text("Anna", stroke="#00ff00", stroke_width_mm=1, shadow={"color": "#123456"})),
    )
    too_wide = _save(proxy, template, document(text("Anna", stroke="#ffffff", stroke_width_mm=99)))

    assert saved.status_code == 201, saved.get_data(as_text=True)
    layer = _design(session, saved.json["design_id"]).document["areas"]["front"]["layers"][0]
    assert (layer["stroke"], layer["stroke_width_mm"], layer["shadow"]) == ("#ffffff", 0.6, shadow)
    assert off_palette.status_code == 422
    assert off_palette.json["error"]["errors"] == [
        {
            "path": "areas.front.layers[0].shadow.color",
            "message": "choose one of this product's colours",
        },
        {"path": "areas.front.layers[0].stroke", "message": "choose one of this product's colours"},
    ]
    assert too_wide.status_code == 422
    assert too_wide.json["error"]["errors"] == [
        {"path": "areas.front.layers[0].stroke_width_mm", "message": "must be <= 20"}
    ]
