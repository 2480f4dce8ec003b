"""Request hooks that feed the HTTP metrics, labelled by Flask endpoint, never by raw path.

The endpoint name (``health.healthz``) is fixed by the code, so the number of series stays
bounded whatever URLs clients try; an unmatched URL is ``endpoint="none"`` with its status.
Scrapes of /metrics are not counted, so scraping more often does not change the numbers.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from app.metrics.registry import AppMetrics

SCRAPE_ENDPOINT = "metrics.scrape"


def install(app: Flask, metrics: AppMetrics) -> None:
    """Register the hooks; call before other before_request hooks so the timing covers them."""

    @app.before_request
    def _start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count_request(response: Response) -> Response:
        endpoint = request.endpoint or "none"
        if endpoint != SCRAPE_ENDPOINT:
            started: float | None = g.get("metrics_started")
            seconds = None if started is None else time.perf_counter() - started
            metrics.observe(request.method, endpoint, response.status_code, seconds)
        return response
