"""What happens to a webhook delivery once it is recorded, for every platform alike."""

from __future__ import annotations

import logging

from redis import Redis
from sqlalchemy.orm import Session

from app.models import WebhookEvent, WebhookStatus
from jobs.queue import JobSpec, enqueue_after_commit

log = logging.getLogger(__name__)


class BadDelivery(ValueError):
    """A signed delivery we cannot read; ``code`` is the API error code of the 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def event_job(func: str, event: WebhookEvent) -> JobSpec:
    """One job per recorded delivery; its id makes a second enqueue of the same event a no-op."""
    job_id = f"{event.platform.value}-webhook-{event.id}"
    return JobSpec("default", func, (event.id,), job_id=job_id)


def dispatch(session: Session, redis: Redis, event: WebhookEvent, func: str | None) -> str:
    """Enqueue the event's job after commit (or mark it IGNORED), commit; the reply's status."""
    if func is None:
        event.status = WebhookStatus.IGNORED
    else:
        enqueue_after_commit(session, redis, event_job(func, event))
    session.commit()
    log.info(
        "webhook recorded",
        extra={
            "platform": event.platform.value,
            "topic": event.topic,
            "shop_id": event.shop_id,
            "event_id": event.id,
        },
    )
    return event.status.value
