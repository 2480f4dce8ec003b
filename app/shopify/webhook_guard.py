"""The guard of the Shopify webhook receiver: nothing in a delivery is read before its HMAC holds.

Shopify signs every delivery with a base64 HMAC-SHA256 of the raw body, keyed with the app's
client secret, in ``X-Shopify-Hmac-Sha256``; a delivery that does not verify must get 401
(the App Store review sends one to the compliance URIs to check exactly that).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec

from flask import current_app, request
from flask.typing import ResponseReturnValue

from app.errors import ApiError
from app.shopify.signatures import InvalidSignature, verify_webhook

HMAC_HEADER = "X-Shopify-Hmac-Sha256"

log = logging.getLogger(__name__)
P = ParamSpec("P")


def check_request_hmac() -> None:
    """Raise InvalidSignature unless the raw body carries Shopify's HMAC for our secret."""
    secret = current_app.config["SHOPIFY_API_SECRET"]
    if not secret:  # nothing can verify, so nothing is accepted
        raise InvalidSignature("the Shopify app secret is not configured")
    verify_webhook(request.get_data(cache=True), request.headers.get(HMAC_HEADER), str(secret))


def hmac_verified(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Answer 401 (and record nothing) unless the delivery is signed by Shopify."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        try:
            check_request_hmac()
        except InvalidSignature as exc:
            log.warning(
                "shopify webhook refused",
                extra={"reason": str(exc), "topic": request.headers.get("X-Shopify-Topic", "")},
            )
            raise ApiError(401, "invalid_hmac", str(exc)) from None
        return view(*args, **kwargs)

    return guarded
