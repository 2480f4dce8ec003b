"""``POST /uploads/background-removal``: a plain background cut away, kept as a new upload."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image, ImageDraw
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import FileKind, Shop, StoredFile
from app.storage import Storage
from tests.factories import make_shop

from .conftest import Caller, proxy_caller

BACKDROP = (236, 238, 240)


def _portrait(background: tuple[int, int, int] = BACKDROP) -> bytes:
    """A red disc on a plain backdrop, with a hole of backdrop colour inside the disc."""
    image = Image.new("RGB", (120, 90), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((30, 15, 90, 75), fill=(200, 30, 30))
    draw.rectangle((55, 40, 65, 50), fill=background)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _noise() -> bytes:
    image = Image.effect_noise((80, 60), 120).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _upload(caller: Caller, data: bytes) -> dict[str, Any]:
    response = caller.post(
        "/uploads",
        data={"file": (io.BytesIO(data), "me.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def _cut(caller: Caller, body: Any) -> Any:
    return caller.post("/uploads/background-removal", json=body)


def _uploads(session: Session) -> int:
    stmt = select(func.count()).select_from(StoredFile).where(StoredFile.kind == FileKind.UPLOAD)
    return session.scalar(stmt) or 0


def test_a_plain_background_becomes_transparent_in_a_new_upload(
    proxy: Caller, session: Session, storage: Storage
) -> None:
    original = _upload(proxy, _portrait())

    response = _cut(proxy, {"src": original["src"]})

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["src"] != original["src"]
    assert (body["width_px"], body["height_px"], body["content_type"]) == (120, 90, "image/png")
    assert 0.5 < body["removed"] < 0.8
    stored = session.scalars(select(StoredFile).where(StoredFile.key == body["src"])).one()
    assert stored.kind == FileKind.UPLOAD
    with storage.open(body["src"]) as stream:
        picture = Image.open(io.BytesIO(stream.read()))
    assert picture.mode == "RGBA"
    assert picture.getpixel((3, 3))[3] == 0  # the backdrop
    assert picture.getpixel((40, 45))[3] == 255  # the disc
    assert picture.getpixel((60, 45))[3] == 255  # backdrop colour inside the subject is kept
    assert _uploads(session) == 2  # the original stays, for undo


@pytest.mark.parametrize(
    ("_case", "picture", "code"),
    [
        ("busy background", _noise, "background_not_simple"),
        ("all backdrop", lambda: _portrait_of_nothing(), "background_everywhere"),
    ],
)
def test_a_poor_result_is_refused_with_a_clear_422(
    proxy: Caller, session: Session, _case: str, picture: Any, code: str
) -> None:
    original = _upload(proxy, picture())

    response = _cut(proxy, {"src": original["src"]})

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]
    assert _uploads(session) == 1


def _portrait_of_nothing() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), BACKDROP).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("_case", "body", "status"),
    [
        ("no src", {}, 400),
        ("src not a string", {"src": 12}, 400),
        ("empty src", {"src": ""}, 400),
        ("not json", None, 400),
        ("unknown key", {"src": "shops/1/uploads/nothing.png"}, 404),
        ("counted file id", {"src": "file:1"}, 404),
        ("clipart", {"src": "clipart:love/heart"}, 404),
    ],
)
def test_bad_input_gets_a_4xx_and_keeps_nothing(
    proxy: Caller, session: Session, _case: str, body: Any, status: int
) -> None:
    if body is None:
        response = proxy.post(
            "/uploads/background-removal", data=b"nope", content_type="text/plain"
        )
    else:
        response = _cut(proxy, body)

    assert response.status_code == status
    assert response.get_json()["error"]["code"]
    assert _uploads(session) == 0


def test_another_shops_upload_is_not_found(
    proxy: Caller, client: FlaskClient, session: Session, shopify_shop: Shop
) -> None:
    other = make_shop(session, domain="other-store.myshopify.com", currency="EUR")
    session.commit()
    theirs = _upload(proxy_caller(client, other), _portrait())

    response = _cut(proxy, {"src": theirs["src"]})

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert _uploads(session) == 1


def test_cutting_out_spends_the_shoppers_render_time(
    proxy: Caller, session: Session, app: Any, redis: Redis
) -> None:
    """Like previews: one millisecond per window, the first cut-out spends it, the next waits."""
    app.config.update(STOREFRONT_RENDER_MS_PER_CLIENT=1, STOREFRONT_RENDER_MS_PER_SHOP=0)
    original = _upload(proxy, _portrait())

    first = _cut(proxy, {"src": original["src"]})
    second = _cut(proxy, {"src": original["src"]})

    assert [first.status_code, second.status_code] == [201, 429]
    assert second.get_json()["error"]["code"] == "rate_limited"
    assert int(second.headers["Retry-After"]) >= 1
    assert _uploads(session) == 2
