"""``app.db.as_utc``: the one reading of a moment whose offset may have been lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from app.db import as_utc


def test_a_naive_moment_is_utc() -> None:
    naive = datetime(2026, 12, 6, 8, 0)  # noqa: DTZ001 - the naive value is the point
    assert as_utc(naive) == datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def test_an_aware_moment_keeps_its_instant_and_none_stays_none() -> None:
    paris = datetime(2026, 12, 6, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert as_utc(paris) is paris
    assert as_utc(paris) == datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    assert as_utc(None) is None
