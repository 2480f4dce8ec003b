"""Install and authentication views: Shopify's loads of application_url and the OAuth callback.

Thin views: they check what Shopify signed (query HMAC, session token, shop domain, OAuth
state), call one function of ``install`` and redirect or render. ``/`` with ``?shop=`` comes
here (see app/home), as the comment on application_url in shopify.app.toml says.

* ``GET /app`` with ``id_token`` (embedded load, Shopify-managed installation): token exchange
  when the shop has no usable offline token, then on to the embedded admin ``/admin/``.
* ``GET /app`` without it (install link ``?shop=&hmac=&timestamp=``): the authorization-code
  grant, leaving Shopify's iframe first when the load is embedded.
* ``GET /auth/callback``: HMAC, shop, single-use state; the code for a token; into the admin.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NoReturn

from flask import Blueprint, abort, current_app, g, redirect, render_template_string, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from app.errors import ApiError, wants_json
from app.extensions import get_redis, get_session
from app.shopify import install, oauth_state
from app.shopify.install import InstallBusy, NotConfigured, ShopifyApp, ShopifyUnavailable
from app.shopify.signatures import (
    InvalidSignature,
    decode_session_token,
    valid_shop_domain,
    verify_query,
)

bp = Blueprint("shopify_auth", __name__)
log = logging.getLogger(__name__)

# Authorizations in a row that may come back without the scopes Luneo needs before we stop.
MAX_SCOPE_ATTEMPTS = 2

_EXIT_IFRAME_PAGE = """{% extends "base.html" %}
{% block title %}Continue in Shopify{% endblock %}
{% block host_head %}
  <meta name="shopify-api-key" content="{{ api_key }}">
  <script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>
{% endblock %}
{% block host_chrome %}{% endblock %}
{% block body_class %}page--centered{% endblock %}
{% block content %}
<section class="card" aria-labelledby="authorize-heading">
  <h1 id="authorize-heading">Approve Luneo's access</h1>
  <p>Shopify asks you to approve what Luneo may do in your store.</p>
  <p><a class="button" href="{{ url }}" target="_top">Continue to Shopify</a></p>
</section>
<script>open({{ url|tojson }}, "_top");</script>
{% endblock %}
"""

_UNAVAILABLE_PAGE = """{% extends "base.html" %}
{% block title %}Shopify is not answering{% endblock %}
{% block host_chrome %}{% endblock %}
{% block body_class %}page--centered{% endblock %}
{% block content %}
<section class="card error-card" aria-labelledby="error-heading">
  <p class="error-card__status">Error {{ status }}</p>
  <h1 id="error-heading">{{ headline }}</h1>
  <p class="muted">{{ message }}</p>
  <p class="error-card__actions">
    <a class="button" href="{{ retry_url }}" target="_top">Try again</a>
  </p>
</section>
{% endblock %}
"""


def signed_params(args: MultiDict[str, str]) -> dict[str, str | list[str]]:
    """The query as Shopify signs it: ``ids[]`` keeps all its values, other keys their first."""
    return {key: args.getlist(key) if key.endswith("[]") else args.get(key, "") for key in args}


def _text(params: Mapping[str, str | list[str]], key: str) -> str | None:
    value = params.get(key)
    return value if isinstance(value, str) and value else None


def _refuse(status: int, message: str, reason: str, shop: str | None = None) -> NoReturn:
    """Log why (no secrets) and answer ``status`` with a page or JSON error."""
    log.warning(
        "shopify auth refused", extra={"reason": reason, "shop": shop, "path": request.path}
    )
    abort(status, description=message)


def _shopify_app() -> ShopifyApp:
    try:
        return ShopifyApp.from_config(current_app.config)
    except NotConfigured:
        _refuse(503, "Luneo's Shopify app is not configured yet.", "not_configured")


def _verified_shop(
    app: ShopifyApp, params: Mapping[str, str | list[str]], *, hmac_required: bool = True
) -> str:
    """The myshopify domain of a request Shopify signed; 400 or 401 otherwise."""
    shop = valid_shop_domain(_text(params, "shop"))
    if shop is None:
        _refuse(400, "The shop must be a store's myshopify.com domain.", "bad_shop")
    if hmac_required or "hmac" in params:
        try:
            verify_query(params, app.api_secret)
        except InvalidSignature:
            _refuse(
                401,
                "This link is not signed by Shopify. Open Luneo from your Shopify admin.",
                "bad_hmac",
                shop,
            )
    g.frame_shop = shop  # the frame policy lets this shop's admin frame our answer
    return shop


def _unavailable(app: ShopifyApp, shop: str, exc: Exception) -> ResponseReturnValue:
    """Shopify failed us (or another load holds the shop): nothing stored, offer a retry."""
    busy = isinstance(exc, InstallBusy)
    status = 503 if busy else 502
    log.warning("shopify install interrupted", extra={"shop": shop, "reason": str(exc)})
    message = (
        "Luneo is already being set up for your store; try again in a moment."
        if busy
        else "Shopify did not answer Luneo's request for access. Nothing was changed."
    )
    if wants_json():
        raise ApiError(status, "shopify_unavailable", message)
    page = render_template_string(
        _UNAVAILABLE_PAGE,
        status=status,
        headline="We couldn't finish connecting to Shopify",
        message=message,
        retry_url=install.admin_apps_url(app, shop),
    )
    return page, status


def _start_authorization(
    app: ShopifyApp, shop: str, *, embedded: bool, attempt: int = 0
) -> ResponseReturnValue:
    """Send the merchant to Shopify's grant screen, out of the admin iframe if we are in it."""
    state = oauth_state.issue(get_redis(), current_app.config["SECRET_KEY"], shop, attempt)
    try:
        url = install.authorize_url(app, shop, state)
    except NotConfigured:
        _refuse(503, "Luneo's Shopify app URL is not configured yet.", "no_app_url", shop)
    log.info("shopify authorization started", extra={"shop": shop, "attempt": attempt})
    if not embedded:
        return redirect(url)
    return render_template_string(_EXIT_IFRAME_PAGE, api_key=app.api_key, url=url)


def _embedded_load(app: ShopifyApp, shop: str, id_token: str) -> ResponseReturnValue:
    """Token exchange when needed, then the embedded admin with the same (signed) query."""
    try:
        claims = decode_session_token(id_token, api_key=app.api_key, secret=app.api_secret)
    except InvalidSignature:
        _refuse(
            401,
            "Your Shopify session expired. Reload Luneo from your Shopify admin.",
            "bad_session_token",
            shop,
        )
    if claims.shop != shop:
        _refuse(401, "This session belongs to another store.", "session_shop_mismatch", shop)
    try:
        row = install.ensure_installed(
            get_session(), get_redis(), current_app.config, shop, id_token
        )
    except (ShopifyUnavailable, InstallBusy) as exc:
        return _unavailable(app, shop, exc)
    if install.missing_scopes(app, row.scopes):
        return _start_authorization(app, shop, embedded=True)
    return redirect("/admin/?" + request.query_string.decode("utf-8", "replace"))


def _install_link(app: ShopifyApp, shop: str, params: Mapping[str, Any]) -> ResponseReturnValue:
    """A signed load without a session token: authorize unless the shop is already set up."""
    embedded = params.get("embedded") == "1"
    row = install.find_shop(get_session(), shop)
    if install.needs_authorization(row, app) or (
        row is not None and install.token_expired(row) and not row.refresh_token
    ):
        return _start_authorization(app, shop, embedded=embedded)
    if embedded:  # the embedded admin fetches itself a session token
        return redirect("/admin/?" + request.query_string.decode("utf-8", "replace"))
    return redirect(install.embedded_app_url(app, shop, _text(params, "host")))


@bp.get("/app")
def entry() -> ResponseReturnValue:
    """application_url: Shopify opening Luneo, from an install link or inside the admin."""
    app = _shopify_app()
    params = signed_params(request.args)
    id_token = _text(params, "id_token")
    # A session token is Shopify's signature too; when the query also carries an HMAC, both count.
    shop = _verified_shop(app, params, hmac_required=id_token is None)
    if id_token is not None:
        return _embedded_load(app, shop, id_token)
    return _install_link(app, shop, params)


@bp.get("/auth/callback")
def callback() -> ResponseReturnValue:
    """Shopify's redirect after the grant screen: verify everything, then store the token."""
    app = _shopify_app()
    params = signed_params(request.args)
    shop = _verified_shop(app, params)
    code = _text(params, "code")
    if code is None:
        _refuse(400, "Shopify's answer has no authorization code.", "no_code", shop)
    state = oauth_state.consume(
        get_redis(), current_app.config["SECRET_KEY"], _text(params, "state"), shop
    )
    if state is None:
        _refuse(
            403,
            "This authorization link was already used or has expired. "
            "Open Luneo from your Shopify admin to start again.",
            "bad_state",
            shop,
        )
    try:
        row = install.complete_authorization(get_session(), get_redis(), app, shop, code)
    except (ShopifyUnavailable, InstallBusy) as exc:
        return _unavailable(app, shop, exc)
    missing = install.missing_scopes(app, row.scopes)
    if missing and state.attempt + 1 >= MAX_SCOPE_ATTEMPTS:
        _refuse(
            403,
            "Shopify did not grant the access Luneo needs: " + ", ".join(sorted(missing)),
            "scopes_not_granted",
            shop,
        )
    if missing:
        return _start_authorization(app, shop, embedded=False, attempt=state.attempt + 1)
    return redirect(install.embedded_app_url(app, shop, _text(params, "host")))
