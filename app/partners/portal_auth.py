"""Portal sign-in: partner users with Argon2id-hashed passwords, a cookie session, and CSRF.

The session holds the user id and the user's session stamp (``app.session_stamps``, as merchant
accounts: password hash and ``auth_epoch``); every request re-loads the user and drops the
portal session if the user or their partner was deactivated, if the password changed since (a
reset, or a change made in another session) or if the user signed out since (which ends every
session, a copied cookie included). The session that changes the password is stamped again
(``restamp``) and stays signed in. Every POST must
echo the session's CSRF token. Pages that change the team, API keys or the webhook also need
the ``admin`` role (``partner_admin_required``); an operator gets a 403 page that says so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NoReturn, ParamSpec

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from app import session_stamps
from app.accounts.passwords import verify_password
from app.csrf import CsrfGuard
from app.db import utcnow
from app.extensions import get_session
from app.fulfilment.passwords import active_partner, find_user, has_usable_password
from app.models import PartnerRole, PartnerUser
from app.partners import common

USER_KEY = "partner_user_id"
STAMP_KEY = "partner_password_stamp"
P = ParamSpec("P")


def _expired_form() -> NoReturn:
    abort(400, description="This form has expired. Reload the page and try again.")


# Every portal form write echoes the session's CSRF token (``app.csrf``).
csrf_guard = CsrfGuard(_expired_form)


def authenticate(email: str, password: str) -> PartnerUser | None:
    db = get_session()
    user = find_user(db, email)
    if user is None or not has_usable_password(user):
        verify_password(None, password)  # the same time spent as for a real account
        return None
    if not verify_password(user.password_hash, password):
        return None
    return user if active_partner(db, user) is not None else None


def sign_in(user: PartnerUser) -> None:
    session.clear()  # no fixation: a fresh session (and CSRF token) for the signed-in user
    session[USER_KEY] = user.id
    session[STAMP_KEY] = session_stamps.stamp(user)
    user.last_login_at = utcnow()


def restamp(user: PartnerUser) -> None:
    """After this session changed the password: keep it signed in (the others end)."""
    session[STAMP_KEY] = session_stamps.stamp(user)


def _sign_out() -> None:
    session.pop(USER_KEY, None)
    session.pop(STAMP_KEY, None)


def sign_out() -> None:
    """End this person's sessions on the server, then this one (the caller needs no commit)."""
    user = current_user()
    if user is not None:
        session_stamps.end_sessions(user)
        get_session().commit()
    session.clear()


def current_user() -> PartnerUser | None:
    user_id = session.get(USER_KEY)
    if not isinstance(user_id, int):
        return None
    db = get_session()
    user = db.get(PartnerUser, user_id)
    partner = active_partner(db, user) if user is not None else None
    if user is None or partner is None or not session_stamps.matches(session.get(STAMP_KEY), user):
        _sign_out()
        return None
    g.partner_user, g.partner = user, partner
    return user


def partner_user_required(
    view: Callable[P, ResponseReturnValue],
) -> Callable[P, ResponseReturnValue]:
    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if current_user() is None:
            return redirect(url_for("partner_portal.login", next=request.path))
        return view(*args, **kwargs)

    return guarded


def partner_admin_required(
    view: Callable[P, ResponseReturnValue],
) -> Callable[P, ResponseReturnValue]:
    """A signed-in partner admin, or the sign-in page (nobody) or a 403 page (an operator)."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        user = current_user()
        if user is None:
            return redirect(url_for("partner_portal.login", next=request.path))
        if user.role is not PartnerRole.ADMIN:
            return render_template("partners/forbidden.html"), 403
        return view(*args, **kwargs)

    return guarded


def portal_blueprint(name: str, url_prefix: str) -> Blueprint:
    """A blueprint of portal pages with the portal's guard first: CSRF on every write, the
    portal's secure headers on every answer, and what the layout shows (one place for all)."""
    bp = Blueprint(name, "app.partners", url_prefix=url_prefix, template_folder="templates")
    bp.before_request(csrf_guard.check)
    bp.after_request(common.secure_headers)
    bp.context_processor(common.portal_context)
    return bp
