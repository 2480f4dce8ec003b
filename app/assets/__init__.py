"""Luneo's curated public assets: the clipart and the fonts the storefront editor draws with.

They are the very files the renderer prints with (clipart SVGs, @fontsource fonts), so what a
shopper sees in the browser is what comes out of the printer. Nothing here is per shop or secret
(templates choose which sets and fonts a shopper is offered), so the files are served to any
origin with a long cache. Every answer carries a locked-down CSP and ``nosniff`` so an SVG opened
directly can never run anything.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, url_for
from flask.typing import ResponseReturnValue

from app.design.clipart import ClipartItem, default_library
from app.design.fonts import FAMILIES, Family, web_font_path
from app.errors import ApiError
from app.product_templates.document import clipart_document

bp = Blueprint("assets", __name__)

_CACHE = "public, max-age=86400"


def clipart_url(item: ClipartItem) -> str:
    """Absolute URL of a piece (the widget runs on the store's domain)."""
    return url_for("assets.piece", set_key=item.set_key, name=item.name, _external=True)


def font_url(family: Family) -> str:
    """Absolute URL of a family's regular web font (Latin subset), as the editor loads it."""
    return url_for("assets.font", package=family.package, _external=True)


@bp.after_request
def _public(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/clipart/")
def sets() -> ResponseReturnValue:
    library = default_library()
    response = jsonify(
        {
            "licence": library.licence,
            "attribution": library.attribution,
            "sets": clipart_document(clipart_url),
        }
    )
    response.headers["Cache-Control"] = _CACHE
    return response


@bp.get("/clipart/<set_key>/<name>.svg")
def piece(set_key: str, name: str) -> ResponseReturnValue:
    library = default_library()
    item = library.item(f"clipart:{set_key}/{name}")
    if item is None:
        raise ApiError(404, "clipart_not_found", "There is no such clipart.")
    response = Response(item.path.read_bytes(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = _CACHE
    return response


@bp.get("/fonts/<package>/latin-400-normal.woff2")
def font(package: str) -> ResponseReturnValue:
    family = next((f for f in FAMILIES if f.package == package), None)
    path = web_font_path(family) if family is not None else None
    if path is None:
        raise ApiError(404, "font_not_found", "There is no such font.")
    response = Response(path.read_bytes(), mimetype="font/woff2")
    response.headers["Cache-Control"] = _CACHE
    return response
