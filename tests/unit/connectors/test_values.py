"""The value parsers both adapters share: one meaning for a timestamp or a price."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connectors.base import Money, RecordError
from connectors.values import record_amount, record_moment, record_money, utc_moment


@pytest.mark.parametrize(
    "raw",
    ["2026-03-01T12:00:00Z", "2026-03-01T13:00:00+01:00", "2026-03-01T12:00:00"],
    ids=["zulu", "offset", "naive-is-utc"],
)
def test_timestamps_become_aware_utc(raw: str) -> None:
    moment = utc_moment(raw)
    assert moment == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert moment.tzinfo is UTC


def test_a_record_timestamp_that_is_not_iso_names_its_record() -> None:
    with pytest.raises(RecordError, match="^gid://1: timestamp 'yesterday' is not ISO 8601"):
        record_moment("gid://1", "yesterday")


def test_blank_timestamps_are_none_only_where_the_platform_means_it() -> None:
    assert record_moment("1", None) is None
    assert record_moment("1", "", blank_is_none=True) is None
    with pytest.raises(RecordError):
        record_moment("1", "")


def test_money_is_a_decimal_and_an_upper_case_currency() -> None:
    assert record_money("1", "", "19.90", "eur") == Money(Decimal("19.90"), "EUR")


@pytest.mark.parametrize(
    ("amount", "currency", "reason"),
    [
        ("nineteen", "EUR", "variant 2: amount 'nineteen' is not a number"),
        ("NaN", "EUR", "variant 2: unusable amount 'NaN'"),
        ("1", "EURO", "variant 2: unusable currency 'EURO'"),
        ("1", None, "variant 2: unusable currency None"),
    ],
)
def test_unusable_money_is_a_record_error(amount: str, currency: str | None, reason: str) -> None:
    with pytest.raises(RecordError) as raised:
        record_money("1", "variant 2: ", amount, currency)
    assert raised.value.reason == reason


def test_a_missing_amount_is_zero_only_where_the_platform_means_it() -> None:
    assert record_amount("1", "", "", blank_is_zero=True) == Decimal("0")
    assert record_amount("1", "", None, blank_is_zero=True) == Decimal("0")
    with pytest.raises(RecordError, match="amount None is not a number"):
        record_amount("1", "", None)
