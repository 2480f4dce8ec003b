"""The one CSRF guard of every cookie-signed surface (admin, accounts, partner portal, devtools).

A browser session's token is created on first use, echoed by pages in a form field or the
``X-CSRF-Token`` header, and compared in constant time. Each surface builds one ``CsrfGuard``
saying only what differs: which requests are trusted without the token (the admin's session-token
requests) and how a refusal answers (its status and message, as its clients expect).
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import NoReturn, ParamSpec

from flask import request, session
from flask.typing import ResponseReturnValue

SESSION_KEY = "admin_csrf"
HEADER = "X-CSRF-Token"
FORM_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
P = ParamSpec("P")


def csrf_token(key: str = SESSION_KEY) -> str:
    """This browser session's token (kept under ``key``), created on first use."""
    token = session.get(key)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[key] = token
    return token


def _form_token() -> str:
    """An HTML form's ``csrf_token`` field."""
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return ""
    value = request.form.get(FORM_FIELD, "")
    return value if isinstance(value, str) else ""


def token_echoed(key: str = SESSION_KEY) -> bool:
    """Whether the request carries this session's token (header or form field)."""
    expected = session.get(key)
    given = request.headers.get(HEADER, "") or _form_token()
    if not isinstance(expected, str) or not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def _never() -> bool:
    return False


class CsrfGuard:
    """One surface's CSRF rule over the one check: a write (any unsafe method) must echo the
    session's token, unless ``trusted()`` says the request cannot be forged; else ``refuse()``
    (which raises the surface's own answer). Use ``check`` as a ``before_request`` hook, or the
    guard itself as a view decorator."""

    def __init__(
        self,
        refuse: Callable[[], NoReturn],
        *,
        trusted: Callable[[], bool] = _never,
        session_key: str = SESSION_KEY,
    ) -> None:
        self.refuse, self.trusted, self.session_key = refuse, trusted, session_key

    def token(self) -> str:
        """The token this surface's pages echo."""
        return csrf_token(self.session_key)

    def check(self) -> None:
        if request.method in SAFE_METHODS or self.trusted() or token_echoed(self.session_key):
            return
        self.refuse()

    def __call__(self, view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
        @functools.wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            self.check()
            return view(*args, **kwargs)

        return guarded
