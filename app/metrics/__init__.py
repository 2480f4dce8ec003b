"""Operator metrics: GET /metrics in Prometheus format (HTTP traffic and the work's state).

``install`` is called by create_app() only: it gives the app its own registry, the request
hooks and the blueprint. The state gauges are read from the database and Redis at scrape time.
"""

from __future__ import annotations

from flask import Flask


def install(app: Flask) -> None:
    from app.metrics import hooks
    from app.metrics.registry import AppMetrics
    from app.metrics.state import StateCollector
    from app.metrics.views import bp

    state = StateCollector(app.extensions["luneo.db"], app.extensions["luneo.redis"])
    metrics = AppMetrics(state, app.config["PROMETHEUS_MULTIPROC_DIR"])
    app.extensions["luneo.metrics"] = metrics
    hooks.install(app, metrics)
    app.register_blueprint(bp)
