"""Periodic work, enqueued by RQ's cron scheduler (`luneo scheduler`, started by `luneo dev`).

Only enqueueing happens here; workers run the jobs. Running two schedulers by mistake is
harmless: the jobs they enqueue carry fixed ids, so a second copy collapses into the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis import Redis
from rq.cron import CronScheduler

from jobs import billing, fulfilment, proofs, retention, sync, webhook_sweep


@dataclass(frozen=True)
class Periodic:
    func: Callable[..., Any]
    queue: str
    cron: str
    why: str


PERIODIC = (
    Periodic(
        sync.reconcile_all,
        "sync",
        "17 */6 * * *",
        "catch products and orders whose webhooks were lost",
    ),
    Periodic(
        billing.sweep,
        "default",
        "*/15 * * * *",
        "report overage to Shopify/Stripe; resume production that waited for a plan",
    ),
    Periodic(
        fulfilment.housekeeping,
        "default",
        "41 * * * *",
        "route ready jobs still waiting for a partner; forget week-old idempotency answers",
    ),
    Periodic(
        proofs.sweep,
        "default",
        "*/15 * * * *",
        "remind shoppers of proofs waiting for approval; apply each template's deadline choice",
    ),
    Periodic(
        retention.sweep_all,
        "default",
        "23 3 * * *",
        "remove old designs nobody ordered and shopper files nothing uses (retention)",
    ),
    Periodic(
        retention.sweep_analytics,
        "default",
        "37 3 * * *",
        "delete analytics counters older than 13 months (retention)",
    ),
    Periodic(
        retention.sweep_uploads_all,
        "default",
        "*/15 * * * *",
        "remove shoppers' photos no design places, hours after upload (retention)",
    ),
    Periodic(
        webhook_sweep.sweep,
        "default",
        "* * * * *",
        "queue recorded webhook and Stripe events whose job never reached (or was lost by) Redis",
    ),
)


def build_scheduler(connection: Redis, logging_level: str = "INFO") -> CronScheduler:
    scheduler = CronScheduler(connection=connection, logging_level=logging_level)
    for periodic in PERIODIC:
        scheduler.register(periodic.func, periodic.queue, cron=periodic.cron)
    return scheduler
