"""The e-mail with the link to change an ordered design: ``send_link`` for one ordered line
(``app.sync.order_edits``). Its dotted path (``jobs.order_edits.send_link``) is stored with
every queued e-mail: the name stays."""

from __future__ import annotations

from app.sync import order_edits


def send_link(order_item_id: int) -> str:
    """Mail the shopper the link to change the line's design (skipped once it no longer can)."""
    return order_edits.send_link(order_item_id)
