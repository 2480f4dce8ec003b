"""CSRF protection for the admin's JSON writes made with the cookie session.

Inside Shopify's iframe every write carries a session token in ``Authorization: Bearer``: a
header a foreign page cannot make the browser send, so it needs no CSRF token. With the cookie
session (development sign-in, later WooCommerce merchants) the browser would attach the cookie
to a forged request too, so there a write must also echo the per-session token the page got in
its ``<meta name="luneo-csrf">`` (or, from an HTML form, its ``csrf_token`` field), compared
in constant time (``app.csrf``, shared with the partner portal).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

from flask import request
from flask.typing import ResponseReturnValue

from app.admin.auth import signed_in_with_token
from app.csrf import SAFE_METHODS, token_echoed
from app.errors import ApiError

P = ParamSpec("P")


def request_is_trusted() -> bool:
    """A safe method, a session-token request, or a cookie request echoing the CSRF token."""
    return request.method in SAFE_METHODS or signed_in_with_token() or token_echoed()


def csrf_protected(
    view: Callable[P, ResponseReturnValue],
) -> Callable[P, ResponseReturnValue]:
    """Guard for admin API writes; goes under ``shop_admin_required`` (who, then how)."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        if not request_is_trusted():
            raise ApiError(
                403, "csrf_failed", "This request could not be verified. Reload the page."
            )
        return view(*args, **kwargs)

    return guarded
