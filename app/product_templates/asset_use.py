"""Which of a shop's orders still to be made draw one of its own fonts or clipart pieces.

A merchant's font or clipart may go once no template offers it — but a design ordered before
that still names it, and its files may be made again (a shopper's change, a partner's file
profile, a retry). So the asset stays until those orders are made: deleting it is refused with
the orders' names, as it is with the templates' names (``shop_fonts``, ``shop_clipart``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select

from app.models import Design, Order, OrderItem, ProductionJob, ProductionStatus
from app.models.scoping import ShopScope

# A job in these may still be rendered (FAILED can be retried); SHIPPED ones are done.
TO_MAKE = (
    ProductionStatus.QUEUED,
    ProductionStatus.RENDERING,
    ProductionStatus.READY,
    ProductionStatus.PRINTING,
    ProductionStatus.FAILED,
)


class InUse(Exception):
    """The templates that offer a shop's font or clipart, and the orders still to make that
    draw it: why it cannot be deleted yet."""

    def __init__(self, templates: list[str], orders: list[str] | None = None) -> None:
        super().__init__(", ".join([*templates, *(orders or ())]))
        self.templates = templates
        self.orders = orders or []

    def says(self, what: str) -> str:
        """The merchant's sentence: ``what`` and everything that still needs it."""
        parts = []
        if self.templates:
            parts.append(f"offered by these products' templates: {', '.join(self.templates)}")
        if self.orders:
            parts.append(f"used by these orders still to be made: {', '.join(self.orders)}")
        return f"{what} is {' and '.join(parts)}. " + (
            "Remove it from the templates first."
            if not self.orders
            else "It can be deleted once those orders are made."
        )


def _pairs(value: Any) -> Iterator[tuple[str, Any]]:
    """Every ``(key, value)`` of a design document, however deep."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield str(key), inner
            yield from _pairs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _pairs(inner)


def orders_using(scope: ShopScope, uses: Callable[[str, Any], bool]) -> list[str]:
    """The names of the shop's orders with a line still to make whose design has a
    ``(key, value)`` that ``uses`` accepts, each once, in order."""
    rows = scope.session.execute(
        select(Order.name, Order.id, Design.document)
        .join(OrderItem, OrderItem.order_id == Order.id)
        .join(ProductionJob, ProductionJob.order_item_id == OrderItem.id)
        .join(Design, Design.id == ProductionJob.design_id)
        .where(ProductionJob.shop_id == scope.shop_id, ProductionJob.status.in_(TO_MAKE))
        .order_by(Order.id)
    )
    names: list[str] = []
    for name, order_id, document in rows:
        label = name or f"order {order_id}"
        if label not in names and any(uses(k, v) for k, v in _pairs(document)):
            names.append(label)
    return names


def uses_font(family: str) -> Callable[[str, Any], bool]:
    return lambda key, value: key == "font" and value == family


def uses_clipart(ref_prefix: str) -> Callable[[str, Any], bool]:
    """A clipart ref of a set (``clipart:shop-3/``) or one piece (``clipart:shop-3/star``)."""
    whole = not ref_prefix.endswith("/")
    return lambda key, value: (
        isinstance(value, str) and (value == ref_prefix if whole else value.startswith(ref_prefix))
    )
