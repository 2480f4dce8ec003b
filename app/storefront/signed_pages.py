"""Pages behind a signed link that open the shopper's editor for one order line.

Two pages work this way: the recovery page (``/recover/<token>``: add the design a line lacks,
``app.storefront.recovery``) and the order-edit page (``/order-design/<token>``: change an
ordered design, ``app.storefront.order_edits``). Each is a :class:`SignedPage`: its path, the
service call that opens the line a token names, the page it renders and the one action its
editor posts to (``attach`` / ``replace``). This module is what they share:

* the surface's guard: the token in the path, checked before anything else; across origins only
  for the WooCommerce store the line belongs to (its plugin may host the page); every design made
  here is anonymous, proven by its edit token;
* where the page is shown (:class:`Placement`): on Luneo's own origin, or on a Shopify store
  through the app proxy (then every file comes from Luneo's origin, named absolutely, and the CSP
  allows it);
* the headers every such page sends: no Referer (the token stays in the URL bar), never cached,
  never framed, a CSP that lets the editor run and nothing else;
* the editor's configuration every such page starts from (``editor_config``).

In the browser the same split holds: ``app/templates/_signed_page.html`` is the pages' layout and
``storefront_widget/src/signed_page.js`` their script (the editor's last step posted to the
action, the "done" notice), each page adding only its own words and sections.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from app.api_error import ApiError, LinkInvalid
from app.client_address import client_address
from app.errors import handle_api_error
from app.extensions import get_session
from app.models import Order, OrderItem, Platform, Product, Shop, ShopScope, Variant
from app.storefront import Shopper, current_shop
from app.storefront.cors import add_cors_headers, preflight, request_origin
from app.storefront.surface import finish
from app.woocommerce.storefront_keys import store_origin

PROXY_PREFIX = re.compile(r"/[A-Za-z0-9/_-]{1,100}")  # Shopify's signed ``path_prefix``
CORS_HEADERS = "Content-Type, Accept"


class Line(Protocol):
    """What a signed link opens: one order line of one shop (``RecoveryLine``, ``EditLine``)."""

    @property
    def scope(self) -> ShopScope: ...
    @property
    def shop(self) -> Shop: ...
    @property
    def item(self) -> OrderItem: ...
    @property
    def order(self) -> Order: ...


L = TypeVar("L", bound=Line)


@dataclass(frozen=True)
class Placement:
    """Where the page is shown: on Luneo, or on a Shopify store through its app proxy (then
    every file comes from Luneo's origin, named absolutely, and the CSP allows it)."""

    api_base: str
    action_url: str  # where the editor posts its design (attach, replace)
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

    def assets(self, script: str) -> dict[str, str]:
        """The page's own style sheet, its script and the widget's loader."""
        return {
            "css": self.url("static", filename="luneo.css"),
            "script": self.url("storefront_public.widget_asset", name=script),
            "loader": self.url("storefront_public.widget_asset", name="luneo-loader.js"),
        }


def secure(body: str, where: Placement, status: int = 200) -> ResponseReturnValue:
    headers = {
        "Content-Security-Policy": where.csp(),
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
    }
    return body, status, headers


def script_json(value: Any) -> str:
    """``value`` as JSON that stays inert inside a ``<script>`` element (the same JSON)."""
    text = json.dumps(value)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text


def _luneo_origin() -> str:
    origin = urlsplit(url_for("storefront_public.widget_asset", name="x", _external=True))
    return f"{origin.scheme}://{origin.netloc}"


def _platform_id(external_id: str | None) -> str:
    """The id the store's own page gives the widget (Shopify: the number of the gid)."""
    return (external_id or "").rsplit("/", 1)[-1]


def editor_config(line: Line, where: Placement) -> dict[str, Any]:
    """The widget's settings on such a page: this surface as its API, the store's own product
    and variant ids (so the editor's draft key is the product page's), the action to post to."""
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
        "attachUrl": where.action_url,
        "productId": product_id,
        "variantId": _platform_id(variant.external_id if variant else None) or simple,
        "editorUrl": asset("luneo-editor.js"),
        "editorCssUrl": asset("luneo-editor.css"),
        "viewerUrl": asset("luneo-viewer.js"),
    }


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


@dataclass(frozen=True)
class SignedPage(Generic[L]):
    """One page behind a signed link: its surface on Luneo and its page on the app proxy."""

    name: str  # the blueprint's name, "storefront_recovery"
    path: str  # "/recover/", with its slashes
    proxy_prefix: str  # where the app proxy serves Luneo on the store, "/apps/luneo"
    action: str  # the editor's one write, "attach"
    open_line: Callable[[Session, str, str], L]  # the service's: token -> line, or ApiError
    render: Callable[[L | None, Placement, str | None], str]

    # ------------------------------------------------------------- the surface on Luneo
    def token(self) -> str:
        return str(g.get("signed_page_token") or "")

    def line(self) -> L:
        line: L = g.signed_page_line
        return line

    def _pull_token(self, _endpoint: str | None, values: dict[str, Any] | None) -> None:
        """The token is the surface's, not a view's argument: the views stay the shared ones."""
        g.signed_page_token = (values or {}).pop("token", "")

    def _guard(self) -> ResponseReturnValue | None:
        line = self.open_line(get_session(), _secret(), self.token())
        g.signed_page_line = line
        allowed = store_origin(line.shop) if line.shop.platform is Platform.WOOCOMMERCE else None
        if allowed is not None and request_origin().lower() == allowed:
            g.storefront_origin = allowed  # the page the store's plugin hosts calls from there
        if request.method == "OPTIONS":
            if g.get("storefront_origin") is None:
                raise ApiError(403, "origin_not_allowed", "This site cannot use this link.")
            return preflight(CORS_HEADERS)
        # Such a page cannot vouch for a signed-in customer: every design made here is
        # anonymous, proven by its edit token.
        g.storefront_shopper = Shopper(line.shop, None, client_key=f"ip:{client_address()}")
        return None

    def on_luneo(self, token: str) -> Placement:
        base = self.path + token
        return Placement(base, f"{base}/{self.action}")

    def page(self) -> ResponseReturnValue:
        where = self.on_luneo(self.token())
        return secure(self.render(self.line(), where, None), where)

    def _refused(self, exc: ApiError) -> ResponseReturnValue:
        """The page answers a refused link with a page a person can read; the API with JSON."""
        if request.endpoint != f"{self.name}.page":
            return handle_api_error(exc)
        where = self.on_luneo(self.token())
        return secure(self.render(None, where, exc.message), where, exc.status)

    def build(
        self,
        modules: Iterable[ModuleType],
        context: Callable[[], ResponseReturnValue],
        act: Callable[[], ResponseReturnValue],
    ) -> Blueprint:
        """The page, the plugin's ``/context``, the action and every storefront view, for the
        token's shop."""
        bp = Blueprint(self.name, __name__, url_prefix=self.path.rstrip("/") + "/<token>")
        bp.url_value_preprocessor(self._pull_token)
        bp.before_request(self._guard)
        bp.after_request(add_cors_headers)
        bp.register_error_handler(ApiError, self._refused)
        bp.add_url_rule("", endpoint="page", view_func=self.page)
        bp.add_url_rule("/context", view_func=context)
        bp.add_url_rule(f"/{self.action}", view_func=act, methods=["POST"])
        return finish(bp, modules)

    # ------------------------------------------------- on a Shopify store, via the app proxy
    def proxy_line(self, token: str) -> L:
        """The token's line, when it is a line of the shop Shopify signed this request for."""
        line = self.open_line(get_session(), _secret(), token)
        if line.shop.id != current_shop().id:
            raise LinkInvalid()
        return line

    def on_the_store(self, token: str) -> Placement:
        prefix = request.args.get("path_prefix", "")  # signed by Shopify with the rest
        if not PROXY_PREFIX.fullmatch(prefix) or ".." in prefix:
            prefix = self.proxy_prefix
        base = prefix.rstrip("/")
        return Placement(base, f"{base}{self.path}{token}/{self.action}", _luneo_origin())

    def proxy_page(self, token: str) -> ResponseReturnValue:
        """The page on the store's own origin, where the editor finds the drafts the shopper
        left on the product page; its API is the app proxy surface."""
        where = self.on_the_store(token)
        try:
            line = self.proxy_line(token)
        except ApiError as exc:
            return secure(self.render(None, where, exc.message), where, exc.status)
        return secure(self.render(line, where, None), where)

    def register_on_proxy(
        self, bp: Blueprint, endpoint: str, act: Callable[[str], ResponseReturnValue]
    ) -> None:
        """The page and the action on Shopify's app proxy surface (its guard, then these)."""
        bp.add_url_rule(
            f"{self.path}<token>", endpoint=f"{endpoint}_page", view_func=self.proxy_page
        )
        bp.add_url_rule(
            f"{self.path}<token>/{self.action}",
            endpoint=f"{endpoint}_{self.action}",
            view_func=act,
            methods=["POST"],
        )
