"""``/partners/team``: a partner's admins see their people, invite more and manage them.

Admins only (``partner_admin_required``: an operator gets the 403 page); every POST passes the
portal's CSRF check and is recorded in the audit trail. The service (``app.fulfilment.team``)
scopes every id to the signed-in partner, so another partner's people answer 404, and refuses
to leave the team without an admin who can sign in. Invitations are e-mailed after the commit,
so a link never names a person who was not saved.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.extensions import get_session
from app.fulfilment import audit, team
from app.fulfilment.errors import FulfilmentError
from app.fulfilment.passwords import has_usable_password
from app.models import Partner, PartnerRole, PartnerUser
from app.partners import common, invitations
from app.partners.portal_auth import partner_admin_required, portal_blueprint

bp = portal_blueprint("partner_team", "/partners/team")


def _partner() -> Partner:
    partner: Partner = g.partner
    return partner


def _me() -> PartnerUser:
    user: PartnerUser = g.partner_user
    return user


def _record(action: str, user: PartnerUser, **detail: Any) -> None:
    audit.record(
        get_session(),
        common.partner_user_actor(_me()),
        action,
        partner_id=_partner().id,
        detail={"user_id": user.id, "email": user.email, **detail},
    )


def _page(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "partners/team.html",
        people=team.members(get_session(), _partner().id),
        me=_me(),
        roles=[role.value for role in PartnerRole],
        has_password=has_usable_password,
        error=error,
    )
    return page, status


def _refused(exc: FulfilmentError) -> ResponseReturnValue:
    get_session().rollback()  # nothing half-done, and the partner row's lock is released
    return _page(exc.message, exc.status)


def _mail(user: PartnerUser, sent: str) -> ResponseReturnValue:
    if invitations.send_invitation(user, _partner(), common.partner_user_actor(_me()).label):
        flash(sent, "success")
    else:
        flash(
            f"The invitation to {user.email} could not be e-mailed just now: "
            "use Resend invitation in a moment.",
            "error",
        )
    return redirect(url_for("partner_team.team_page"))


@bp.get("")
@partner_admin_required
def team_page() -> ResponseReturnValue:
    return _page()


@bp.post("/invitations")
@partner_admin_required
def invite() -> ResponseReturnValue:
    db, form = get_session(), request.form
    try:
        role = team.parse_role(form.get("role", PartnerRole.OPERATOR.value))
        user = team.invite(db, _partner().id, form.get("email", ""), role)
    except FulfilmentError as exc:
        return _refused(exc)
    _record("team_invited", user, role=role.value)
    db.commit()
    return _mail(user, f"Invitation sent to {user.email}.")


@bp.post("/<int:user_id>/resend")
@partner_admin_required
def resend(user_id: int) -> ResponseReturnValue:
    db = get_session()
    try:
        user = team.renew_invitation(db, _partner().id, user_id)
    except FulfilmentError as exc:
        return _refused(exc)
    _record("team_invitation_resent", user)
    db.commit()
    return _mail(user, f"A new invitation went to {user.email}; the older link no longer works.")


@bp.post("/<int:user_id>/role")
@partner_admin_required
def change_role(user_id: int) -> ResponseReturnValue:
    db = get_session()
    try:
        role = team.parse_role(request.form.get("role", ""))
        user, before = team.set_role(db, _partner().id, user_id, role)
    except FulfilmentError as exc:
        return _refused(exc)
    if role is not before:
        _record("team_role_changed", user, role=role.value, previous_role=before.value)
    db.commit()
    flash(f"{user.email} is {role.value}.", "success")
    if user.id == _me().id and role is not PartnerRole.ADMIN:
        return redirect(url_for("partner_portal.jobs"))  # no longer allowed on this page
    return redirect(url_for("partner_team.team_page"))


def _set_active(user_id: int, active: bool) -> ResponseReturnValue:
    db = get_session()
    try:
        user = team.set_active(db, _partner().id, _me(), user_id, active)
    except FulfilmentError as exc:
        return _refused(exc)
    _record("team_reactivated" if active else "team_deactivated", user)
    db.commit()
    state = "can use the portal again" if active else "can no longer use the portal"
    flash(f"{user.email} {state}.", "success")
    return redirect(url_for("partner_team.team_page"))


@bp.post("/<int:user_id>/deactivate")
@partner_admin_required
def deactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, False)


@bp.post("/<int:user_id>/reactivate")
@partner_admin_required
def reactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, True)
