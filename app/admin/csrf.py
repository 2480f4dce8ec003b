"""CSRF protection for the admin's JSON writes made with the cookie session.

Inside Shopify's iframe every write carries a session token in ``Authorization: Bearer``: a
header a foreign page cannot make the browser send, so it needs no CSRF token. With the cookie
session (development sign-in, later WooCommerce merchants) the browser would attach the cookie
to a forged request too, so there a write must also echo the per-session token the page got in
its ``<meta name="luneo-csrf">`` (or, from an HTML form, its ``csrf_token`` field), compared
in constant time.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import ParamSpec

from flask import request, session
from flask.typing import ResponseReturnValue

from app.admin.auth import signed_in_with_token
from app.errors import error_response

SESSION_KEY = "admin_csrf"
HEADER = "X-CSRF-Token"
FORM_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

P = ParamSpec("P")


def csrf_token() -> str:
    """This browser session's token, created on first use (only pages in cookie mode ask)."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def _form_token() -> str:
    """An HTML form's ``csrf_token`` field (account pages post plain forms)."""
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return ""
    value = request.form.get(FORM_FIELD, "")
    return value if isinstance(value, str) else ""


def request_is_trusted() -> bool:
    """A safe method, a session-token request, or a cookie request echoing the CSRF token."""
    if request.method in SAFE_METHODS or signed_in_with_token():
        return True
    expected = session.get(SESSION_KEY)
    given = request.headers.get(HEADER, "") or _form_token()
    if not isinstance(expected, str) or not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def csrf_protected(
    view: Callable[P, ResponseReturnValue],
) -> Callable[P, ResponseReturnValue]:
    """Guard for admin API writes; goes under ``shop_admin_required`` (who, then how)."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if not request_is_trusted():
            return error_response(
                403, "csrf_failed", "This request could not be verified. Reload the page."
            )
        return view(*args, **kwargs)

    return guarded
