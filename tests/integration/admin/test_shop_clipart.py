"""A merchant's own clipart sets (issue #21): sets and pieces through the admin API, SVG attacks
stripped or refused, PNG size rule, the template editor, the widget's document, a shopper's
design and its preview, each scoped to the shop."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import FileKind, MerchantClipart, Product, Shop, StoredFile, Template
from tests.factories import make_template
from tests.integration.admin.test_shop_fonts import multipart
from tests.integration.admin.test_template_api import payload
from tests.integration.ai.conftest import signed_query
from tests.support.shopify import session_token

HEART = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" onload="alert(1)">'
    b'<script>alert("x")</script>'
    b'<path d="M12 21 3 12a5 5 0 0 1 9-6 5 5 0 0 1 9 6z" fill="#dc2626"/></svg>'
)


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 200, 255)).save(out, "PNG")
    return out.getvalue()


def new_set(client: FlaskClient, headers: dict[str, str], label: str = "Our logos") -> Any:
    return client.post("/api/admin/clipart/sets", json={"label": label}, headers=headers)


def add(client: FlaskClient, headers: dict[str, str], set_id: int, data: bytes, label: str) -> Any:
    body, content_type = multipart({"label": label}, data, name="piece.svg")
    return client.post(
        f"/api/admin/clipart/sets/{set_id}/pieces",
        data=body,
        headers=headers,
        content_type=content_type,
    )


def clipart_files(session: Session) -> int:
    stmt = select(func.count()).select_from(StoredFile).where(StoredFile.kind == FileKind.CLIPART)
    return int(session.scalar(stmt) or 0)


def test_a_set_takes_a_sanitised_svg_and_a_large_png(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session, storage: Any
) -> None:
    made = new_set(cookie_client, csrf)
    svg = add(cookie_client, csrf, made.json["id"], HEART, "Heart")
    picture = add(cookie_client, csrf, made.json["id"], png((1500, 1000)), "Logo")

    assert made.status_code == 201
    assert made.json["key"] == f"shop-{made.json['id']}"
    assert svg.status_code == 201, svg.json
    assert svg.json["src"] == f"clipart:shop-{made.json['id']}/heart"
    assert {"<script>", "onload handler"} <= set(svg.json["removed"])
    assert picture.status_code == 201
    assert "about 13 cm" in picture.json["warnings"][0]
    piece = session.scalars(select(MerchantClipart).where(MerchantClipart.name == "heart")).one()
    stored = session.get(StoredFile, piece.file_id)
    assert stored is not None
    with storage.open(stored.key) as stream:
        kept = stream.read()
    assert b"script" not in kept
    assert b"alert" not in kept
    assert stored.content_type == "image/svg+xml"
    page = cookie_client.get("/admin/assets")
    assert "Our logos" in page.text
    assert 'data-confirm="Delete Heart from Our logos?"' in page.text


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><title>&x;</title></svg>',
            400,
            "DOCTYPE",
        ),
        (
            b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><title>&b;</title></svg>',
            400,
            "DOCTYPE",
        ),
        (png((400, 300)), 400, "at least 1000 pixels"),
        (b"", 400, "empty"),
        (b"<svg" + b" " * (11 * 1024 * 1024), 413, "larger than 10 MB"),
        (b"MZ\x90\x00 a program", 400, "could not be read"),
    ],
    ids=["xxe", "billion-laughs", "small-png", "empty", "huge", "garbage"],
)
def test_what_cannot_be_clipart_is_refused_and_nothing_is_stored(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    data: bytes,
    status: int,
    words: str,
) -> None:
    set_id = new_set(cookie_client, csrf).json["id"]

    answer = add(cookie_client, csrf, set_id, data, "Bad")

    assert answer.status_code == status, answer.json
    assert words in answer.json["error"]["message"]
    assert clipart_files(session) == 0


def test_clipart_writes_need_the_csrf_token_and_the_shops_own_set(
    client: FlaskClient,
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    other_shop: Shop,
) -> None:
    set_id = new_set(cookie_client, csrf).json["id"]
    piece_id = add(cookie_client, csrf, set_id, HEART, "Heart").json["id"]
    theirs = {"Authorization": f"Bearer {session_token(other_shop.domain)}"}

    no_token = new_set(cookie_client, {})
    into_theirs = add(client, theirs, set_id, HEART, "Sneaky")
    delete_theirs = client.delete(f"/api/admin/clipart/pieces/{piece_id}", headers=theirs)
    delete_set = client.delete(f"/api/admin/clipart/sets/{set_id}", headers=theirs)

    assert no_token.status_code == 403
    assert (into_theirs.status_code, delete_theirs.status_code, delete_set.status_code) == (
        404,
        404,
        404,
    )
    assert clipart_files(session) == 1


def test_a_template_offers_the_shops_set_and_the_widget_gets_it_only_there(
    client: FlaskClient,
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    shop: Shop,
    product: Product,
    other_shop: Shop,
    other_product: Product,
) -> None:
    set_id = new_set(cookie_client, csrf).json["id"]
    src = add(cookie_client, csrf, set_id, HEART, "Heart").json["src"]
    key = f"shop-{set_id}"
    product.external_id = "gid://shopify/Product/8001"
    other_product.external_id = "gid://shopify/Product/8002"
    make_template(session, product, name="Tote bag")
    make_template(session, other_product, clipart_sets=[key])  # forged straight into the DB
    session.commit()
    theirs = {"Authorization": f"Bearer {session_token(other_shop.domain)}"}

    editor = cookie_client.get(f"/admin/products/{product.id}/template")
    saved = cookie_client.put(
        f"/api/admin/products/{product.id}/template",
        json=payload(clipart_sets=["love", key]),
        headers=csrf,
    )
    refused = client.put(
        f"/api/admin/products/{other_product.id}/template",
        json=payload(clipart_sets=[key]),
        headers=theirs,
    )
    mine = client.get(f"/proxy/products/8001/template?{signed_query(shop.domain)}").json
    their_doc = client.get(f"/proxy/products/8002/template?{signed_query(other_shop.domain)}").json

    assert f'value="{key}"' in editor.text
    assert saved.status_code == 200, saved.json
    assert refused.status_code == 400
    assert "clipart_sets[0]" in refused.json["error"]["fields"]
    own = next(s for s in mine["clipart"] if s["set"] == key)
    assert own["items"][0]["src"] == src
    link = urlsplit(own["items"][0]["url"])
    with client.get(f"{link.path}?{link.query}") as served:
        assert served.status_code == 200
        assert served.headers["Content-Type"].startswith("image/svg+xml")
        assert b"<script" not in served.data
    assert all(s["set"] != key for s in their_doc["clipart"])
    deleting = cookie_client.delete(f"/api/admin/clipart/sets/{set_id}", headers=csrf)
    assert deleting.status_code == 409
    assert "Tote front print" in deleting.json["error"]["message"]


def test_a_shopper_places_the_shops_clipart_and_another_shop_cannot(
    client: FlaskClient,
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    shop: Shop,
    product: Product,
    other_shop: Shop,
    other_product: Product,
) -> None:
    set_id = new_set(cookie_client, csrf).json["id"]
    src = add(cookie_client, csrf, set_id, HEART, "Heart").json["src"]
    mine = make_template(session, product, clipart_sets=[f"shop-{set_id}"])
    theirs = make_template(session, other_product, clipart_sets=[f"shop-{set_id}"])
    session.commit()
    layer = {"type": "clipart", "src": src, "x_mm": 5, "y_mm": 5, "width_mm": 30, "height_mm": 30}
    document = {"version": 1, "areas": {"front": {"layers": [layer]}}}

    saved = client.post(
        f"/proxy/designs?{signed_query(shop.domain)}",
        json={"template_id": mine.id, "document": document},
    )
    preview = client.post(
        f"/proxy/previews?{signed_query(shop.domain)}",
        json={"template_id": mine.id, "document": document, "area": "front"},
    )
    stolen = client.post(
        f"/proxy/designs?{signed_query(other_shop.domain)}",
        json={"template_id": theirs.id, "document": document},
    )

    assert saved.status_code == 201, saved.json
    assert preview.status_code == 200
    assert preview.headers["Content-Type"].startswith("image/")
    assert stolen.status_code == 422
    assert stolen.json["error"]["errors"][0]["message"] == "this clipart was not found"
    assert session.scalar(select(func.count()).select_from(Template)) == 2
