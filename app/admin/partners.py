"""Admin: fulfilment partners, routing rules, jobs waiting for a route, shipment pushes.

The page is server-rendered; its writes go to the JSON routes below (same guard and CSRF rule
as the rest of the admin API), called by ``static/admin/partners.js``. A print shop the merchant
adds gets an e-mailed invitation to choose its own password; the temporary password is still
shown once, for a merchant who prints in-house and signs in to the portal themselves.

Adding, linking and removing a partner decide who outside the store sees its orders (names,
addresses): like the team, that is the owners' (``owner_required``). Staff work with the rules,
routing and shipment retries of the partners the owners chose.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from app import display, wording
from app.admin.auth import acts_as_owner, owner_required, shop_admin_required, signed_in_shop
from app.admin.csrf import csrf_protected
from app.csrf import csrf_token
from app.errors import ApiError
from app.extensions import get_session
from app.fulfilment import audit, merchant, profiles, routing, tracking
from app.fulfilment import push as pushes
from app.fulfilment.push import enqueue_push
from app.models import JobAssignment, Product, ShipmentPush, ShopScope
from app.partners import invitations

bp = Blueprint("admin_partners", __name__, template_folder="templates")


@bp.context_processor
def _layout_context() -> dict[str, Any]:
    # The admin layout's needs (as app.admin.views gives its own pages).
    return {"dev_sign_in": "devtools" in current_app.blueprints, "csrf_token": csrf_token}


@bp.app_context_processor
def _timeline() -> dict[str, Any]:
    def fulfilment_timeline(order_id: int) -> list[merchant.Timeline]:
        return merchant.order_timelines(get_session(), signed_in_shop().id, order_id)

    def push_words(push: ShipmentPush) -> str:
        """A push's last problem in words, with when Luneo tries again (the raw error apart)."""
        shop = signed_in_shop()
        return wording.push_problem(
            push.status,
            push.attempts,
            push.last_error,
            platform=shop.platform.value,
            tried_at=push.updated_at,
            intervals=pushes.push_spec(push.id, shop.id).retry_intervals,
            locale=display.current_locale(),
        )

    return {"fulfilment_timeline": fulfilment_timeline, "push_words": push_words}


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _merchant_actor() -> audit.Actor:
    shop = signed_in_shop()
    return audit.Actor(
        "merchant",
        str(shop.id),
        shop.name or shop.domain,
        request.remote_addr,
        request.headers.get("User-Agent"),
    )


def _route_now(shop_id: int) -> int:
    session = get_session()
    routed = routing.route_waiting(session, shop_id)
    routing.hand_over(session, routed)
    return len(routed)


@bp.get("/admin/partners")
@shop_admin_required
def page() -> str:
    shop, session = signed_in_shop(), get_session()
    scope = ShopScope(session, shop.id)
    waiting = routing.unrouted_job_ids(session, shop.id)
    return render_template(
        "admin/partners.html",
        shop=shop,
        partners=merchant.linked_partners(session, shop.id),
        network=merchant.network_partners(session),
        rules=merchant.rules(session, shop.id),
        products=scope.all(Product, Product.title, limit=500),
        waiting=waiting,
        can_manage=acts_as_owner(),
        files_of=profiles.summary,
    )


@bp.post("/api/admin/fulfilment/partners")
@shop_admin_required
@csrf_protected
@owner_required
def create_partner() -> ResponseReturnValue:
    body, shop = _body(), signed_in_shop()
    session = get_session()
    if isinstance(body.get("partner_id"), int):
        partner = merchant.link_network_partner(session, shop.id, body["partner_id"])
        session.commit()
        return jsonify({"partner": {"id": partner.id, "name": partner.name}}), 201
    created = merchant.create_partner(
        session,
        shop.id,
        str(body.get("kind", "")),
        str(body.get("name", "")),
        str(body.get("email", "")),
    )
    audit.record(
        session,
        _merchant_actor(),
        "team_invited",
        partner_id=created.partner.id,
        shop_id=shop.id,
        detail={"user_id": created.user.id, "email": created.email, "role": "admin"},
    )
    session.commit()
    sent = invitations.send_invitation(created.user, created.partner, _merchant_actor().label)
    return jsonify(
        {
            "partner": {"id": created.partner.id, "name": created.partner.name},
            "sign_in": {"email": created.email, "temporary_password": created.password},
            "invitation": {"email": created.email, "sent": sent},
        }
    ), 201


@bp.delete("/api/admin/fulfilment/partners/<int:partner_id>")
@shop_admin_required
@csrf_protected
@owner_required
def unlink_partner(partner_id: int) -> ResponseReturnValue:
    merchant.unlink_partner(get_session(), signed_in_shop().id, partner_id)
    get_session().commit()
    return jsonify({"ok": True})


@bp.post("/api/admin/fulfilment/rules")
@shop_admin_required
@csrf_protected
def add_rule() -> ResponseReturnValue:
    shop = signed_in_shop()
    rule = merchant.add_rule(get_session(), shop.id, _body())
    routed = _route_now(shop.id)
    get_session().commit()
    return jsonify({"rule": {"id": rule.id}, "routed": routed}), 201


@bp.delete("/api/admin/fulfilment/rules/<int:rule_id>")
@shop_admin_required
@csrf_protected
def delete_rule(rule_id: int) -> ResponseReturnValue:
    merchant.delete_rule(get_session(), signed_in_shop().id, rule_id)
    get_session().commit()
    return jsonify({"ok": True})


@bp.post("/api/admin/fulfilment/route")
@shop_admin_required
@csrf_protected
def route_waiting() -> ResponseReturnValue:
    routed = _route_now(signed_in_shop().id)
    get_session().commit()
    return jsonify({"routed": routed})


@bp.post("/api/admin/fulfilment/jobs/<int:assignment_id>/tracking")
@shop_admin_required
@csrf_protected
def correct_tracking(assignment_id: int) -> ResponseReturnValue:
    """The merchant corrects a shipped job's tracking (staff too: like retrying a shipment,
    it is day-to-day order work); the store gets the change in the background."""
    shop, session = signed_in_shop(), get_session()
    scope = ShopScope(session, shop.id)
    row = scope.get_or_404(JobAssignment, assignment_id, "There is no such job.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "The request body must be a JSON object.")
    fixed = tracking.parse(
        body.get("carrier"), body.get("tracking_number"), body.get("tracking_url")
    )
    update = tracking.correct(session, row, fixed, _merchant_actor())
    session.commit()
    return jsonify(
        {
            "carrier": row.carrier,
            "tracking_number": row.tracking_number,
            "tracking_url": row.tracking_url,
            "update": update.status.value if update else "unchanged",
        }
    )


@bp.post("/api/admin/fulfilment/pushes/<int:push_id>/retry")
@shop_admin_required
@csrf_protected
def retry_push(push_id: int) -> ResponseReturnValue:
    shop, session = signed_in_shop(), get_session()
    scope = ShopScope(session, shop.id)
    push = scope.get_or_404(ShipmentPush, push_id, "There is no such shipment.")
    try:
        pushes.retry(session, push)
    except ValueError as exc:
        raise ApiError(409, "not_failed", str(exc)) from None
    assignment = scope.get(JobAssignment, push.assignment_id)
    audit.record(
        session,
        _merchant_actor(),
        "push_retry",
        shop_id=shop.id,
        job_id=assignment.production_job_id if assignment else None,
        detail={"push_id": push.id},
    )
    enqueue_push(session, push.id, shop.id)
    session.commit()
    return jsonify({"status": push.status.value})
