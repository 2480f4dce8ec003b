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

from collections.abc import Iterable
from types import ModuleType

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from app.api_error import ApiError
from app.storefront import current_shopper
from app.storefront.inputs import json_object
from app.storefront.public import preview_link
from app.storefront.signed_pages import Placement, SignedPage, editor_config, script_json
from app.sync.recovery import (
    PATH,
    SHOPIFY_PROXY_PREFIX,
    RecoveryLine,
    attach,
    open_line,
)


def _editor_config(line: RecoveryLine, where: Placement) -> dict[str, object]:
    return {
        **editor_config(line, where),
        "cart": {"adapter": "recovery"},
        "label": "Add your design",
    }


def _render(line: RecoveryLine | None, where: Placement, message: str | None = None) -> str:
    return render_template(
        "recovery.html",
        line=line,
        message=message,
        config=script_json(_editor_config(line, where)) if line is not None else None,
        assets=where.assets("luneo-recovery.js"),
    )


SURFACE = SignedPage(
    name="storefront_recovery",
    path=PATH,
    proxy_prefix=SHOPIFY_PROXY_PREFIX,
    action="attach",
    open_line=open_line,
    render=_render,
)


def context() -> ResponseReturnValue:
    """What the store's plugin needs to render the page in the store's theme: the names it
    shows and the ids the editor needs (its draft key is the product page's). The plugin knows
    Luneo's URL and its own copies of the editor's files."""
    line = SURFACE.line()
    editor = editor_config(line, SURFACE.on_luneo(SURFACE.token()))
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
    design = attach(line, str(current_app.config["SECRET_KEY"]), json_object(), customer_ref)
    line.scope.session.commit()
    body = {
        "status": "recovered",
        "design_id": design.public_id,
        "preview_url": preview_link(design),
        "order": line.order.name,
    }
    return jsonify(body)


def attach_design() -> ResponseReturnValue:
    return _attached(SURFACE.line())


def proxy_attach(token: str) -> ResponseReturnValue:
    """Attach through the proxy: a signed-in customer's design is proven by Shopify's
    signature of who they are, an anonymous one by its edit token."""
    return _attached(SURFACE.proxy_line(token), current_shopper().customer_ref)


def register_on_proxy(bp: Blueprint) -> None:
    """The page and attach on Shopify's app proxy surface (its guard, then these)."""
    SURFACE.register_on_proxy(bp, "recovery", proxy_attach)


def build(modules: Iterable[ModuleType]) -> Blueprint:
    return SURFACE.build(modules, context, attach_design)
