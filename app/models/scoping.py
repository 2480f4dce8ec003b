"""Shop-scoped queries as the easy path: a ShopScope only ever reads and writes one shop's rows.

Views and jobs that act for a shop take a ShopScope instead of a bare Session, so forgetting
the ``shop_id`` filter is not something they can do by accident.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.api_error import NotFound
from app.ids import in_range
from app.models.base import ShopOwnedMixin

M = TypeVar("M", bound=ShopOwnedMixin)
R = TypeVar("R")


def owned_row(session: Session, model: type[R], row_id: int, **owner: int) -> R | None:
    """The row with this id if its owner columns (``shop_id=…``, ``partner_id=…``) match; None
    for anyone else's row, so it is as unknown as a missing one (and for an id no row can have:
    PostgreSQL would refuse it as out of the integer range)."""
    if not in_range(row_id):
        return None
    row = session.get(model, row_id)
    if row is None or any(getattr(row, column) != value for column, value in owner.items()):
        return None
    return row


class ShopScope:
    def __init__(self, session: Session, shop_id: int) -> None:
        self.session = session
        self.shop_id = shop_id

    def select(self, model: type[M]) -> Select[M]:
        """``select(model)`` already filtered to this shop; add where/order_by as usual."""
        return select(model).where(model.shop_id == self.shop_id)

    def get(self, model: type[M], row_id: int) -> M | None:
        """The row with this id if it belongs to this shop; None for another shop's row (and for
        an id no row can have: PostgreSQL would refuse it as out of the integer range)."""
        return owned_row(self.session, model, row_id, shop_id=self.shop_id)

    def get_or_404(
        self, model: type[M], row_id: int | None, message: str, code: str = "not_found"
    ) -> M:
        """``get``, or a 404 ``NotFound`` with ``message``: another shop's row (or no id at all)
        is answered exactly as a row that does not exist."""
        row = self.get(model, row_id) if row_id is not None else None
        if row is None:
            raise NotFound(message, code)
        return row

    def get_by(self, model: type[M], **filters: Any) -> M | None:
        stmt = self.select(model).filter_by(**filters)
        return self.session.scalars(stmt).one_or_none()

    def all(self, model: type[M], *order_by: Any, limit: int | None = None) -> list[M]:
        stmt = self.select(model).order_by(*order_by).limit(limit)
        return list(self.session.scalars(stmt))

    def count(self, model: type[M]) -> int:
        stmt = select(func.count()).select_from(model).where(model.shop_id == self.shop_id)
        return int(self.session.scalar(stmt) or 0)

    def add(self, row: M) -> M:
        """Add a new row owned by this shop (sets shop_id; refuses a row of another shop)."""
        if row.shop_id is not None and row.shop_id != self.shop_id:
            raise PermissionError("row belongs to another shop")
        row.shop_id = self.shop_id
        self.session.add(row)
        return row
