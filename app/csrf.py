"""The one CSRF token of a browser session, for every cookie-signed surface (admin, accounts,
partner portal): created on first use, echoed by pages in a form field or the ``X-CSRF-Token``
header, compared in constant time. Each surface decides which requests need it.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

SESSION_KEY = "admin_csrf"
HEADER = "X-CSRF-Token"
FORM_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token() -> str:
    """This browser session's token, created on first use."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def _form_token() -> str:
    """An HTML form's ``csrf_token`` field."""
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return ""
    value = request.form.get(FORM_FIELD, "")
    return value if isinstance(value, str) else ""


def token_echoed() -> bool:
    """Whether the request carries this session's token (header or form field)."""
    expected = session.get(SESSION_KEY)
    given = request.headers.get(HEADER, "") or _form_token()
    if not isinstance(expected, str) or not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
