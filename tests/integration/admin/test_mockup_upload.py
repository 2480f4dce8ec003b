"""Mockup uploads: real PNG/JPEG images are stored for the shop; anything else is refused."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import FileKind, Product, Shop, StoredFile
from app.storage import Storage
from tests.factories import make_template
from tests.integration.admin.conftest import image_bytes

UPLOAD = "/api/admin/mockups"


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bomb(width: int, height: int, *, real_pixels: bool) -> bytes:
    """A grayscale PNG declaring ``width``×``height``: a few KB that would inflate enormously.

    With ``real_pixels`` the compressed rows are all there (a working bomb); without, only the
    header is honest, which is all a decoder needs to be tricked into allocating.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = (b"\x00" * (width + 1)) * height if real_pixels else b"\x00" * 64
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def truncated_png() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((300, 300), 60).save(out, format="PNG")
    data = out.getvalue()
    return data[: len(data) // 2]


def upload(client: FlaskClient, data: bytes, name: str, headers: dict[str, str]) -> Any:
    """POST ``data`` as the ``file`` field, encoded here: Werkzeug's test client leaves the
    temp file it spools big bodies to unclosed, which the suite's warnings-as-errors catches."""
    boundary = "luneo-test-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    content_type = f"multipart/form-data; boundary={boundary}"
    return client.post(UPLOAD, data=body, headers=headers, content_type=content_type)


def stored_files(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(StoredFile)) or 0)


def files_on_disk(settings: dict[str, Any]) -> list[Path]:
    return [p for p in Path(settings["STORAGE_URL"]).rglob("*") if p.is_file()]


# ---------------------------------------------------------------- accepted


@pytest.mark.parametrize(
    ("_case", "fmt", "name", "content_type", "ext", "shown_name"),
    [
        ("png", "PNG", "tote.png", "image/png", "png", "tote.png"),
        ("jpeg", "JPEG", "tote front.jpeg", "image/jpeg", "jpg", "tote front.jpeg"),
        ("type from the bytes, not the name", "PNG", "photo.jpg", "image/png", "png", "photo.jpg"),
        ("a path in the name", "PNG", "../../etc/tote.png", "image/png", "png", "tote.png"),
    ],
)
def test_a_valid_image_is_stored_as_the_shops_mockup(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    storage: Storage,
    shop: Shop,
    _case: str,
    fmt: str,
    name: str,
    content_type: str,
    ext: str,
    shown_name: str,
) -> None:
    data = image_bytes(fmt, (120, 80))

    response = upload(cookie_client, data, name, csrf)

    assert response.status_code == 201, response.json
    body = response.json["file"]
    stored = session.get(StoredFile, body["id"])
    assert stored is not None
    assert (stored.shop_id, stored.kind) == (shop.id, FileKind.MOCKUP)
    assert stored.key.startswith(f"shops/{shop.id}/mockup/")
    assert stored.key.endswith(f".{ext}")
    assert (stored.content_type, stored.size) == (content_type, len(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.original_name == shown_name
    with storage.open(stored.key) as kept:
        assert kept.read() == data
    assert (body["width"], body["height"]) == (120, 80)
    assert (body["content_type"], body["size"], body["name"]) == (
        content_type,
        len(data),
        shown_name,
    )
    link = urlsplit(body["url"])
    download = cookie_client.get(f"{link.path}?{link.query}", buffered=True)
    assert (download.status_code, download.data) == (200, data)


def test_an_uploaded_mockup_can_be_placed_on_a_print_area(
    client: FlaskClient, session: Session, bearer: Any, product: Product
) -> None:
    make_template(session, product)
    session.commit()
    uploaded = upload(client, image_bytes("PNG", (800, 600)), "tote.png", bearer())
    file_id = uploaded.json["file"]["id"]
    area = {
        "key": "front",
        "name": "Front",
        "width_mm": 200,
        "height_mm": 90,
        "dpi": 300,
        "bleed_mm": 3,
        "safe_margin_mm": 5,
        "mockup_file_id": file_id,
        "mockup_placement": {"x": 250, "y": 240, "width": 280, "height": 126},
    }
    body = {
        "name": "Tote",
        "is_active": True,
        "fonts": [],
        "colors": [],
        "max_layers": 5,
        "ai_enabled": False,
        "min_image_dpi": 100,
        "price_rules": [],
        "print_areas": [area],
    }

    saved = client.put(f"/api/admin/products/{product.id}/template", json=body, headers=bearer())

    assert uploaded.status_code == 201
    assert saved.status_code == 200, saved.json
    shown = saved.json["template"]["print_areas"][0]
    assert shown["mockup_file_id"] == file_id
    assert urlsplit(shown["mockup_url"]).path == f"/files/{session.get(StoredFile, file_id).key}"  # type: ignore[union-attr]
    assert shown["mockup_placement"] == {"x": 250, "y": 240, "width": 280, "height": 126}


# ---------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("_case", "data", "name", "code", "message"),
    [
        (
            "plain text",
            b"just some text",
            "notes.png",
            "unsupported_type",
            "Upload a PNG or JPEG image.",
        ),
        (
            "a GIF",
            image_bytes("GIF"),
            "anim.gif",
            "unsupported_type",
            "Upload a PNG or JPEG image.",
        ),
        ("an empty file", b"", "empty.png", "invalid", "The file is empty."),
        (
            "over 10 MB",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024),
            "huge.png",
            "too_large",
            "The image is larger than 10 MB.",
        ),
        (
            "decompression bomb beyond Pillow's own limit",
            png_bomb(20_000, 20_000, real_pixels=False),
            "bomb.png",
            "too_large",
            "The image has too many pixels.",
        ),
        (
            "decompression bomb under Pillow's limit but over ours",
            png_bomb(7_000, 7_000, real_pixels=True),
            "bomb.png",
            "too_large",
            "The image is 7000×7000 pixels; at most 40 MP.",
        ),
        (
            "a truncated PNG",
            truncated_png(),
            "cut.png",
            "invalid_image",
            "The image is damaged or incomplete.",
        ),
    ],
)
def test_anything_but_a_sane_png_or_jpeg_is_refused_and_nothing_is_kept(
    cookie_client: FlaskClient,
    csrf: dict[str, str],
    session: Session,
    settings: dict[str, Any],
    _case: str,
    data: bytes,
    name: str,
    code: str,
    message: str,
) -> None:
    response = upload(cookie_client, data, name, csrf)

    assert response.status_code == 400
    assert response.json == {"error": {"code": code, "message": message}}
    assert stored_files(session) == 0
    assert files_on_disk(settings) == []


def test_a_request_without_a_file_is_refused(
    cookie_client: FlaskClient, csrf: dict[str, str], session: Session
) -> None:
    response = cookie_client.post(UPLOAD, data={"other": "x"}, headers=csrf)

    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid"
    assert stored_files(session) == 0


def test_a_cookie_session_upload_needs_the_csrf_token(
    cookie_client: FlaskClient, session: Session, settings: dict[str, Any]
) -> None:
    response = upload(cookie_client, image_bytes(), "tote.png", {})

    assert response.status_code == 403
    assert stored_files(session) == 0
    assert files_on_disk(settings) == []
