"""What happens to a webhook delivery once it is recorded, for every platform alike.

A Shopify or WooCommerce delivery is answered 2xx as soon as its row is committed: the
database, not Redis, is what makes it durable, and the request does nothing else (no Redis
round trip: an outage of Redis costs the receiver nothing). The row waits with ``enqueued_at``
None until a *dispatcher* hands its job to the queue: every worker that serves ``default``
(``jobs.worker``) runs ``dispatch`` between jobs and at least every ``DISPATCH_EVERY`` seconds
while idle, which takes the waiting rows in batches (``FOR UPDATE SKIP LOCKED``: two
dispatchers never take the same row), marks them and enqueues their jobs. A job that did not
reach Redis (Redis down) is unmarked and taken at the next dispatch; one handed over long ago
whose event is still unprocessed (Redis lost it) is handed over again. The sweeper
(``jobs.webhook_sweep``, every minute) runs the same ``sweep`` for a deployment whose workers
are all busy on other queues. Handing over twice is harmless: the job id is fixed per event
(RQ keeps one copy), and each run first *claims* its row in one UPDATE, so of two runs only one
does the work.

Stripe events (``BillingEvent``) share this path, but are few and handed over at once by the
request (``record_and_hand_over``), the dispatcher taking those Redis refused.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import CursorResult, Table, bindparam, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.billing.stripe_events import HANDLED as STRIPE_HANDLED
from app.billing.stripe_events import JOB as STRIPE_JOB
from app.db import utcnow
from app.extensions import get_db
from app.models import BillingEvent, Platform, Shop, WebhookEvent, WebhookStatus
from app.queue import JobSpec, enqueue
from app.shopify import webhook_topics as shopify_topics
from app.woocommerce import webhook_topics as woo_topics

log = logging.getLogger(__name__)

Recorded = WebhookEvent | BillingEvent
RecordedModel = type[WebhookEvent] | type[BillingEvent]

# A job handed to Redis this long ago whose event is still unprocessed is presumed lost (Redis
# restarted without its data) and handed over again; a copy still waiting is not doubled.
REQUEUE_AFTER = timedelta(minutes=5)
SWEEP_BATCH = 500
# A run may take an event that is waiting, or whose earlier run failed (RQ's retry).
CLAIMABLE = (WebhookStatus.RECEIVED, WebhookStatus.FAILED)


class BadDelivery(ValueError):
    """A signed delivery we cannot read; ``code`` is the API error code of the 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def event_job(func: str, event: WebhookEvent) -> JobSpec:
    """One job per recorded delivery; its id makes a second enqueue of the same event a no-op."""
    job_id = f"{event.platform.value}-webhook-{event.id}"
    return JobSpec("default", func, (event.id,), job_id=job_id)


def job_for(row: Recorded) -> JobSpec | None:
    """The job that processes ``row``; None for what Luneo does not handle."""
    if isinstance(row, BillingEvent):
        if row.type not in STRIPE_HANDLED:
            return None
        return JobSpec("default", STRIPE_JOB, (row.id,), job_id=f"stripe-event-{row.id}")
    topics = shopify_topics if row.platform is Platform.SHOPIFY else woo_topics
    func = topics.job_for(row.topic)
    return event_job(func, row) if func is not None else None


# ------------------------------------------------------------------------ handing over
def hand_over(session: Session, redis: Redis, rows: Sequence[Recorded]) -> int:
    """Enqueue the jobs of committed ``rows`` already marked ``enqueued_at``; how many reached
    Redis. Those that did not are unmarked, for the sweeper; Redis being down is not an error."""
    missed: list[Recorded] = []
    for row in rows:
        spec = job_for(row)
        if spec is None:
            continue
        try:
            enqueue(redis, spec)
        except RedisError as exc:
            missed.append(row)
            log.warning(
                "webhook job not queued: the sweeper will hand it over",
                extra={"event": spec.job_id, "error": type(exc).__name__},
            )
    if missed:
        _unmark(session, missed)
    return len(rows) - len(missed)


def _unmark(session: Session, rows: Sequence[Recorded]) -> None:
    """``enqueued_at`` back to None so the next sweep retries at once (not REQUEUE_AFTER later)."""
    try:
        for model in (WebhookEvent, BillingEvent):
            ids = [row.id for row in rows if isinstance(row, model)]
            if ids:
                session.execute(
                    update(model).where(model.id.in_(ids)).values(enqueued_at=None),
                    execution_options={"synchronize_session": False},
                )
        session.commit()
    except SQLAlchemyError:  # the stale mark is caught REQUEUE_AFTER later all the same
        session.rollback()
        log.warning("could not unmark webhook events", exc_info=True)


def _mark_for_hand_over(row: Recorded) -> None:
    """Before the INSERT: IGNORED when no job handles the row, else ``enqueued_at`` now (so the
    row is written once, not inserted and then updated)."""
    if job_for(row) is None:
        row.status = WebhookStatus.IGNORED
    else:
        row.enqueued_at = utcnow()


def record_and_hand_over(session: Session, redis: Redis, row: Recorded) -> str:
    """Commit a new event (IGNORED when no job handles it), then enqueue its job; the status
    for the reply. The reply is 2xx from here on: the commit is what makes the event safe."""
    _mark_for_hand_over(row)
    status = str(row.status or WebhookStatus.RECEIVED)
    session.commit()
    if row.enqueued_at is not None:
        hand_over(session, redis, [row])
    return status


def _log_recorded(event: WebhookEvent) -> None:
    """At DEBUG: the committed row is the record of a delivery (platform, topic, shop, time),
    and a redacted JSON line for each one cost the receiver as much as its hooks; refusals
    are still logged at WARNING."""
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "webhook recorded",
            extra={
                "platform": event.platform.value,
                "topic": event.topic,
                "shop_domain": event.shop_domain,
                "event_id": event.id,
            },
        )


# What a new delivery's row is written with; the rest (error, processed_at) start empty.
_INSERTED = (
    "platform",
    "shop_id",
    "shop_domain",
    "topic",
    "delivery_id",
    "status",
    "payload",
    "received_at",
    "enqueued_at",
)


@functools.cache
def _insert_statement(dialect: str, shop_by_domain: bool) -> Any:
    """The INSERT of a delivery, built once per dialect (then only its parameters change)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = cast(Table, WebhookEvent.__table__)
    columns = table.c
    values: dict[str, Any] = {name: bindparam(name, type_=columns[name].type) for name in _INSERTED}
    if shop_by_domain:  # the shop of this platform with this domain, NULL if none
        values["shop_id"] = (
            select(Shop.id)
            .where(
                Shop.platform == bindparam("lookup_platform", type_=Shop.__table__.c.platform.type),
                Shop.domain == bindparam("lookup_domain", type_=Shop.__table__.c.domain.type),
            )
            .scalar_subquery()
        )
    return (  # on the table, not the mapped class: a Core INSERT, no ORM bulk-insert machinery
        insert(table)
        .values(values)
        .on_conflict_do_nothing(index_elements=["platform", "delivery_id"])
        .returning(columns["id"])
    )


def _insert_once(session: Session, event: WebhookEvent, shop_by_domain: bool) -> bool:
    """INSERT the delivery unless one with its (platform, delivery_id) is there; True if it was
    new (``event.id`` is then set). One statement (``ON CONFLICT DO NOTHING RETURNING id``, on
    PostgreSQL and SQLite alike): no read first, no error and rollback for a repeat."""
    stmt = _insert_statement(session.get_bind().dialect.name, shop_by_domain)
    params = {name: getattr(event, name) for name in _INSERTED}
    if shop_by_domain:
        del params["shop_id"]
        params.update(lookup_platform=event.platform, lookup_domain=event.shop_domain)
    new_id = session.execute(stmt, params).scalar_one_or_none()
    if new_id is None:
        return False
    event.id = new_id
    return True


def record_delivery(session: Session, event: WebhookEvent, *, shop_by_domain: bool = False) -> str:
    """Record a verified Shopify or WooCommerce delivery once; the status for the reply.

    ``event`` is the new, unsaved row; it is written by one INSERT and its COMMIT, and stays
    out of the session. With ``shop_by_domain`` the INSERT itself looks up its shop (the one of
    ``event.platform`` with domain ``event.shop_domain``; none if unknown): no read first.
    Its job is handed over by a worker's dispatcher (``dispatch``), not here. A repeat of a
    recorded delivery (the platform retries until it gets a 2xx, and two copies may race: the
    unique (platform, delivery_id) decides) answers "duplicate" and changes nothing: the first
    copy's row is waiting for the dispatcher or done.
    """
    event.status = event.status or WebhookStatus.RECEIVED
    event.received_at = event.received_at or utcnow()
    event.shop_domain = event.shop_domain or ""
    if job_for(event) is None:
        event.status = WebhookStatus.IGNORED
    event.enqueued_at = None  # the dispatcher's to hand over
    status = str(event.status)
    if not _insert_once(session, event, shop_by_domain):
        session.rollback()
        return "duplicate"
    session.commit()
    _log_recorded(event)
    return status


def _due(model: RecordedModel, now: datetime) -> Any:
    """Waiting events whose job never reached Redis, or reached it long ago."""
    return model.status == WebhookStatus.RECEIVED, or_(
        model.enqueued_at.is_(None), model.enqueued_at < now - REQUEUE_AFTER
    )


def _mark_due(
    session: Session, model: RecordedModel, now: datetime, only_id: int | None = None
) -> list[Recorded]:
    """Mark (and commit) the due events; rows another transaction holds (a run, another
    dispatcher) are skipped. A plain read first: with nothing due, no lock is taken (on SQLite
    a locking read takes the database's write lock)."""
    due = select(model.id).where(*_due(model, now))
    if only_id is not None:
        due = due.where(model.id == only_id)
    if session.scalars(due.limit(1)).first() is None:
        return []
    stmt = select(model).where(*_due(model, now)).order_by(model.id).limit(SWEEP_BATCH)
    if only_id is not None:
        stmt = stmt.where(model.id == only_id)
    rows: list[Recorded] = list(session.scalars(stmt.with_for_update(skip_locked=True)))
    for row in rows:
        row.enqueued_at = now
    session.commit()
    return rows


def redelivered(session: Session, redis: Redis, row: Recorded) -> None:
    """A repeat of a recorded delivery: hand its job over again if it still waits for one."""
    rows = _mark_due(session, type(row), utcnow(), only_id=row.id)
    if rows:
        log.info("repeat of an event not yet queued: handing it over", extra={"event": row.id})
        hand_over(session, redis, rows)


def sweep(session: Session, redis: Redis, now: datetime | None = None) -> int:
    """Hand over every due event of every platform (a batch of each); how many reached the
    queue. ``dispatch`` is this, run by the workers; the sweeper runs it every minute."""
    moment = now or utcnow()
    handed = 0
    for model in (WebhookEvent, BillingEvent):
        handed += hand_over(session, redis, _mark_due(session, model, moment))
    return handed


# A worker serving ``default`` dispatches between jobs, at most this often while events come
# in (each dispatch hands over a batch), and at least this often while idle.
DISPATCH_EVERY = 1.0


def dispatch(session: Session, redis: Redis) -> bool:
    """Hand over the recorded events waiting for their job (``sweep``); True when a full
    batch was taken, so more may be waiting and the next dispatch should not wait."""
    return sweep(session, redis) >= SWEEP_BATCH


# ---------------------------------------------------------------------------- claiming
def claim(session: Session, model: RecordedModel, event_id: int) -> bool:
    """Take the event for this run, inside the run's transaction: one UPDATE marks it processed.

    Of two runs of the same event, the second waits on the row (PostgreSQL) or the database
    (SQLite) until the first commits, then matches nothing: exactly one does the work. A run
    that fails rolls back, so the event is claimable again by RQ's retry.
    """
    stmt = (
        update(model)
        .where(model.id == event_id, model.status.in_(CLAIMABLE))
        .values(status=WebhookStatus.PROCESSED)
    )
    result = session.execute(stmt, execution_options={"synchronize_session": False})
    return cast(CursorResult[Any], result).rowcount == 1


def claim_event(session: Session, event_id: int) -> WebhookEvent | None:
    """``claim`` for a webhook event, returning the claimed row (None when another run took it
    or it is gone): the UPDATE marks it processed and, by RETURNING, loads it in one round trip.
    """
    stmt = (
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id, WebhookEvent.status.in_(CLAIMABLE))
        .values(status=WebhookStatus.PROCESSED, processed_at=utcnow())
        .returning(WebhookEvent)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return session.scalars(stmt).one_or_none()


def record_failure(session: Session, model: RecordedModel, event_id: int, error: str) -> None:
    """Mark a run's failure, unless the event was processed after all (a commit that went
    through before something later failed): that must not make it claimable again."""
    session.execute(
        update(model)
        .where(model.id == event_id, model.status.in_(CLAIMABLE))
        .values(status=WebhookStatus.FAILED, error=error),
        execution_options={"synchronize_session": False},
    )


# ----------------------------------------------------------------------------- running
# A handler changes rows through the session and says how the event ended.
Handler = Callable[[Session, WebhookEvent], WebhookStatus]
_MAX_ERROR = 2000


def run_event(event_id: int, handler: Handler) -> str:
    """Run ``handler`` on the event in one transaction and record how it ended.

    The run first claims the event (``claim_event``): a second run of the same event,
    concurrent or later (a job handed over twice after a Redis outage), does nothing. The claim
    already marks it processed, with the time, and loads it: a handler that says so costs no
    further write of the event (an UPDATE only when the status or error changes).
    """
    try:
        with get_db().session() as session:
            event = claim_event(session, event_id)
            if event is None:
                return "skipped"
            status = handler(session, event)
            if event.status is not status:
                event.status = status
            if status is WebhookStatus.PROCESSED and event.error is not None:
                event.error = None
            return status.value
    except Exception as exc:
        _record_run_failure(event_id, exc)
        raise


def _record_run_failure(event_id: int, exc: Exception) -> None:
    with get_db().session() as session:
        error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
        record_failure(session, WebhookEvent, event_id, error)
    log.warning("webhook job failed", extra={"event_id": event_id})


def ignored(event: WebhookEvent, reason: str) -> WebhookStatus:
    """Nothing to do for this event; the reason stays on the row for whoever looks."""
    event.error = reason
    log.info("shopify webhook ignored", extra={"event_id": event.id, "reason": reason})
    return WebhookStatus.IGNORED


def event_shop(session: Session, event: WebhookEvent) -> Shop | None:
    return session.get(Shop, event.shop_id) if event.shop_id is not None else None


def installed_since(shop: Shop, event: WebhookEvent) -> bool:
    """The merchant installed Luneo (again) after Shopify sent this event: it is out of date."""
    return shop.installed_at is not None and shop.installed_at > event.received_at
