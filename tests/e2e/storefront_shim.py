"""Stores in front of a live Luneo, each on its own origin, for the widget's browser tests.

A store and Luneo never share an origin in the real world, so here neither do they: the store
is served on ``http://127.0.0.1:<port>`` and Luneo on ``http://localhost:<other port>``
(``luneo_url`` in conftest). The store serves only what a store serves; every file the widget
loads from Luneo (signed file links, clipart, fonts, models, previews) is fetched from Luneo's
origin, so a missing CORS header shows up as a blocked request and a console error.

* ``Storefront``: a Shopify shop's domain — a theme product page with the app block's markup,
  the extension's assets on ``/cdn/assets/``, the AJAX Cart API, and Shopify's app proxy, which
  forwards ``/apps/luneo/*`` over HTTP to Luneo's ``/proxy/*`` (Host is Luneo's, as when Shopify
  requests the app's proxy URL) with the query parameters Shopify adds, signed as it documents.
* ``WooStorefront``: a WordPress site with the Luneo plugin — a WooCommerce product page with
  the config ``Luneo_Product::config`` renders (Luneo called directly, CORS + ``X-Luneo-Key``),
  the plugin's packaged assets, and the add-to-cart form's POST recorded.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.shopify.signatures import proxy_signature

WIDGET = Path(__file__).resolve().parents[2] / "storefront_widget"
ASSETS = WIDGET / "assets"
VARIANT_ID = 4410000000101
SOLD_OUT = "The product is sold out."
# What Shopify's app proxy passes on from the shopper's request (it drops cookies).
FORWARDED_REQUEST_HEADERS = ("Accept", "Accept-Language", "Content-Type", "User-Agent")
NOT_FORWARDED_RESPONSE_HEADERS = {
    "connection",
    "content-length",
    "keep-alive",
    "set-cookie",
    "transfer-encoding",
}
WOO_PLUGIN_ASSETS = "/wp-content/plugins/luneo-personalizer/assets/"


@dataclass
class CartRecorder:
    """The cart's side of the AJAX API: what was added, and whether the next calls fail.

    With ``cart_transform_config`` (the shop's cart transform metafield, as
    ``app.shopify.cart_transform`` writes it) every added line is priced by the built Cart
    Transform function, as Shopify's cart is: its ``price`` (in cents, as the AJAX API answers)
    includes the signed surcharge, and ``prices`` keeps each line's unit price.
    """

    calls: list[dict[str, Any]] = field(default_factory=list)
    fail: bool = False
    cart_transform_config: str | None = None
    unit_price: Decimal = Decimal("19.00")  # the variant's price in the buyer's currency
    rate: str = "1.0"  # presentmentCurrencyRate
    prices: list[Decimal] = field(default_factory=list)

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
        if self.cart_transform_config is not None:
            self._price(items)
        return Response(json.dumps({"items": items}), 200, content_type="application/json")

    def _price(self, items: list[dict[str, Any]]) -> None:
        from standins.cart_transform_runner import CartLine, run_cart_transform, unit_prices

        start = len(self.prices)
        lines = [
            CartLine(
                id=f"gid://shopify/CartLine/{start + n}",
                variant_id=f"gid://shopify/ProductVariant/{item['id']}",
                unit_price=self.unit_price,
                attributes={k: str(v) for k, v in (item["properties"] or {}).items()},
                quantity=int(item["quantity"]),
            )
            for n, item in enumerate(items)
        ]
        output = run_cart_transform(lines, self.cart_transform_config, self.rate)
        prices = unit_prices(lines, output)
        for item, line in zip(items, lines, strict=True):
            cents = int(prices[line.id] * 100)
            item.update(price=cents, final_price=cents, line_price=cents * line.quantity)
            self.prices.append(prices[line.id])


def widget_asset(name: str) -> Response:
    """One of the editor's built files, as the store's CDN or the plugin directory serves it."""
    file = ASSETS / name
    if "/" in name or not file.is_file():
        return Response("not found", 404)
    kind = "text/css" if name.endswith(".css") else "application/javascript"
    return Response(file.read_bytes(), content_type=kind)


def product_page(config: dict[str, Any], *, title: str = "Mug") -> str:
    """A theme's product page: a product form and the app block's markup, loader deferred."""
    return f"""<!doctype html>
<html lang="{config.get("locale", "en")}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
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
    """The WSGI app a Shopify shop's domain is: theme pages, cart, CDN and the app proxy."""

    def __init__(self, luneo_url: str, shop: str, secret: str, config: dict[str, Any]) -> None:
        self.luneo_url = luneo_url
        self.shop = shop
        self.secret = secret
        self.config = config
        self.cart = CartRecorder()
        self.customer_id = ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path
        if path.startswith("/apps/luneo/"):
            response = self._proxied(request, path.removeprefix("/apps/luneo/"))
        elif path.startswith("/products/"):
            response = Response(product_page(self.config), mimetype="text/html")
        elif path.startswith("/cdn/assets/"):
            response = widget_asset(path.removeprefix("/cdn/assets/"))
        elif path == "/cart/add.js" and request.method == "POST":
            response = self.cart.add(request)
        else:  # nothing of Luneo's is ever served from the shop's origin
            response = Response("not found", 404)
        return response(environ, start_response)

    def _proxied(self, request: Request, rest: str) -> Response:
        """Shopify's app proxy: the same method and body to the app's ``/proxy`` URL, signed."""
        params = parse_qs(request.query_string.decode(), keep_blank_values=True)
        params.update(
            {
                "shop": [self.shop],
                "logged_in_customer_id": [self.customer_id],
                "path_prefix": ["/apps/luneo"],
                "timestamp": [str(int(time.time()))],
            }
        )
        params["signature"] = [proxy_signature(params, self.secret)]
        headers = {h: request.headers[h] for h in FORWARDED_REQUEST_HEADERS if h in request.headers}
        headers["X-Forwarded-For"] = request.remote_addr or "127.0.0.1"
        luneo = urlsplit(self.luneo_url)
        connection = HTTPConnection(luneo.netloc, timeout=60)
        try:
            path = f"/proxy/{rest}?{urlencode(params, doseq=True)}"
            connection.request(request.method, path, request.get_data(), headers)
            upstream = connection.getresponse()
            passed = [
                (name, value)
                for name, value in upstream.getheaders()
                if name.lower() not in NOT_FORWARDED_RESPONSE_HEADERS
            ]
            return Response(upstream.read(), upstream.status, headers=passed)
        finally:
            connection.close()


def woo_config(store_url: str, luneo_url: str, key: str, product_id: str) -> dict[str, Any]:
    """What ``Luneo_Product::config`` renders: Luneo's URL and the store's key, the plugin's
    packaged assets (``plugins_url``, absolute on the store), the "form" cart adapter."""

    def asset(name: str) -> str:
        return f"{store_url}{WOO_PLUGIN_ASSETS}{name}"

    return {
        "platform": "woocommerce",
        "apiBase": f"{luneo_url}/storefront/v1",
        "apiKey": key,
        "productId": product_id,
        "variantId": product_id,
        "variantSelector": 'form.cart [name="variation_id"]',
        "editorUrl": asset("luneo-editor.js"),
        "editorCssUrl": asset("luneo-editor.css"),
        "viewerUrl": asset("luneo-viewer.js"),
        "cart": {
            "adapter": "form",
            "form": "form.cart",
            "designField": "luneo_design",
            "summaryField": "luneo_summary",
        },
        "label": "Customize",
        "colors": {},
        "locale": "en_US",
        "quantitySelector": 'form.cart [name="quantity"]',
        "strings": {"load_failed": "The editor could not load. Please try again."},
    }


def woo_product_page(config: dict[str, Any], store_url: str, *, title: str = "Mug") -> str:
    """A WooCommerce single product page: ``form.cart`` with the plugin's root inside it
    (``woocommerce_before_add_to_cart_button``) and the loader enqueued deferred in the footer."""
    product_id = config["productId"]
    return f"""<!doctype html>
<html lang="en-US"><head><meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Woo Store</title>
<link rel="icon" href="data:,">
</head><body class="product-template-default single single-product woocommerce">
<main id="main"><div id="product-{product_id}" class="product type-product">
<h1 class="product_title entry-title">{title}</h1>
<form class="cart" action="{store_url}/product/mug/" method="post" enctype="multipart/form-data">
  <div class="luneo-root" data-luneo-root>
    <script type="application/json" data-luneo-config>{json.dumps(config)}</script>
    <noscript><p class="luneo-note">Turn on JavaScript to personalize this product.</p></noscript>
  </div>
  <div class="quantity"><label class="screen-reader-text" for="quantity">{title} quantity</label>
    <input type="number" id="quantity" class="input-text qty text" name="quantity" value="1"
      min="1" step="1"></div>
  <button type="submit" name="add-to-cart" value="{product_id}"
    class="single_add_to_cart_button button alt">Add to cart</button>
</form>
</div></main>
<script src="{store_url}{WOO_PLUGIN_ASSETS}luneo-loader.js?ver=1.0.0" id="luneo-loader-js"
  defer data-wp-strategy="defer"></script>
</body></html>"""


class WooStorefront:
    """The WSGI app a WordPress store with WooCommerce and the Luneo plugin is."""

    def __init__(self, luneo_url: str, key: str, product_id: str) -> None:
        self.luneo_url = luneo_url
        self.key = key
        self.product_id = product_id
        self.cart_posts: list[dict[str, list[str]]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path
        store_url = request.host_url.rstrip("/")
        if path == "/product/mug/" and request.method == "POST":
            self.cart_posts.append(request.form.to_dict(flat=False))
            body = (
                '<!doctype html><title>Cart</title><link rel="icon" href="data:,">'
                "<p>“Mug” has been added to your cart.</p>"
            )
            response = Response(body, mimetype="text/html")
        elif path == "/product/mug/":
            config = woo_config(store_url, self.luneo_url, self.key, self.product_id)
            response = Response(woo_product_page(config, store_url), mimetype="text/html")
        elif path.startswith(WOO_PLUGIN_ASSETS):
            response = widget_asset(path.removeprefix(WOO_PLUGIN_ASSETS))
        else:
            response = Response("not found", 404)
        return response(environ, start_response)


def serve(app: Any) -> Iterator[str]:
    """Serve a store on its own origin: ``http://127.0.0.1:<port>`` (Luneo is on localhost)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
