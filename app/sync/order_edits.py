"""Changing an ordered design after the order, until production starts (issue #21).

Every line that goes to production (DESIGNED, RECOVERED) gets one e-mail, queued by the order
sync after its commit (``jobs.order_edits.send_link`` → :func:`send_link`), with a signed link
(``Purpose.EDIT_ORDERED_DESIGN``, :data:`LINK_TTL`) naming the shop and the line. The token is
the shopper's only credential on the page and its storefront surface
(``app.storefront.order_edits``).
The merchant opens the same page from the admin order page with a token of their own
(``"by": "merchant"``, :data:`MERCHANT_LINK_TTL`), which the admin issues to a signed-in merchant.

The ordered design stays frozen (ORDERED): the editor starts from a copy of its document and
saves a new design; :func:`replace` then checks that design (this shop's, this product and
template, made in this browser — its edit token —, ready to print, and for the shopper: the
same price as the line was charged) and, in one transaction, points the line and its production
job at it, puts the job back in the render queue and counts one more ``files_version``. Its
partner hears of it when the new files are ready (``job.updated``), and an audit entry records
who changed what.

The edit window is the shop's (:class:`EditWindow`, kept in ``shop.extra["order_edits"]``):
until a partner starts on the job (claims it, or reports it printing), or for N hours after
the order; never once printing started, the item shipped, or the order was cancelled or sent.
The merchant may change a design after the window closed (the admin asks first), never once the
partner reports printing or shipped.

Races: the job's row changes by one conditional UPDATE that names the ``files_version`` the
caller saw and a status that still allows it, so of two edits only one moves it; a partner's
claim is one conditional UPDATE of its assignment, and the edit's own UPDATE of that row
requires the lease to be free — whichever commits first wins and the other finds it changed.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.mailer import Message
from app.api_error import ApiError, LinkInvalid
from app.db import as_utc, utcnow
from app.extensions import get_db, get_mailer, get_redis
from app.fulfilment import audit, proofs
from app.models import (
    AssignmentStatus,
    AuditEvent,
    Design,
    DesignStatus,
    JobAssignment,
    Order,
    OrderItem,
    Platform,
    ProductionJob,
    ProductionStatus,
    Shop,
    ShopScope,
)
from app.product_templates.pricing import money
from app.production.enqueue import enqueue_production
from app.queue import configured_intervals, enqueue_after_commit
from app.signing import (
    Purpose,
    TokenExpired,
    TokenInvalid,
    id_claims,
    issue,
)
from app.sync.personalization import expected_surcharge
from app.sync.specs import design_links_spec, edit_mail_spec
from app.sync.store import ACCESS_KEY, PRODUCED, access_key_digest, freeze, made_by_caller
from app.woocommerce.urls import app_url

LINK_TTL = 30 * 24 * 3600  # the window itself decides how long a change is possible
MERCHANT_LINK_TTL = 2 * 3600  # the admin issues a fresh one each time the order page loads
PATH = "/order-design/"  # the page (``app.storefront.order_edits``) and its storefront surface
SHOPIFY_PROXY_PREFIX = "/apps/luneo"  # shopify.app.toml's app proxy
AUDIT_ACTION = "design.changed"
DESIGN_LINKS_RETRY_INTERVALS = (10, 60, 300, 900, 3600, 3600)  # as a shipment push's

Mode = Literal["claim", "hours", "off"]
MODES: tuple[Mode, ...] = ("claim", "hours", "off")
DEFAULT_HOURS = 24
MAX_HOURS = 24 * 30
# Production statuses a change may put back in the render queue. RENDERING is refused for the
# moment it lasts: the running render would write the old design's files over the new state.
CHANGEABLE = frozenset({ProductionStatus.QUEUED, ProductionStatus.READY, ProductionStatus.FAILED})


# ---------------------------------------------------------------- the shop's setting
@dataclass(frozen=True)
class EditWindow:
    """How long a shopper may change an ordered design: ``claim`` until a partner starts on
    the job (the default), ``hours`` for that many hours after the order, ``off`` never."""

    mode: Mode = "claim"
    hours: int = DEFAULT_HOURS

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "hours": self.hours}


def edit_window(shop: Shop) -> EditWindow:
    raw = (shop.extra or {}).get("order_edits")
    if not isinstance(raw, dict):
        return EditWindow()
    mode = raw.get("mode") if raw.get("mode") in MODES else "claim"
    hours = raw.get("hours")
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= MAX_HOURS:
        hours = DEFAULT_HOURS
    return EditWindow(mode, hours)  # type: ignore[arg-type]  # checked against MODES


def save_edit_window(shop: Shop, mode: object, hours: object) -> EditWindow:
    """The merchant's choice from the settings page (400 for anything else)."""
    if mode not in MODES:
        raise ApiError(400, "invalid_mode", "Choose when customers may change their design.")
    number = DEFAULT_HOURS
    if mode == "hours":
        try:
            number = int(str(hours).strip())
        except ValueError:
            number = 0
        if not 1 <= number <= MAX_HOURS:
            raise ApiError(400, "invalid_hours", f"Hours must be a number from 1 to {MAX_HOURS}.")
    window = EditWindow(mode, number)
    shop.extra = {**(shop.extra or {}), "order_edits": window.as_dict()}
    return window


# ---------------------------------------------------------------- the link
Actor = Literal["shopper", "merchant"]


def link_token(
    secret_key: str, item: OrderItem, by: Actor = "shopper", now: float | None = None
) -> str:
    claims = {"shop": item.shop_id, "item": item.id, "by": by}
    ttl = MERCHANT_LINK_TTL if by == "merchant" else LINK_TTL
    return issue(secret_key, Purpose.EDIT_ORDERED_DESIGN, claims, ttl=ttl, now=now).token


def link_url(config: Mapping[str, Any], shop: Shop, token: str) -> str:
    """Where the e-mail sends the shopper: on a Shopify store through its app proxy (the store's
    own origin), elsewhere Luneo's own page (``APP_URL``: jobs have no request)."""
    if shop.platform is Platform.SHOPIFY:
        return f"https://{shop.domain}{SHOPIFY_PROXY_PREFIX}{PATH}{token}"
    return f"{app_url(config)}{PATH}{token}"


def _claims(secret_key: str, token: str) -> tuple[int, int, Actor]:
    try:
        claims = id_claims(secret_key, Purpose.EDIT_ORDERED_DESIGN, token, ("shop", "item"))
    except TokenExpired:
        raise ApiError(
            410, "link_expired", "This link has expired. Contact the store to change your design."
        ) from None
    except TokenInvalid:
        raise LinkInvalid() from None
    by = claims.get("by")
    if by not in ("shopper", "merchant"):
        raise LinkInvalid()
    return int(claims["shop"]), int(claims["item"]), by


@dataclass(frozen=True)
class EditLine:
    """What a valid link opens: the line, its order, its job and its ordered design; ``closed``
    says why the design can no longer change (None: it can)."""

    scope: ShopScope
    shop: Shop
    item: OrderItem
    order: Order
    job: ProductionJob
    design: Design
    by: Actor
    closed: str | None
    # The merchant's change after the shopper's window closed (the admin asked first).
    late: bool = False


def open_line(session: Session, secret_key: str, token: str) -> EditLine:
    """The line a token names, with its edit window; ``ApiError`` for a link that opens
    nothing (404 forged or unknown, 410 expired)."""
    shop_id, item_id, by = _claims(secret_key, token)
    shop = session.get(Shop, shop_id)
    if shop is None or not shop.is_installed:
        raise LinkInvalid()
    scope = ShopScope(session, shop.id)
    item = scope.get(OrderItem, item_id)
    if item is None or item.personalization not in PRODUCED or item.design_id is None:
        raise LinkInvalid()
    job = scope.get_by(ProductionJob, order_item_id=item.id)
    design = scope.get(Design, item.design_id)
    if job is None or design is None:
        raise LinkInvalid()
    order = item.order
    closed = why_closed(session, shop, order, job, by="shopper")
    late = False
    if by == "merchant" and closed is not None:
        hard = why_closed(session, shop, order, job, by="merchant")
        late, closed = hard is None, hard
    return EditLine(scope, shop, item, order, job, design, by, closed, late)


def _assignment(session: Session, job: ProductionJob) -> JobAssignment | None:
    stmt = select(JobAssignment).where(JobAssignment.production_job_id == job.id)
    return session.scalars(stmt).first()


def _lease_live(assignment: JobAssignment, now: datetime) -> bool:
    expires = as_utc(assignment.lease_expires_at)
    return expires is not None and expires > now


def why_closed(
    session: Session,
    shop: Shop,
    order: Order,
    job: ProductionJob,
    *,
    by: Actor = "shopper",
    now: datetime | None = None,
) -> str | None:
    """Why the line's design can no longer change (None: it can). The merchant's window only
    closes once printing started, the item shipped or the order is closed."""
    now = now or utcnow()
    if order.cancelled_at is not None:
        return "This order was cancelled."
    if order.fulfillment_status == "fulfilled":
        return "This order has already been sent."
    assignment = _assignment(session, job)
    started = job.status in (ProductionStatus.PRINTING, ProductionStatus.SHIPPED) or (
        assignment is not None and assignment.status is not AssignmentStatus.NEW
    )
    if started:
        return "Your item is already being made: its design can no longer change."
    if by == "merchant":
        return None
    window = edit_window(shop)
    if window.mode == "off":
        return "This store does not take changes to a design after the order."
    if window.mode == "claim" and assignment is not None and _lease_live(assignment, now):
        return "The print shop has started on your item: its design can no longer change."
    if window.mode == "hours":
        placed = as_utc(order.placed_at or order.created_at)
        if placed is not None and now >= placed + timedelta(hours=window.hours):
            return (
                f"Designs can be changed for {window.hours} hours after the order; "
                "that time is over."
            )
    return None


@dataclass(frozen=True)
class MerchantEdit:
    """The admin's "Edit design" for a line: the merchant's token, and why the shopper's own
    window has closed (the admin asks before opening it then; None: it is open)."""

    token: str
    late: str | None


def merchant_edit(
    session: Session, secret_key: str, shop: Shop, item: OrderItem
) -> MerchantEdit | None:
    """What the admin order page offers for ``item`` (None: its design cannot change)."""
    if item.personalization not in PRODUCED or item.design_id is None:
        return None
    job = ShopScope(session, shop.id).get_by(ProductionJob, order_item_id=item.id)
    if job is None or why_closed(session, shop, item.order, job, by="merchant") is not None:
        return None
    late = why_closed(session, shop, item.order, job)
    return MerchantEdit(link_token(secret_key, item, by="merchant"), late)


@dataclass(frozen=True)
class BuyerLine:
    """A line as the store's own order page shows it: its link, and whether it is still open."""

    item: OrderItem
    url: str
    closed: str | None


def buyer_lines(
    scope: ShopScope, config: Mapping[str, Any], shop: Shop, order_id: str, access_key: str
) -> list[BuyerLine]:
    """The links of an order's produced lines, for whoever proves to hold the order: the
    platform's own secret of it (WooCommerce's ``order_key``, in the buyer's thank-you page
    URL), compared with the hash the sync kept. 404 otherwise, as for an order not synced yet."""
    order = scope.get_by(Order, external_id=order_id[:128])
    digest = (order.extra or {}).get(ACCESS_KEY) if order is not None else None
    given = access_key_digest(access_key)
    if order is None or not isinstance(digest, str) or not hmac.compare_digest(digest, given):
        raise ApiError(404, "order_not_found", "Luneo does not know this order (yet).")
    lines = (shopper_line(scope, config, shop, item) for item in order.items)
    return [line for line in lines if line is not None]


def shopper_line(
    scope: ShopScope, config: Mapping[str, Any], shop: Shop, item: OrderItem
) -> BuyerLine | None:
    """The shopper's link to change ``item``'s design and why it is closed (None: the line has
    no design that goes to production, so there is nothing to change)."""
    if item.personalization not in PRODUCED or item.design_id is None:
        return None
    job = scope.get_by(ProductionJob, order_item_id=item.id)
    if job is None:
        return None
    token = link_token(str(config["SECRET_KEY"]), item)
    closed = why_closed(scope.session, shop, item.order, job)
    return BuyerLine(item, link_url(config, shop, token), closed)


# ---------------------------------------------------------------- the e-mail
def _message(config: Mapping[str, Any], shop: Shop, item: OrderItem, order: Order) -> Message:
    token = link_token(str(config["SECRET_KEY"]), item)
    store = shop.name or shop.domain
    window = edit_window(shop)
    until = (
        f"for {window.hours} hours after your order"
        if window.mode == "hours"
        else "until we start making your item"
    )
    text = (
        f"Hello,\n\n"
        f'Thank you for your order {order.name} at {store}. We make "{item.title or "your item"}" '
        f"from the design you made.\n\n"
        f"Spotted a typo? You can change your design {until}, here:\n"
        f"{link_url(config, shop, token)}\n\n"
        f"Keep this link to yourself: whoever has it can change the design.\n\n"
        f"{store}\n"
    )
    return Message(
        to=order.email or "", subject=f"Change your design for order {order.name}", text=text
    )


def offer_edits(scope: ShopScope, order: Order, shop: Shop) -> int:
    """Queue the e-mail with the link for each produced line never offered one, once (a
    conditional UPDATE stamps ``edit_link_sent_at``, as the recovery e-mail's); on Shopify, also
    the job that puts the order's links on its order status page (``app.sync.design_links``)."""
    if not order.email or edit_window(shop).mode == "off" or order.cancelled_at is not None:
        return 0
    if order.fulfillment_status == "fulfilled":
        return 0
    offered = 0
    for item in order.items:
        if item.personalization not in PRODUCED or item.design_id is None:
            continue
        if item.edit_link_sent_at is not None:
            continue
        now = utcnow()
        stamp = (
            update(OrderItem)
            .where(OrderItem.id == item.id, OrderItem.edit_link_sent_at.is_(None))
            .values(edit_link_sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if scope.session.execute(stamp).rowcount:  # type: ignore[attr-defined]
            set_committed_value(item, "edit_link_sent_at", now)
            enqueue_after_commit(scope.session, get_redis(), edit_mail_spec(item))
            offered += 1
    if offered and shop.platform is Platform.SHOPIFY:
        # The same links on the order status page, for the customer who owns the order.
        intervals = configured_intervals(
            current_app.config["PUSH_RETRY_INTERVALS"], DESIGN_LINKS_RETRY_INTERVALS
        )
        enqueue_after_commit(scope.session, get_redis(), design_links_spec(order, intervals))
    return offered


def send_link(item_id: int) -> str:
    """The job's work: mail the shopper the line's link while its design may still change."""
    config = current_app.config
    with get_db().session() as session:
        item = session.get(OrderItem, item_id)
        shop = session.get(Shop, item.shop_id) if item is not None else None
        if item is None or shop is None or not shop.is_installed:
            return "skipped: gone"
        order = item.order
        if not order.email:
            return "skipped: no e-mail address"
        job = ShopScope(session, shop.id).get_by(ProductionJob, order_item_id=item.id)
        if job is None or why_closed(session, shop, order, job) is not None:
            return "skipped: the design can no longer change"
        message = _message(config, shop, item, order)
    get_mailer().send(message)
    return "sent"


# ---------------------------------------------------------------- the change
DESIGN_NOT_FOUND = "This design was not found."


@dataclass(frozen=True)
class Changed:
    design: Design
    files_version: int
    old_price: Decimal | None
    new_price: Decimal | None


def amount(value: Decimal | None, currency: str) -> str | None:
    """A personalization price as the shopper reads it, "4.00 EUR" (None: none recorded)."""
    return None if value is None else f"{money(value, currency)} {currency}"


def charged(item: OrderItem) -> Decimal | None:
    """What the line paid for its personalization: the surcharge the order recorded, else the
    one Luneo expected."""
    return item.surcharge if item.surcharge is not None else item.expected_surcharge


def _new_design(
    line: EditLine, secret_key: str, body: Mapping[str, Any], customer_ref: str | None
) -> Design:
    design_id, token = body.get("design_id"), body.get("edit_token")
    if not isinstance(design_id, str) or not design_id.startswith("d_") or len(design_id) > 40:
        raise ApiError(400, "invalid_design_id", "design_id must be a design id (d_…).")
    if token is not None and not isinstance(token, str):
        raise ApiError(400, "invalid_edit_token", "edit_token must be a string.")
    design = line.scope.get_by(Design, public_id=design_id)
    # Made in this browser. Another shop's design, another customer's, or one without its
    # token: not found, exactly as an unknown id.
    if design is None or not made_by_caller(design, secret_key, token, customer_ref):
        raise ApiError(404, "design_not_found", DESIGN_NOT_FOUND)
    if design.id == line.design.id:
        raise ApiError(409, "design_unchanged", "This is the design already on the order.")
    if design.product_id != line.item.product_id or design.template_id != line.design.template_id:
        raise ApiError(422, "wrong_product", "This design was made for another product.")
    if design.status is DesignStatus.DRAFT:
        raise ApiError(422, "design_not_ready", "This design is not ready to print yet.")
    if design.status is not DesignStatus.SAVED:
        raise ApiError(409, "design_locked", "This design is already on an order.")
    return design


def replace(
    line: EditLine,
    secret_key: str,
    body: Mapping[str, Any],
    actor: audit.Actor,
    customer_ref: str | None = None,
) -> Changed:
    """Put the caller's new design on the line (see the module docstring); the caller commits.

    409 ``edit_window_closed`` outside the window, ``price_changed`` when the shopper's change
    would cost another amount, ``edit_conflict`` when the job changed meanwhile.
    """
    if line.closed is not None:
        raise ApiError(409, "edit_window_closed", line.closed)
    design = _new_design(line, secret_key, body, customer_ref)
    scope, item, job, currency = line.scope, line.item, line.job, line.order.currency
    old_price = charged(item)
    new_price = expected_surcharge(scope, design, currency)
    if line.by == "shopper" and (new_price or Decimal(0)) != (old_price or Decimal(0)):
        was, will_be = (amount(p, currency) or "nothing" for p in (old_price, new_price))
        raise ApiError(
            409,
            "price_changed",
            f"This change would change the price of your personalization from {was} to {will_be}. "
            "Only changes that keep the price can be made here; contact the store for the others.",
        )
    if job.status not in CHANGEABLE:
        raise ApiError(
            409,
            "edit_conflict",
            "Your item's files are being made right now. Try again in a minute.",
        )
    session, now, seen = scope.session, utcnow(), job.files_version
    assignment = _assignment(session, job)
    if assignment is not None:
        # The partner's claim and this change each update this row conditionally: one wins.
        free = or_(JobAssignment.lease_expires_at.is_(None), JobAssignment.lease_expires_at <= now)
        touched = update(JobAssignment).where(
            JobAssignment.id == assignment.id, JobAssignment.status == AssignmentStatus.NEW
        )
        if line.by == "shopper" and edit_window(line.shop).mode == "claim":
            touched = touched.where(free)
        result = session.execute(
            touched.values(updated_at=now).execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ApiError(
                409, "edit_window_closed", "The print shop has started on your item meanwhile."
            )
    moved = session.execute(
        update(ProductionJob)
        .where(
            ProductionJob.id == job.id,
            ProductionJob.files_version == seen,
            ProductionJob.status.in_(CHANGEABLE),
        )
        .values(
            design_id=design.id,
            files_version=seen + 1,
            status=ProductionStatus.QUEUED,
            status_changed_at=now,
            error=None,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ApiError(
            409, "edit_conflict", "This design was changed meanwhile. Reload the page to see it."
        )
    session.refresh(job)
    old_design = line.design
    item.design_id = design.id
    item.expected_surcharge = new_price
    freeze(design)
    audit.record(
        session,
        actor,
        AUDIT_ACTION,
        partner_id=job.partner_id,
        shop_id=line.shop.id,
        job_id=job.id,
        detail={
            "order_item_id": item.id,
            "from_design": old_design.public_id,
            "to_design": design.public_id,
            "files_version": job.files_version,
            "by": line.by,
            "old_price": None if old_price is None else str(old_price),
            "new_price": None if new_price is None else str(new_price),
        },
    )
    session.flush()
    enqueue_production(session, [(job.id, job.shop_id)])
    proofs.reset_after_edit(session, job)  # a changed design is approved again, when asked for
    return Changed(design, job.files_version, old_price, new_price)


def last_change(session: Session, job: ProductionJob) -> str | None:
    """Who made the job's latest change after the order: "customer", "store" (None: none)."""
    if job.files_version <= 1:
        return None
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.production_job_id == job.id, AuditEvent.action == AUDIT_ACTION)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    event = session.scalars(stmt).first()
    if event is None:
        return None
    return "store" if (event.detail or {}).get("by") == "merchant" else "customer"
