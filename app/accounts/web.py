"""What every account page shares: the form CSRF guard, the mailer, absolute links, context, and
the throttled answer (429 with ``Retry-After``). The partner portal's sign-in pages use the
mailer, the links and the throttled answer too.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort, current_app, render_template, url_for
from flask.typing import ResponseReturnValue

from app.accounts import memberships
from app.accounts.mailer import Message
from app.accounts.session import current_membership, current_user
from app.csrf import CsrfGuard, csrf_token
from app.extensions import get_mailer, get_session

EXPIRED_FORM = "This form has expired. Reload the page and try again."


def _expired_form() -> NoReturn:
    abort(403, description=EXPIRED_FORM)


# Every POSTed account form echoes the session's CSRF token, or nothing happens. Account pages
# are signed in by the cookie alone, so nothing else in the request (a Shopify session token in
# the query or a header) stands in for the token.
form_protected = CsrfGuard(_expired_form)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail: on APP_URL when it is set, else this request's host."""
    base = current_app.config["APP_URL"]
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def send(to: str, subject: str, text: str) -> None:
    """Mail ``text`` to ``to`` through the configured mailer.

    With queued delivery (SMTP's default) this only enqueues a job, after the commit of what the
    request has written so far (at once if it has written nothing), and never raises
    ``MailError``; with inline delivery it sends now and raises ``MailError`` on failure.
    """
    get_mailer().send(Message(to=to, subject=subject, text=text))


def too_many(template: str, wait: int, **context: object) -> ResponseReturnValue:
    """``template`` with a readable "try again in N minutes" as ``error``, 429 and Retry-After."""
    minutes = max(1, (wait + 59) // 60)
    message = f"Too many attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}."
    page = render_template(template, error=message, **context)
    return page, 429, {"Retry-After": str(wait)}


def template_context() -> dict[str, Any]:
    """Account data for every template (no query unless an account is signed in)."""
    user = current_user()
    if user is None:
        return {
            "account_user": None,
            "account_shops": [],
            "account_role": None,
            "csrf_token": csrf_token,
        }
    row = current_membership()
    return {
        "account_user": user,
        "account_shops": memberships.memberships_of(get_session(), user.id),
        "account_role": row.role.value if row is not None else None,
        "csrf_token": csrf_token,
    }
