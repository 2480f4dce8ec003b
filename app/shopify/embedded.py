"""The admin inside Shopify's iframe: session tokens, the bounce page and the frame policy.

Shopify authenticates every embedded request with an App Bridge session token: ``id_token`` in
the query of a document load, ``Authorization: Bearer`` on fetches. There are no cookies in the
iframe. A document load without a fresh ``id_token`` (a link followed inside the admin) goes to
the bounce page, where App Bridge fetches a new token and reloads the page with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, g, has_request_context, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import get_session
from app.models import Platform, Shop
from app.redirects import local_path
from app.shopify.signatures import (
    InvalidSignature,
    SessionToken,
    decode_session_token,
    valid_shop_domain,
)

bp = Blueprint("shopify_embedded", __name__)

RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"
# Query parameters that keep a page inside the Shopify admin when links are followed.
EMBED_PARAMS = ("shop", "host", "embedded", "locale")


@dataclass(frozen=True)
class TokenResult:
    presented: bool  # a token was sent with the request
    claims: SessionToken | None = None  # set when the token verified
    shop: Shop | None = None  # set when it verified and names an installed shop

    @property
    def should_retry(self) -> bool:
        """Invalid or expired: App Bridge should fetch a fresh token and try again."""
        return self.presented and self.claims is None


def _decode(token: str) -> SessionToken:
    config = current_app.config
    if not config["SHOPIFY_API_KEY"] or not config["SHOPIFY_API_SECRET"]:
        raise InvalidSignature("Shopify app credentials are not configured")
    return decode_session_token(
        token, api_key=config["SHOPIFY_API_KEY"], secret=config["SHOPIFY_API_SECRET"]
    )


def installed_shopify_shop(domain: str) -> Shop | None:
    stmt = select(Shop).where(Shop.platform == Platform.SHOPIFY, Shop.domain == domain)
    shop = get_session().scalars(stmt).one_or_none()
    return shop if shop is not None and shop.is_installed and shop.access_token else None


def verify_token(token: str) -> TokenResult:
    """Verify a session token and find the installed shop it speaks for."""
    try:
        claims = _decode(token)
    except InvalidSignature:
        return TokenResult(presented=True)
    g.shopify_session = claims
    return TokenResult(presented=True, claims=claims, shop=installed_shopify_shop(claims.shop))


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def request_token() -> str | None:
    """The session token this request presents: the ``Authorization`` header, else (page loads
    only) the ``id_token`` of the query.

    A query parameter is not a credential for a write: any page can put a token (its own
    shop's) in a URL it makes a browser POST to, with that browser's cookies attached. Shopify
    only adds ``id_token`` to document loads; App Bridge's fetches send the header.
    """
    token = bearer_token()
    if token is None and request.method in ("GET", "HEAD"):
        token = request.args.get("id_token") or None
    return token


def resolve_request_token() -> TokenResult:
    """The shop from this request's session token (see ``request_token``)."""
    token = request_token()
    if not token:
        return TokenResult(presented=False)
    result = verify_token(token)
    named = valid_shop_domain(request.args.get("shop"))
    if result.claims is not None and named is not None and named != result.claims.shop:
        return TokenResult(presented=True)  # a token for one shop, a page for another
    if result.shop is not None:
        g.embedded_params = embed_params()
    return result


def embed_params() -> dict[str, str]:
    """The embedding parameters of this request (validated shop), to carry on internal links."""
    params = {k: request.args[k] for k in EMBED_PARAMS if request.args.get(k)}
    if "shop" in params and valid_shop_domain(params["shop"]) is None:
        params.pop("shop")
    return params


def is_embedded_document_load() -> bool:
    """A page request made inside the Shopify admin (it names a valid shop and a host)."""
    return (
        request.method == "GET"
        and valid_shop_domain(request.args.get("shop")) is not None
        and bool(request.args.get("host") or request.args.get("embedded"))
    )


def bounce_to_fresh_token() -> Response:
    """Send a document load to the bounce page, which reloads it with a fresh ``id_token``."""
    args = {k: v for k, v in request.args.items() if k not in ("id_token", "hmac", "session")}
    target = request.path + ("?" + urlencode(args) if args else "")
    query = {**embed_params(), "shopify-reload": target}
    response = Response(status=302)
    response.headers["Location"] = "/auth/session-token?" + urlencode(query)
    return response


def reinstall_redirect() -> Response:
    """A verified token for a shop without Luneo installed: the install flow takes it from here."""
    response = Response(status=302)
    response.headers["Location"] = "/?" + urlencode(request.args)
    return response


def unauthorized(result: TokenResult, body: ResponseReturnValue) -> ResponseReturnValue:
    """The 401 for a request that carried no usable session: App Bridge retries invalid ones."""
    response = current_app.make_response(body)
    response.status_code = 401
    if result.should_retry:
        response.headers[RETRY_HEADER] = "1"
    return response


@bp.get("/auth/session-token")
def session_token_bounce() -> ResponseReturnValue:
    """The bounce page: App Bridge sees ``shopify-reload`` and reloads it with an ``id_token``."""
    # Only our own paths: never bounce the merchant to another site.
    target = local_path(request.args.get("shopify-reload"), "/admin/")
    return render_template(
        "shopify/bounce.html",
        api_key=current_app.config["SHOPIFY_API_KEY"] or "",
        target=target,
    )


def frame_ancestors() -> str:
    """Who may frame this response: the shop's admin for Shopify pages, nobody otherwise."""
    domain = getattr(g, "frame_shop", None)
    if domain is None:
        shop = valid_shop_domain(request.args.get("shop"))
        session_claims: SessionToken | None = g.get("shopify_session")
        domain = session_claims.shop if session_claims else shop
    if domain:
        return f"frame-ancestors https://{domain} https://admin.shopify.com"
    return "frame-ancestors 'none'"


def install_frame_policy(app: Flask) -> None:
    """Every HTML response says who may frame it (Shopify's embedded-app requirement)."""

    @app.after_request
    def _frame_policy(response: Response) -> Response:
        if response.mimetype == "text/html" and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = frame_ancestors()
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


def add_embed_params(endpoint: str, values: dict[str, Any]) -> None:
    """``url_for`` inside an embedded page keeps shop/host, so links stay inside Shopify."""
    if not has_request_context():
        return
    params: dict[str, str] | None = g.get("embedded_params")
    if params and endpoint.startswith("admin."):
        for key, value in params.items():
            values.setdefault(key, value)


def template_context() -> dict[str, Any]:
    """What the layout needs to render inside Shopify: App Bridge's API key and our params."""
    params: dict[str, str] | None = g.get("embedded_params")
    return {
        "embedded": bool(params),
        "shopify_api_key": current_app.config["SHOPIFY_API_KEY"] or "",
    }
