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

* ``GET /recover/<token>/context`` — what a WooCommerce store's plugin needs to show the page on
  the store (server to server): the shop, order and item names, the product and variant ids.

On a Shopify store the e-mail links to the same page on the store's own origin, through the app
proxy (``/apps/luneo/recover/<token>`` → ``/proxy/recover/<token>``, :func:`register_on_proxy`):
the editor keeps its draft in the store origin's localStorage, so the design the shopper left on
the product page opens again there. That page's API is the app proxy surface itself (Shopify's
signature, then the token for the shop it signed); its files come from Luneo's origin. On a
WooCommerce store whose plugin hosts it (``<store>/?luneo_recover=<token>``), the plugin renders
the page in the store's theme from ``/context``, and the editor there calls this surface across
origins: its answers carry CORS for that store's own origin (``app.storefront.cors``), and only
for it.

CSRF: on Luneo nothing here reads a cookie or any ambient credential; a request is honoured
only for the secret token in its path (and, to attach, the design's edit token in its JSON
body). A forging page would have to know the token, and whoever knows it can call us directly
anyway. Through the app proxy the store's cookies do reach Shopify, which then signs who is
signed in, and that is what proves a customer's design: there attach must be
``application/json``, which an HTML form on another site cannot send and a script can only send
after a CORS preflight that is never answered (and a forger would still need the token and the
customer's design id). The page sends no Referer (``no-referrer``), is never cached and never
framed, so the token does not leak from it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.api_error import ApiError
from app.client_address import client_address
from app.errors import handle_api_error
from app.extensions import get_session
from app.models import Platform, Product, Variant
from app.storefront import Shopper, current_shop, current_shopper
from app.storefront.cors import add_cors_headers, preflight, request_origin
from app.storefront.inputs import json_object
from app.storefront.public import preview_link
from app.storefront.surface import finish
from app.sync.recovery import (
    PATH,
    SHOPIFY_PROXY_PREFIX,
    RecoveryLine,
    attach,
    invalid_link,
    open_line,
)
from app.woocommerce.storefront_keys import store_origin

PAGE_ENDPOINT = "storefront_recovery.page"
PROXY_PREFIX = re.compile(r"/[A-Za-z0-9/_-]{1,100}")  # Shopify's signed ``path_prefix``
CORS_HEADERS = "Content-Type, Accept"


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _pull_token(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """The token is the surface's, not a view's argument: the views stay the shared ones."""
    g.recovery_token = (values or {}).pop("token", "")


def _guard() -> ResponseReturnValue | None:
    line = open_line(get_session(), _secret(), str(g.get("recovery_token") or ""))
    g.recovery_line = line
    allowed = store_origin(line.shop) if line.shop.platform is Platform.WOOCOMMERCE else None
    if allowed is not None and request_origin().lower() == allowed:
        g.storefront_origin = allowed  # the page the store's plugin hosts calls from there
    if request.method == "OPTIONS":
        if g.get("storefront_origin") is None:
            raise ApiError(403, "origin_not_allowed", "This site cannot use this link.")
        return preflight(CORS_HEADERS)
    # A recovery page cannot vouch for a signed-in customer: every design made here is
    # anonymous, proven by its edit token.
    g.storefront_shopper = Shopper(line.shop, None, client_key=f"ip:{client_address()}")
    return None


def _line() -> RecoveryLine:
    line: RecoveryLine = g.recovery_line
    return line


@dataclass(frozen=True)
class Placement:
    """Where the page is shown: on Luneo, or on a Shopify store through its app proxy (then
    every file comes from Luneo's origin, named absolutely, and the CSP allows it)."""

    api_base: str
    attach_url: str
    luneo_origin: str | None = None  # None: the page is on Luneo's own origin

    def url(self, endpoint: str, **values: Any) -> str:
        return url_for(endpoint, _external=self.luneo_origin is not None, **values)

    def csp(self) -> str:
        own = "'self'" + (f" {self.luneo_origin}" if self.luneo_origin else "")
        return (
            f"default-src {own}; img-src {own} data: blob: https:; "
            f"connect-src {own} https: data: blob:; font-src {own} data: https:; "
            f"style-src {own} 'unsafe-inline'; worker-src {own} blob:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )


def _on_luneo(token: str) -> Placement:
    base = PATH + token
    return Placement(base, f"{base}/attach")


def _luneo_origin() -> str:
    origin = urlsplit(url_for("storefront_public.widget_asset", name="x", _external=True))
    return f"{origin.scheme}://{origin.netloc}"


def _render(line: RecoveryLine | None, where: Placement, message: str | None = None) -> str:
    config = None
    if line is not None:
        text = json.dumps(_editor_config(line, where))
        for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            text = text.replace(char, escaped)  # inert inside <script>, the same JSON
        config = text
    return render_template(
        "recovery.html",
        line=line,
        message=message,
        config=config,
        assets={
            "css": where.url("static", filename="luneo.css"),
            "script": where.url("storefront_public.widget_asset", name="luneo-recovery.js"),
            "loader": where.url("storefront_public.widget_asset", name="luneo-loader.js"),
        },
    )


def _secure(body: str, where: Placement, status: int = 200) -> ResponseReturnValue:
    headers = {
        "Content-Security-Policy": where.csp(),
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
    }
    return body, status, headers


def _refused(exc: ApiError) -> ResponseReturnValue:
    """The page answers a refused link with a page a person can read; the API with JSON."""
    if request.endpoint != PAGE_ENDPOINT:
        return handle_api_error(exc)
    where = _on_luneo(str(g.get("recovery_token") or ""))
    return _secure(_render(None, where, exc.message), where, exc.status)


def _platform_id(external_id: str | None) -> str:
    """The id the store's own page gives the widget (Shopify: the number of the gid)."""
    return (external_id or "").rsplit("/", 1)[-1]


def _editor_config(line: RecoveryLine, where: Placement) -> dict[str, Any]:
    scope, item = line.scope, line.item
    product = scope.get(Product, item.product_id) if item.product_id else None
    variant = scope.get(Variant, item.variant_id) if item.variant_id else None

    def asset(name: str) -> str:
        return where.url("storefront_public.widget_asset", name=name)

    product_id = _platform_id(product.external_id if product else None)
    # A WooCommerce product without variations is its own variant (as on its product page).
    simple = product_id if line.shop.platform is Platform.WOOCOMMERCE else ""

    return {
        "platform": "shopify" if line.shop.platform is Platform.SHOPIFY else "woocommerce",
        "apiBase": where.api_base,
        "attachUrl": where.attach_url,
        "productId": product_id,
        "variantId": _platform_id(variant.external_id if variant else None) or simple,
        "editorUrl": asset("luneo-editor.js"),
        "editorCssUrl": asset("luneo-editor.css"),
        "viewerUrl": asset("luneo-viewer.js"),
        "cart": {"adapter": "recovery"},
        "label": "Add your design",
    }


def page() -> ResponseReturnValue:
    where = _on_luneo(str(g.recovery_token))
    return _secure(_render(_line(), where), where)


def context() -> ResponseReturnValue:
    """What the store's plugin needs to render the page in the store's theme: the names it
    shows and the ids the editor needs (its draft key is the product page's). The plugin knows
    Luneo's URL and its own copies of the editor's files."""
    line = _line()
    editor = _editor_config(line, _on_luneo(str(g.recovery_token)))
    body = {
        "shop": line.shop.name or line.shop.domain,
        "order": line.order.name,
        "item": line.item.title or "",
        "platform": editor["platform"],
        "productId": editor["productId"],
        "variantId": editor["variantId"],
    }
    return jsonify(body), 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _attached(line: RecoveryLine, customer_ref: str | None = None) -> ResponseReturnValue:
    if not request.is_json:
        raise ApiError(415, "json_required", "Send the design as JSON.")
    design = attach(line, _secret(), json_object(), customer_ref)
    line.scope.session.commit()
    body = {
        "status": "recovered",
        "design_id": design.public_id,
        "preview_url": preview_link(design),
        "order": line.order.name,
    }
    return jsonify(body)


def attach_design() -> ResponseReturnValue:
    return _attached(_line())


# ------------------------------------------------------- on a Shopify store, via the app proxy
def _proxy_line(token: str) -> RecoveryLine:
    """The token's line, when it is a line of the shop Shopify signed this request for."""
    line = open_line(get_session(), _secret(), token)
    if line.shop.id != current_shop().id:
        raise invalid_link()
    return line


def _on_the_store(token: str) -> Placement:
    prefix = request.args.get("path_prefix", "")  # signed by Shopify with the rest of the query
    if not PROXY_PREFIX.fullmatch(prefix) or ".." in prefix:
        prefix = SHOPIFY_PROXY_PREFIX
    base = prefix.rstrip("/")
    return Placement(base, f"{base}{PATH}{token}/attach", _luneo_origin())


def proxy_page(token: str) -> ResponseReturnValue:
    """The page on the store's own origin (``/apps/luneo/recover/<token>``), where the editor
    finds the draft the shopper left on the product page; its API is the app proxy surface."""
    where = _on_the_store(token)
    try:
        line = _proxy_line(token)
    except ApiError as exc:
        return _secure(_render(None, where, exc.message), where, exc.status)
    return _secure(_render(line, where), where)


def proxy_attach(token: str) -> ResponseReturnValue:
    """Attach through the proxy: a signed-in customer's design is proven by Shopify's
    signature of who they are, an anonymous one by its edit token."""
    return _attached(_proxy_line(token), current_shopper().customer_ref)


def register_on_proxy(bp: Blueprint) -> None:
    """The page and attach on Shopify's app proxy surface (its guard, then these)."""
    bp.add_url_rule(f"{PATH}<token>", endpoint="recovery_page", view_func=proxy_page)
    bp.add_url_rule(
        f"{PATH}<token>/attach",
        endpoint="recovery_attach",
        view_func=proxy_attach,
        methods=["POST"],
    )


def build(modules: Iterable[ModuleType]) -> Blueprint:
    bp = Blueprint("storefront_recovery", __name__, url_prefix=PATH.rstrip("/") + "/<token>")
    bp.url_value_preprocessor(_pull_token)
    bp.before_request(_guard)
    bp.after_request(add_cors_headers)
    bp.register_error_handler(ApiError, _refused)
    bp.add_url_rule("", endpoint="page", view_func=page)
    bp.add_url_rule("/context", view_func=context)
    bp.add_url_rule("/attach", view_func=attach_design, methods=["POST"])
    return finish(bp, modules)
