"""Portal sign-in: partner users with scrypt-hashed passwords, a cookie session, and CSRF.

The session holds only the user id; every request re-loads the user and drops the session if
the user or their partner was deactivated. Every POST must echo the session's CSRF token.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

from flask import abort, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from app.accounts.passwords import verify_password
from app.csrf import SAFE_METHODS, token_echoed
from app.db import utcnow
from app.extensions import get_session
from app.models import Partner, PartnerUser

USER_KEY = "partner_user_id"
P = ParamSpec("P")
# Compared against when the email is unknown, so both paths take as long.


def check_csrf() -> None:
    """Every portal form write echoes the session's CSRF token (``app.csrf``)."""
    if request.method not in SAFE_METHODS and not token_echoed():
        abort(400, description="This form has expired. Reload the page and try again.")


def authenticate(email: str, password: str) -> PartnerUser | None:
    db = get_session()
    user = db.scalars(
        select(PartnerUser).where(func.lower(PartnerUser.email) == email.strip().lower())
    ).first()
    if user is None:
        verify_password(None, password)  # the same time spent as for a real account
        return None
    partner = db.get(Partner, user.partner_id)
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if partner is None or not partner.is_active:
        return None
    return user


def sign_in(user: PartnerUser) -> None:
    session.clear()  # no fixation: a fresh session (and CSRF token) for the signed-in user
    session[USER_KEY] = user.id
    user.last_login_at = utcnow()


def current_user() -> PartnerUser | None:
    user_id = session.get(USER_KEY)
    if not isinstance(user_id, int):
        return None
    db = get_session()
    user = db.get(PartnerUser, user_id)
    partner = db.get(Partner, user.partner_id) if user else None
    if user is None or not user.is_active or partner is None or not partner.is_active:
        session.pop(USER_KEY, None)
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
