"""``/partners/invitation/<token>``: someone invited to a print shop's team joins it.

A page anyone with the link may open, beside the portal and under its CSRF check and secure
headers. The link (``app.fulfilment.team``) works for a week and once: the person chooses their
name and a password (the same policy as everywhere), is signed in, and the link is spent because
the password hash it is bound to has changed. An expired, used or withdrawn link gets the same
400 page as a reset link, telling them to ask their admin for a new one.
"""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from app.accounts.links import LinkError
from app.accounts.passwords import MIN_LENGTH, WeakPassword
from app.extensions import get_session
from app.fulfilment import audit, team
from app.fulfilment.errors import Invalid
from app.models import Partner
from app.partners import common
from app.partners.portal_auth import portal_blueprint, sign_in

bp = portal_blueprint("partner_invitation", "/partners/invitation")


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _link_error(exc: LinkError) -> ResponseReturnValue:
    page = render_template(
        "partners/link_error.html", message=str(exc), expired=exc.expired, invitation=True
    )
    return page, 400


def _form(token: str, error: str | None = None, name: str = "") -> ResponseReturnValue:
    db = get_session()
    try:
        user = team.user_for_invitation(db, _secret(), token)
    except LinkError as exc:
        return _link_error(exc)
    page = render_template(
        "partners/invitation.html",
        token=token,
        invitee=user,
        print_shop=db.get_one(Partner, user.partner_id),
        name=name or user.name,
        error=error,
        min_length=MIN_LENGTH,
    )
    return page, 400 if error else 200


@bp.get("/<token>")
def accept(token: str) -> ResponseReturnValue:
    return _form(token)


@bp.post("/<token>")
def accept_post(token: str) -> ResponseReturnValue:
    db, form = get_session(), request.form
    name = form.get("name", "")
    try:
        user = team.accept_invitation(
            db, _secret(), token, name, form.get("password", ""), form.get("password_confirm", "")
        )
    except LinkError as exc:
        return _link_error(exc)
    except Invalid as exc:
        return _form(token, exc.message, name)
    except WeakPassword as exc:
        return _form(token, str(exc), name)
    audit.record(
        db,
        common.partner_user_actor(user),
        "team_invitation_accepted",
        partner_id=user.partner_id,
        detail={"user_id": user.id, "role": user.role.value},
    )
    sign_in(user)  # stamped with the new password hash
    db.commit()
    flash(f"Welcome, {user.name}: you are signed in.", "success")
    return redirect(url_for("partner_portal.jobs"))
