"""Shoppers' uploads: only real pictures are kept, upright and without their metadata."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import FileKind, Shop, StoredFile
from app.storage import Storage

from .conftest import Caller, png


def _send(proxy: Caller, data: bytes, name: str, mimetype: str) -> Any:
    return proxy.post(
        "/uploads",
        data={"file": (io.BytesIO(data), name, mimetype)},
        content_type="multipart/form-data",
    )


def _uploads(session: Session) -> int:
    stmt = select(func.count()).select_from(StoredFile).where(StoredFile.kind == FileKind.UPLOAD)
    return session.scalar(stmt) or 0


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png(width: int = 60_000, height: int = 60_000) -> bytes:
    """A few hundred bytes whose header promises 3.6 gigapixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def jpeg(size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", quality=95)
    return out.getvalue()


def _cut(data: bytes) -> bytes:
    """The first two thirds: the headers are intact, the picture is not."""
    return data[: len(data) * 2 // 3]


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


@pytest.mark.parametrize(
    ("_case", "data", "name", "mimetype", "status", "code"),
    [
        (
            "pdf named .jpg",
            b"%PDF-1.7\n1 0 obj<<>>endobj\n",
            "me.jpg",
            "image/jpeg",
            415,
            "unsupported_type",
        ),
        (
            "html named .png",
            b"<html><script>x()</script></html>",
            "a.png",
            "image/png",
            415,
            "unsupported_type",
        ),
        (
            "svg with a script",
            SVG_WITH_SCRIPT,
            "logo.svg",
            "image/svg+xml",
            415,
            "unsupported_type",
        ),
        ("svg named .png", SVG_WITH_SCRIPT, "logo.png", "image/png", 415, "unsupported_type"),
        ("truncated png", png((300, 300))[:-200], "cut.png", "image/png", 422, "invalid_image"),
        ("truncated jpeg", _cut(jpeg((400, 300))), "cut.jpg", "image/jpeg", 422, "invalid_image"),
        ("bomb header", bomb_png(), "bomb.png", "image/png", 422, "too_many_pixels"),
        ("empty", b"", "empty.png", "image/png", 422, "invalid"),
    ],
)
def test_hostile_uploads_are_refused_and_nothing_is_kept(
    _case: str,
    data: bytes,
    name: str,
    mimetype: str,
    status: int,
    code: str,
    proxy: Caller,
    session: Session,
) -> None:
    response = _send(proxy, data, name, mimetype)

    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert _uploads(session) == 0


def test_a_picture_over_the_size_limit_gets_413(
    settings: dict[str, Any], client: FlaskClient, shopify_shop: Shop, session: Session
) -> None:
    from .conftest import proxy_caller

    client.application.config["STOREFRONT_UPLOAD_MAX_BYTES"] = 2_000
    response = _send(
        proxy_caller(client, shopify_shop), png((300, 300)) + b"\0" * 3000, "big.png", "image/png"
    )

    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert _uploads(session) == 0


def test_a_body_over_the_request_limit_gets_413_json(
    client: FlaskClient, shopify_shop: Shop, session: Session
) -> None:
    from .conftest import proxy_caller

    client.application.config["MAX_CONTENT_LENGTH"] = 10_000
    response = _send(proxy_caller(client, shopify_shop), b"\0" * 20_000, "huge.png", "image/png")

    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert _uploads(session) == 0


def test_a_request_without_a_file_gets_400(proxy: Caller) -> None:
    response = proxy.post("/uploads", data={"other": "x"}, content_type="multipart/form-data")

    assert response.status_code == 400
    assert response.json["error"]["code"] == "missing_file"


def _rotated_jpeg_with_gps() -> bytes:
    """40 x 20 as stored (left red, right blue), EXIF orientation 6 (show turned 90° clockwise)."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif.tobytes(), comment=b"secret note")
    return out.getvalue()


def test_an_exif_rotated_photo_comes_back_upright_without_metadata(
    proxy: Caller, session: Session, storage: Storage, shopify_shop: Shop
) -> None:
    response = _send(proxy, _rotated_jpeg_with_gps(), "IMG_0001.JPG", "application/octet-stream")

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    assert (body["width_px"], body["height_px"]) == (20, 40)
    assert body["content_type"] == "image/jpeg"
    stored = session.get(StoredFile, body["file_id"])
    assert stored is not None
    assert body["src"] == stored.key  # the unguessable name a design places it by
    assert (stored.shop_id, stored.kind, stored.original_name) == (
        shopify_shop.id,
        FileKind.UPLOAD,
        "IMG_0001.JPG",
    )
    with storage.open(stored.key) as stream:
        kept = Image.open(io.BytesIO(stream.read()))
        kept.load()
    assert kept.size == (20, 40)
    assert len(kept.getexif()) == 0
    assert "exif" not in kept.info
    assert "comment" not in kept.info
    top, bottom = kept.getpixel((10, 5)), kept.getpixel((10, 35))
    assert isinstance(top, tuple)
    assert isinstance(bottom, tuple)
    assert top[0] > 200
    assert top[2] < 60
    assert bottom[2] > 200
    assert bottom[0] < 60


def test_png_text_chunks_are_dropped_and_webp_becomes_png(
    proxy: Caller, storage: Storage, session: Session
) -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Jane Doe, 12 Rue de Rivoli")
    tagged = io.BytesIO()
    Image.new("RGBA", (16, 8), (0, 255, 0, 128)).save(tagged, "PNG", pnginfo=info)
    webp = io.BytesIO()
    Image.new("RGB", (12, 6), (9, 9, 9)).save(webp, "WEBP")

    as_png = _send(proxy, tagged.getvalue(), "tagged.png", "image/png")
    from_webp = _send(proxy, webp.getvalue(), "pic.webp", "image/webp")

    assert as_png.status_code == from_webp.status_code == 201
    assert from_webp.json["content_type"] == "image/png"
    assert (from_webp.json["width_px"], from_webp.json["height_px"]) == (12, 6)
    stored = session.get(StoredFile, as_png.json["file_id"])
    assert stored is not None
    with storage.open(stored.key) as stream:
        kept = Image.open(io.BytesIO(stream.read()))
    assert "Author" not in kept.info
    assert kept.mode == "RGBA"
