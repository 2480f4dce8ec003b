"""``read_ahead``: records read on a background thread arrive whole, in order, with their progress
reports on the caller's thread; errors cross over; memory stays bounded; a caller that stops
stops the reader."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from app.sync.readahead import read_ahead
from connectors.base import Progress


def counting(n: int, every: int = 10) -> tuple[list[str], object]:
    """A producer of ``n`` records reporting every ``every``, and where it ran."""
    ran_on: list[str] = []

    def produce(report: Progress) -> Iterator[int]:
        ran_on.append(threading.current_thread().name)
        for i in range(n):
            yield i
            if (i + 1) % every == 0:
                report(i + 1, n, "products")

    return ran_on, produce


def test_records_and_reports_arrive_in_order_and_reports_on_the_callers_thread() -> None:
    ran_on, produce = counting(1000)
    seen: list[int] = []
    reports: list[tuple[int, int, str, int, str]] = []

    def progress(done: int, total: int, message: str) -> None:
        # A report comes after every record it counts, on the caller's thread.
        reports.append((done, total, message, len(seen), threading.current_thread().name))

    seen.extend(read_ahead(produce, progress, chunk=64, depth=2))  # type: ignore[arg-type]

    assert seen == list(range(1000))
    assert ran_on == ["luneo-sync-reader"]
    assert [r[0] for r in reports] == list(range(10, 1001, 10))
    assert all(done == counted for done, _, _, counted, _ in reports)
    assert {r[4] for r in reports} == {threading.current_thread().name}


def test_an_error_of_the_reader_is_raised_to_the_caller_after_the_records_before_it() -> None:
    def produce(_report: Progress) -> Iterator[int]:
        yield from range(5)
        raise PermissionError("token revoked")

    seen: list[int] = []
    with pytest.raises(PermissionError, match="token revoked"):
        seen.extend(read_ahead(produce, lambda *_: None, chunk=2))
    assert seen == [0, 1, 2, 3, 4]


def test_the_reader_stays_at_most_depth_chunks_ahead() -> None:
    produced = 0
    consumed = 0
    furthest = 0

    def produce(_report: Progress) -> Iterator[int]:
        nonlocal produced, furthest
        for i in range(2000):
            produced += 1
            furthest = max(furthest, produced - consumed)
            yield i

    for _ in read_ahead(produce, lambda *_: None, chunk=10, depth=3):
        consumed += 1
    # Queued chunks, the chunk being filled, the one being handed over and the one being read.
    assert furthest <= 10 * (3 + 3)


def test_a_caller_that_stops_early_stops_the_reader() -> None:
    finished = threading.Event()

    def produce(_report: Progress) -> Iterator[int]:
        try:
            yield from range(10**9)
        finally:
            finished.set()

    records = read_ahead(produce, lambda *_: None, chunk=5, depth=1)
    assert next(records) == 0
    records.close()  # e.g. the database write of the first batch failed

    assert finished.wait(5)
    assert not any(t.name == "luneo-sync-reader" and t.is_alive() for t in threading.enumerate())
