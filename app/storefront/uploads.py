"""``POST /uploads``: a shopper's photo, kept as one of the shop's upload files.

Each kept photo spends its bytes from the shopper's and the store's file budgets (per hour and per
day, ``ratelimit.spend_file_bytes``): a shopper or store already over one is refused (429 with
``Retry-After``) before the body is even read, and the photo that would pass one is not kept. A
photo no design places is removed after ``LUNEO_UPLOAD_RETENTION_HOURS`` (``app.retention``).

``POST /uploads/background-removal``: one of the shop's pictures (named by the ``src`` its upload
or generation answered) with a plain background cut away, offline (``app.design.background``),
kept as a new upload: the original stays, so the editor's undo simply places it again. It costs
rendering time from the shopper's and the store's preview budgets and bytes from their file
budgets, like a preview and an upload.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from app.admin.mockups import RejectedUpload, display_name, read_limited
from app.api_error import NotFound
from app.design.background import NotSimple, remove_background
from app.design.refs import FILE_REF
from app.errors import ApiError
from app.extensions import get_redis, get_session, get_storage
from app.models import FileKind
from app.production.assets import AssetUnavailable, shop_assets, stored_file_for_ref
from app.stored_files import store_bytes
from app.storefront import current_scope, current_shopper
from app.storefront.catalog import file_link
from app.storefront.inputs import json_object
from app.storefront.photos import Photo, prepare_photo
from app.storefront.ratelimit import charge_render, check_render_budget, spend_file_bytes

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
    return jsonify(_keep(sent.filename, photo)), 201


def _keep(filename: str | None, photo: Photo) -> dict[str, Any]:
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
    return {
        "file_id": stored.id,
        "src": stored.key,  # unguessable: a shopper's picture is never placed by a counted id
        "url": file_link(stored),
        "width_px": photo.width,
        "height_px": photo.height,
        "content_type": stored.content_type,
    }


CUTTABLE = frozenset({FileKind.UPLOAD, FileKind.AI_IMAGE})
NOT_FOUND = "This picture was not found; please upload it again."


def remove_photo_background() -> ResponseReturnValue:
    """``{src}`` -> 201 like an upload, plus ``removed`` (the share made transparent); 404 for a
    picture that is not one of this shop's shoppers' pictures, 422 when no plain background
    was found (or nothing would stay)."""
    shopper, scope, body = current_shopper(), current_scope(), json_object()
    src = body.get("src")
    if not isinstance(src, str) or not 0 < len(src) <= 1024:
        raise ApiError(400, "invalid_src", "Name the picture by the src its upload answered.")
    stored = stored_file_for_ref(scope, src)
    if stored is None or stored.kind not in CUTTABLE or FILE_REF.fullmatch(src):
        raise NotFound(NOT_FOUND)  # another shop's picture is answered as a missing one
    spend_file_bytes(get_redis(), shopper.shop.id, shopper.client_key, 0)
    check_render_budget()
    started = time.monotonic()
    try:
        data = shop_assets(scope, get_storage())(src)
        cutout = remove_background(data, int(current_app.config["STOREFRONT_UPLOAD_MAX_PIXELS"]))
    except LookupError:
        raise NotFound(NOT_FOUND) from None
    except AssetUnavailable:
        raise ApiError(503, "storage_unavailable", "Please try again in a moment.") from None
    except NotSimple as exc:
        raise ApiError(422, exc.code, exc.message) from None
    finally:
        charge_render(round((time.monotonic() - started) * 1000))
    spend_file_bytes(get_redis(), shopper.shop.id, shopper.client_key, len(cutout.png))
    photo = Photo(cutout.png, "image/png", "png", cutout.width, cutout.height)
    kept = _keep(_cutout_name(stored.original_name), photo)
    return jsonify({**kept, "removed": round(cutout.removed, 4)}), 201


def _cutout_name(name: str | None) -> str:
    stem = (name or "photo").rsplit(".", 1)[0]
    return f"{stem[:180]}-cutout.png"


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/uploads", view_func=upload, methods=["POST"])
    bp.add_url_rule(
        "/uploads/background-removal", view_func=remove_photo_background, methods=["POST"]
    )
