"""The one retry mechanism: bounded attempts, the server's wait first, a deadline, no retry of
what cannot succeed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from connectors.base import RetryableError
from connectors.retry import (
    Backoff,
    TryAgain,
    call_with_retries,
    retry_after_seconds,
    with_http_retries,
)


class Flaky(Exception):
    def __init__(self, wait: float | None = None) -> None:
        super().__init__("flaky")
        self.wait = wait


class Broken(Exception):
    pass


class Clock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def failing(errors: Sequence[BaseException]) -> tuple[list[int], Callable[[], str]]:
    """A call raising ``errors`` in turn, then returning "done"; and its call log."""
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "done"

    return calls, call


def run(call: Callable[[], str], clock: Clock, backoff: Backoff, **options: Any) -> str:
    return call_with_retries(
        call,
        backoff,
        retryable=lambda error: isinstance(error, Flaky),
        server_wait=lambda error, _n: error.wait if isinstance(error, Flaky) else None,
        sleep=clock.sleep,
        clock=clock,
        rand=lambda: 0.5,
        **options,
    )


def test_retryable_errors_are_retried_up_to_the_limit_then_the_last_propagates() -> None:
    clock = Clock()
    calls, call = failing([Flaky(), Flaky(), Flaky(), Flaky()])

    with pytest.raises(Flaky):
        run(call, clock, Backoff(attempts=3, base_delay=1.0, max_delay=30.0))

    assert len(calls) == 3
    assert clock.sleeps == [0.75, 1.5]  # equal jitter, rand() = 0.5: 3/4 of 1 s, 2 s


def test_success_after_retries_returns_the_result() -> None:
    clock = Clock()
    calls, call = failing([Flaky(), Flaky()])

    assert run(call, clock, Backoff(attempts=5, base_delay=1.0, max_delay=30.0)) == "done"
    assert len(calls) == 3


def test_the_servers_wait_replaces_the_backoff() -> None:
    clock = Clock()
    _calls, call = failing([Flaky(wait=7.0), Flaky()])

    run(call, clock, Backoff(attempts=5, base_delay=1.0, max_delay=2.0))

    assert clock.sleeps == [7.0, 1.5]  # the server's 7 s (not capped), then backoff for attempt 2


def test_backoff_doubles_up_to_its_cap_without_jitter_when_asked() -> None:
    backoff = Backoff(attempts=9, base_delay=2.0, max_delay=10.0, jitter=False)

    assert [backoff.delay(n, rand=lambda: 0.0) for n in range(1, 6)] == [2, 4, 8, 10, 10]


def test_no_wait_is_started_that_would_end_past_the_deadline() -> None:
    clock = Clock()
    calls, call = failing([Flaky(wait=4.0)] * 10)

    with pytest.raises(Flaky):
        run(call, clock, Backoff(10, 1.0, 30.0), deadline=clock.now + 10.0)

    # 4 s + 4 s fit in 10 s; a third wait would end at 12 s: the third failure propagates
    assert (len(calls), clock.sleeps) == (3, [4.0, 4.0])


def test_errors_that_are_not_retryable_propagate_at_once() -> None:
    clock = Clock()
    calls, call = failing([Broken()])

    with pytest.raises(Broken):
        run(call, clock, Backoff(5, 1.0, 30.0))

    assert (len(calls), clock.sleeps) == (1, [])


def test_every_retry_is_reported_before_its_wait() -> None:
    clock = Clock()
    seen: list[tuple[int, float, str]] = []
    _calls, call = failing([Flaky(wait=3.0), Flaky()])

    run(call, clock, Backoff(5, 1.0, 30.0), on_retry=lambda n, w, e: seen.append((n, w, str(e))))

    assert seen == [(1, 3.0, "flaky"), (2, 1.5, "flaky")]


def test_http_retries_hand_over_to_the_job_queue_with_the_last_problem() -> None:
    clock = Clock()
    problems = [TryAgain("HTTP 429", 2.0), TryAgain("HTTP 503"), TryAgain("ConnectionError")]
    calls, call = failing(problems)

    with pytest.raises(RetryableError, match="^Shop still failing after 3 attempts: Connection"):
        with_http_retries(
            "Shop",
            call,
            Backoff(3, 1.0, 30.0),
            log=logging.getLogger("test"),
            sleep=clock.sleep,
            rand=lambda: 0.5,
        )

    assert (len(calls), clock.sleeps) == (3, [2.0, 1.5])


def test_a_per_attempt_server_wait_is_asked_with_the_attempt_number() -> None:
    clock = Clock()
    _calls, call = failing([TryAgain("THROTTLED", lambda n: 10.0 * n)] * 2)

    with_http_retries(
        "Shop",
        call,
        Backoff(5, 1.0, 30.0),
        log=logging.getLogger("test"),
        sleep=clock.sleep,
        rand=lambda: 0.5,
    )

    assert clock.sleeps == [10.0, 20.0]


@pytest.mark.parametrize(
    ("raw", "seconds"), [("2.5", 2.5), ("-3", 0.0), (None, None), ("Wed, 21 Oct", None)]
)
def test_retry_after_header_in_seconds(raw: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(raw) == seconds
