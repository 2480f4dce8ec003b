"""Plan & billing in the admin: the pricing page (``/admin/billing``) and its JSON API.

The page lists the plans of ``app.billing.plans`` with the shop's plan and usage this period.
Every billing write is the owners' (``owner_required``): a store's staff see the page, not
the buttons, and the API answers them 403.
Choosing a paid plan asks the server for the provider's URL and opens it top-level (Shopify's
confirmation page cannot be framed; Stripe Checkout neither). Shopify sends the merchant back
here with ``charge_id``: the page then asks Shopify which subscription is active, and shows that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import stripe
from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.admin.auth import acts_as_owner, owner_required, shop_admin_required, signed_in_shop
from app.admin.csrf import csrf_protected
from app.billing import choose, stripe_billing, subscriptions
from app.billing.shopify_billing import sync_active
from app.billing.summary import summary
from app.csrf import csrf_token
from app.errors import ApiError
from app.extensions import get_redis, get_session
from app.models import Platform
from connectors.base import AuthError, ConnectorError
from connectors.shopify.billing import BillingUserError

log = logging.getLogger(__name__)

bp = Blueprint("admin_billing", __name__, template_folder="templates")


@bp.context_processor
def _layout_context() -> dict[str, Any]:
    # What admin/layout.html needs, as the admin blueprint's pages get it.
    return {"dev_sign_in": "devtools" in current_app.blueprints, "csrf_token": csrf_token}


def _now() -> datetime:
    return datetime.now(UTC)


def _provider_call(action: Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
    """Run a call to Shopify or Stripe; its failures as clear ``ApiError``s, never a 500."""
    try:
        return action()
    except choose.InvalidChoice as exc:
        raise ApiError(400, "invalid", str(exc)) from None
    except stripe_billing.NoStripeCustomer as exc:
        raise ApiError(409, "no_subscription", str(exc)) from None
    except stripe_billing.StripeNotConfigured as exc:
        raise ApiError(503, "billing_not_configured", str(exc)) from None
    except BillingUserError as exc:
        raise ApiError(422, "billing_refused", f"Shopify refused: {exc}") from None
    except AuthError:
        raise ApiError(409, "reauthorize", "Luneo must be re-authorized in your store.") from None
    except (ConnectorError, stripe.StripeError) as exc:
        log.warning("billing provider failed", extra={"error": type(exc).__name__})
        raise ApiError(
            502, "provider_unavailable", "The payment provider did not answer; try again."
        ) from None


@bp.get("/admin/billing")
@shop_admin_required
def page() -> ResponseReturnValue:
    shop, session = signed_in_shop(), get_session()
    notice = None
    if shop.platform is Platform.SHOPIFY and request.args.get("charge_id"):
        try:  # back from Shopify's confirmation page: ask Shopify what is active now
            active = sync_active(session, shop, current_app.config, _now())
            subscriptions.resume_production_after_commit(session, get_redis(), shop.id)
            session.commit()
            notice = "approved" if active is not None else "not_approved"
        except ConnectorError:
            session.rollback()
            notice = "unverified"
    elif request.args.get("checkout") in ("success", "cancelled"):
        notice = f"checkout_{request.args['checkout']}"
    data = summary(session, shop, _now())
    return render_template(
        "admin/billing.html", shop=shop, data=data, notice=notice, can_change=acts_as_owner()
    )


@bp.get("/api/admin/billing")
@shop_admin_required
def show() -> ResponseReturnValue:
    return jsonify(summary(get_session(), signed_in_shop(), _now()))


def _stripe_urls() -> choose.StripeUrls:
    base = url_for("admin_billing.page", _external=True)
    return choose.StripeUrls(
        success=f"{base}?checkout=success", cancel=f"{base}?checkout=cancelled", back=base
    )


@bp.post("/api/admin/billing/subscribe")
@shop_admin_required
@csrf_protected
@owner_required
def subscribe() -> ResponseReturnValue:
    """``{"plan", "interval"}`` → ``{"plan", "redirect_url"}`` (None: the change is done)."""
    body: Any = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Send a JSON object with plan and interval.")

    def act() -> ResponseReturnValue:
        plan_key, interval = choose.parse(body.get("plan"), body.get("interval"))
        shop, session = signed_in_shop(), get_session()
        made = choose.choose(
            session, shop, plan_key, interval, current_app.config, _stripe_urls(), _now()
        )
        session.commit()
        return jsonify({"plan": made.plan, "redirect_url": made.redirect_url})

    return _provider_call(act)


@bp.post("/api/admin/billing/portal")
@shop_admin_required
@csrf_protected
@owner_required
def portal() -> ResponseReturnValue:
    """Stripe's customer portal (card, invoices, cancellation) for WooCommerce stores."""
    shop = signed_in_shop()
    if shop.platform is Platform.SHOPIFY:
        raise ApiError(400, "not_stripe", "Shopify stores manage billing in Shopify.")

    def act() -> ResponseReturnValue:
        back = url_for("admin_billing.page", _external=True)
        url = stripe_billing.portal_url(get_session(), shop, current_app.config, back)
        return jsonify({"redirect_url": url})

    return _provider_call(act)
