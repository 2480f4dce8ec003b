"""The webhook sweeper: every minute (``jobs.schedule``), hand over the recorded events whose job
never reached the queue (Redis was down at delivery) or was lost with Redis's data.

The rule itself is ``app.webhook_events.sweep``; see there why handing over twice is harmless.
"""

from __future__ import annotations

import logging

from app.extensions import get_db, get_redis
from app.webhook_events import sweep as sweep_events

log = logging.getLogger(__name__)


def sweep() -> int:
    """Hand over every due Shopify, WooCommerce and Stripe event; how many were queued."""
    with get_db().session() as session:
        handed = sweep_events(session, get_redis())
    if handed:
        log.info("webhook sweep handed events over", extra={"events": handed})
    return handed
