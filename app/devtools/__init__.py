"""Development-only local sign-in: pick a shop from the database and open its admin.

Stands in for the platforms' own sign-in (Shopify session tokens, WooCommerce accounts) on a
laptop. create_app() registers it only in development and testing; the guard below refuses to
serve it anywhere else too, in case it is ever registered by mistake.
"""

from __future__ import annotations

from typing import NoReturn

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template_string,
    request,
    url_for,
)
from sqlalchemy import case, select
from werkzeug.wrappers import Response

from app.admin.auth import installed_shop, sign_in, sign_out
from app.csrf import CsrfGuard
from app.demo import DEMO_DOMAIN, DEMO_PRINT_ROOM_EMAIL, seed_demo_shop
from app.extensions import get_session, get_storage
from app.ids import parse_row_id
from app.models import PartnerUser, Shop
from app.partners import portal_auth

bp = Blueprint("devtools", __name__, url_prefix="/dev")

ALLOWED_ENVS = ("development", "testing")
CSRF_SESSION_KEY = "dev_csrf"


@bp.before_request
def _development_only() -> None:
    """Defence in depth: outside development and testing these routes do not exist."""
    if current_app.config["ENV"] not in ALLOWED_ENVS:
        abort(404)


def _expired_form() -> NoReturn:
    abort(400, description="The form has expired. Reload the page and try again.")


# The sign-in forms' own token (a session key apart from the signed-in surfaces'), checked on
# every POST by the one guard (``app.csrf``).
csrf_guard = CsrfGuard(_expired_form, session_key=CSRF_SESSION_KEY)
bp.before_request(csrf_guard.check)


def csrf_token() -> str:
    """This browser's token for the sign-in forms, created on first use."""
    return csrf_guard.token()


def list_shops() -> list[Shop]:
    """Every shop (this page is for a developer's own database), demo shop first."""
    demo_first = case((Shop.domain == DEMO_DOMAIN, 0), else_=1)
    stmt = select(Shop).order_by(demo_first, Shop.name, Shop.id)
    return list(get_session().scalars(stmt))


@bp.get("/")
def index() -> str:
    return render_template_string(
        _INDEX, shops=list_shops(), csrf_token=csrf_token(), demo_domain=DEMO_DOMAIN
    )


@bp.post("/sign-in")
def sign_in_view() -> Response:
    shop_id = request.form.get("shop_id", type=parse_row_id)
    shop = installed_shop(get_session(), shop_id) if shop_id is not None else None
    if shop is None:
        abort(400, description="That shop does not exist or is not installed.")
    sign_in(shop)
    return redirect(url_for("admin.dashboard"))


@bp.post("/sign-out")
def sign_out_view() -> Response:
    sign_out()
    flash("Signed out.", "success")
    return redirect(url_for("devtools.index"))


@bp.post("/partner-sign-in")
def partner_sign_in_view() -> Response:
    """Open the partner portal as the demo shop's print room (its person has no known password)."""
    db = get_session()
    stmt = select(PartnerUser).where(PartnerUser.email == DEMO_PRINT_ROOM_EMAIL)
    user = db.scalars(stmt).first()
    if user is None:
        abort(400, description="Seed the demo shop first: its print room is the demo partner.")
    portal_auth.sign_in(user)
    db.commit()
    return redirect(url_for("partner_portal.jobs"))


@bp.post("/seed-demo")
def seed_demo_view() -> Response:
    """Create (or refresh) the demo shop, so a fresh database has something to sign in to."""
    db = get_session()
    seed_demo_shop(db, get_storage())
    db.commit()
    flash("The demo shop is ready.", "success")
    return redirect(url_for("devtools.index"))


_INDEX = """
{% extends "base.html" %}
{% block title %}Development sign-in{% endblock %}
{% block nav %}{% endblock %}
{% block content %}
<div class="notice notice--dev" role="note">Development only — local sign-in</div>
<div class="page-header">
  <div>
    <h1>Sign in as a shop</h1>
    <p class="muted">In production merchants open Luneo from their store admin; this page
      stands in for that on your machine.</p>
  </div>
  <form class="inline-form" method="post" action="{{ url_for('devtools.sign_out_view') }}">
    <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
    <button class="button button--secondary" type="submit">Sign out</button>
  </form>
</div>
<section class="card" aria-labelledby="shops-heading">
  <div class="card__header">
    <h2 id="shops-heading">Shops in this database</h2>
    <form class="inline-form" method="post" action="{{ url_for('devtools.seed_demo_view') }}">
      <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
      <button class="button button--secondary button--small" type="submit">Seed demo shop</button>
    </form>
  </div>
  {% if shops %}
  <ul class="shop-list">
    {% for shop in shops %}
    <li data-shop="{{ shop.domain }}">
      <div>
        <strong>{{ shop.name or shop.domain }}</strong>
        {% if shop.domain == demo_domain %}<span class="badge badge--brand">Demo</span>{% endif %}
        {% if not shop.is_installed %}
          <span class="badge badge--danger">Uninstalled</span>
        {% endif %}
        <div class="small muted">{{ shop.domain }} · {{ shop.platform.value|capitalize }}
          · plan {{ shop.plan }}</div>
      </div>
      <form class="inline-form" method="post" action="{{ url_for('devtools.sign_in_view') }}">
        <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
        <input type="hidden" name="shop_id" value="{{ shop.id }}">
        <button class="button button--small" type="submit"
          {%- if not shop.is_installed %} disabled{% endif %}>Sign in</button>
      </form>
    </li>
    {% endfor %}
  </ul>
  {% else %}
  <p class="empty">No shops yet. Seed the demo shop, or install Luneo on a development store.</p>
  {% endif %}
</section>
<section class="card" aria-labelledby="partner-heading">
  <div class="card__header">
    <h2 id="partner-heading">Partner portal</h2>
    <form class="inline-form" method="post" action="{{ url_for('devtools.partner_sign_in_view') }}">
      <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
      <button class="button button--small" type="submit">Open as the demo print room</button>
    </form>
  </div>
  <p class="muted">The demo shop prints in-house: its order's print files, packing slip and
    shipping report are in the partner portal once a worker has rendered them.</p>
</section>
{% endblock %}
"""

# The JavaScript SDK's example storefront (/dev/headless), on this blueprint.
import app.devtools.headless  # noqa: E402, F401
