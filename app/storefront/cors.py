"""CORS for the storefront surfaces a WooCommerce store's pages call from the store's origin.

One allowed origin per answer (the store's own, never ``*``, never credentials), always with
``Vary: Origin`` so caches keep stores apart. Each surface's guard decides the origin and puts
it in ``g.storefront_origin``; :func:`add_cors_headers` (its ``after_request``) answers with it.
"""

from __future__ import annotations

from flask import Response, g, request

ALLOWED_METHODS = "GET, POST, OPTIONS"
PREFLIGHT_MAX_AGE = "600"


def request_origin() -> str:
    return request.headers.get("Origin", "").strip()


def preflight(allowed_headers: str) -> Response:
    """The 204 a guard answers an allowed origin's ``OPTIONS`` with."""
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Headers"] = allowed_headers
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def add_cors_headers(response: Response) -> Response:
    response.vary.add("Origin")
    origin = g.get("storefront_origin")
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    return response
