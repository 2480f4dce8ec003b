"""GET /metrics for Prometheus, behind its own guard: a bearer token, or development only.

Metrics name endpoints, queue depths and shop counts: useful to an attacker, so with no
METRICS_TOKEN the endpoint answers 404 in production exactly like a route that does not exist,
and it is served without a token only in development and testing.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from app.errors import ApiError
from app.metrics.registry import AppMetrics

bp = Blueprint("metrics", __name__)

P = ParamSpec("P")
OPEN_ENVIRONMENTS = ("development", "testing")


def _bearer(header: str) -> str:
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def metrics_token_required(view: Callable[P, Response]) -> Callable[P, Response]:
    """The token from METRICS_TOKEN (constant-time compare); no token: dev and tests only."""

    @wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> Response:
        expected: str | None = current_app.config["METRICS_TOKEN"]
        if not expected:
            if current_app.config["ENV"] not in OPEN_ENVIRONMENTS:
                abort(404)
            return view(*args, **kwargs)
        given = _bearer(request.headers.get("Authorization", ""))
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise ApiError(
                401,
                "unauthorized",
                "Send the metrics token: Authorization: Bearer <token>.",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return view(*args, **kwargs)

    return guarded


@bp.get("/metrics")
@metrics_token_required
def scrape() -> Response:
    """Request metrics plus the stores' state, in Prometheus text exposition format."""
    metrics: AppMetrics = current_app.extensions["luneo.metrics"]
    response = Response(metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})
    response.headers["Cache-Control"] = "no-store"
    return response
