"""The e-mail with the link to change an ordered design: ``send_link`` for one ordered line
(``app.sync.order_edits``), and ``publish_links``, the same links on a Shopify order's status
page (``app.sync.design_links``). Their dotted paths are stored with every queued job: the
names stay."""

from __future__ import annotations

from flask import current_app

from app.extensions import get_db
from app.sync import design_links, order_edits


def send_link(order_item_id: int) -> str:
    """Mail the shopper the link to change the line's design (skipped once it no longer can)."""
    return order_edits.send_link(order_item_id)


def publish_links(order_id: int) -> str:
    """Write the order's ``design_links`` metafield; a network failure raises so RQ retries."""
    with get_db().session() as session:
        result = design_links.publish(session, order_id, current_app.config)
        session.commit()
        return result
