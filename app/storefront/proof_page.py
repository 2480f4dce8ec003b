"""The shopper's proof page (``/proof/<token>``): see the proof, approve it or ask for changes.

The e-mail of ``app.fulfilment.proofs`` links here. The token in the path is the only
credential, checked before anything else by the blueprint's guard (signed by us for
``Purpose.PROOF``, not expired, naming a proof of an installed shop in its latest round).

* ``GET /proof/<token>`` — the proof sheet (a PDF link) and the previews on the mockup, and,
  while the proof waits for an answer, **Approve** and **Ask for changes** (a comment, required,
  at most 2000 characters). Once answered, what was answered.
* ``POST /proof/<token>/approve`` and ``POST /proof/<token>/changes`` (``comment``) — a form
  post (then 303 back to the page) or JSON (then a JSON answer). Once: a second decision
  answers 409.

CSRF: nothing here reads a cookie or any other ambient credential; a request is honoured only
for the secret token in its path, so a forging page would have to know the token, and whoever
knows it can post directly anyway. The page sends no Referer (``no-referrer``), is never cached
and never framed, so the token does not leak from it; its forms post only to itself.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.api_error import ApiError
from app.client_address import client_address
from app.errors import handle_api_error
from app.extensions import get_session, get_storage
from app.fulfilment import proofs
from app.models import ProofStatus
from app.sync import order_edits

PAGE_ENDPOINT = "storefront_proof.page"
CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
LINK_TTL = 3600  # the page's own links to the files; a reload makes new ones


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _pull_token(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.proof_token = (values or {}).pop("token", "")


def _guard() -> None:
    g.proof_link = proofs.open_link(get_session(), _secret(), str(g.get("proof_token") or ""))


def _link() -> proofs.ProofLink:
    link: proofs.ProofLink = g.proof_link
    return link


def _secure(body: str, status: int = 200) -> ResponseReturnValue:
    headers = {
        "Content-Security-Policy": CSP,
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
    }
    return body, status, headers


def _wants_json() -> bool:
    return request.method == "POST" and request.is_json


def _edit_url(link: proofs.ProofLink | None) -> str | None:
    """The shopper's own page to change the design (``app.sync.order_edits``) while the store's
    window allows it: asking for changes need not wait for the merchant."""
    if link is None or link.proof.status is ProofStatus.APPROVED:
        return None
    line = order_edits.shopper_line(link.scope, current_app.config, link.shop, link.item)
    return line.url if line is not None and line.closed is None else None


def _render(
    link: proofs.ProofLink | None,
    message: str | None = None,
    comment: str = "",
) -> str:
    sheet_url, previews = None, []
    if link is not None:
        storage = get_storage()
        sheet, files = link.files()

        def url(stored: Any) -> str:
            return storage.download_url(stored.key, expires_in=LINK_TTL)

        sheet_url = url(sheet) if sheet is not None else None
        previews = [(area, url(stored)) for area, stored in files]
    token = str(g.get("proof_token") or "")
    return render_template(
        "proof.html",
        link=link,
        message=message,
        comment=comment,
        sheet_url=sheet_url,
        previews=previews,
        open=link is not None and link.proof.status in proofs.OPEN,
        statuses=ProofStatus,
        max_comment=proofs.MAX_COMMENT,
        edit_url=_edit_url(link),
        approve_url=url_for("storefront_proof.approve", token=token),
        changes_url=url_for("storefront_proof.changes", token=token),
    )


def _refused(exc: ApiError) -> ResponseReturnValue:
    """JSON callers get the error as JSON; a person a page that says what happened."""
    if _wants_json():
        return handle_api_error(exc)
    link: proofs.ProofLink | None = g.get("proof_link")
    get_session().rollback()  # the page shows the proof as it is stored
    comment = str(request.form.get("comment", ""))[: proofs.MAX_COMMENT * 2]
    return _secure(_render(link, exc.message, comment), exc.status)


def page() -> ResponseReturnValue:
    return _secure(_render(_link()))


def _answered(status: str) -> ResponseReturnValue:
    _link().scope.session.commit()
    if _wants_json():
        return jsonify({"proof": {"status": status}})
    return redirect(url_for(PAGE_ENDPOINT, token=g.proof_token), code=303)


def approve() -> ResponseReturnValue:
    proofs.approve(_link(), client_address(), request.headers.get("User-Agent"))
    return _answered(ProofStatus.APPROVED.value)


def changes() -> ResponseReturnValue:
    if _wants_json():
        body = request.get_json(silent=True)
        comment = body.get("comment") if isinstance(body, dict) else None
    else:
        comment = request.form.get("comment")
    proofs.request_changes(_link(), comment, client_address(), request.headers.get("User-Agent"))
    return _answered(ProofStatus.CHANGES_REQUESTED.value)


def build() -> Blueprint:
    bp = Blueprint("storefront_proof", __name__, url_prefix=proofs.PATH.rstrip("/") + "/<token>")
    bp.url_value_preprocessor(_pull_token)
    bp.before_request(_guard)
    bp.register_error_handler(ApiError, _refused)
    bp.add_url_rule("", endpoint="page", view_func=page)
    bp.add_url_rule("/approve", view_func=approve, methods=["POST"])
    bp.add_url_rule("/changes", view_func=changes, methods=["POST"])
    return bp
