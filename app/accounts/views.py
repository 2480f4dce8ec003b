"""The ``accounts`` blueprint: sign up, sign in and out, e-mail verification, password reset.

Pages anyone may open. Every POST goes through ``form_protected`` (CSRF). Sign-in is throttled
per account and per address (429 with ``Retry-After``); the reset form answers the same whether
or not the address has an account, and with queued mail (SMTP's default) neither answer waits
for the mail server: a known address only adds a job to the queue.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from app.accounts import service, throttle
from app.accounts.links import LinkError
from app.accounts.mailer import MailError
from app.accounts.service import AccountError
from app.accounts.session import current_user, log_in, log_out
from app.accounts.web import external_url, form_protected, send, too_many
from app.client_address import client_address
from app.extensions import get_redis, get_session
from app.models import User
from app.redirects import local_path
from app.signing import Purpose

bp = Blueprint("accounts", __name__, url_prefix="/account", template_folder="templates")
log = logging.getLogger(__name__)

NEXT_KEY = "next"
RESET_SENT = (
    "If an account exists for that address, a link to choose a new password is on its way to "
    "it. The link works once, within an hour."
)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _remember_next() -> None:
    target = local_path(request.args.get("next"), "")
    if target:
        session[NEXT_KEY] = target


def _continue() -> ResponseReturnValue:
    """After signing in: where the person was going (the plugin's connect link), else the admin."""
    return redirect(local_path(session.pop(NEXT_KEY, None), "/admin/"))


def _send_verification(user: User) -> None:
    token = service.link_token(_secret(), user, Purpose.VERIFY_EMAIL)
    link = external_url("accounts.verify", token=token)
    send(
        user.email,
        "Confirm your e-mail address for Luneo",
        "Welcome to Luneo!\n\nConfirm your e-mail address by opening this link "
        f"(valid for 3 days):\n\n{link}\n\nIf you did not create a Luneo account, ignore this "
        "message.\n",
    )


# ------------------------------------------------------------------------ sign up / in
@bp.get("/sign-up")
def sign_up() -> ResponseReturnValue:
    _remember_next()
    return render_template("accounts/sign_up.html", errors={}, email="")


@bp.post("/sign-up")
@form_protected
def sign_up_post() -> ResponseReturnValue:
    redis, address = get_redis(), client_address()
    wait = throttle.retry_after(redis, throttle.SIGNUP_ADDRESS, address)
    email = request.form.get("email", "")
    if wait:
        return too_many("accounts/sign_up.html", wait, email=email, errors={})
    db = get_session()
    try:
        user = service.sign_up(db, email, request.form.get("password", ""))
    except AccountError as exc:
        errors = {exc.field: str(exc)}
        return render_template("accounts/sign_up.html", errors=errors, email=email), 400
    db.commit()
    throttle.hit(redis, throttle.SIGNUP_ADDRESS, address)
    log_in(user)
    try:
        _send_verification(user)
    except MailError:  # inline delivery only: a queued e-mail is retried by the worker
        flash("We could not send the confirmation e-mail just now; send it again below.", "error")
    return redirect(url_for("accounts.verify_pending"))


@bp.get("/sign-in")
def sign_in() -> ResponseReturnValue:
    _remember_next()
    if current_user() is not None:
        return _continue()
    return render_template("accounts/sign_in.html", email="", error=None)


@bp.post("/sign-in")
@form_protected
def sign_in_post() -> ResponseReturnValue:
    email = request.form.get("email", "").strip()
    redis, address = get_redis(), client_address()
    checks = [(throttle.LOGIN_ACCOUNT, email), (throttle.LOGIN_ADDRESS, address)]
    wait = throttle.blocked_for(redis, checks)
    if wait:
        log.warning("sign-in throttled", extra={"retry_after": wait})
        return too_many("accounts/sign_in.html", wait, email=email)
    db = get_session()
    user = service.authenticate(db, email, request.form.get("password", ""))
    if user is None:
        throttle.hit_all(redis, checks)
        page = render_template(
            "accounts/sign_in.html", email=email, error="Wrong e-mail address or password."
        )
        return page, 401
    db.commit()
    throttle.clear(redis, throttle.LOGIN_ACCOUNT, email)
    log_in(user)
    log.info("account signed in", extra={"user_id": user.id})
    return _continue()


@bp.post("/sign-out")
@form_protected
def sign_out() -> ResponseReturnValue:
    log_out()
    flash("You are signed out.", "success")
    return redirect(url_for("accounts.sign_in"))


# ---------------------------------------------------------------------- verification
@bp.get("/verify")
def verify_pending() -> ResponseReturnValue:
    user = current_user()
    if user is None:
        return redirect(url_for("accounts.sign_in"))
    if user.is_verified:
        return _continue()
    return render_template("accounts/verify_pending.html", user=user)


@bp.post("/verify/resend")
@form_protected
def verify_resend() -> ResponseReturnValue:
    user = current_user()
    if user is None:
        return redirect(url_for("accounts.sign_in"))
    redis = get_redis()
    wait = throttle.retry_after(redis, throttle.RESET_ACCOUNT, "verify:" + user.email)
    if wait:
        flash("A link is already on its way; check your inbox (and spam folder).", "warning")
        return redirect(url_for("accounts.verify_pending"))
    throttle.hit(redis, throttle.RESET_ACCOUNT, "verify:" + user.email)
    try:
        _send_verification(user)
    except MailError:
        flash("We could not send the e-mail just now. Try again in a minute.", "error")
        return redirect(url_for("accounts.verify_pending"))
    flash(f"A new link is on its way to {user.email}.", "success")
    return redirect(url_for("accounts.verify_pending"))


@bp.get("/verify/<token>")
def verify(token: str) -> ResponseReturnValue:
    db = get_session()
    try:
        user = service.verify_email(db, _secret(), token)
    except LinkError as exc:
        page = render_template("accounts/link_error.html", message=str(exc), expired=exc.expired)
        return page, 400
    db.commit()
    flash("Your e-mail address is confirmed.", "success")
    signed_in = current_user()
    if signed_in is not None and signed_in.id == user.id:
        return _continue()
    return redirect(url_for("accounts.sign_in"))


# ------------------------------------------------------------------------ reset
@bp.get("/reset")
def reset_request() -> ResponseReturnValue:
    return render_template("accounts/reset_request.html", error=None, email="")


@bp.post("/reset")
@form_protected
def reset_request_post() -> ResponseReturnValue:
    email = request.form.get("email", "")
    redis, address = get_redis(), client_address()
    checks = [(throttle.RESET_ACCOUNT, email), (throttle.RESET_ADDRESS, address)]
    wait = throttle.blocked_for(redis, checks)
    if wait:
        return too_many("accounts/reset_request.html", wait, email=email)
    throttle.hit_all(redis, checks)
    try:
        user = service.find_user(get_session(), service.normalize_email(email))
    except AccountError as exc:
        return render_template("accounts/reset_request.html", error=str(exc), email=email), 400
    if user is not None:
        token = service.link_token(_secret(), user, Purpose.RESET_PASSWORD)
        link = external_url("accounts.reset", token=token)
        try:
            send(
                user.email,
                "Choose a new Luneo password",
                "Someone (hopefully you) asked to reset the password of your Luneo account.\n\n"
                f"Choose a new password here (the link works once, within an hour):\n\n{link}\n\n"
                "If it was not you, ignore this message: your password stays as it is.\n",
            )
        except MailError:  # inline delivery only: a queued e-mail is retried by the worker
            log.warning("reset e-mail not sent", extra={"user_id": user.id})
    flash(RESET_SENT, "success")  # the same answer for every address: no enumeration
    return redirect(url_for("accounts.sign_in"))


@bp.get("/reset/<token>")
def reset(token: str) -> ResponseReturnValue:
    try:
        service.check_reset_link(get_session(), _secret(), token)
    except LinkError as exc:
        page = render_template("accounts/link_error.html", message=str(exc), expired=exc.expired)
        return page, 400
    return render_template("accounts/reset.html", token=token, error=None)


@bp.post("/reset/<token>")
@form_protected
def reset_post(token: str) -> ResponseReturnValue:
    db = get_session()
    password = request.form.get("password", "")
    if password != request.form.get("password_confirm", password):
        return render_template(
            "accounts/reset.html", token=token, error="The passwords differ."
        ), 400
    try:
        user = service.reset_password(db, _secret(), token, password)
    except LinkError as exc:
        page = render_template("accounts/link_error.html", message=str(exc), expired=exc.expired)
        return page, 400
    except AccountError as exc:
        return render_template("accounts/reset.html", token=token, error=str(exc)), 400
    db.commit()
    throttle.clear(get_redis(), throttle.LOGIN_ACCOUNT, user.email)
    log_in(user)
    flash("Your password has been changed.", "success")
    return redirect(url_for("admin.dashboard"))
