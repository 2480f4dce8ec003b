"""The ``account_team`` blueprint: the current store's members and invitations.

Everyone in the team sees it; only owners invite, remove and withdraw invitations. The
invitation link itself (``/account/invitations/<token>``) needs the invited account signed in.
"""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.accounts import invitations, memberships
from app.accounts.mailer import MailError
from app.accounts.memberships import TeamError
from app.accounts.service import AccountError
from app.accounts.session import (
    account_required,
    current_membership,
    current_user,
    role_required,
    select_shop,
)
from app.accounts.web import external_url, form_protected, send
from app.extensions import get_session
from app.models import Role, Shop, ShopScope

bp = Blueprint("account_team", __name__, url_prefix="/account", template_folder="templates")
log = logging.getLogger(__name__)


def _scope() -> ShopScope:
    row = current_membership()
    assert row is not None
    return ShopScope(get_session(), row.shop_id)


def _team_page(error: str | None = None, status: int = 200) -> ResponseReturnValue:
    row = current_membership()
    assert row is not None
    scope = _scope()
    page = render_template(
        "accounts/team.html",
        shop=row.shop,
        me=row,
        members=memberships.members_of(scope.session, scope.shop_id),
        invitations=invitations.pending(scope) if row.role is Role.OWNER else [],
        roles=[r.value for r in Role],
        error=error,
    )
    return page, status


@bp.get("/team")
@account_required
@role_required(Role.STAFF)
def team() -> ResponseReturnValue:
    return _team_page()


@bp.post("/team/invitations")
@account_required
@role_required(Role.OWNER)
@form_protected
def invite() -> ResponseReturnValue:
    row, user = current_membership(), current_user()
    assert row is not None
    assert user is not None
    try:
        role = Role(request.form.get("role", Role.STAFF.value))
    except ValueError:
        return _team_page("Choose owner or staff.", 400)
    scope = _scope()
    try:
        new = invitations.invite(scope, user, request.form.get("email", ""), role)
    except (TeamError, AccountError) as exc:
        return _team_page(str(exc), 400)
    scope.session.commit()
    link = external_url("account_team.accept", token=new.token)
    shop_name = row.shop.name or row.shop.domain
    try:
        send(
            new.invitation.email,
            f"You are invited to {shop_name} on Luneo",
            f"{user.email} invites you to manage {shop_name} on Luneo as {role.value}.\n\n"
            f"Accept the invitation (within 7 days) here:\n\n{link}\n\n"
            "If you do not have a Luneo account yet, create one with this e-mail address.\n",
        )
    except MailError:  # inline delivery only: a queued e-mail is retried by the worker
        log.warning("invitation e-mail not sent", extra={"shop_id": row.shop_id})
        flash(
            f"{new.invitation.email} is invited, but we could not send the e-mail just now. "
            "Withdraw the invitation and invite them again in a minute.",
            "error",
        )
        return redirect(url_for("account_team.team"))
    flash(f"Invitation on its way to {new.invitation.email}.", "success")
    return redirect(url_for("account_team.team"))


@bp.post("/team/invitations/<int:invitation_id>/revoke")
@account_required
@role_required(Role.OWNER)
@form_protected
def revoke(invitation_id: int) -> ResponseReturnValue:
    scope = _scope()
    try:
        invitations.revoke(scope, invitation_id)
    except TeamError as exc:
        return _team_page(str(exc), 404)
    scope.session.commit()
    flash("Invitation withdrawn.", "success")
    return redirect(url_for("account_team.team"))


@bp.post("/team/members/<int:membership_id>/remove")
@account_required
@role_required(Role.OWNER)
@form_protected
def remove(membership_id: int) -> ResponseReturnValue:
    scope = _scope()
    try:
        removed = memberships.remove_member(scope.session, scope.shop_id, membership_id)
    except TeamError as exc:
        return _team_page(str(exc), 404 if "no such" in str(exc) else 409)
    scope.session.commit()
    log.info("team member removed", extra={"shop_id": scope.shop_id, "user_id": removed.user_id})
    flash(f"{removed.user.email} no longer has access to this store.", "success")
    return redirect(url_for("account_team.team"))


@bp.get("/invitations/<token>")
@account_required
def accept(token: str) -> ResponseReturnValue:
    db = get_session()
    invitation = invitations.find(db, token)
    shop = db.get(Shop, invitation.shop_id) if invitation is not None else None
    shop_name = (shop.name or shop.domain) if shop is not None else ""
    return render_template(
        "accounts/invitation.html", invitation=invitation, token=token, shop_name=shop_name
    )


@bp.post("/invitations/<token>")
@account_required
@form_protected
def accept_post(token: str) -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    db = get_session()
    try:
        row = invitations.accept(db, token, user)
    except TeamError as exc:
        page = render_template(
            "accounts/invitation.html", invitation=None, token=token, error=str(exc)
        )
        return page, 400
    db.commit()
    select_shop(row.shop_id)
    flash(f"You joined {row.shop.name or row.shop.domain}.", "success")
    return redirect(url_for("admin.dashboard"))
