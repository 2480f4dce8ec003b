"""A Prometheus collector that reads the shared stores (database, Redis) at scrape time.

Gauges computed on demand rather than kept in process memory, so every web process behind the
load balancer reports the same truth however requests were spread. A store that does not answer
turns into ``luneo_up{component="..."} 0`` and its families are left out: the scrape itself
still succeeds, which is what lets an alert say *which* part is down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from redis import Redis

from app.db import Database
from app.metrics import queues, records

log = logging.getLogger(__name__)


class StateCollector:
    """Queue depths, workers and work by status; no Flask, only the two stores it is given."""

    def __init__(self, database: Database, redis: Redis) -> None:
        self.database = database
        self.redis = redis

    def describe(self) -> list[Metric]:
        return [_up_family(), *queues.describe(), *records.describe()]

    def collect(self) -> Iterator[Metric]:
        up = _up_family()
        for component, read in (("database", self._records), ("redis", self._queues)):
            families = _guarded(component, read)
            up.add_metric([component], 0.0 if families is None else 1.0)
            yield from families or []
        yield up

    def _records(self) -> list[GaugeMetricFamily]:
        session = self.database.new_session()
        try:
            return records.record_families(session, datetime.now(UTC))
        finally:
            session.rollback()  # read only; also ends the SET LOCAL timeout
            session.close()

    def _queues(self) -> list[GaugeMetricFamily]:
        return queues.queue_families(self.redis)


def _up_family() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "luneo_up", "1 if the component answered this scrape, 0 if not.", labels=["component"]
    )


def _guarded(
    component: str, read: Callable[[], list[GaugeMetricFamily]]
) -> list[GaugeMetricFamily] | None:
    try:
        return read()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported as a gauge
        # The detail may name hosts: it goes to the log, never into the scrape.
        log.warning(
            "metrics: component did not answer",
            extra={"component": component, "error": f"{type(exc).__name__}: {exc}"[:500]},
        )
        return None
