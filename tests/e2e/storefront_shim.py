"""A Shopify storefront in front of the real Luneo app, for the widget's browser tests.

What a shop's domain serves, reduced to what the widget touches:

* ``/products/<handle>``: a product page with the app block's output (the same config keys as
  ``storefront_widget/blocks/customizer.liquid`` renders) and the deferred loader;
* ``/cdn/assets/<name>``: the extension's built assets (Shopify's CDN, ``asset_url``);
* ``/cart/add.js``: the AJAX Cart API, recording each call (and failing on demand);
* ``/apps/luneo/*``: Shopify's app proxy — forwarded to Luneo's ``/proxy/*`` with the query
  parameters Shopify adds, signed as Shopify documents it;
* anything else goes to Luneo unchanged (signed file links, clipart).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from flask import Flask
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.shopify.signatures import proxy_signature

WIDGET = Path(__file__).resolve().parents[2] / "storefront_widget"
ASSETS = WIDGET / "assets"
VARIANT_ID = 4410000000101
SOLD_OUT = "The product is sold out."


@dataclass
class CartRecorder:
    """The cart's side of the AJAX API: what was added, and whether the next calls fail."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    fail: bool = False

    def add(self, request: Request) -> Response:
        payload = json.loads(request.get_data() or b"{}")
        self.calls.append(payload)
        if self.fail:
            # Shopify's documented 422 shape for /cart/add.js.
            body = {"status": 422, "message": "Cart Error", "description": SOLD_OUT}
            return Response(json.dumps(body), 422, content_type="application/json")
        items = [
            {"id": i["id"], "quantity": i.get("quantity", 1), "properties": i.get("properties", {})}
            for i in payload.get("items", [])
        ]
        return Response(json.dumps({"items": items}), 200, content_type="application/json")


def product_page(config: dict[str, Any], *, title: str = "Mug") -> str:
    """A theme's product page: a product form and the app block's markup, loader deferred."""
    return f"""<!doctype html>
<html lang="{config.get("locale", "en")}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<script src="/cdn/assets/luneo-loader.js" defer></script>
</head><body>
<main><h1>{title}</h1>
<form action="/cart/add" method="post">
  <input type="hidden" name="id" value="{config["variantId"]}">
  <label>Quantity <input name="quantity" type="number" value="1" min="1"></label>
  <button type="submit">Add to cart</button>
</form>
<div class="luneo-root" data-luneo-root>
  <script type="application/json" data-luneo-config>{json.dumps(config)}</script>
  <noscript><p class="luneo-note">Turn on JavaScript to personalize this product.</p></noscript>
</div>
</main></body></html>"""


def block_config(product_id: str, *, locale: str = "en", **extra: Any) -> dict[str, Any]:
    """The config ``blocks/customizer.liquid`` renders for a product (Shopify's asset URLs)."""
    return {
        "platform": "shopify",
        "apiBase": "/apps/luneo",
        "productId": int(product_id),
        "variantId": VARIANT_ID,
        "editorUrl": "/cdn/assets/luneo-editor.js",
        "editorCssUrl": "/cdn/assets/luneo-editor.css",
        "viewerUrl": "/cdn/assets/luneo-viewer.js",
        "cart": {"adapter": "shopify-ajax", "url": "/cart/add.js", "redirect": None},
        "label": "Customize",
        "colors": {"button": "#111827", "buttonText": "#ffffff", "accent": "#2563eb"},
        "area": "",
        "locale": locale,
        "strings": {"load_failed": "The editor could not load. Please try again."},
        **extra,
    }


class Storefront:
    """The WSGI app a shop's domain is: theme pages, cart, CDN and the app proxy."""

    def __init__(self, luneo: Flask, shop: str, secret: str, config: dict[str, Any]) -> None:
        self.luneo = luneo
        self.shop = shop
        self.secret = secret
        self.config = config
        self.cart = CartRecorder()
        self.customer_id = ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if path.startswith("/apps/luneo/"):
            return self.luneo(self._proxied(environ, path), start_response)
        request = Request(environ)
        if path.startswith("/products/"):
            response = Response(product_page(self.config), content_type="text/html")
        elif path.startswith("/cdn/assets/"):
            response = self._asset(path.removeprefix("/cdn/assets/"))
        elif path == "/cart/add.js" and request.method == "POST":
            response = self.cart.add(request)
        else:
            return self.luneo(environ, start_response)
        return response(environ, start_response)

    def _asset(self, name: str) -> Response:
        file = ASSETS / name
        if "/" in name or not file.is_file():
            return Response("not found", 404)
        kind = "text/css" if name.endswith(".css") else "application/javascript"
        return Response(file.read_bytes(), content_type=kind)

    def _proxied(self, environ: dict[str, Any], path: str) -> dict[str, Any]:
        """Shopify's app proxy: same method and body, ``/proxy`` path, signed query."""
        params = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        params.update(
            {
                "shop": [self.shop],
                "logged_in_customer_id": [self.customer_id],
                "path_prefix": ["/apps/luneo"],
                "timestamp": [str(int(time.time()))],
            }
        )
        params["signature"] = [proxy_signature(params, self.secret)]
        forwarded = dict(environ)
        forwarded["PATH_INFO"] = "/proxy/" + path.removeprefix("/apps/luneo/")
        forwarded["QUERY_STRING"] = urlencode(params, doseq=True)
        return forwarded


def serve(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
