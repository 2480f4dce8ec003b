"""Links a page shows without any header: a design's preview and a product's 3D model.

Not a storefront surface (no shop guard): an ``<img>`` in the cart, checkout or an order e-mail
cannot send a key or a signature header, and must keep working long after the order. So:

* ``/storefront/designs/<design_id>/preview.png?v=…&sig=…`` — ``sig`` is the design id's lasting
  signature (``app.signing``), so the link cannot be made from a design id alone (which theme
  scripts can read from the cart); ``v`` changes with each new preview, so it caches forever.
* ``/storefront/models/<model>.glb?color=…&sig=…`` — the built-in model in the product's colour,
  the same for every shop, for the widget's 3D preview (it paints the design on it in the
  browser). ``sig`` signs the colour (any other colour is not found), so only the colours
  merchants chose are ever built; each is built once and kept in Redis for every process.
* ``/storefront/widget/<file>`` — the editor's built assets (``storefront_widget/assets``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.design import DesignError
from app.design.color import HEX_COLOR
from app.errors import ApiError, NotFound
from app.extensions import get_redis, get_session, get_storage
from app.models import Design, FileKind, StoredFile, owned_row
from app.signing import Mark, lasting_signature, lasting_signature_matches
from app.storage import MissingFile

bp = Blueprint("storefront_public", __name__, url_prefix="/storefront")
LONG_CACHE = "public, max-age=31536000, immutable"
MODEL_PREFIX = "luneo:storefront:model"
MODEL_TTL = 7 * 24 * 3600  # a variant costs ~0.6 s to build; there are few (signed colours)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def design_signature(public_id: str, mark: Mark = Mark.DESIGN_PREVIEW) -> str:
    """A design id's lasting signature for one ``mark``: the preview link's ``sig``, or the edit
    token only a design's anonymous maker is given (``designs``)."""
    return lasting_signature(_secret(), mark, public_id)


def design_signature_matches(public_id: str, given: str, mark: Mark = Mark.DESIGN_PREVIEW) -> bool:
    return lasting_signature_matches(_secret(), mark, public_id, given)


def preview_link(design: Design) -> str | None:
    """The lasting link to a design's preview, or None before it has one."""
    if design.preview_file_id is None:
        return None
    return url_for(
        "storefront_public.design_preview",
        design_id=design.public_id,
        v=design.preview_file_id,
        sig=design_signature(design.public_id),
        _external=True,
    )


@bp.get("/designs/<design_id>/preview.png")
def design_preview(design_id: str) -> ResponseReturnValue:
    if not design_signature_matches(design_id, request.args.get("sig", "")):
        raise NotFound("This preview does not exist.")
    session = get_session()
    design = session.scalars(select(Design).where(Design.public_id == design_id)).one_or_none()
    stored = (
        owned_row(session, StoredFile, design.preview_file_id, shop_id=design.shop_id)
        if design and design.preview_file_id
        else None
    )
    if design is None or stored is None:
        raise NotFound("This preview does not exist.")
    if stored.kind is not FileKind.PREVIEW:
        raise NotFound("This preview does not exist.")
    try:
        with get_storage().open(stored.key) as stream:
            data = stream.read()
    except MissingFile:
        raise NotFound("This preview does not exist.") from None
    response = Response(data, mimetype=stored.content_type)
    response.headers["Cache-Control"] = LONG_CACHE
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def model_link(model_id: str | None, color: object) -> str | None:
    """The GLB link for a template's built-in model (None when it has none).

    A colour other than the model's own is signed: only colours a merchant chose get built, so
    a caller cannot make the server build (and cache) a new variant per request.
    """
    if not model_id:
        return None
    wanted = color.lower() if isinstance(color, str) and HEX_COLOR.fullmatch(color) else None
    sig = lasting_signature(_secret(), Mark.MODEL_COLOR, f"{model_id}:{wanted}") if wanted else None
    return url_for(
        "storefront_public.model", model_id=model_id, color=wanted, sig=sig, _external=True
    )


@lru_cache(maxsize=32)
def _glb(model_id: str, color: str | None) -> bytes:
    """The model's GLB: this process's copy, else Redis (shared by every process), else built."""
    key = f"{MODEL_PREFIX}:{model_id}:{color or 'default'}"
    redis = get_redis()
    cached = redis.get(key)
    if isinstance(cached, bytes):
        return cached
    from app.design.mesh import build_glb  # trimesh is heavy: loaded by the first 3D request

    data = build_glb(model_id, {}, color)
    redis.set(key, data, ex=MODEL_TTL)
    return data


@bp.get("/models/<model_id>.glb")
def model(model_id: str) -> ResponseReturnValue:
    color = request.args.get("color") or None
    if color is not None and not HEX_COLOR.fullmatch(color):
        raise ApiError(400, "invalid_color", "color must look like #1f2937.")
    if color is not None:
        color = color.lower()
        signature = request.args.get("sig", "")
        if not lasting_signature_matches(
            _secret(), Mark.MODEL_COLOR, f"{model_id}:{color}", signature
        ):
            raise NotFound("There is no such 3D model.")
    try:
        data = _glb(model_id, color)
    except DesignError:
        raise NotFound("There is no such 3D model.") from None
    response = Response(data, mimetype="model/gltf-binary")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


WIDGET_DIR = Path(__file__).resolve().parents[2] / "storefront_widget" / "assets"
WIDGET_FILE = re.compile(r"luneo-[a-z0-9-]{1,40}\.(js|css)")
WIDGET_TYPES = {"js": "text/javascript", "css": "text/css"}


@bp.get("/widget/<name>")
def widget_asset(name: str) -> ResponseReturnValue:
    """The editor's built files, for a WordPress plugin installed without its packaged copy."""
    match = WIDGET_FILE.fullmatch(name)
    path = WIDGET_DIR / name
    if match is None or not path.is_file():
        raise NotFound("There is no such file.")
    response = Response(path.read_bytes(), mimetype=WIDGET_TYPES[match.group(1)])
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# The try-on trackers' files (MediaPipe's face mesh and hands from npm: scripts, Wasm, packed
# models), copied by the widget build (storefront_widget/src/tryon/models.mjs). Luneo serves them
# itself: ~40 MB is past what a Shopify theme app extension may hold, and nothing may come from
# a CDN. Fetched by the shopper's browser only when it opens "Try it on".
TRYON_DIR = Path(__file__).resolve().parents[2] / "storefront_widget" / "tryon"
TRYON_FILE = re.compile(
    r"(?:face_mesh|hands?|hand_landmark)[a-z_]{0,40}\.(js|wasm|data|binarypb|tflite)"
)
TRYON_TYPES = {
    "js": "text/javascript",
    "wasm": "application/wasm",
    "data": "application/octet-stream",
    "binarypb": "application/octet-stream",
    "tflite": "application/octet-stream",
}


@bp.get("/tryon/<name>")
def tryon_file(name: str) -> ResponseReturnValue:
    """One of the try-on trackers' files (cross-origin: the store's page loads them)."""
    match = TRYON_FILE.fullmatch(name)
    path = TRYON_DIR / name
    if match is None or not path.is_file():
        raise NotFound("There is no such file.")
    response = send_file(path, mimetype=TRYON_TYPES[match.group(1)], max_age=86400)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/tryon/frame.html")
def tryon_frame() -> ResponseReturnValue:
    """The try-on's tracker frame (storefront_widget/src/tryon/frame.js), hidden in the page.

    MediaPipe's Wasm glue evaluates strings: this page alone allows it ('unsafe-eval'), and only
    in a sandbox (an opaque origin: no cookies, no storage, nothing of Luneo's to reach), so
    neither Luneo's own pages nor a store's need 'unsafe-eval' for the try-on. It loads scripts
    and fetches the trackers' files from Luneo and nothing else; any page may frame it.
    """
    script = url_for("storefront_public.widget_asset", name="luneo-tryon-frame.js", _external=True)
    own = "{0.scheme}://{0.netloc}".format(urlsplit(script))
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>Luneo try-on tracker</title><script src="{escape(script)}"></script>'
        "</head><body></body></html>"
    )
    response = Response(body, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src {own} 'unsafe-eval'; connect-src {own}; "
        "img-src blob: data:; sandbox allow-scripts"
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def tryon_links() -> dict[str, str]:
    """Where a page loads the try-on from: its script and the trackers' folder (absolute)."""
    return {
        "try_on_script": url_for(
            "storefront_public.widget_asset", name="luneo-tryon.js", _external=True
        ),
        "try_on_models": url_for("storefront_public.tryon_file", name="x", _external=True)[:-1],
    }
