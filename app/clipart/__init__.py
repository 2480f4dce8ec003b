"""Luneo's curated clipart, public: the storefront picker lists it and loads the SVGs from here.

Nothing here is per shop or secret (templates choose which sets a shopper is offered), so the
files are served to any origin with a long cache. Every answer carries a locked-down CSP and
``nosniff`` so an SVG opened directly can never run anything.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, url_for
from flask.typing import ResponseReturnValue

from app.design.clipart import ClipartItem, default_library
from app.errors import error_response
from app.template_documents import clipart_document

bp = Blueprint("clipart", __name__, url_prefix="/clipart")

_CACHE = "public, max-age=86400"


def clipart_url(item: ClipartItem) -> str:
    """Absolute URL of a piece (the widget runs on the store's domain)."""
    return url_for("clipart.piece", set_key=item.set_key, name=item.name, _external=True)


@bp.after_request
def _public(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/")
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


@bp.get("/<set_key>/<name>.svg")
def piece(set_key: str, name: str) -> ResponseReturnValue:
    library = default_library()
    item = library.item(f"clipart:{set_key}/{name}")
    if item is None:
        return error_response(404, "clipart_not_found", "There is no such clipart.")
    response = Response(item.path.read_bytes(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = _CACHE
    return response
