"""``/partners/reset``: a partner user who forgot their password chooses a new one.

Pages anyone may open, beside the portal and under its CSRF check and secure headers. The form
answers the same whether or not the address has an account (no enumeration) and is throttled
per e-mail address and per client address. The e-mailed link (``app.accounts.links``, with a
purpose of its own) works for an hour and once; using it signs the person in to the portal and
ends every other session of theirs.
"""

from __future__ import annotations

import logging

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from app.accounts import throttle
from app.accounts.links import LinkError
from app.accounts.mailer import MailError
from app.accounts.passwords import MIN_LENGTH, WeakPassword
from app.accounts.service import AccountError, normalize_email
from app.accounts.web import external_url, send, too_many
from app.client_address import client_address
from app.extensions import get_redis, get_session
from app.fulfilment import audit, passwords
from app.partners import common
from app.partners.portal_auth import portal_blueprint, sign_in

bp = portal_blueprint("partner_reset", "/partners/reset")
log = logging.getLogger(__name__)

RESET_SENT = (
    "If a partner account exists for that address, a link to choose a new password is on its way "
    "to it. The link works once, within an hour."
)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _link_error(exc: LinkError) -> ResponseReturnValue:
    page = render_template("partners/link_error.html", message=str(exc), expired=exc.expired)
    return page, 400


def _choose_form(token: str, error: str | None = None) -> str:
    return render_template("partners/reset.html", token=token, error=error, min_length=MIN_LENGTH)


@bp.get("")
def request_form() -> str:
    return render_template("partners/reset_request.html", email="", error=None)


@bp.post("")
def request_post() -> ResponseReturnValue:
    email = request.form.get("email", "").strip()
    redis = get_redis()
    checks = [
        (throttle.PARTNER_RESET_ACCOUNT, email),
        (throttle.PARTNER_RESET_ADDRESS, client_address()),
    ]
    wait = throttle.blocked_for(redis, checks)
    if wait:
        return too_many("partners/reset_request.html", wait, email=email)
    throttle.hit_all(redis, checks)
    try:
        address = normalize_email(email)
    except AccountError as exc:
        page = render_template("partners/reset_request.html", email=email, error=str(exc))
        return page, 400
    _mail_link(address)
    flash(RESET_SENT, "success")  # the same answer for every address: no enumeration
    return redirect(url_for("partner_portal.login"))


def _mail_link(address: str) -> None:
    """A link for the person at ``address`` if they may use the portal; nobody else gets one."""
    db = get_session()
    user = passwords.find_user(db, address)
    if user is None or passwords.active_partner(db, user) is None:
        return
    link = external_url("partner_reset.choose", token=passwords.reset_token(_secret(), user))
    try:
        send(
            user.email,
            "Choose a new Luneo partner portal password",
            "Someone (hopefully you) asked to reset your password for the Luneo partner portal."
            f"\n\nChoose a new password here (the link works once, within an hour):\n\n{link}"
            "\n\nIf it was not you, ignore this message: your password stays as it is.\n",
        )
    except MailError:
        log.warning("partner reset e-mail not sent", extra={"partner_user_id": user.id})


@bp.get("/<token>")
def choose(token: str) -> ResponseReturnValue:
    try:
        passwords.user_for_reset(get_session(), _secret(), token)
    except LinkError as exc:
        return _link_error(exc)
    return _choose_form(token)


@bp.post("/<token>")
def choose_post(token: str) -> ResponseReturnValue:
    db, form = get_session(), request.form
    try:
        user = passwords.reset_password(
            db, _secret(), token, form.get("password", ""), form.get("password_confirm", "")
        )
    except LinkError as exc:
        return _link_error(exc)
    except WeakPassword as exc:
        return _choose_form(token, str(exc)), 400
    audit.record(db, common.partner_user_actor(user), "password_reset", partner_id=user.partner_id)
    sign_in(user)  # stamped with the new password hash: every other session of theirs ends
    db.commit()
    throttle.clear(get_redis(), throttle.PARTNER_LOGIN_ACCOUNT, user.email)
    flash("Your password is changed, and you are signed in.", "success")
    return redirect(url_for("partner_portal.jobs"))
