"""Where the admin is displayed: inside Shopify's admin, or standalone on Luneo's own site.

One set of page code serves both. The differences live here, in one ``AdminHost`` chosen per
request: the chrome the layout includes, extra navigation, and the security headers. The
sign-in side of the difference is ``app.admin.auth.current_shop()``, which records here which
way the request was signed in.

* ``SHOPIFY``: a request carrying an App Bridge session token (or an embedded document load).
  App Bridge draws the navigation; the frame policy names the shop's admin
  (``app.shopify.embedded``).
* ``LUNEO``: everything else — the WooCommerce merchant's account session, the account pages.
  Luneo's own top bar (shop switcher, team, sign-out), never framed, HSTS over HTTPS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g, request
from werkzeug.wrappers import Response

from app.shopify import embedded

HSTS = "max-age=31536000; includeSubDomains"
STANDALONE_CSP = "frame-ancestors 'none'"


@dataclass(frozen=True)
class AdminHost:
    name: str
    account_template: str  # the top bar's account area
    extra_sections: tuple[tuple[str, str, str], ...] = field(default=())
    standalone: bool = True


SHOPIFY = AdminHost("shopify", "admin/_account_shopify.html", standalone=False)
LUNEO = AdminHost(
    "luneo",
    "admin/_account_luneo.html",
    extra_sections=(("team", "account_team.team", "Team"),),
)


def current_host() -> AdminHost:
    """The host of this request; decided without a database query."""
    token: embedded.TokenResult | None = g.get("luneo_token_result")
    if token is not None and token.presented:
        return SHOPIFY
    if embedded.is_embedded_document_load() or g.get("embedded_params"):
        return SHOPIFY
    return LUNEO


def _secure_transport() -> bool:
    return request.is_secure or current_app.config["ENV"] == "production"


def apply_headers(response: Response) -> Response:
    """Security headers of the standalone host; the embedded frame policy stays Shopify's."""
    if _secure_transport():
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if current_host().standalone:
        response.headers["Content-Security-Policy"] = STANDALONE_CSP
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def template_context() -> dict[str, Any]:
    return {"admin_host": current_host()}


def install(app: Flask, blueprints: tuple[str, ...]) -> None:
    """Headers for the pages of ``blueprints`` (the admin and account surfaces) by host."""

    @app.after_request
    def _host_headers(response: Response) -> Response:
        if request.blueprint in blueprints:
            return apply_headers(response)
        return response

    app.context_processor(template_context)
