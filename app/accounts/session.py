"""The account session: who is signed in, for which shop, and the guards that need them.

Flask's signed cookie holds ``account_user``, the user's session stamp (``app.session_stamps``:
password hash and ``auth_epoch``) and the sign-in time; the cookie is HttpOnly, SameSite=Lax
and Secure in production (``app.config.finalize``). Signing in clears the old session first (no
fixation: a new CSRF token too); changing the password or signing out changes the stamp, which
ends every session stamped before, a copied cookie included. ``shop_id`` is the shop the admin
shows; it only counts while the user is a member of that shop.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import ParamSpec
from urllib.parse import urlencode

from flask import abort, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from app import session_stamps
from app.accounts import memberships
from app.extensions import get_session
from app.models import Membership, Role, Shop, User
from app.redirects import local_path

USER_KEY = "account_user"
STAMP_KEY = "account_stamp"
SIGNED_IN_AT_KEY = "account_at"
SHOP_KEY = "shop_id"  # shared with app.admin.auth: the shop the admin acts for
MAX_SESSION_AGE = 14 * 24 * 3600

P = ParamSpec("P")


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _load_user() -> User | None:
    user_id, signed_in_at = _int(session.get(USER_KEY)), _int(session.get(SIGNED_IN_AT_KEY))
    if user_id is None or signed_in_at is None:
        return None
    if time.time() - signed_in_at > MAX_SESSION_AGE:
        return None
    user = get_session().get(User, user_id)
    if user is None or not session_stamps.matches(session.get(STAMP_KEY), user):
        return None
    return user


def current_user() -> User | None:
    """The signed-in account, or None; resolved once per request."""
    if "luneo_account_user" not in g:
        g.luneo_account_user = _load_user()
    user: User | None = g.luneo_account_user
    return user


def has_account_session() -> bool:
    return session.get(USER_KEY) is not None


def log_in(user: User, shop_id: int | None = None) -> None:
    """Start a fresh session for ``user`` (old contents dropped: no session fixation)."""
    kept_next = session.get("next")
    session.clear()
    session[USER_KEY] = user.id
    session[STAMP_KEY] = session_stamps.stamp(user)
    session[SIGNED_IN_AT_KEY] = int(time.time())
    if kept_next:
        session["next"] = kept_next
    first = memberships.memberships_of(get_session(), user.id)
    chosen = shop_id or (first[0].shop_id if first else None)
    if chosen is not None:
        session[SHOP_KEY] = chosen
    _forget()


def log_out() -> None:
    """End the session here and on the server: the cookie, even copied, no longer signs in."""
    user = current_user()
    if user is not None:
        session_stamps.end_sessions(user)
        get_session().commit()
    session.clear()
    _forget()


def _forget() -> None:
    for key in ("luneo_account_user", "luneo_membership", "luneo_admin_shop"):
        g.pop(key, None)


def select_shop(shop_id: int) -> bool:
    """Show ``shop_id`` in the admin, if the signed-in user is a member of that shop."""
    user = current_user()
    if user is None or memberships.membership(get_session(), user.id, shop_id) is None:
        return False
    session[SHOP_KEY] = shop_id
    _forget()
    g.luneo_account_user = user
    return True


def current_membership() -> Membership | None:
    """The signed-in user's membership in the shop the session shows (connected shops only)."""
    if "luneo_membership" not in g:
        g.luneo_membership = _resolve_membership()
    row: Membership | None = g.luneo_membership
    return row


def _resolve_membership() -> Membership | None:
    user, shop_id = current_user(), _int(session.get(SHOP_KEY))
    if user is None or shop_id is None:
        return None
    row = memberships.membership(get_session(), user.id, shop_id)
    if row is None or not row.shop.is_installed:
        return None
    return row


def is_owner() -> bool:
    """Whether the signed-in user owns the shop the session shows (team, billing, connection)."""
    row = current_membership()
    return row is not None and row.role is Role.OWNER


def member_shop() -> Shop | None:
    row = current_membership()
    return row.shop if row is not None else None


def sign_in_url(next_path: str | None = None) -> str:
    target = local_path(next_path or request.full_path.rstrip("?"), "")
    query = "?" + urlencode({"next": target}) if target else ""
    return url_for("accounts.sign_in") + query


def account_required(
    view: Callable[P, ResponseReturnValue],
) -> Callable[P, ResponseReturnValue]:
    """Guard for account pages: a person who is not signed in goes to sign-in, then back."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if current_user() is None:
            return redirect(sign_in_url())
        return view(*args, **kwargs)

    return guarded


def role_required(
    role: Role,
) -> Callable[[Callable[P, ResponseReturnValue]], Callable[P, ResponseReturnValue]]:
    """Guard for owner-only actions (team, billing, disconnect); goes under ``account_required``."""

    def decorate(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
        @functools.wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            row = current_membership()
            if row is None:
                return redirect(url_for("account_stores.stores"))
            if role is Role.OWNER and not is_owner():
                abort(403, description="Only the store's owners can do this.")
            return view(*args, **kwargs)

        return guarded

    return decorate
