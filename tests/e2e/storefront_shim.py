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
  the plugin's packaged assets, and the add-to-cart form's POST recorded and handled as the
  plugin handles it: the design confirmed with Luneo server to server (made with this product's
  template), the line priced at the
  product's price + Luneo's surcharge (``woo_line_price``, the PHP's rules, which
  tests/integration/storefront/test_wordpress_cart_price.py holds the two to), or refused with
  the plugin's notice; the cart on ``/cart/``.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.shopify.signatures import proxy_signature
from app.woocommerce.plugin import RECOVERY_QUERY
from tests.e2e.woo_variable import WooVariable
from tests.support.wordpress import WordPress, recovery_page

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
    includes the signed surcharge, and ``prices`` keeps each line's unit price. A variant's own
    price comes from ``variant_prices`` (by Shopify's numeric id), else ``unit_price``.
    """

    calls: list[dict[str, Any]] = field(default_factory=list)
    fail: bool = False
    cart_transform_config: str | None = None
    unit_price: Decimal = Decimal("19.00")  # the variant's price in the buyer's currency
    variant_prices: dict[int, Decimal] = field(default_factory=dict)
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
                unit_price=self.variant_prices.get(_numeric(item["id"]), self.unit_price),
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


def _numeric(variant_id: Any) -> int:
    """The AJAX API takes a variant id as a number or a string of digits."""
    return int(variant_id) if str(variant_id).isdigit() else -1


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
<div class="luneo-root" data-luneo-root style="display:flow-root;min-height:60px">
  <script type="application/json" data-luneo-config>{json.dumps(config)}</script>
  <noscript><p class="luneo-note">Turn on JavaScript to personalize this product.</p></noscript>
</div>
<p class="product__description">A classic 11 oz ceramic mug, printed all the way round.</p>
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
        self.csp: str | None = None  # a Content-Security-Policy for the theme's pages

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path
        if path.startswith("/apps/luneo/"):
            response = self._proxied(request, path.removeprefix("/apps/luneo/"))
        elif path.startswith("/products/"):
            response = Response(product_page(self.config), mimetype="text/html")
            if self.csp:
                response.headers["Content-Security-Policy"] = self.csp
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


def woo_product_page(
    config: dict[str, Any],
    store_url: str,
    *,
    title: str = "Mug",
    variable: WooVariable | None = None,
) -> str:
    """A WooCommerce single product page: ``form.cart`` with the plugin's root inside it
    (``woocommerce_before_add_to_cart_button``) and the loader enqueued deferred in the footer;
    a variable product's form is ``WooVariable.form``."""
    product_id = config["productId"]
    root = f"""<div class="luneo-root" data-luneo-root style="display:flow-root;min-height:60px">
    <script type="application/json" data-luneo-config>{json.dumps(config)}</script>
    <noscript><p class="luneo-note">Turn on JavaScript to personalize this product.</p></noscript>
  </div>"""
    form = (
        variable.form(product_id, store_url, root, title)
        if variable is not None
        else f"""<form class="cart" action="{store_url}/product/mug/" method="post"
  enctype="multipart/form-data">
  {root}
  <div class="quantity"><label class="screen-reader-text" for="quantity">{title} quantity</label>
    <input type="number" id="quantity" class="input-text qty text" name="quantity" value="1"
      min="1" step="1"></div>
  <button type="submit" name="add-to-cart" value="{product_id}"
    class="single_add_to_cart_button button alt">Add to cart</button>
</form>"""
    )
    return f"""<!doctype html>
<html lang="en-US"><head><meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Woo Store</title>
<link rel="icon" href="data:,">
</head><body class="product-template-default single single-product woocommerce">
<main id="main"><div id="product-{product_id}" class="product type-product">
<h1 class="product_title entry-title">{title}</h1>
{form}
</div></main>
<script src="{store_url}{WOO_PLUGIN_ASSETS}luneo-loader.js?ver=1.1.0" id="luneo-loader-js"
  defer data-wp-strategy="defer"></script>
</body></html>"""


# The plugin's notices (Luneo_Cart::confirmed, Luneo_Price), word for word.
WOO_NOT_CONFIRMED = (
    "Your personalization could not be confirmed. Please open the editor and add it to the cart"
    " again."
)
WOO_UNAVAILABLE = (
    "Your personalization could not be confirmed just now, so it was not added to the cart. Your"
    " design is saved in this browser: please try again in a moment."
)
WOO_OTHER_PRODUCT = (
    "This personalization was made for another product. Please open the editor on this product"
    " and add it to the cart again."
)
WOO_NOT_CUSTOMIZABLE = "This product cannot be personalized any more."
WOO_OTHER_CURRENCY = (
    "This personalization is priced in {0} but this store sells in {1}, so it cannot be added to"
    " the cart. Please contact the store."
)
_DESIGN_ID = re.compile(r"^d_[A-Za-z0-9_-]{10,38}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TOTAL = re.compile(r"^\d{1,10}(\.\d{1,6})?$")
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


class WooRefused(Exception):
    """The plugin refuses the add to cart; the shopper reads ``message`` as an error notice."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def woo_surcharge(design: Any, store_currency: str) -> Decimal:
    """Luneo's ``price.total`` for a design answer, as ``Luneo_Price::from_design`` takes it."""
    price = design.get("price") if isinstance(design, Mapping) else None
    if not isinstance(price, Mapping):
        raise WooRefused(WOO_UNAVAILABLE)
    currency, total = price.get("currency"), price.get("total")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise WooRefused(WOO_UNAVAILABLE)
    if not isinstance(total, str) or not _TOTAL.match(total):
        raise WooRefused(WOO_UNAVAILABLE)
    if currency != store_currency:
        raise WooRefused(WOO_OTHER_CURRENCY.format(currency, store_currency))
    return Decimal(total)


def woo_line_price(base: Decimal, design: Any, store_currency: str) -> Decimal:
    """The cart line's unit price: the product's price + the surcharge (never the base alone)."""
    return base + woo_surcharge(design, store_currency)


def woo_money(amount: Decimal, currency: str) -> str:
    """``wc_price`` as a shopper reads it: "€22.00"."""
    return f"{_SYMBOLS.get(currency, currency)}{amount.quantize(Decimal('0.01'))}"


@dataclass(frozen=True)
class WooCartLine:
    """A line of the store's cart, priced as the plugin prices it."""

    product_id: str
    quantity: int
    base_price: Decimal
    currency: str
    variation_id: str | None = None
    design_id: str | None = None
    surcharge: Decimal = Decimal("0")
    summary: str = ""
    properties: Mapping[str, str] = field(default_factory=dict)

    @property
    def unit_price(self) -> Decimal:
        return self.base_price + self.surcharge

    @property
    def item_data(self) -> list[tuple[str, str]]:
        """What ``Luneo_Cart::item_data`` lists under the line (as text)."""
        shown = list(self.properties.items())
        if not shown and self.summary:
            shown.append(("Personalization", self.summary))
        if self.surcharge:
            shown.append(("Personalization", "+" + woo_money(self.surcharge, self.currency)))
        return shown


class WooStorefront:
    """The WSGI app a WordPress store with WooCommerce and the Luneo plugin is.

    ``cart`` holds the lines the plugin would have added; ``cart_posts`` every add-to-cart POST.
    The design recovery page (``/?luneo_recover=<token>``) is the plugin's real PHP, given
    ``php``.
    """

    def __init__(
        self,
        luneo_url: str,
        key: str,
        product_id: str,
        *,
        price: Decimal = Decimal("18.00"),
        currency: str = "EUR",
        php: str | None = None,
        variable: WooVariable | None = None,
    ) -> None:
        self.luneo_url = luneo_url
        self.variable = variable  # a variable product: its selects, variations and their prices
        self.php = php  # php-cli, for the pages the plugin's PHP renders itself
        self.key = key
        self.product_id = product_id
        self.price = price
        self.currency = currency
        self.cart_posts: list[dict[str, list[str]]] = []
        self.cart: list[WooCartLine] = []
        self.notices: list[str] = []

    def line_prices(self) -> list[Decimal]:
        """Each cart line's unit price, as the store would charge it."""
        return [line.unit_price for line in self.cart]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path
        store_url = request.host_url.rstrip("/")
        if path == "/product/mug/" and request.method == "POST":
            self.cart_posts.append(request.form.to_dict(flat=False))
            response = self._add_to_cart(request, store_url)
        elif path == "/product/mug/":
            config = woo_config(store_url, self.luneo_url, self.key, self.product_id)
            page = woo_product_page(config, store_url, variable=self.variable)
            response = Response(page, mimetype="text/html")
        elif path == "/" and request.args.get("wc-ajax") == "get_variation":
            response = self._get_variation(request)
        elif path == "/cart/":
            response = Response(self._cart_page(), mimetype="text/html")
        elif path == "/" and RECOVERY_QUERY in request.args:
            response = self._recovery_page(request, store_url)
        elif path.startswith(WOO_PLUGIN_ASSETS):
            response = widget_asset(path.removeprefix(WOO_PLUGIN_ASSETS))
        else:
            response = Response("not found", 404)
        return response(environ, start_response)

    def _get_variation(self, request: Request) -> Response:
        """``WC_AJAX::get_variation``: the variation the chosen attributes match, else false."""
        answer: Any = False
        found = self.variable.matching(request.form.to_dict()) if self.variable else None
        if self.variable is not None and found is not None:
            listed = self.variable.listed()
            answer = next(v for v in listed if str(v["variation_id"]) == found.id)
        return Response(json.dumps(answer), mimetype="application/json")

    def _recovery_page(self, request: Request, store_url: str) -> Response:
        """``Luneo_Recovery``'s page, rendered by the plugin's real PHP (``tests/php``)."""
        if self.php is None:
            return Response("not found", 404)
        wordpress = WordPress(self.php, self.luneo_url, self.key, store_url)
        [answer] = wordpress.request(recovery_page(request.args.to_dict())).steps
        return Response(answer["html"], answer["status"], mimetype="text/html")

    def _add_to_cart(self, request: Request, store_url: str) -> Response:
        """``Luneo_Cart::validate`` + ``add_cart_item_data`` + ``Luneo_Price``: only the design
        id is read from the form; its price comes from Luneo."""
        quantity = int(request.form.get("quantity") or 1)
        price, variation_id = self.price, None
        line = WooCartLine(self.product_id, quantity, price, self.currency)
        design_id = request.form.get("luneo_design", "").strip()
        try:
            if self.variable is not None:
                variation_id = request.form.get("variation_id", "")
                refusal = self.variable.refusal(variation_id, request.form.to_dict())
                if refusal is not None:
                    raise WooRefused(refusal)
                price = next(v.price for v in self.variable.variations if v.id == variation_id)
                line = WooCartLine(
                    self.product_id, quantity, price, self.currency, variation_id=variation_id
                )
            if design_id:
                design = self._design(design_id, store_url)
                template = self._luneo(f"/products/{self.product_id}/template", store_url)
                if template is None:
                    raise WooRefused(WOO_NOT_CUSTOMIZABLE)
                if design.get("template_id") != template.get("id"):
                    raise WooRefused(WOO_OTHER_PRODUCT)
                line = WooCartLine(
                    self.product_id,
                    quantity,
                    price,
                    self.currency,
                    variation_id=variation_id,
                    design_id=design_id,
                    surcharge=woo_surcharge(design, self.currency),
                    summary=str(design.get("summary") or ""),
                    properties={
                        str(k): str(v)
                        for k, v in (design.get("properties") or {}).items()
                        if not str(k).startswith("_") and str(v)
                    },
                )
        except WooRefused as refused:
            self.notices.append(refused.message)
            body = (
                '<!doctype html><title>Mug</title><link rel="icon" href="data:,">'
                '<ul class="woocommerce-error" role="alert">'
                f"<li>{html.escape(refused.message)}</li></ul>"
            )
            return Response(body, mimetype="text/html")
        self.cart.append(line)
        body = (
            '<!doctype html><title>Cart</title><link rel="icon" href="data:,">'
            "<p>“Mug” has been added to your cart.</p>"
            '<p><a href="/cart/">View cart</a></p>'
        )
        return Response(body, mimetype="text/html")

    def _design(self, design_id: str, store_url: str) -> dict[str, Any]:
        """``Luneo_Api::design``: GET /designs/<id> server to server, as the store."""
        if not _DESIGN_ID.match(design_id):
            raise WooRefused(WOO_NOT_CONFIRMED)
        design = self._luneo(f"/designs/{quote(design_id)}", store_url)
        if design is None:
            raise WooRefused(WOO_NOT_CONFIRMED)
        return design

    def _luneo(self, path: str, store_url: str) -> dict[str, Any] | None:
        """``Luneo_Api::get``: the JSON object, None for a 404, refused when Luneo fails."""
        luneo = urlsplit(self.luneo_url)
        connection = HTTPConnection(luneo.netloc, timeout=5)
        headers = {"Accept": "application/json", "Origin": store_url, "X-Luneo-Key": self.key}
        try:
            connection.request("GET", f"/storefront/v1{path}", None, headers)
            answer = connection.getresponse()
            status, raw = answer.status, answer.read()
        except OSError:
            raise WooRefused(WOO_UNAVAILABLE) from None
        finally:
            connection.close()
        if status == 404:
            return None
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if status != 200 or not isinstance(body, dict):
            raise WooRefused(WOO_UNAVAILABLE)
        return body

    def _cart_page(self) -> str:
        """WooCommerce's cart table: each line's item data, unit price, quantity, subtotal."""
        rows = []
        for line in self.cart:
            data = "".join(
                f'<dt class="variation-{html.escape(k)}">{html.escape(k)}:</dt>'
                f"<dd>{html.escape(v)}</dd>"
                for k, v in line.item_data
            )
            rows.append(
                f'<tr class="woocommerce-cart-form__cart-item cart_item"'
                f' data-luneo-design="{html.escape(line.design_id or "")}">'
                f'<td class="product-name">Mug<dl class="variation">{data}</dl></td>'
                f'<td class="product-price">{woo_money(line.unit_price, line.currency)}</td>'
                f'<td class="product-quantity">{line.quantity}</td>'
                f'<td class="product-subtotal">'
                f"{woo_money(line.unit_price * line.quantity, line.currency)}</td></tr>"
            )
        return (
            '<!doctype html><html lang="en-US"><head><meta charset="UTF-8"><title>Cart</title>'
            '<link rel="icon" href="data:,"></head><body><main><h1>Cart</h1>'
            '<table class="shop_table cart"><thead><tr><th>Product</th><th>Price</th>'
            "<th>Quantity</th><th>Subtotal</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table></main></body></html>"
        )


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
