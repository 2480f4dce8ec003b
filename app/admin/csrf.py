"""CSRF protection for the admin's JSON writes made with the cookie session.

Inside Shopify's iframe every write carries a session token in ``Authorization: Bearer``: a
header a foreign page cannot make the browser send, so it needs no CSRF token. With the cookie
session (development sign-in, later WooCommerce merchants) the browser would attach the cookie
to a forged request too, so there a write must also echo the per-session token the page got in
its ``<meta name="luneo-csrf">`` (or, from an HTML form, its ``csrf_token`` field), compared
in constant time (``app.csrf``'s one guard, shared with every cookie-signed surface).
"""

from __future__ import annotations

from typing import NoReturn

from app.admin.auth import signed_in_with_token
from app.csrf import CsrfGuard
from app.errors import ApiError


def _refuse() -> NoReturn:
    raise ApiError(403, "csrf_failed", "This request could not be verified. Reload the page.")


# Guard for admin API writes; goes under ``shop_admin_required`` (who, then how).
csrf_protected = CsrfGuard(_refuse, trusted=signed_in_with_token)
