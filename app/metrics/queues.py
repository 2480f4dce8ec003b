"""The job queues as gauges, read from Redis at scrape time in two round trips.

RQ's own counters (``Queue.count``, ``registry.count``) run a registry cleanup first, which can
requeue or fail jobs: a scrape must not change what it measures, so this reads the same keys
directly (LLEN / ZCARD) in one pipeline. A worker stays in RQ's worker sets after a crash until
a maintenance sweep; only workers whose own key still exists (it expires without heartbeats)
are counted as live.
"""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily
from redis import Redis
from rq.worker_registration import REDIS_WORKER_KEYS, WORKERS_BY_QUEUE_KEY

from app.queue import QUEUE_NAMES, get_queue

# Label value -> the attribute of rq.Queue holding that state's sorted-set registry.
REGISTRIES = {
    "started": "started_job_registry",
    "scheduled": "scheduled_job_registry",
    "deferred": "deferred_job_registry",
    "failed": "failed_job_registry",
}
JOB_STATES = ("waiting", *REGISTRIES)


def _members(raw: object) -> set[str]:
    values = raw if isinstance(raw, set | list) else set()
    return {v.decode() if isinstance(v, bytes) else str(v) for v in values}


def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
    return (
        GaugeMetricFamily("luneo_rq_jobs", "Jobs per queue and state.", labels=["queue", "state"]),
        GaugeMetricFamily("luneo_rq_workers", "Live RQ workers (heartbeat not expired)."),
        GaugeMetricFamily(
            "luneo_rq_queue_workers", "Live RQ workers listening on each queue.", labels=["queue"]
        ),
    )


def describe() -> list[GaugeMetricFamily]:
    """The families without samples, for the registry's duplicate-name check."""
    return list(_families())


def queue_families(redis: Redis) -> list[GaugeMetricFamily]:
    """``luneo_rq_jobs{queue,state}``, ``luneo_rq_workers``, ``luneo_rq_queue_workers{queue}``."""
    jobs, workers, by_queue = _families()
    queues = [get_queue(name, redis) for name in QUEUE_NAMES]
    pipe = redis.pipeline(transaction=False)
    for queue in queues:
        pipe.llen(queue.key)
        for attribute in REGISTRIES.values():
            pipe.zcard(getattr(queue, attribute).key)
        pipe.smembers(WORKERS_BY_QUEUE_KEY % queue.name)
    pipe.smembers(REDIS_WORKER_KEYS)
    answers = pipe.execute()

    per_queue = len(JOB_STATES) + 1
    listening: dict[str, set[str]] = {}
    for index, queue in enumerate(queues):
        chunk = answers[index * per_queue : (index + 1) * per_queue]
        for state, count in zip(JOB_STATES, chunk[:-1], strict=True):
            jobs.add_metric([queue.name, state], float(count))
        listening[queue.name] = _members(chunk[-1])

    live = _live(redis, sorted(_members(answers[-1]).union(*listening.values())))
    workers.add_metric([], float(len(live)))
    for name in QUEUE_NAMES:
        by_queue.add_metric([name], float(len(listening[name] & live)))
    return [jobs, workers, by_queue]


def _live(redis: Redis, worker_keys: list[str]) -> set[str]:
    if not worker_keys:
        return set()
    pipe = redis.pipeline(transaction=False)
    for key in worker_keys:
        pipe.exists(key)
    return {key for key, found in zip(worker_keys, pipe.execute(), strict=True) if found}
