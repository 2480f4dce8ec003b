"""The values platforms send, as records hold them: timestamps as aware UTC, amounts as Decimal.

One parser each for both adapters (and the app's handlers of Shopify payloads), so a timestamp
or a price means the same whichever platform sent it. A malformed value in a record is a
RecordError naming the record (skip it, carry on); the platforms' differences (WooCommerce sends
"" for "none") are keyword arguments, not copies.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.base import Money, RecordError


def utc_moment(raw: str) -> datetime:
    """An ISO 8601 timestamp as an aware UTC datetime (a naive one is taken as UTC).

    ValueError when it is not one.
    """
    parsed = datetime.fromisoformat(raw)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def record_moment(owner: str, raw: Any, *, blank_is_none: bool = False) -> datetime | None:
    """A record's timestamp; None when absent (or "" with ``blank_is_none``)."""
    if raw is None or (blank_is_none and raw == ""):
        return None
    try:
        return utc_moment(str(raw))
    except ValueError:
        raise RecordError(owner, f"timestamp {raw!r} is not ISO 8601") from None


def record_amount(owner: str, where: str, raw: Any, *, blank_is_zero: bool = False) -> Decimal:
    """``where`` names the part of record ``owner`` holding the amount, for the skip reason.

    With ``blank_is_zero`` a missing amount is 0 (a WooCommerce product without a price yet).
    """
    if blank_is_zero and (raw is None or raw == ""):
        return Decimal("0")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise RecordError(owner, f"{where}amount {raw!r} is not a number") from None
    if not value.is_finite():
        raise RecordError(owner, f"{where}unusable amount {raw!r}")
    return value


def record_money(
    owner: str, where: str, amount: Any, currency: Any, *, blank_is_zero: bool = False
) -> Money:
    """An amount and its ISO 4217 currency code (upper-cased)."""
    if not isinstance(currency, str) or len(currency) != 3:
        raise RecordError(owner, f"{where}unusable currency {currency!r}")
    return Money(record_amount(owner, where, amount, blank_is_zero=blank_is_zero), currency.upper())
