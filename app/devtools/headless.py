"""``/dev/headless``: the JavaScript SDK's example storefront (``sdk/js/examples``), served by
``luneo dev`` for the demo shop.

The page is a custom storefront on *another origin* than Luneo: opened at
``http://localhost:<port>`` it talks to Luneo at ``http://127.0.0.1:<port>`` and the other way
round, so every call crosses origins exactly as a Hydrogen store's would. ``config.json`` gives it
the demo shop's headless key, created on first use and allowing this page's origin
(development only, like the rest of ``/dev``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app import headless_keys
from app.demo import DEMO_DOMAIN
from app.devtools import bp
from app.extensions import get_session
from app.models import Platform, Shop

SDK = Path(__file__).resolve().parents[2] / "sdk" / "js"
FILES = {
    "headless.js": SDK / "examples" / "headless.js",
    "headless.css": SDK / "examples" / "headless.css",
    "luneo-sdk.js": SDK / "dist" / "luneo-sdk.js",
}
_SWAP = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}


def luneo_url() -> str:
    """Luneo as the page reaches it: this server under its other local name."""
    host, _, port = request.host.partition(":")
    other = _SWAP.get(host, host)
    return f"{request.scheme}://{other}{':' + port if port else ''}"


@bp.get("/headless/")
def headless_page() -> ResponseReturnValue:
    return _file(SDK / "examples" / "headless.html", "text/html")


@bp.get("/headless")
def headless_redirect() -> ResponseReturnValue:
    return Response(status=308, headers={"Location": "/dev/headless/"})


@bp.get("/headless/config.json")
def headless_config() -> ResponseReturnValue:
    """The demo shop's headless key, allowing this page's origin."""
    session = get_session()
    stmt = select(Shop).where(Shop.platform == Platform.SHOPIFY, Shop.domain == DEMO_DOMAIN)
    shop = session.scalars(stmt).one_or_none()
    if shop is None:
        abort(404, description="Seed the demo shop first (luneo seed-demo, or /dev/).")
    try:
        origin = headless_keys.allowed_origin(request.host_url)
    except headless_keys.OriginRefused as exc:
        abort(400, description=f"Open this page on localhost: {exc}")
    row = headless_keys.key_of(session, shop) or headless_keys.create_or_rotate(session, shop)
    origins = headless_keys.origins_of(row)
    if origin not in origins:
        headless_keys.set_origins(session, row, [*origins, origin][-headless_keys.MAX_ORIGINS :])
    session.commit()
    return jsonify({"luneoUrl": luneo_url(), "key": row.key, "platform": "shopify"})


@bp.get("/headless/<name>")
def headless_file(name: str) -> ResponseReturnValue:
    path = FILES.get(name)
    if path is None:
        abort(404)
    return _file(path, "text/css" if name.endswith(".css") else "text/javascript")


def _file(path: Path, mimetype: str) -> Response:
    response = Response(path.read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"  # the SDK, importable from any page
    return response
