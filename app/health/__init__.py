"""Health endpoints for load balancers and orchestrators: no auth, no side effects."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify

from app.extensions import get_db, get_redis, get_storage

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive and serving requests; says nothing about its dependencies."""
    return jsonify({"status": "ok"})


def _timed(check: Callable[[], Any]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported as such
        # The detail may name hosts or paths: it goes to the log, not to the public answer.
        log.warning(
            "readiness check failed",
            extra={"check": getattr(check, "__qualname__", "?"), "error": str(exc)[:500]},
        )
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready to take traffic: the database, Redis and file storage all answer."""
    checks = {
        "database": _timed(get_db().ping),
        "redis": _timed(get_redis().ping),
        "storage": _timed(get_storage().check),
    }
    ready = all(c["ok"] for c in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return jsonify(body), 200 if ready else 503
