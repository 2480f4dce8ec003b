"""AI jobs on the ``ai`` queue: one generation, a shopper's set of variants, or a bulk batch of
them with progress.

Thin: the work is :func:`app.generation.run.run_generation`; this gives it the app's session,
storage, the configured provider and RQ progress.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from flask import current_app

from app.ai.providers import provider_from_config, retry_policy
from app.extensions import get_db, get_redis, get_storage
from app.generation.run import run_generation, run_generations
from app.models import Generation, StoredFile
from app.queue import report_progress
from app.ratelimit import RateLimited
from app.storefront.ratelimit import spend_file_bytes


def charge_shopper(generation: Generation, stored: StoredFile) -> None:
    """A shopper's AI image spends their and their store's file budgets, as a photo does.

    It is made (and paid for) already, so it is never refused here: being over budget refuses
    the shopper's next photo or image request instead (``app.storefront.ai``).
    """
    if generation.client_key is None:
        return
    with contextlib.suppress(RateLimited):
        spend_file_bytes(get_redis(), generation.shop_id, generation.client_key, stored.size)


def generate(generation_id: int) -> dict[str, Any]:
    provider = provider_from_config(current_app.config)
    with get_db().session() as session:
        row = run_generation(
            session,
            get_storage(),
            provider,
            retry_policy(current_app.config),
            generation_id,
            lambda percent, message: report_progress(percent, 100, message),
            on_stored=charge_shopper,
        )
        status = row.status.value if row is not None else "missing"
    return {"generation_id": generation_id, "status": status}


def generate_set(generation_ids: Sequence[int]) -> dict[str, Any]:
    """The variants of one prompt: one provider request for them all (``app.generation.run``)."""
    provider = provider_from_config(current_app.config)
    with get_db().session() as session:
        rows = run_generations(
            session,
            get_storage(),
            provider,
            retry_policy(current_app.config),
            generation_ids,
            lambda percent, message: report_progress(percent, 100, message),
            on_stored=charge_shopper,
        )
        statuses = [row.status.value for row in rows]
    return {"generation_ids": list(generation_ids), "statuses": statuses}


def generate_batch(generation_ids: Sequence[int]) -> dict[str, Any]:
    """Bulk variations: each generation in turn, progress counted over the whole batch."""
    provider = provider_from_config(current_app.config)
    policy = retry_policy(current_app.config)
    total = len(generation_ids)
    outcomes: dict[str, int] = {}
    for done, generation_id in enumerate(generation_ids):
        report_progress(done, total, f"generating {done + 1} of {total}")
        with get_db().session() as session:
            row = run_generation(
                session, get_storage(), provider, policy, generation_id, lambda _p, _m: None
            )
            status = row.status.value if row is not None else "missing"
        outcomes[status] = outcomes.get(status, 0) + 1
    report_progress(total, total, "done")
    return {"total": total, "outcomes": outcomes}
