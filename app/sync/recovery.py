"""Designs that never go missing: the shopper's link to add a design to an ordered line, and the
merchant's two ways to unblock a line (send the link again, produce an unpaid line anyway).

A MISSING line (``app.sync.personalization``) gets one e-mail, queued by the order sync after
its commit (``jobs.recovery.send_link`` → :func:`send_link`). The e-mail carries a signed,
expiring token (``Purpose.RECOVER_DESIGN``, :data:`LINK_TTL`) naming the shop and the line; the
token alone is the shopper's credential on the recovery page and its storefront surface
(``app.storefront.recovery``), so :func:`open_line` refuses it as soon as the line no longer
waits for a design (added, order cancelled or fulfilled).

:func:`attach` links a saved, ready design of the line's product that the caller proves it made
(an anonymous design's edit token; through Shopify's app proxy, being the signed-in customer who
made it), freezes it, marks the line RECOVERED and queues production, once: a second attach finds
the line no longer MISSING. On Shopify, and on a WooCommerce store whose plugin hosts it, the
e-mail links to the page on the store itself (:func:`link_url`), where the editor kept the
shopper's draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from redis import Redis
from sqlalchemy.orm import Session

from app.accounts.mailer import Message
from app.api_error import ApiError, LinkInvalid
from app.db import utcnow
from app.extensions import get_db, get_mailer
from app.models import (
    Design,
    DesignStatus,
    Order,
    OrderItem,
    Personalization,
    Platform,
    ProductionJob,
    Shop,
    ShopScope,
)
from app.queue import enqueue_after_commit
from app.ratelimit import Window, hit
from app.signing import (
    Purpose,
    TokenExpired,
    TokenInvalid,
    id_claims,
    issue,
)
from app.sync.personalization import expected_surcharge
from app.sync.specs import recovery_mail_spec
from app.sync.store import PRODUCED, freeze_ordered, made_by_caller, start_production
from app.woocommerce.plugin import recovery_page_url
from app.woocommerce.urls import app_url

LINK_TTL = 30 * 24 * 3600  # a shopper may read the e-mail late; the order usually waits longer
PATH = "/recover/"  # the page (``app.storefront.recovery``) and its storefront surface live here
# Where Shopify's app proxy puts Luneo on a store (shopify.app.toml: prefix "apps", "luneo").
SHOPIFY_PROXY_PREFIX = "/apps/luneo"
# "Send the link again": at most once per 10 minutes and 5 times a day per line.
RESEND_WINDOWS = (Window(600, 1), Window(86400, 5))
RESEND_MESSAGE = "The link was sent a moment ago. Wait a few minutes before sending it again."


# ---------------------------------------------------------------- the link
def link_token(secret_key: str, item: OrderItem, now: float | None = None) -> str:
    claims = {"shop": item.shop_id, "item": item.id}
    return issue(secret_key, Purpose.RECOVER_DESIGN, claims, ttl=LINK_TTL, now=now).token


def link_url(config: Mapping[str, Any], shop: Shop, token: str) -> str:
    """Where the e-mail sends the shopper.

    A Shopify shop's link opens on the store itself, through the app proxy
    (``https://<shop>/apps/luneo/recover/<token>``): the store's origin is where the editor
    kept the shopper's draft (localStorage), so it opens again there. A WooCommerce store
    whose plugin hosts the page (``app.woocommerce.plugin``) likewise gets
    ``<store>/?luneo_recover=<token>``. Elsewhere, Luneo's own page (on ``APP_URL``: jobs have
    no request to take the host from), which works without the draft.
    """
    if shop.platform is Platform.SHOPIFY:
        return f"https://{shop.domain}{SHOPIFY_PROXY_PREFIX}{PATH}{token}"
    return recovery_page_url(shop, token) or f"{app_url(config)}{PATH}{token}"


def is_open(order: Order) -> bool:
    """An order that may still get a design: not cancelled, not sent."""
    return order.cancelled_at is None and order.fulfillment_status != "fulfilled"


@dataclass(frozen=True)
class RecoveryLine:
    """What a valid recovery token opens: the shop, the line and its order."""

    scope: ShopScope
    shop: Shop
    item: OrderItem
    order: Order


def _claims(secret_key: str, token: str) -> tuple[int, int]:
    try:
        claims = id_claims(secret_key, Purpose.RECOVER_DESIGN, token, ("shop", "item"))
    except TokenExpired:
        raise ApiError(
            410, "link_expired", "This link has expired. Contact the store to add your design."
        ) from None
    except TokenInvalid:
        raise LinkInvalid() from None
    return int(claims["shop"]), int(claims["item"])


def open_line(session: Session, secret_key: str, token: str) -> RecoveryLine:
    """The line a token names, while it still waits for its design; ``ApiError`` otherwise
    (404 unknown or forged, 410 expired or no longer needed, 409 already added)."""
    shop_id, item_id = _claims(secret_key, token)
    shop = session.get(Shop, shop_id)
    if shop is None or not shop.is_installed:
        raise LinkInvalid()
    scope = ShopScope(session, shop.id)
    item = scope.get(OrderItem, item_id)
    if item is None:
        raise LinkInvalid()
    order = item.order
    if order.cancelled_at is not None:
        raise ApiError(410, "order_closed", "This order was cancelled: it needs no design.")
    if order.fulfillment_status == "fulfilled":
        raise ApiError(410, "order_closed", "This order has already been sent.")
    if item.personalization is Personalization.RECOVERED:
        raise ApiError(
            409, "already_added", "Your design was added to this order already. Thank you!"
        )
    if item.personalization is not Personalization.MISSING:
        raise ApiError(410, "not_needed", "This order no longer needs a design.")
    return RecoveryLine(scope, shop, item, order)


# ---------------------------------------------------------------- the e-mail
def _message(config: Mapping[str, Any], shop: Shop, item: OrderItem, order: Order) -> Message:
    token = link_token(str(config["SECRET_KEY"]), item)
    store = shop.name or shop.domain
    until = datetime.fromtimestamp(datetime.now(UTC).timestamp() + LINK_TTL, UTC)
    text = (
        f"Hello,\n\n"
        f'Thank you for your order {order.name} at {store}. "{item.title or "Your item"}" is '
        f"made with your personalization, but your design did not reach us with the order.\n\n"
        f"Add it here (a design you started in this browser opens again):\n"
        f"{link_url(config, shop, token)}\n\n"
        f"We make your item as soon as the design is added. The link works until "
        f"{until.strftime('%d %B %Y')}.\n\n"
        f"{store}\n"
    )
    return Message(
        to=order.email or "", subject=f"Add your design to order {order.name}", text=text
    )


def send_link(item_id: int) -> str:
    """The job's work: mail the shopper the line's link, if the line still waits for a design.

    The sync (or the merchant) stamped ``recovery_sent_at`` when it queued this, so a later sync
    never queues it again; here only a line that stopped waiting meanwhile is skipped.
    """
    config = current_app.config
    with get_db().session() as session:
        item = session.get(OrderItem, item_id)
        shop = session.get(Shop, item.shop_id) if item is not None else None
        if item is None or shop is None or not shop.is_installed:
            return "skipped: gone"
        order = item.order
        if item.personalization is not Personalization.MISSING or not is_open(order):
            return "skipped: no longer waiting for a design"
        if not order.email:
            return "skipped: no e-mail address"
        message = _message(config, shop, item, order)
    get_mailer().send(message)
    return "sent"


def resend_link(scope: ShopScope, item: OrderItem, redis: Redis) -> None:
    """The merchant's "Send the link again" (rate limited per line); queued after the commit."""
    order = item.order
    if item.personalization is not Personalization.MISSING:
        raise ApiError(409, "not_missing", "This item does not wait for a design.")
    if not is_open(order):
        raise ApiError(409, "order_closed", "This order is cancelled or already fulfilled.")
    if not order.email:
        raise ApiError(409, "no_email", "This order has no e-mail address to send the link to.")
    hit(redis, f"recovery-resend:{item.id}", RESEND_WINDOWS, RESEND_MESSAGE)
    item.recovery_sent_at = utcnow()
    enqueue_after_commit(scope.session, redis, recovery_mail_spec(item))


# ---------------------------------------------------------------- unblocking a line
def produce_anyway(scope: ShopScope, item: OrderItem) -> ProductionJob:
    """The merchant's release of an UNPAID line: its design is frozen and produced as it is."""
    if item.personalization is not Personalization.UNPAID or item.design_id is None:
        raise ApiError(
            409, "not_unpaid", "Only an item whose surcharge was not paid waits for this."
        )
    if item.order.cancelled_at is not None:
        raise ApiError(409, "order_closed", "This order was cancelled.")
    design = scope.get(Design, item.design_id)
    if design is None:
        raise ApiError(409, "design_gone", "This item's design no longer exists.")
    freeze_ordered(scope.session, design, item.order.placed_at)
    start_production(scope, [item])
    job = scope.get_by(ProductionJob, order_item_id=item.id)
    if job is None:  # start_production made or found it
        raise RuntimeError("no production job after starting production")
    return job


def _locked(scope: ShopScope, item: OrderItem) -> OrderItem:
    """The line again, locked until the commit (PostgreSQL), so two attaches cannot both pass."""
    query = scope.select(OrderItem).where(OrderItem.id == item.id).with_for_update()
    return scope.session.scalars(query.execution_options(populate_existing=True)).one()


DESIGN_NOT_FOUND = "This design was not found."


def attach(
    line: RecoveryLine,
    secret_key: str,
    body: Mapping[str, Any],
    customer_ref: str | None = None,
) -> Design:
    """Attach the caller's saved design of the line's product to the line (see the module
    docstring); the caller commits.

    The caller proves the design is theirs as every storefront save does: an anonymous design by
    its edit token; a signed-in customer's design by being that customer (``customer_ref``,
    which only Shopify's signed app proxy vouches for).
    """
    design_id, token = body.get("design_id"), body.get("edit_token")
    if not isinstance(design_id, str) or not design_id.startswith("d_") or len(design_id) > 40:
        raise ApiError(400, "invalid_design_id", "design_id must be a design id (d_…).")
    if token is not None and not isinstance(token, str):
        raise ApiError(400, "invalid_edit_token", "edit_token must be a string.")
    scope = line.scope
    design = scope.get_by(Design, public_id=design_id)
    if design is None or not made_by_caller(design, secret_key, token, customer_ref):
        raise ApiError(404, "design_not_found", DESIGN_NOT_FOUND)
    if design.product_id is None or design.product_id != line.item.product_id:
        raise ApiError(422, "wrong_product", "This design was made for another product.")
    if design.status is DesignStatus.DRAFT:
        raise ApiError(422, "design_not_ready", "This design is not ready to print yet.")
    if design.status is not DesignStatus.SAVED:
        raise ApiError(409, "design_locked", "This design is already on an order.")
    item = _locked(scope, line.item)
    if item.personalization is not Personalization.MISSING:
        raise ApiError(409, "already_added", "A design was added to this order already.")
    item.design_id = design.id
    item.personalization = Personalization.RECOVERED
    item.expected_surcharge = expected_surcharge(scope, design, line.order.currency)
    freeze_ordered(scope.session, design, line.order.placed_at)
    scope.session.flush()
    start_production(scope, [item], new_for=PRODUCED)
    return design
