"""The shopper's recovery surface (``/recover/<token>``): add the design an ordered line lacks.

The e-mail a MISSING line's shopper gets (``app.sync.recovery``) links here. The token in the
path is the only credential, and the guard checks it before anything else: signed by us for
this purpose, not expired, naming a line of an installed shop that still waits for a design
(not added yet, order neither cancelled nor fulfilled). Then:

* ``GET /recover/<token>`` — a page that opens the shopper's editor (the widget Luneo serves)
  with ``apiBase`` = this surface, so every storefront view works here unchanged, and with the
  store's own ``platform``/``productId`` so the editor's draft key is the product page's.
* ``/recover/<token>/...`` — every storefront view (template, uploads, designs, previews, AI),
  for the token's shop, rate limited like the other surfaces.
* ``POST /recover/<token>/attach`` ``{design_id, edit_token}`` — attaches the saved design of
  that product, made in this browser (its edit token), to that line: RECOVERED, production
  queued. Once: the line then no longer waits, and the token opens nothing more.

CSRF: nothing here reads a cookie or any ambient credential; a request is honoured only for
the secret token in its path (and, to attach, the design's edit token in its JSON body). A
forging page would have to know the token, and whoever knows it can call us directly anyway.
A JSON body is required, which an HTML form on another site cannot send without a preflight
we never answer. The page sends no Referer (``no-referrer``), is never cached and never framed,
so the token does not leak from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.api_error import ApiError
from app.client_address import client_address
from app.errors import handle_api_error
from app.extensions import get_session
from app.models import Platform, Product, Variant
from app.storefront import Shopper
from app.storefront.inputs import json_object
from app.storefront.public import preview_link
from app.storefront.surface import finish
from app.sync.recovery import PATH, RecoveryLine, attach, open_line

PAGE_ENDPOINT = "storefront_recovery.page"
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data: blob: https:; connect-src 'self' https: data: blob:; "
    "font-src 'self' data: https:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _pull_token(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """The token is the surface's, not a view's argument: the views stay the shared ones."""
    g.recovery_token = (values or {}).pop("token", "")


def _guard() -> None:
    line = open_line(get_session(), _secret(), str(g.get("recovery_token") or ""))
    g.recovery_line = line
    # A recovery page cannot vouch for a signed-in customer: every design made here is
    # anonymous, proven by its edit token.
    g.storefront_shopper = Shopper(line.shop, None, client_key=f"ip:{client_address()}")


def _line() -> RecoveryLine:
    line: RecoveryLine = g.recovery_line
    return line


def _refused(exc: ApiError) -> ResponseReturnValue:
    """The page answers a refused link with a page a person can read; the API with JSON."""
    if request.endpoint != PAGE_ENDPOINT:
        return handle_api_error(exc)
    page = render_template("recovery.html", line=None, message=exc.message, config=None)
    return _secure(page, exc.status)


def _secure(body: str, status: int = 200) -> ResponseReturnValue:
    headers = {
        "Content-Security-Policy": PAGE_CSP,
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
    }
    return body, status, headers


def _platform_id(external_id: str | None) -> str:
    """The id the store's own page gives the widget (Shopify: the number of the gid)."""
    return (external_id or "").rsplit("/", 1)[-1]


def _editor_config(line: RecoveryLine, token: str) -> dict[str, Any]:
    scope, item = line.scope, line.item
    product = scope.get(Product, item.product_id) if item.product_id else None
    variant = scope.get(Variant, item.variant_id) if item.variant_id else None
    base = PATH + token

    def asset(name: str) -> str:
        return url_for("storefront_public.widget_asset", name=name)

    return {
        "platform": "shopify" if line.shop.platform is Platform.SHOPIFY else "woocommerce",
        "apiBase": base,
        "attachUrl": f"{base}/attach",
        "productId": _platform_id(product.external_id if product else None),
        "variantId": _platform_id(variant.external_id if variant else None),
        "editorUrl": asset("luneo-editor.js"),
        "editorCssUrl": asset("luneo-editor.css"),
        "viewerUrl": asset("luneo-viewer.js"),
        "cart": {"adapter": "recovery"},
        "label": "Add your design",
    }


def page() -> ResponseReturnValue:
    line = _line()
    config = _editor_config(line, str(g.recovery_token))
    text = (
        json.dumps(config).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )
    body = render_template(
        "recovery.html",
        line=line,
        message=None,
        config=text,
        loader=url_for("storefront_public.widget_asset", name="luneo-loader.js"),
    )
    return _secure(body)


def attach_design() -> ResponseReturnValue:
    if not request.is_json:
        raise ApiError(415, "json_required", "Send the design as JSON.")
    line = _line()
    design = attach(line, _secret(), json_object())
    line.scope.session.commit()
    body = {
        "status": "recovered",
        "design_id": design.public_id,
        "preview_url": preview_link(design),
        "order": line.order.name,
    }
    return jsonify(body)


def build(modules: Iterable[ModuleType]) -> Blueprint:
    bp = Blueprint("storefront_recovery", __name__, url_prefix=PATH.rstrip("/") + "/<token>")
    bp.url_value_preprocessor(_pull_token)
    bp.before_request(_guard)
    bp.register_error_handler(ApiError, _refused)
    bp.add_url_rule("", endpoint="page", view_func=page)
    bp.add_url_rule("/attach", view_func=attach_design, methods=["POST"])
    return finish(bp, modules)
