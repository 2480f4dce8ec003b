"""What every storefront surface has after its own guard: rate limits, JSON errors, the views.

Over a budget (the request's, or a cost budget mid-view) the limiter raises RateLimited, which
``app.errors`` answers 429 with ``Retry-After`` as it does everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from flask import Blueprint
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import error_response
from app.storefront.ratelimit import rate_limit


def _too_large(_exc: RequestEntityTooLarge) -> ResponseReturnValue:
    return error_response(
        413, "too_large", "That is too much to send at once (the file is too big)."
    )


def finish(bp: Blueprint, modules: Iterable[ModuleType]) -> Blueprint:
    """Add the shared checks after ``bp``'s guard (which must be registered first)."""
    bp.before_request(rate_limit)
    bp.register_error_handler(RequestEntityTooLarge, _too_large)
    for module in modules:
        module.register(bp)
    return bp
