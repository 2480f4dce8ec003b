"""``POST /uploads``: a shopper's photo, kept as one of the shop's upload files.

Each kept photo spends its bytes from the shopper's and the store's file budgets (per hour and per
day, ``ratelimit.spend_file_bytes``): a shopper or store already over one is refused (429 with
``Retry-After``) before the body is even read, and the photo that would pass one is not kept. A
photo no design places is removed after ``LUNEO_UPLOAD_RETENTION_HOURS`` (``app.retention``).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from app.admin.mockups import RejectedUpload, display_name, read_limited
from app.errors import ApiError
from app.extensions import get_redis, get_session, get_storage
from app.models import FileKind
from app.stored_files import store_bytes
from app.storefront import current_scope, current_shopper
from app.storefront.catalog import file_link
from app.storefront.photos import Photo, prepare_photo
from app.storefront.ratelimit import spend_file_bytes

STATUS_FOR = {"too_large": 413, "unsupported_type": 415}  # anything else: 422 (corrupt, bomb)


def upload() -> ResponseReturnValue:
    """Multipart ``file`` -> 201 ``{file_id, src, url, width_px, height_px, content_type}``."""
    shopper = current_shopper()
    # Over budget: RateLimited, answered 429 by app.errors, before reading the body.
    spend_file_bytes(get_redis(), shopper.shop.id, shopper.client_key, 0)
    sent = request.files.get("file")
    if sent is None:
        raise ApiError(400, "missing_file", "Choose a picture to upload.")
    config = current_app.config
    try:
        data = read_limited(sent.stream, int(config["STOREFRONT_UPLOAD_MAX_BYTES"]))
        photo = prepare_photo(data, int(config["STOREFRONT_UPLOAD_MAX_PIXELS"]))
    except RejectedUpload as exc:
        raise ApiError(STATUS_FOR.get(exc.code, 422), exc.code, exc.message) from None
    spend_file_bytes(get_redis(), shopper.shop.id, shopper.client_key, len(photo.data))
    return _keep(sent.filename, photo)


def _keep(filename: str | None, photo: Photo) -> ResponseReturnValue:
    """Store the photo (its bytes were charged) and answer how the editor places it."""
    stored = store_bytes(
        current_scope(),
        get_storage(),
        photo.data,
        kind=FileKind.UPLOAD,
        folder="uploads",
        extension=photo.extension,
        content_type=photo.content_type,
        name=display_name(filename),
    )
    get_session().commit()
    body = {
        "file_id": stored.id,
        "src": stored.key,  # unguessable: a shopper's picture is never placed by a counted id
        "url": file_link(stored),
        "width_px": photo.width,
        "height_px": photo.height,
        "content_type": stored.content_type,
    }
    return jsonify(body), 201


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/uploads", view_func=upload, methods=["POST"])
