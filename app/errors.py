"""Errors as clients should see them: JSON ``{"error": {...}}`` for APIs, a page for people."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from app.api_error import ApiError, NotFound
from app.billing.quota import FeatureNotInPlan, QuotaExceeded
from app.ratelimit import RateLimited

__all__ = ["ApiError", "NotFound", "error_response", "register", "wants_json"]

log = logging.getLogger(__name__)


def wants_json() -> bool:
    if request.path.startswith(
        ("/api/", "/partner-api/", "/readyz", "/healthz", "/proxy/", "/storefront/")
    ):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def handle_api_error(exc: ApiError) -> tuple[Response, int]:
    """Every ``ApiError`` as ``{"error": {"code", "message", ...}}``: JSON whoever asked."""
    response = jsonify(exc.body())
    if exc.headers:
        response.headers.update(exc.headers)
    return response, exc.status


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    return handle_api_error(ApiError(status, code, message))


def handle_rate_limited(exc: RateLimited) -> ResponseReturnValue:
    """429 with ``Retry-After``: every budget (storefront, AI, partner API) answers alike, so
    no blueprint catches RateLimited itself."""
    if wants_json():
        response, status = error_response(429, "rate_limited", exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response, status
    page = render_template("error.html", status=429, title="Too many requests", message=exc.message)
    return page, 429, {"Retry-After": str(exc.retry_after)}


def _code_for(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def handle_http_exception(exc: HTTPException) -> tuple[Response | str, int] | Response:
    status = exc.code or 500
    message = exc.description or exc.name or "error"
    if wants_json():
        return error_response(status, _code_for(exc), message)
    page = render_template("error.html", status=status, title=exc.name, message=message)
    return page, status


def handle_unexpected(exc: Exception) -> tuple[Response | str, int] | Response:
    log.exception("unhandled error", extra={"path": request.path})
    return handle_http_exception(InternalServerError())


def handle_quota(exc: QuotaExceeded) -> tuple[Response | str, int] | Response:
    """A plan limit: 402 with the message and the way to upgrade, never a 500."""
    code = "feature_not_in_plan" if isinstance(exc, FeatureNotInPlan) else "quota_exceeded"
    if wants_json():
        body = {"error": {"code": code, "message": exc.message, "upgrade_path": exc.upgrade_path}}
        return jsonify(body), 402
    page = render_template("error.html", status=402, title="Upgrade needed", message=exc.message)
    return page, 402


# A backing service that is restarting (Redis, the database) or a pool that is exhausted: the
# request did nothing wrong and may simply be sent again, so say so instead of answering 500.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OperationalError, PoolTimeout)
UNAVAILABLE_RETRY_AFTER = 10  # seconds: a Redis or PostgreSQL restart is usually over by then
UNAVAILABLE_MESSAGE = "Luneo is briefly unavailable. Please try again in a moment."


def handle_unavailable(exc: Exception) -> ResponseReturnValue:
    """503 with ``Retry-After`` while a backing service is down; logged for the operator."""
    log.error(
        "backing service unavailable",
        extra={"path": request.path, "error": type(exc).__name__},
        exc_info=exc,
    )
    headers = {"Retry-After": str(UNAVAILABLE_RETRY_AFTER)}
    if wants_json():
        return handle_api_error(
            ApiError(503, "temporarily_unavailable", UNAVAILABLE_MESSAGE, headers=headers)
        )
    page = render_template(
        "error.html", status=503, title="Temporarily unavailable", message=UNAVAILABLE_MESSAGE
    )
    return page, 503, headers


def register(app: Flask) -> None:
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(QuotaExceeded, handle_quota)
    app.register_error_handler(RateLimited, handle_rate_limited)
    for unavailable in UNAVAILABLE:
        app.register_error_handler(unavailable, handle_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
