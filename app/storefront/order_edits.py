"""The page to change an ordered design (``/order-design/<token>``), the shopper's and the
merchant's.

The e-mail a produced line's shopper gets (``app.sync.order_edits``) links here, and the admin
order page opens it for the merchant with a token of their own. The token in the path is the
only credential, checked first by the guard (signed for this purpose, not expired, naming a
produced line of an installed shop). Then, like the recovery page (both are
``app.storefront.signed_pages``):

* ``GET /order-design/<token>`` — the ordered design's preview and the shopper's editor (the
  widget) opened on a copy of its document, with this surface as its API; outside the edit
  window, a plain sentence saying why instead of the editor. The template has a block above and
  below the editor for other sections.
* ``/order-design/<token>/...`` — every storefront view, for the token's shop.
* ``POST /order-design/<token>/replace`` ``{design_id, edit_token}`` — the saved new design,
  made in this browser, replaces the ordered one (``app.sync.order_edits.replace``): 409 with a
  code and a sentence when the window closed, the price would change or someone else was faster.
* ``GET /order-design/<token>/context`` — for a WooCommerce store's plugin (server to server):
  the names, the preview, whether the design may still change and the page's URL.
* ``POST /storefront/v1/order-edits`` ``{order_id, order_key}`` (the WooCommerce store's surface,
  :func:`register_on_store`) — the links of an order's lines for the plugin's thank-you and order
  pages, to whoever holds the order's own key.

On a Shopify store the e-mail links to the page on the store's origin through the app proxy
(``/apps/luneo/order-design/<token>``, :func:`register_on_proxy`). Nothing here reads a cookie:
a request is honoured for the secret token in its path (and the design's edit token), and the
page sends no Referer, is never cached and never framed.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from app.api_error import ApiError
from app.client_address import client_address
from app.fulfilment import audit
from app.storefront import current_scope, current_shop, current_shopper
from app.storefront.inputs import json_object
from app.storefront.public import preview_link
from app.storefront.signed_pages import Placement, SignedPage, editor_config, script_json
from app.sync.order_edits import (
    PATH,
    SHOPIFY_PROXY_PREFIX,
    EditLine,
    amount,
    buyer_lines,
    charged,
    link_url,
    open_line,
    replace,
)


def _price(line: EditLine) -> str | None:
    return amount(charged(line.item), line.order.currency)


def _config(line: EditLine, where: Placement) -> str:
    config = editor_config(line, where)
    config.update(
        {
            "cart": {"adapter": "orderEdit"},
            "label": "Change your design",
            # The editor's last step saves the change (its price is the one already paid).
            "strings": {
                "add_to_cart": "Save changes",
                "add_to_cart_with": "Save changes",
                "adding": "Saving your changes…",
                "added": "Your design was changed.",
            },
            # The editor starts from a copy of the ordered design (which stays as it is), and
            # keeps its work in progress under this page's own key, not the product page's.
            "startDesign": {
                "template_id": line.design.template_id,
                "document": line.design.document,
            },
            "draftKey": f"luneo:order-edit:{line.shop.id}:{line.item.id}",
            "by": line.by,
        }
    )
    return script_json(config)


def _render(line: EditLine | None, where: Placement, message: str | None = None) -> str:
    return render_template(
        "order_edit.html",
        line=line,
        message=message or (line.closed if line else None),
        config=_config(line, where) if line is not None and line.closed is None else None,
        preview=preview_link(line.design) if line is not None else None,
        price=_price(line) if line is not None else None,
        assets=where.assets("luneo-order-edit.js"),
    )


SURFACE = SignedPage(
    name="storefront_order_edits",
    path=PATH,
    proxy_prefix=SHOPIFY_PROXY_PREFIX,
    action="replace",
    open_line=open_line,
    render=_render,
)


def context() -> ResponseReturnValue:
    """What a WooCommerce store's plugin shows on its thank-you page: the names, the ordered
    design's preview, whether it may still change (and why not) and the page's link."""
    line = SURFACE.line()
    body = {
        "shop": line.shop.name or line.shop.domain,
        "order": line.order.name,
        "item": line.item.title or "",
        "preview_url": preview_link(line.design),
        "open": line.closed is None,
        "message": line.closed,
        "files_version": line.job.files_version,
        "url": link_url(current_app.config, line.shop, SURFACE.token()),
    }
    return jsonify(body), 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _actor(line: EditLine) -> audit.Actor:
    ip, agent = client_address(), request.headers.get("User-Agent")
    if line.by == "merchant":
        return audit.Actor(
            "merchant", str(line.shop.id), line.shop.name or line.shop.domain, ip, agent
        )
    return audit.Actor("customer", None, line.order.email or "the customer", ip, agent)


def _replaced(line: EditLine, customer_ref: str | None = None) -> ResponseReturnValue:
    if not request.is_json:
        raise ApiError(415, "json_required", "Send the design as JSON.")
    secret = str(current_app.config["SECRET_KEY"])
    changed = replace(line, secret, json_object(), _actor(line), customer_ref)
    line.scope.session.commit()
    currency = line.order.currency
    body = {
        "status": "changed",
        "design_id": changed.design.public_id,
        "preview_url": preview_link(changed.design),
        "files_version": changed.files_version,
        "order": line.order.name,
        "old_price": amount(changed.old_price, currency),
        "new_price": amount(changed.new_price, currency),
    }
    return jsonify(body)


def replace_design() -> ResponseReturnValue:
    return _replaced(SURFACE.line())


def proxy_replace(token: str) -> ResponseReturnValue:
    """Through the proxy a signed-in customer's design is proven by Shopify's signature of who
    they are, an anonymous one by its edit token."""
    return _replaced(SURFACE.proxy_line(token), current_shopper().customer_ref)


# ------------------------------------------- on a WooCommerce store's own order pages (its plugin)
def store_order_lines() -> ResponseReturnValue:
    """``POST {apiBase}/order-edits`` ``{order_id, order_key}`` on a WooCommerce store's surface:
    what its plugin shows under each personalised line of the thank-you and order pages (server
    to server). The store's key and origin are public; the order's own key proves the buyer."""
    body = json_object()
    order_id, key = body.get("order_id"), body.get("order_key")
    if isinstance(order_id, int) and not isinstance(order_id, bool):
        order_id = str(order_id)
    if not isinstance(order_id, str) or not order_id or not isinstance(key, str) or not key:
        raise ApiError(400, "invalid_order", "Send the order's order_id and order_key.")
    if len(key) > 200:
        raise ApiError(400, "invalid_order", "This is not an order key.")
    lines = buyer_lines(current_scope(), current_app.config, current_shop(), order_id, key)
    body_out = {
        "lines": [
            {
                "item": line.item.external_id,
                "title": line.item.title,
                "url": line.url,
                "open": line.closed is None,
                "message": line.closed,
            }
            for line in lines
        ]
    }
    return jsonify(body_out), 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def register_on_store(bp: Blueprint) -> None:
    """The buyer's links on a WooCommerce store's surface (its guard, then this)."""
    bp.add_url_rule("/order-edits", view_func=store_order_lines, methods=["POST"])


def register_on_proxy(bp: Blueprint) -> None:
    """The page and the change on Shopify's app proxy surface (its guard, then these)."""
    SURFACE.register_on_proxy(bp, "order_edit", proxy_replace)


def build(modules: Iterable[ModuleType]) -> Blueprint:
    return SURFACE.build(modules, context, replace_design)
