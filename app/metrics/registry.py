"""One app's metrics: its own registry, the request counters, and what a scrape exposes.

A registry per app, not prometheus_client's global one, because several apps live in one test
process (and one worker process may build an app more than once): each must count only its own
requests and register its collectors without name clashes.

Under gunicorn every worker process counts its own requests. With PROMETHEUS_MULTIPROC_DIR set,
prometheus_client writes those counts to files in that folder and a scrape adds up every
process's files (``MultiProcessCollector``, as the library documents), so whichever worker
answers reports the whole server's traffic.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from app.metrics.state import StateCollector

# Methods as labels: anything else a client invents counts as "other" (bounded cardinality).
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class AppMetrics:
    def __init__(self, state: StateCollector, multiproc_dir: str | None = None) -> None:
        self.registry = CollectorRegistry()
        self.state = state
        self.multiproc_dir = multiproc_dir
        self.requests = Counter(
            "luneo_http_requests",
            "HTTP requests answered, by Flask endpoint and status.",
            ["method", "endpoint", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "luneo_http_request_duration_seconds",
            "Time from the first request hook to the response, by Flask endpoint.",
            ["method", "endpoint"],
            registry=self.registry,
        )
        self.registry.register(state)

    def observe(self, method: str, endpoint: str, status: int, seconds: float | None) -> None:
        """Count one answered request; ``seconds`` is None if its start was never seen."""
        method = method if method in KNOWN_METHODS else "other"
        self.requests.labels(method, endpoint, str(status)).inc()
        if seconds is not None:
            self.duration.labels(method, endpoint).observe(seconds)

    def exposition(self) -> bytes:
        """The scrape's body in Prometheus text format."""
        if not self.multiproc_dir:
            return generate_latest(self.registry)
        # Per the prometheus_client docs: a fresh registry per scrape, reading every process's
        # files; the state gauges come from the stores, so they are added once, directly.
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.multiproc_dir)  # type: ignore[no-untyped-call]
        registry.register(self.state)
        return generate_latest(registry)
